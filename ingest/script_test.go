package ingest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
)

// onSession runs fn with a session on one connection of a new database.
func onSession(t *testing.T, fn func(s *session)) {
	t.Helper()
	db := openTestDB(t)
	err := db.Raw(context.Background(), func(conn driver.Conn) error {
		fn(&session{ctx: context.Background(), conn: conn, log: slog.New(slog.DiscardHandler)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// rowError is a query that DuckDB runs but whose rows fail to reach Go: the
// driver cannot convert a MAP keyed by a list, so the error comes from
// reading a row, not from the query.
const rowError = "SELECT MAP {[i]: 2} AS m FROM range(5000) t(i)"

// TestQueryHelpersReturnRowErrors: an error met while reading the rows of a
// query is returned, not taken for the end of the rows.
func TestQueryHelpersReturnRowErrors(t *testing.T) {
	onSession(t, func(s *session) {
		n := 0
		err := s.queryRows(rowError, func([]driver.Value) error { n++; return nil })
		if err == nil || !strings.Contains(err.Error(), "MAP key type") {
			t.Errorf("queryRows = %v after %d rows; want the row's error", err, n)
		}
		n = 0
		if err := s.queryRows("SELECT * FROM range(5000)", func([]driver.Value) error { n++; return nil }); err != nil || n != 5000 {
			t.Errorf("queryRows = %v after %d rows; want nil after 5000", err, n)
		}
		// The first row already fails.
		if _, err := s.queryString("SELECT MAP {[1]: 2}::VARCHAR AS ok, MAP {[1]: 2} AS bad"); err == nil {
			t.Error("queryString returned no error for a row that cannot be read")
		}
		if _, err := s.queryInt("SELECT 1::BIGINT AS n, MAP {[1]: 2} AS bad"); err == nil {
			t.Error("queryInt returned no error for a row that cannot be read")
		}
		// No row: queryString gives "", queryInt an error naming the query.
		if v, err := s.queryString("SELECT 'x' WHERE false"); v != "" || err != nil {
			t.Errorf("queryString of no row = %q, %v; want \"\", nil", v, err)
		}
		if _, err := s.queryInt("SELECT 1::BIGINT WHERE false"); err == nil || !strings.Contains(err.Error(), "no row") {
			t.Errorf("queryInt of no row = %v; want an error saying no row", err)
		}
	})
}

// TestLoadLeavesNoConnectionState: a load's temp tables, session variables
// (the salt among them) and settings end with it, whether a file failed or
// not: the next statement on the pool, here of one connection so that it
// would get the load's connection back, sees none of them.
func TestLoadLeavesNoConnectionState(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.csv")
	if err := os.WriteFile(empty, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	good := fixtureOptions()
	failing := fixtureOptions()
	failing.Inputs = map[civicscore.Kind][]string{civicscore.KindCommunities: {empty}}
	tests := []struct {
		name    string
		opts    Options
		wantErr bool
	}{
		{"failed file", failing, true},
		{"successful load", good, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestDB(t)
			db.SetMaxOpenConns(1)
			_, err := Load(context.Background(), db, tt.opts)
			if (err != nil) != tt.wantErr {
				t.Fatalf("load: %v, want error %v", err, tt.wantErr)
			}
			var temp int64
			var salt sql.NullString
			var order bool
			if err := db.QueryRow(`SELECT (SELECT count(*) FROM duckdb_tables() WHERE temporary),
				getvariable('ingest_salt'), current_setting('preserve_insertion_order')`).Scan(&temp, &salt, &order); err != nil {
				t.Fatal(err)
			}
			if temp != 0 || salt.Valid || !order {
				t.Errorf("after the load the pool's connection has %d temp tables, salt variable %v, preserve_insertion_order %v; want 0, unset, true",
					temp, salt, order)
			}
		})
	}
}
