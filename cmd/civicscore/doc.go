// Command civicscore turns a district's case, service and survey exports
// into an evaluation of its communities in which residents are the
// evaluators: it loads the files into DuckDB, computes the indicators and
// writes an offline HTML report. `civicscore help` lists the commands and
// `civicscore COMMAND --help` their flags; the config keys are in
// docs/config.md. Exit status: 0 success, 1 the run failed (nothing
// half-written replaces a good earlier output), 2 bad usage or invalid
// config.
//
// The main package is thin: Main parses flags with cobra, loads config, and
// copies config values into the options of ingest, metrics and reports.
package main
