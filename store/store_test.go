package store_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

// openFile opens (creating) a database file under dir.
func openFile(t *testing.T, path string, opts store.Options) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func count(t *testing.T, db *store.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// migrationFiles reads the migration files from disk, independently of the
// embedded copy the package uses.
func migrationFiles(t *testing.T) map[int]string {
	t.Helper()
	entries, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	files := map[int]string{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			t.Fatalf("migration %s is not named NNN_name.sql", e.Name())
		}
		if prev, dup := files[v]; dup {
			t.Fatalf("migrations %s and %s share version %d", prev, e.Name(), v)
		}
		files[v] = e.Name()
	}
	if len(files) == 0 {
		t.Fatal("no migrations found")
	}
	return files
}

func TestMigrationsApplyOnce(t *testing.T) {
	files := migrationFiles(t)
	newest := 0
	for v := range files {
		newest = max(newest, v)
	}
	if got := store.SchemaVersion(); got != newest {
		t.Errorf("SchemaVersion() = %d, want %d (newest file in migrations/)", got, newest)
	}

	path := filepath.Join(t.TempDir(), "c.duckdb")
	for open := 1; open <= 3; open++ {
		db, err := store.Open(context.Background(), path, store.Options{})
		if err != nil {
			t.Fatalf("open #%d: %v", open, err)
		}
		rows, err := db.QueryContext(context.Background(), "SELECT version, name FROM schema_migrations ORDER BY version")
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]string{}
		n := 0
		for rows.Next() {
			var v int
			var name string
			if err := rows.Scan(&v, &name); err != nil {
				t.Fatal(err)
			}
			got[v] = name
			n++
		}
		rows.Close()
		if n != len(files) {
			t.Errorf("open #%d: schema_migrations has %d rows, want %d (one per migration)", open, n, len(files))
		}
		for v, name := range files {
			if got[v] != name {
				t.Errorf("open #%d: schema_migrations version %d = %q, want %q", open, v, got[v], name)
			}
		}
		if m := count(t, db, "SELECT max(version) FROM schema_migrations"); m != store.SchemaVersion() {
			t.Errorf("open #%d: max(version) = %d, want SchemaVersion() %d", open, m, store.SchemaVersion())
		}
		// The migrated schema holds the tables civicscore writes.
		for _, table := range []string{"communities", "cases", "services", "survey_responses", "rejects",
			"ingest_files", "indicators", "indicator_values", "runs", "run_inputs"} {
			if c := count(t, db, "SELECT count(*) FROM information_schema.tables WHERE table_name = ? AND table_type = 'BASE TABLE'", table); c != 1 {
				t.Errorf("open #%d: table %s missing after migration", open, table)
			}
		}
		// Data survives reopening: migrations are not re-run over it.
		if _, err := db.ExecContext(context.Background(), "INSERT INTO rejects (kind, source_file, reason) VALUES ('cases', 'x.csv', 'open "+strconv.Itoa(open)+"')"); err != nil {
			t.Fatal(err)
		}
		if c := count(t, db, "SELECT count(*) FROM rejects"); c != open {
			t.Errorf("open #%d: rejects has %d rows, want %d", open, c, open)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestInMemory(t *testing.T) {
	db := openFile(t, "", store.Options{})
	if db.Path() != "" {
		t.Errorf("Path() = %q, want empty", db.Path())
	}
	if c := count(t, db, "SELECT count(*) FROM schema_migrations"); c != len(migrationFiles(t)) {
		t.Errorf("in-memory database has %d migrations applied, want %d", c, len(migrationFiles(t)))
	}
	v, err := db.DuckDBVersion(context.Background())
	if err != nil || !strings.HasPrefix(v, "v") {
		t.Errorf("DuckDBVersion() = %q, %v", v, err)
	}
}

func TestReadOnlyRefusesWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.duckdb")
	rw, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rw.ExecContext(context.Background(), "INSERT INTO rejects (kind, source_file, reason) VALUES ('cases', 'a.csv', 'kept')"); err != nil {
		t.Fatal(err)
	}
	if err := rw.Close(); err != nil {
		t.Fatal(err)
	}
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	ro := openFile(t, path, store.Options{ReadOnly: true})
	writes := []string{
		"INSERT INTO rejects (kind, source_file, reason) VALUES ('cases', 'b.csv', 'new')",
		"UPDATE rejects SET reason = 'changed'",
		"DELETE FROM rejects",
		"CREATE TABLE scratch (x INTEGER)",
		"DROP TABLE rejects",
		"DELETE FROM schema_migrations",
	}
	for _, q := range writes {
		t.Run(strings.Fields(q)[0], func(t *testing.T) {
			if _, err := ro.ExecContext(context.Background(), q); err == nil {
				t.Errorf("read-only database ran %q", q)
			} else if !strings.Contains(strings.ToLower(err.Error()), "read-only") {
				t.Errorf("%q failed with %v; want an error saying read-only", q, err)
			}
			err := ro.Tx(context.Background(), func(tx *sql.Tx) error {
				_, err := tx.ExecContext(context.Background(), q)
				return err
			})
			if err == nil {
				t.Errorf("read-only database ran %q in a transaction", q)
			}
		})
	}
	if c := count(t, ro, "SELECT count(*) FROM rejects WHERE reason = 'kept'"); c != 1 {
		t.Errorf("read-only database reads %d rows, want 1", c)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		t.Error("the database file changed while opened read-only")
	}

	// A file that does not exist is not created by a read-only open.
	missing := filepath.Join(t.TempDir(), "missing.duckdb")
	if db, err := store.Open(context.Background(), missing, store.Options{ReadOnly: true}); err == nil {
		db.Close()
		t.Error("read-only open of a missing file succeeded")
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("read-only open created %s", missing)
	}
}

func TestTx(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		fn      func(tx *sql.Tx) error
		wantErr error // nil: commit expected
		kept    int   // rows with reason 'tx' afterwards
	}{
		{"commit", func(tx *sql.Tx) error {
			_, err := tx.Exec("INSERT INTO rejects (kind, source_file, reason) VALUES ('cases', 'a.csv', 'tx'), ('cases', 'a.csv', 'tx')")
			return err
		}, nil, 2},
		{"error after insert rolls back", func(tx *sql.Tx) error {
			if _, err := tx.Exec("INSERT INTO rejects (kind, source_file, reason) VALUES ('cases', 'a.csv', 'tx')"); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow("SELECT count(*) FROM rejects WHERE reason = 'tx'").Scan(&n); err != nil || n != 1 {
				return errors.New("the insert is not visible inside its own transaction")
			}
			return errBoom
		}, errBoom, 0},
		{"failed statement rolls back earlier ones", func(tx *sql.Tx) error {
			if _, err := tx.Exec("INSERT INTO rejects (kind, source_file, reason) VALUES ('cases', 'a.csv', 'tx')"); err != nil {
				return err
			}
			_, err := tx.Exec("INSERT INTO rejects (kind, source_file, reason) VALUES ('cases', NULL, 'tx')")
			return err
		}, nil, 0},
		{"schema change rolls back", func(tx *sql.Tx) error {
			if _, err := tx.Exec("CREATE TABLE tx_scratch (x INTEGER)"); err != nil {
				return err
			}
			return errBoom
		}, errBoom, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openFile(t, filepath.Join(t.TempDir(), "c.duckdb"), store.Options{})
			err := db.Tx(context.Background(), tt.fn)
			switch {
			case tt.kept > 0 && err != nil:
				t.Fatalf("Tx = %v, want commit", err)
			case tt.kept == 0 && err == nil:
				t.Fatal("Tx = nil, want the function's error")
			case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
				t.Errorf("Tx = %v, want it to wrap %v", err, tt.wantErr)
			}
			if c := count(t, db, "SELECT count(*) FROM rejects WHERE reason = 'tx'"); c != tt.kept {
				t.Errorf("%d rows after Tx, want %d", c, tt.kept)
			}
			if c := count(t, db, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'tx_scratch'"); c != 0 {
				t.Error("table created in a rolled-back transaction exists")
			}
		})
	}
}

