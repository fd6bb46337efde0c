// Package store owns civicscore's DuckDB database: it opens it (read-write or
// read-only, with the configured memory limit, threads, spill directory and
// timezone), applies the numbered schema migrations embedded from
// migrations/*.sql, runs transactions, and builds every output beside the old
// one so that a run swaps in a complete database and report or nothing at all.
package store
