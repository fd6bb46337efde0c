package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
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
//
// previous, when not "", is the folder of an earlier export (the published
// one): a month partition whose rows are unchanged since then — same
// fingerprint in its PartitionsFile — is linked (or copied) from there
// rather than written again, so that a run that adds a month writes that
// month. The fingerprints of this export are written to dir/PartitionsFile.
func ExportParquet(ctx context.Context, db *DB, dir, previous string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	tables, err := ExportTables(ctx, db)
	if err != nil {
		return err
	}
	old := readPartitions(previous)
	now := partitionIndex{Format: partitionFormat, Tables: map[string]map[string]string{}}
	for _, t := range tables {
		// COPY takes no parameter for its target; the path is ours (the
		// staging folder) and is quoted as a SQL string literal, the table
		// name comes from the catalog and is quoted as an identifier.
		col, partitioned := PartitionedTables[t]
		if !partitioned {
			q := fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet, COMPRESSION zstd)",
				quoteIdent(t), quoteLiteral(filepath.Join(dir, t+".parquet")))
			if _, err := db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("parquet %s: %w", t, err)
			}
			continue
		}
		prints, err := fingerprints(ctx, db, t, col)
		if err != nil {
			return fmt.Errorf("parquet %s: %w", t, err)
		}
		if len(prints) == 0 {
			part := filepath.Join(dir, t, emptyPartition)
			if err := os.MkdirAll(part, 0o755); err != nil {
				return fmt.Errorf("parquet %s: %w", t, err)
			}
			q := fmt.Sprintf("COPY (SELECT * FROM %s) TO %s (FORMAT parquet, COMPRESSION zstd)",
				quoteIdent(t), quoteLiteral(filepath.Join(part, "data_0.parquet")))
			if _, err := db.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("parquet %s: %w", t, err)
			}
			continue
		}
		now.Tables[t] = prints
		var changed []string
		for _, month := range slices.Sorted(maps.Keys(prints)) {
			if old.Format == partitionFormat && old.Tables[t][month] == prints[month] &&
				reusePartition(filepath.Join(previous, t, PartitionColumn+"="+month), filepath.Join(dir, t, PartitionColumn+"="+month)) == nil {
				continue
			}
			changed = append(changed, month)
		}
		if len(changed) == 0 {
			continue
		}
		// The changed months are written into a folder of their own and
		// moved in: COPY ... PARTITION_BY wants an empty target.
		fresh := filepath.Join(dir, "."+t+".new")
		if err := os.RemoveAll(fresh); err != nil {
			return fmt.Errorf("parquet %s: %w", t, err)
		}
		months := make([]string, len(changed))
		for i, m := range changed {
			months[i] = quoteLiteral(m)
		}
		q := fmt.Sprintf("COPY (SELECT * FROM (SELECT *, strftime(%s, '%%Y-%%m') AS %s FROM %s) WHERE %s IN (%s)) TO %s (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (%s))",
			quoteIdent(col), PartitionColumn, quoteIdent(t), PartitionColumn, strings.Join(months, ", "), quoteLiteral(fresh), PartitionColumn)
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("parquet %s: %w", t, err)
		}
		if err := os.MkdirAll(filepath.Join(dir, t), 0o755); err != nil {
			return fmt.Errorf("parquet %s: %w", t, err)
		}
		for _, m := range changed {
			name := PartitionColumn + "=" + m
			if err := os.Rename(filepath.Join(fresh, name), filepath.Join(dir, t, name)); err != nil {
				return fmt.Errorf("parquet %s: %w", t, err)
			}
		}
		if err := os.RemoveAll(fresh); err != nil {
			return fmt.Errorf("parquet %s: %w", t, err)
		}
	}
	b, err := json.MarshalIndent(now, "", "  ")
	if err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, PartitionsFile), append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}

// PartitionsFile, in an export's folder, holds the fingerprint of every
// month partition it wrote (JSON), for the next export to compare with.
const PartitionsFile = "partitions.json"

// partitionFormat names how partitions are written; an export by a
// version that writes them differently never reuses this one's files.
const partitionFormat = "civicscore-parquet-1 zstd hive month"

// partitionIndex is the content of PartitionsFile.
type partitionIndex struct {
	Format string `json:"format"`
	// Tables maps table → month (YYYY-MM) → fingerprint.
	Tables map[string]map[string]string `json:"tables"`
}

// readPartitions reads dir/PartitionsFile; a missing or unreadable one is
// an empty index (nothing is reused).
func readPartitions(dir string) partitionIndex {
	var idx partitionIndex
	if dir == "" {
		return idx
	}
	b, err := os.ReadFile(filepath.Join(dir, PartitionsFile))
	if err != nil || json.Unmarshal(b, &idx) != nil {
		return partitionIndex{}
	}
	return idx
}

// fingerprints returns, per month of table t (by column col), a
// fingerprint of its rows: the row count and the sum of a hash of every
// row (any change of any value, added or removed row changes it), and of
// the table's columns and types and the DuckDB version (which writes the
// files).
func fingerprints(ctx context.Context, db *DB, t, col string) (map[string]string, error) {
	var schema string
	if err := db.QueryRowContext(ctx, `SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) || ' / ' || version()
		FROM information_schema.columns WHERE table_schema = 'main' AND table_name = ?`, t).Scan(&schema); err != nil {
		return nil, err
	}
	// Grouped on the first day of the month (formatting every row's month
	// as text cost a third more); the label is formatted per group.
	rows, err := db.QueryContext(ctx, fmt.Sprintf(`SELECT strftime(d, '%%Y-%%m'), n, s FROM (
		SELECT date_trunc('month', %s) AS d, count(*) AS n, sum(hash(r)::HUGEINT)::VARCHAR AS s FROM %s r GROUP BY d)`,
		quoteIdent(col), quoteIdent(t)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var month sql.NullString
		var n int64
		var sum string
		if err := rows.Scan(&month, &n, &sum); err != nil {
			return nil, err
		}
		if !month.Valid {
			// Partition columns are NOT NULL; a NULL month would be
			// written to the default partition and could not be compared.
			return nil, fmt.Errorf("rows without %s", col)
		}
		h := sha256.Sum256([]byte(fmt.Sprintf("%s\n%d\n%s", schema, n, sum)))
		out[month.String] = hex.EncodeToString(h[:])
	}
	return out, rows.Err()
}

// reusePartition puts the files of the partition folder src into dst, as
// hard links where the file system allows and as copies otherwise. It
// fails when src holds no Parquet file.
func reusePartition(src, dst string) error {
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".parquet") {
			continue
		}
		from, to := filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())
		if err := os.Link(from, to); err != nil {
			if err := copyFile(from, to); err != nil {
				os.RemoveAll(dst)
				return err
			}
		}
		n++
	}
	if n == 0 {
		os.RemoveAll(dst)
		return fmt.Errorf("%s: no parquet file", src)
	}
	return nil
}

// quoteLiteral quotes s as a SQL string literal.
func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// quoteIdent quotes s as a SQL identifier.
func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
