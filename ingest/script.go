package ingest

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// The statements a load runs on its connection: one statement, the first
// value of a query, the rows of a query, and the SQL scripts of sql/, split
// into statements and run one by one inside or outside a transaction.

func (s *session) exec(q string, args ...any) error {
	ex, ok := s.conn.(driver.ExecerContext)
	if !ok {
		return errors.New("driver connection cannot execute statements")
	}
	_, err := ex.ExecContext(s.ctx, q, named(args))
	return err
}

// queryInt returns the first column of the only (or first) row of q as an
// integer, 0 for NULL; a query that returns no row is an error.
func (s *session) queryInt(q string, args ...any) (int64, error) {
	v, found, err := s.queryFirst(q, args...)
	if err != nil {
		return 0, err
	}
	if !found {
		return 0, fmt.Errorf("no row from %s", firstLine(q))
	}
	switch v := v.(type) {
	case int64:
		return v, nil
	case int32:
		return int64(v), nil
	case nil:
		return 0, nil
	}
	return 0, fmt.Errorf("%s returned %T, not an integer", firstLine(q), v)
}

// queryString returns the first column of the first row of q, "" when it
// returns no row or NULL.
func (s *session) queryString(q string, args ...any) (string, error) {
	v, _, err := s.queryFirst(q, args...)
	if err != nil {
		return "", err
	}
	str, _ := v.(string)
	return str, nil
}

// queryFirst returns the first column of the first row of q, and whether
// there was a row.
func (s *session) queryFirst(q string, args ...any) (v driver.Value, found bool, err error) {
	err = s.queryRows(q, func(row []driver.Value) error {
		v, found = row[0], true
		return errFirstRow
	}, args...)
	if errors.Is(err, errFirstRow) {
		err = nil
	}
	return v, found, err
}

// errFirstRow stops queryRows after the first row.
var errFirstRow = errors.New("first row read")

// queryRows runs q and calls fn with the values of each row in turn (the
// slice is reused). An error reading a row, or of fn, ends it and is
// returned: the end of the rows is io.EOF only.
func (s *session) queryRows(q string, fn func(row []driver.Value) error, args ...any) error {
	qc, ok := s.conn.(driver.QueryerContext)
	if !ok {
		return errors.New("driver connection cannot query")
	}
	rows, err := qc.QueryContext(s.ctx, q, named(args))
	if err != nil {
		return err
	}
	dest := make([]driver.Value, len(rows.Columns()))
	for {
		err = rows.Next(dest)
		if err == nil {
			err = fn(dest)
		}
		if err != nil {
			break
		}
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	if cerr := rows.Close(); err == nil && cerr != nil {
		err = cerr
	}
	return err
}

// firstLine is the first line of a query, to name it in an error.
func firstLine(q string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(q), "\n")
	return line
}

func named(args []any) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, a := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	return out
}

func (s *session) script(name string) error {
	pre, in, err := scriptParts(name)
	if err != nil {
		return err
	}
	return s.run(name, append(pre, in...))
}

// transactionMarker divides a kind's script: the statements above it build
// temp tables and views from the staged rows and run before the file's
// transaction opens; the ones below write to the database inside it. (A
// temp table made inside a transaction lives in its local storage, which
// DuckDB scans on one thread: reading 5 M typed cases from one took twice
// as long as from a committed temp table.)
const transactionMarker = "-- @transaction\n"

// scriptParts returns the statements of sql/name before and after its
// transactionMarker (all of them after it when it has none), numbered from 1
// across both.
func scriptParts(name string) (pre, in []stmt, err error) {
	b, err := sqlFS.ReadFile("sql/" + name)
	if err != nil {
		return nil, nil, err
	}
	text := string(b)
	head, tail, found := strings.Cut(text, transactionMarker)
	if !found {
		head, tail = "", text
	}
	n := 0
	split := func(sql string) []stmt {
		var out []stmt
		// Statements end with ";" at the end of a line; run them one at a
		// time so that a debug log shows where the time goes.
		for _, q := range strings.SplitAfter(sql, ";\n") {
			n++
			if !onlyComments(q) {
				out = append(out, stmt{n: n, sql: q})
			}
		}
		return out
	}
	return split(head), split(tail), nil
}

// stmt is one statement of a script and its number there.
type stmt struct {
	n   int
	sql string
}

// run executes statements of the script name one by one.
func (s *session) run(name string, stmts []stmt) error {
	for _, st := range stmts {
		start := time.Now()
		if err := s.exec(st.sql); err != nil {
			return fmt.Errorf("%s (statement %d): %w", name, st.n, err)
		}
		s.log.Debug("sql", "file", name, "statement", st.n, "took", time.Since(start).Round(time.Millisecond))
	}
	return nil
}

// inTx runs fn inside one transaction on the session's connection: committed
// when fn returns nil, rolled back otherwise.
func (s *session) inTx(fn func() error) error {
	if err := s.exec("BEGIN TRANSACTION"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if rerr := s.exec("ROLLBACK"); rerr != nil {
			err = errors.Join(err, fmt.Errorf("rollback: %w", rerr))
		}
		return err
	}
	return s.exec("COMMIT")
}

// onlyComments reports whether a chunk of SQL holds no statement.
func onlyComments(sql string) bool {
	for _, line := range strings.Split(sql, "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "--") && l != ";" {
			return false
		}
	}
	return true
}
