// Command civicscore turns a district's case, service and survey exports
// into an evaluation of its communities in which residents are the
// evaluators: it loads the files into DuckDB, computes the indicators and
// writes an offline HTML report. See cli.md in the project spec for the
// commands, flags, outputs and exit codes.
//
// The main package is thin: Main parses flags with cobra, loads config, and
// copies config values into the options of ingest, metrics and reports.
package main
