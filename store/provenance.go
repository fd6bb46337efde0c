package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"time"
)

// Run is the provenance of one compute run, its row in runs.
type Run struct {
	ID                 string
	Started, Finished  time.Time
	Version            string // civicscore's
	DuckDBVersion      string
	AsOf               time.Time // zero when there was no case to take it from
	ConfigJSON         string    // the effective config, secrets left out
	ConfigFile         string    // absolute path; "" when none
	DefinitionsVersion string
	// Location is the configured timezone: the times are written as local
	// wall-clock times in it, like every timestamp in the database.
	Location *time.Location
}

// InputFile is a file a run's ingest configured: loaded, or skipped as
// unchanged.
type InputFile struct {
	Kind, SHA256 string
	Skipped      bool
}

// RecordRun writes, in one transaction, the provenance of a run: its row in
// runs (with the sha256 of its config JSON and the schema version) and one
// row in run_inputs per file of ingest_files (the files the database holds
// data from) with what this run did with it: loaded, unchanged (configured
// and skipped: the same kind and content was loaded before) or earlier
// (loaded by an earlier run only). Files are matched on kind and sha256, as
// ingest matches them. inputs is nil when the run ingested nothing.
func RecordRun(ctx context.Context, db *DB, r Run, inputs []InputFile) error {
	const stamp = "2006-01-02 15:04:05.999999"
	loc := r.Location
	if loc == nil {
		loc = time.Local
	}
	var asOf, file any // NULL when unknown
	if !r.AsOf.IsZero() {
		asOf = r.AsOf.Format(stamp)
	}
	if r.ConfigFile != "" {
		file = r.ConfigFile
	}
	sum := sha256.Sum256([]byte(r.ConfigJSON))
	err := db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO runs (run_id, started_at, finished_at, version, duckdb_version,
			as_of, config_json, config_sha256, config_file, schema_version, definitions_version)
			VALUES (?, ?::TIMESTAMP, ?::TIMESTAMP, ?, ?, ?::TIMESTAMP, ?, ?, ?, ?, ?)`,
			r.ID, r.Started.In(loc).Format(stamp), r.Finished.In(loc).Format(stamp), r.Version, r.DuckDBVersion,
			asOf, r.ConfigJSON, hex.EncodeToString(sum[:]), file, SchemaVersion(), r.DefinitionsVersion); err != nil {
			return err
		}
		return recordInputs(ctx, tx, r.ID, inputs)
	})
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	return nil
}

// recordInputs writes the run_inputs rows of RecordRun.
func recordInputs(ctx context.Context, tx *sql.Tx, runID string, inputs []InputFile) error {
	status := map[[2]string]string{}
	for _, f := range inputs {
		k := [2]string{f.Kind, f.SHA256}
		switch {
		case !f.Skipped:
			status[k] = "loaded"
		case status[k] == "":
			status[k] = "unchanged"
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT kind, path, sha256, rows_read, rows_clean, rows_rejected, loaded_at
		FROM ingest_files ORDER BY loaded_at, kind, path, sha256`)
	if err != nil {
		return err
	}
	type file struct {
		kind, path, sha       string
		read, clean, rejected int64
		loadedAt              time.Time
	}
	var files []file
	for rows.Next() {
		var f file
		if err := rows.Scan(&f.kind, &f.path, &f.sha, &f.read, &f.clean, &f.rejected, &f.loadedAt); err != nil {
			rows.Close()
			return err
		}
		files = append(files, f)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, f := range files {
		st := status[[2]string{f.kind, f.sha}]
		if st == "" {
			st = "earlier"
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO run_inputs (run_id, kind, path, sha256, rows_read, rows_clean,
			rows_rejected, loaded_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			runID, f.kind, f.path, f.sha, f.read, f.clean, f.rejected, f.loadedAt, st); err != nil {
			return err
		}
	}
	return nil
}