// settingsOn returns the values of the named settings on n connections held
// open at the same time, so each is a connection of its own.
func settingsOn(t *testing.T, db *store.DB, n int, names ...string) [][]string {
	t.Helper()
	ctx := context.Background()
	var out [][]string
	var conns []*sql.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatalf("connection: %v", err)
		}
		conns = append(conns, c)
		var vals []string
		for _, name := range names {
			var v string
			if err := c.QueryRowContext(ctx, "SELECT current_setting('"+name+"')::VARCHAR").Scan(&v); err != nil {
				t.Fatalf("current_setting(%s): %v", name, err)
			}
			vals = append(vals, v)
		}
		out = append(out, vals)
	}
	return out
}

func TestTimeZoneApplied(t *testing.T) {
	tests := []struct {
		zone      string
		want      string // current_setting('TimeZone')
		localNoon string // what 12:00 UTC on 2025-01-15 is as a local TIMESTAMP
	}{
		{"", "Asia/Shanghai", "2025-01-15 20:00:00"},
		{"Asia/Shanghai", "Asia/Shanghai", "2025-01-15 20:00:00"},
		{"UTC", "UTC", "2025-01-15 12:00:00"},
		{"America/New_York", "America/New_York", "2025-01-15 07:00:00"},
		{"Asia/Kolkata", "Asia/Kolkata", "2025-01-15 17:30:00"},
	}
	for _, tt := range tests {
		t.Run(tt.want+"/"+tt.zone, func(t *testing.T) {
			db := openFile(t, filepath.Join(t.TempDir(), "c.duckdb"), store.Options{TimeZone: tt.zone})
			for i, vals := range settingsOn(t, db, 3, "TimeZone") {
				if vals[0] != tt.want {
					t.Errorf("connection %d: TimeZone = %q, want %q", i, vals[0], tt.want)
				}
			}
			var local string
			if err := db.QueryRowContext(context.Background(), "SELECT (TIMESTAMPTZ '2025-01-15 12:00:00+00')::TIMESTAMP::VARCHAR").Scan(&local); err != nil {
				t.Fatal(err)
			}
			if local != tt.localNoon {
				t.Errorf("12:00 UTC as local time = %s, want %s", local, tt.localNoon)
			}
		})
	}
}

