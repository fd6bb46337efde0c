package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/civicscore/civicscore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// Options configures how the database is opened.
type Options struct {
	// ReadOnly opens the file without write access; migrations are not run
	// and any write statement fails.
	ReadOnly bool
	// MemoryLimit is DuckDB's memory_limit, e.g. "4GB"; empty keeps DuckDB's default.
	MemoryLimit string
	// Threads is DuckDB's thread count; 0 keeps DuckDB's default (all cores).
	Threads int
	// TempDirectory is where DuckDB spills when memory runs short.
	TempDirectory string
	// TimeZone is the IANA zone of local timestamps (default Asia/Shanghai).
	TimeZone string
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
}

// DB is an open civicscore database.
type DB struct {
	*sql.DB
	connector *duckdb.Connector
	path      string
	log       *slog.Logger
}

var (
	// DuckDB takes no percentage ("50%" fails at SET), so none is valid here.
	memoryLimitRe = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$`)
	timeZoneRe    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_+\-/]*$`)
)

// ValidMemoryLimit reports whether s is a memory size DuckDB accepts, such as "4GB".
func ValidMemoryLimit(s string) bool {
	return s == "" || memoryLimitRe.MatchString(strings.TrimSpace(s))
}

// Open opens (creating if needed) the database at path; "" opens an in-memory
// database. Unless opts.ReadOnly, pending migrations are applied.
func Open(ctx context.Context, path string, opts Options) (*DB, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	settings, err := sessionSettings(opts)
	if err != nil {
		return nil, err
	}
	dsn := path
	if opts.ReadOnly {
		dsn = path + "?" + url.Values{"access_mode": {"read_only"}}.Encode()
	}
	// The init function runs for every connection the pool opens, also long
	// after Open returned, so it must not use Open's ctx: once that is
	// cancelled no new connection could be made. A setting DuckDB refuses
	// (an unknown time zone, say) is a configuration error naming its key.
	// The global settings (memory, threads, spill folder) belong to the
	// database and are set on its first connection only: DuckDB refuses to
	// set temp_directory again once it was used, also to the same folder,
	// and a connection opened later (after an Isolated one was closed)
	// would fail.
	var globalsSet atomic.Bool
	connector, err := duckdb.NewConnector(dsn, func(ex driver.ExecerContext) error {
		globals := !globalsSet.Load()
		for _, s := range settings {
			if s.global && !globals {
				continue
			}
			if _, err := ex.ExecContext(context.Background(), s.sql, nil); err != nil {
				return fmt.Errorf("%s: %s: %v: %w", s.key, s.sql, err, civicscore.ErrConfig)
			}
		}
		globalsSet.Store(true)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db := &DB{DB: sql.OpenDB(connector), connector: connector, path: path, log: log}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if !opts.ReadOnly {
		if err := db.migrate(ctx); err != nil {
			db.Close()
			return nil, err
		}
	}
	return db, nil
}

// setting is one SET statement run on a new connection, with the config key
// it comes from; a global one (of the database, not the connection) on the
// first connection only.
type setting struct {
	key, sql string
	global   bool
}

// sessionSettings returns the SET statements run on a new connection.
// Their values are validated here, since SET takes no parameters.
func sessionSettings(opts Options) ([]setting, error) {
	tz := opts.TimeZone
	if tz == "" {
		tz = "Asia/Shanghai"
	}
	if !timeZoneRe.MatchString(tz) {
		return nil, fmt.Errorf("timezone %q: %w", tz, civicscore.ErrConfig)
	}
	s := []setting{{key: "timezone", sql: "SET TimeZone = '" + tz + "'"}}
	if opts.MemoryLimit != "" {
		if !ValidMemoryLimit(opts.MemoryLimit) {
			return nil, fmt.Errorf("duckdb.memory_limit %q: %w", opts.MemoryLimit, civicscore.ErrConfig)
		}
		s = append(s, setting{"duckdb.memory_limit", "SET memory_limit = '" + strings.TrimSpace(opts.MemoryLimit) + "'", true})
	}
	if opts.Threads > 0 {
		s = append(s, setting{"duckdb.threads", "SET threads = " + strconv.Itoa(opts.Threads), true})
	}
	if opts.TempDirectory != "" {
		s = append(s, setting{"duckdb.temp_directory", "SET temp_directory = '" + strings.ReplaceAll(opts.TempDirectory, "'", "''") + "'", true})
	}
	return s, nil
}

// Path returns the file the database was opened from ("" for in-memory).
func (db *DB) Path() string { return db.path }

// Close closes the database and its connector.
func (db *DB) Close() error {
	err := db.DB.Close()
	if cerr := db.connector.Close(); err == nil {
		err = cerr
	}
	return err
}

// Tx runs fn in one transaction, committing when fn returns nil and rolling
// back otherwise.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		if rerr := tx.Rollback(); rerr != nil {
			return errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Raw runs fn with the driver connection of one pooled connection, for the
// Appender and Arrow interfaces of the DuckDB driver.
func (db *DB) Raw(ctx context.Context, fn func(conn driver.Conn) error) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	defer c.Close()
	return c.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("driver connection is %T", dc)
		}
		return fn(conn)
	})
}

// Isolated runs fn with the driver connection of a connection of its own,
// which is closed afterwards instead of going back to the pool: what fn
// changes on it (session settings, temp tables, session variables,
// registered Arrow views) ends with it, whether fn failed or not. The next
// connection the pool opens starts from the database's settings (Options)
// again. DuckDB's global settings (preserve_insertion_order is one) belong
// to the database, not the connection: fn resets those it changes.
func (db *DB) Isolated(ctx context.Context, fn func(conn driver.Conn) error) error {
	c, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connection: %w", err)
	}
	defer c.Close() // after Raw discarded it, this only marks it done
	var fnErr error
	err = c.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			fnErr = fmt.Errorf("driver connection is %T", dc)
		} else {
			fnErr = fn(conn)
		}
		// database/sql closes a connection whose use ends in ErrBadConn.
		return driver.ErrBadConn
	})
	if fnErr != nil {
		return fnErr
	}
	if err != nil && !errors.Is(err, driver.ErrBadConn) {
		return fmt.Errorf("connection: %w", err)
	}
	return nil
}

// DuckDBVersion returns the version of the DuckDB library in use.
func (db *DB) DuckDBVersion(ctx context.Context) (string, error) {
	var v string
	err := db.QueryRowContext(ctx, "SELECT version()").Scan(&v)
	return v, err
}

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

func migrations() ([]migration, error) { return migrationsIn(migrationFS) }

// migrationsIn reads the numbered migrations of fsys's migrations folder,
// in order; two with one number are an error.
func migrationsIn(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, "migrations")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", e.Name())
		}
		b, err := fs.ReadFile(fsys, "migrations/"+e.Name())
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	for i := 1; i < len(ms); i++ {
		if ms[i].version == ms[i-1].version {
			return nil, fmt.Errorf("migrations %s and %s have the same number: the second would never be applied", ms[i-1].name, ms[i].name)
		}
	}
	return ms, nil
}

// SchemaVersion is the number of the newest embedded migration.
func SchemaVersion() int {
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// migrate applies every migration newer than the database's version, each in
// its own transaction together with its row in schema_migrations.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER NOT NULL, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL DEFAULT current_localtimestamp())`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var current int
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	ms, err := migrations()
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, m := range ms {
		if m.version <= current {
			continue
		}
		err := db.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", m.version, m.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		db.log.Debug("migration applied", "name", m.name)
	}
	return nil
}
