// Command bench measures civicscore against the floor DuckDB sets: it
// generates a data set with `civicscore gen`, then runs, alternately, the
// floor (DuckDB alone loading the same CSVs and computing the core month
// aggregates in hand-written SQL, floor.sql) and civicscore's stages
// (ingest, compute, report, and the whole run), each as its own process,
// and prints every stage's wall time and peak RSS with its ratio to the
// floor. Run it with `make bench` (SCALE=city by default).
package main
