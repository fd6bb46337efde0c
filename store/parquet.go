package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ExportTables are the tables copied to Parquet, in order.
var ExportTables = []string{"communities", "cases", "services", "survey_responses", "rejects",
	"ingest_files", "indicators", "indicator_values", "runs"}

// ExportParquet writes every table of ExportTables to dir/<table>.parquet
// (zstd), readable by any Parquet reader.
func ExportParquet(ctx context.Context, db *DB, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	for _, t := range ExportTables {
		path := filepath.Join(dir, t+".parquet")
		// COPY takes no parameter for its target; the path is ours (the
		// staging folder) and is quoted as a SQL string literal.
		q := fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet, COMPRESSION zstd)", t, quoteLiteral(path))
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("parquet %s: %w", t, err)
		}
	}
	return nil
}

// quoteLiteral quotes s as a SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
