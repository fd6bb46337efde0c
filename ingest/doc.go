// Package ingest loads a district's exports into the store: it finds the
// files of each input kind, reads them (UTF-8 CSV through DuckDB's own
// reader; GB18030 CSV, Excel and Open311 JSON parsed in Go and handed to
// DuckDB as Arrow record batches), maps their headers onto the canonical
// columns of the data contract, hashes or drops personal columns before
// anything reaches the database, validates and normalises every row with
// set-based SQL, and files each row either into its clean table or into
// rejects with a reason. The ingest_files manifest makes re-loading an
// unchanged file a no-op.
package ingest
