package main

import (
	"context"

	"github.com/civicscore/civicscore/store"
)

// logEngine logs the database engine's resource settings as DuckDB reports
// them, so that a run's log shows duckdb.memory_limit, duckdb.threads and
// duckdb.temp_directory in force (or DuckDB's defaults).
func (m *Main) logEngine(ctx context.Context, db *store.DB) {
	var mem, threads, tmp string
	err := db.QueryRowContext(ctx, `SELECT current_setting('memory_limit'), current_setting('threads')::VARCHAR,
		current_setting('temp_directory')`).Scan(&mem, &threads, &tmp)
	if err != nil {
		m.Log.Warn("cannot read the database engine's settings", "err", err)
		return
	}
	m.Log.Info("database engine", "memory_limit", mem, "threads", threads, "temp_directory", tmp)
}
