package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/civicscore/civicscore/store"
)

// fill inserts n rows into table, with a value of the right type for every
// column, so the test follows the schema as migrations change it.
func fill(t *testing.T, db *store.DB, table string, n int) {
	t.Helper()
	ctx := context.Background()
	rows, err := db.QueryContext(ctx, "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position", table)
	if err != nil {
		t.Fatal(err)
	}
	var cols, exprs []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		var e string
		switch {
		case typ == "VARCHAR":
			e = "'" + name + " ' || i"
		case typ == "JSON":
			e = `('{"i": ' || i || '}')::JSON`
		case typ == "BOOLEAN":
			e = "i % 2 = 0"
		case typ == "DATE":
			e = "DATE '2025-01-01' + i::INTEGER"
		case typ == "TIMESTAMP":
			e = "TIMESTAMP '2025-01-01 08:00:00' + to_hours(i)"
		case typ == "DOUBLE":
			e = "i * 0.5"
		case slices.Contains([]string{"TINYINT", "SMALLINT", "INTEGER", "BIGINT"}, typ):
			e = "(i % 5)::" + typ
		default:
			t.Fatalf("%s.%s: no test value for type %s", table, name, typ)
		}
		cols = append(cols, name)
		exprs = append(exprs, e)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if len(cols) == 0 {
		t.Fatalf("table %s has no columns", table)
	}
	q := fmt.Sprintf("INSERT INTO %s (%s) SELECT %s FROM range(%d) t(i)", table, strings.Join(cols, ", "), strings.Join(exprs, ", "), n)
	if _, err := db.ExecContext(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestExportParquet(t *testing.T) {
	tests := []struct {
		name     string
		dir      string // under t.TempDir()
		rows     func(i int) int
		readOnly bool
	}{
		{"rows in every table", "parquet", func(i int) int { return 3*i + 1 }, false},
		{"empty tables", "parquet", func(int) int { return 0 }, false},
		{"nested folder with a quote", "it's/new parquet", func(i int) int { return i + 2 }, false},
		{"read-only database", "parquet", func(i int) int { return i + 1 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			path := filepath.Join(t.TempDir(), "c.duckdb")
			db := openFile(t, path, store.Options{})
			want := map[string]int{}
			for i, table := range store.ExportTables {
				want[table] = tt.rows(i)
				fill(t, db, table, want[table])
			}
			if tt.readOnly {
				if err := db.Close(); err != nil {
					t.Fatal(err)
				}
				db = openFile(t, path, store.Options{ReadOnly: true})
			}
			dir := filepath.Join(t.TempDir(), tt.dir)
			if err := store.ExportParquet(ctx, db, dir); err != nil {
				t.Fatalf("ExportParquet: %v", err)
			}

			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range entries {
				got = append(got, e.Name())
			}
			var wantFiles []string
			for _, table := range store.ExportTables {
				wantFiles = append(wantFiles, table+".parquet")
			}
			slices.Sort(wantFiles)
			if !slices.Equal(got, wantFiles) {
				t.Errorf("files = %v, want %v", got, wantFiles)
			}

			// Read each file back with a fresh database, as another tool would.
			reader := openFile(t, "", store.Options{})
			for _, table := range store.ExportTables {
				p := filepath.Join(dir, table+".parquet")
				lit := "'" + strings.ReplaceAll(p, "'", "''") + "'"
				if n := count(t, reader, "SELECT count(*) FROM read_parquet("+lit+")"); n != want[table] {
					t.Errorf("%s.parquet has %d rows, want %d", table, n, want[table])
				}
				// Same columns, in order, as the table.
				var tableCols, fileCols string
				if err := db.QueryRowContext(ctx, "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = ?", table).Scan(&tableCols); err != nil {
					t.Fatal(err)
				}
				if err := reader.QueryRowContext(ctx, "SELECT string_agg(column_name, ',') FROM (DESCRIBE SELECT * FROM read_parquet("+lit+"))").Scan(&fileCols); err != nil {
					t.Fatal(err)
				}
				if tableCols != fileCols {
					t.Errorf("%s.parquet columns %s, want %s", table, fileCols, tableCols)
				}
				// Same rows: nothing in the table is missing from the file.
				if n := count(t, db, "SELECT count(*) FROM (SELECT * FROM "+table+" EXCEPT ALL SELECT * FROM read_parquet("+lit+"))"); n != 0 {
					t.Errorf("%s: %d rows of the table are not in the parquet file", table, n)
				}
			}
		})
	}
}
