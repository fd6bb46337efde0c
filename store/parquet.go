package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// PartitionedTables are the large fact tables, exported Hive-partitioned by
// month: DIR/<table>/month=YYYY-MM/*.parquet, month being the local month of
// the timestamp or date column given here (the month that decides a row's
// period in indicator_values). Read them back with
// read_parquet('DIR/<table>/*/*.parquet', hive_partitioning = true).
var PartitionedTables = map[string]string{
	"cases":            "reported_at",
	"services":         "service_date",
	"survey_responses": "submitted_at",
}

// PartitionColumn is the name of the derived partition column.
const PartitionColumn = "month"

// emptyPartition is the partition an empty partitioned table is written
// to, so that its folder, schema and glob exist: DuckDB's own name for a
// NULL partition value, read back as NULL.
const emptyPartition = PartitionColumn + "=__HIVE_DEFAULT_PARTITION__"

// ExportTables returns the tables ExportParquet writes: every base table of
// the database's main schema, sorted by name (views are left out: they are
// queries over these tables).
func ExportTables(ctx context.Context, db *DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT table_name FROM duckdb_tables()
		WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal AND NOT temporary
		ORDER BY table_name`)
	if err != nil {
		return nil, fmt.Errorf("parquet: list tables: %w", err)
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, fmt.Errorf("parquet: list tables: %w", err)
		}
		tables = append(tables, t)
	}
	return tables, rows.Err()
}

// ExportParquet writes a Parquet copy (zstd) of every table of
// ExportTables under dir, readable by any Parquet reader: a table of
// PartitionedTables as the Hive-partitioned folder dir/<table>/ (an empty
// one as a single file without rows in the partition
// month=__HIVE_DEFAULT_PARTITION__), every other table as dir/<table>.parquet.
func ExportParquet(ctx context.Context, db *DB, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	tables, err := ExportTables(ctx, db)
	if err != nil {
		return err
	}
	for _, t := range tables {
		// COPY takes no parameter for its target; the path is ours (the
		// staging folder) and is quoted as a SQL string literal, the table
		// name comes from the catalog and is quoted as an identifier.
		var q string
		if col, ok := PartitionedTables[t]; ok {
			var n int64
			if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteIdent(t)).Scan(&n); err != nil {
				return fmt.Errorf("parquet %s: %w", t, err)
			}
			if n > 0 {
				q = fmt.Sprintf("COPY (SELECT *, strftime(%s, '%%Y-%%m') AS %s FROM %s) TO %s (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (%s))",
					quoteIdent(col), PartitionColumn, quoteIdent(t), quoteLiteral(filepath.Join(dir, t)), PartitionColumn)
			} else {
				part := filepath.Join(dir, t, emptyPartition)
				if err := os.MkdirAll(part, 0o755); err != nil {
					return fmt.Errorf("parquet %s: %w", t, err)
				}
				q = fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet, COMPRESSION zstd)",
					quoteIdent(t), quoteLiteral(filepath.Join(part, "data_0.parquet")))
			}
		} else {
			q = fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet, COMPRESSION zstd)",
				quoteIdent(t), quoteLiteral(filepath.Join(dir, t+".parquet")))
		}
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("parquet %s: %w", t, err)
		}
	}
	return nil
}

// quoteLiteral quotes s as a SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteIdent quotes s as a SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