func TestResourceSettingsApplied(t *testing.T) {
	spill := filepath.Join(t.TempDir(), "it's spill")
	db := openFile(t, filepath.Join(t.TempDir(), "c.duckdb"), store.Options{MemoryLimit: "512MB", Threads: 2, TempDirectory: spill})
	for i, vals := range settingsOn(t, db, 2, "memory_limit", "threads", "temp_directory") {
		// DuckDB reports 512MB (10^6 bytes) in MiB.
		if vals[0] != "488.2 MiB" {
			t.Errorf("connection %d: memory_limit = %q, want 488.2 MiB", i, vals[0])
		}
		if vals[1] != "2" {
			t.Errorf("connection %d: threads = %q, want 2", i, vals[1])
		}
		if vals[2] != spill {
			t.Errorf("connection %d: temp_directory = %q, want %q", i, vals[2], spill)
		}
	}
}

func TestOpenRefusesBadSettings(t *testing.T) {
	tests := []struct {
		name string
		opts store.Options
		key  string
	}{
		{"memory words", store.Options{MemoryLimit: "lots"}, "duckdb.memory_limit"},
		{"memory no unit", store.Options{MemoryLimit: "4"}, "duckdb.memory_limit"},
		{"memory percent", store.Options{MemoryLimit: "50%"}, "duckdb.memory_limit"},
		{"memory injection", store.Options{MemoryLimit: "4GB'; DROP TABLE x; --"}, "duckdb.memory_limit"},
		{"zone injection", store.Options{TimeZone: "UTC'; DROP TABLE x; --"}, "timezone"},
		{"zone unknown to DuckDB", store.Options{TimeZone: "Mars/Olympus"}, "timezone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "c.duckdb")
			for _, ro := range []bool{false, true} {
				opts := tt.opts
				opts.ReadOnly = ro
				db, err := store.Open(context.Background(), path, opts)
				if err == nil {
					db.Close()
					t.Fatalf("Open(%+v) succeeded", opts)
				}
				if !errors.Is(err, civicscore.ErrConfig) {
					t.Errorf("Open(%+v) = %v, want ErrConfig", opts, err)
				}
				if !strings.Contains(err.Error(), tt.key) {
					t.Errorf("error %q does not name %s", err, tt.key)
				}
			}
		})
	}
	for _, ok := range []string{"", "4GB", "512MB", "1.5GiB", " 2 GB "} {
		if !store.ValidMemoryLimit(ok) {
			t.Errorf("ValidMemoryLimit(%q) = false", ok)
		}
	}
}

// TestConnectionsOutliveOpenContext: the context given to Open bounds the
// open, not the life of the database: connections made after it is
// cancelled still work and still get the session settings.
func TestConnectionsOutliveOpenContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "c.duckdb"), store.Options{TimeZone: "UTC"})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cancel()
	for i, vals := range settingsOn(t, db, 3, "TimeZone") {
		if vals[0] != "UTC" {
			t.Errorf("connection %d: TimeZone = %q, want UTC", i, vals[0])
		}
	}
}

func TestRaw(t *testing.T) {
	db := openFile(t, "", store.Options{})
	called := false
	err := db.Raw(context.Background(), func(conn driver.Conn) error {
		called = true
		if conn == nil {
			return errors.New("nil connection")
		}
		return nil
	})
	if err != nil || !called {
		t.Fatalf("Raw = %v, called %v", err, called)
	}
	errBoom := errors.New("boom")
	if err := db.Raw(context.Background(), func(driver.Conn) error { return errBoom }); !errors.Is(err, errBoom) {
		t.Errorf("Raw = %v, want the function's error", err)
	}
}

// TestIsolated: what a function run by Isolated sets on its connection
// (a session setting, a temp table, a session variable) is gone for the next user
// of the pool, also when the function failed, and its error is returned.
func TestIsolated(t *testing.T) {
	errBoom := errors.New("boom")
	for _, fail := range []bool{false, true} {
		db := openFile(t, "", store.Options{})
		db.SetMaxOpenConns(1) // the next query would get the same connection back
		err := db.Isolated(context.Background(), func(conn driver.Conn) error {
			ex := conn.(driver.ExecerContext)
			for _, q := range []string{"SET TimeZone = 'America/New_York'", "CREATE TEMP TABLE t (i INTEGER)", "SET VARIABLE secret = 'pepper'"} {
				if _, err := ex.ExecContext(context.Background(), q, nil); err != nil {
					return err
				}
			}
			if fail {
				return errBoom
			}
			return nil
		})
		if fail && !errors.Is(err, errBoom) || !fail && err != nil {
			t.Errorf("fail %v: Isolated = %v", fail, err)
		}
		var temp int64
		var secret sql.NullString
		var tz string
		if err := db.QueryRow(`SELECT (SELECT count(*) FROM duckdb_tables() WHERE temporary), getvariable('secret'),
			current_setting('TimeZone')`).Scan(&temp, &secret, &tz); err != nil {
			t.Fatal(err)
		}
		if temp != 0 || secret.Valid || tz != "Asia/Shanghai" {
			t.Errorf("fail %v: the pool's connection has %d temp tables, variable %v, TimeZone %s; want 0, unset, Asia/Shanghai (the Options default)", fail, temp, secret, tz)
		}
	}
}

// sortedKeys is a helper for stable messages.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// TestPrimaryKeys: the small tables (communities, the manifest) refuse a
// second row with the key of one they hold; the large clean tables have no
// key (ingest checks them after each load; see migration 006).
func TestPrimaryKeys(t *testing.T) {
	db := openFile(t, "", store.Options{})
	tests := []struct {
		table, key string
		insert     string // one row; run twice
	}{
		{"communities", "community_id", `INSERT INTO communities (community_id, community_name, street_id, street_name, district_id, district_name, households, population)
			VALUES ('c1', 'n', 's', 'sn', 'd', 'dn', 1, 1)`},
		{"ingest_files", "kind, sha256", `INSERT INTO ingest_files (path, kind, sha256, rows_read, rows_clean, rows_rejected, loaded_at)
			VALUES ('a.csv', 'cases', 'ab', 1, 1, 0, TIMESTAMP '2025-01-01 08:00:00')`},
	}
	for _, table := range []string{"cases", "services", "survey_responses"} {
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM duckdb_constraints()
			WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'`, table).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d primary keys (%v), want none", table, n, err)
		}
	}
	for _, tt := range tests {
		t.Run(tt.table, func(t *testing.T) {
			var text string
			if err := db.QueryRow(`SELECT constraint_text FROM duckdb_constraints()
				WHERE table_name = ? AND constraint_type = 'PRIMARY KEY'`, tt.table).Scan(&text); err != nil {
				t.Fatalf("no primary key: %v", err)
			}
			if text != "PRIMARY KEY("+tt.key+")" {
				t.Errorf("constraint %q, want PRIMARY KEY(%s)", text, tt.key)
			}
			if _, err := db.Exec(tt.insert); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(tt.insert); err == nil || !strings.Contains(err.Error(), "primary key") {
				t.Errorf("second row with the same key: %v, want a primary key violation", err)
			}
		})
	}
}

// TestGlobalSettingsAfterIsolated: a connection opened after an Isolated one
// was closed starts (DuckDB refuses to set temp_directory again once it was
// used), and the database keeps its limits.
func TestGlobalSettingsAfterIsolated(t *testing.T) {
	spill := t.TempDir()
	db := openFile(t, filepath.Join(t.TempDir(), "g.duckdb"), store.Options{MemoryLimit: "100MB", Threads: 1, TempDirectory: spill})
	db.SetMaxOpenConns(1)
	// Use the spill folder: sort more than the memory limit holds.
	err := db.Isolated(context.Background(), func(conn driver.Conn) error {
		_, err := conn.(driver.ExecerContext).ExecContext(context.Background(),
			"CREATE TEMP TABLE big AS SELECT i, md5(i::VARCHAR) || md5((i + 1)::VARCHAR) AS s FROM range(3000000) t(i) ORDER BY s", nil)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var dir, mem string
	var threads int64
	if err := db.QueryRow("SELECT current_setting('temp_directory'), current_setting('memory_limit'), current_setting('threads')").Scan(&dir, &mem, &threads); err != nil {
		t.Fatalf("a new connection after an isolated one: %v", err)
	}
	if dir != spill || threads != 1 || !strings.HasPrefix(mem, "95") {
		t.Errorf("temp_directory %s, memory_limit %s, threads %d; want %s, 95.3 MiB, 1", dir, mem, threads, spill)
	}
}
