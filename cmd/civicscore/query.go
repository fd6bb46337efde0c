package main

import (
	"bufio"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

func (m *Main) queryCommand() *cobra.Command {
	var dbPath, format, output, file string
	cmd := &cobra.Command{
		Use:   "query --db FILE [--format table|csv|json|parquet] [--output FILE] [SQL | - | --file F.sql]",
		Short: "run read-only SQL on a civicscore database",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dbPath == "" {
				return usageError{errors.New("--db FILE is required")}
			}
			q, err := m.querySQL(args, file)
			if err != nil {
				return err
			}
			switch format {
			case "table", "csv", "json":
			case "parquet":
				if output == "" {
					return usageError{errors.New("--format parquet needs --output FILE")}
				}
			default:
				return usageError{fmt.Errorf("--format %q: want table, csv, json or parquet", format)}
			}
			if output != "" {
				same, err := samePath(output, dbPath)
				if err != nil {
					return fmt.Errorf("query: %w", err)
				}
				if same {
					return usageError{fmt.Errorf("--output %s is the database given with --db: name another file", output)}
				}
			}
			if _, err := os.Stat(dbPath); err != nil {
				return fmt.Errorf("query: %s: %w", dbPath, err)
			}
			db, err := store.Open(cmd.Context(), dbPath, store.Options{ReadOnly: true})
			if err != nil {
				return err
			}
			defer db.Close()
			if format == "parquet" {
				// The user's own SQL is the point of this command; it runs on
				// a read-only connection. The output path is a quoted literal.
				return replaceFile("query: --output", output, func(tmp string) error {
					_, err := db.ExecContext(cmd.Context(), "COPY ("+strings.TrimRight(strings.TrimSpace(q), ";")+") TO '"+
						strings.ReplaceAll(tmp, "'", "''")+"' (FORMAT parquet)")
					return readOnlyHint(err)
				})
			}
			rows, err := db.QueryContext(cmd.Context(), q)
			if err != nil {
				return readOnlyHint(err)
			}
			defer rows.Close()
			if output == "" {
				// Buffered: a write error is kept and returned by Flush.
				w := bufio.NewWriter(m.Stdout)
				if err := writeRows(w, rows, format); err != nil {
					return err
				}
				return w.Flush()
			}
			return replaceFile("query: --output", output, func(tmp string) error {
				f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0)
				if err != nil {
					return err
				}
				w := bufio.NewWriter(f) // keeps a write error for Flush
				err = writeRows(w, rows, format)
				if err == nil {
					err = w.Flush()
				}
				if err == nil {
					err = f.Sync()
				}
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				return err
			})
		},
	}
	cmd.Flags().StringVar(&dbPath, "db", "", "database file")
	cmd.Flags().StringVar(&format, "format", "table", "table, csv, json or parquet")
	cmd.Flags().StringVar(&output, "output", "", "write to FILE instead of standard output")
	cmd.Flags().StringVar(&file, "file", "", "read the SQL from FILE")
	return cmd
}

// querySQL returns the SQL from the argument, standard input ("-") or --file.
func (m *Main) querySQL(args []string, file string) (string, error) {
	switch {
	case file != "" && len(args) > 0:
		return "", usageError{errors.New("give the SQL as an argument or with --file, not both")}
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--file: %w", err)
		}
		return string(b), nil
	case len(args) == 1 && args[0] == "-":
		b, err := io.ReadAll(m.Stdin)
		return string(b), err
	case len(args) == 1:
		return args[0], nil
	}
	return "", usageError{errors.New("no SQL: give it as an argument, - for standard input, or --file F.sql")}
}

// samePath reports whether the paths a and b name one file: the same
// absolute path, or, when both exist, the same file by another name (a
// link).
func samePath(a, b string) (bool, error) {
	absA, err := filepath.Abs(a)
	if err != nil {
		return false, err
	}
	absB, err := filepath.Abs(b)
	if err != nil {
		return false, err
	}
	if absA == absB {
		return true, nil
	}
	fa, errA := os.Stat(absA)
	fb, errB := os.Stat(absB)
	return errA == nil && errB == nil && os.SameFile(fa, fb), nil
}

// replaceFile makes the file path with write, which is given the name of a
// new empty file beside path to fill: path is replaced by it only when
// write succeeded, so a failed or interrupted query leaves no partial file
// and an earlier one as it was. The new file gets the earlier one's
// permissions, or 0644. what names the file in errors ("query: --output").
func replaceFile(what, path string, write func(tmp string) error) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%s %s: not a regular file", what, path)
		}
		mode = fi.Mode().Perm()
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	tmp := f.Name()
	err = f.Chmod(mode)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = write(tmp)
	}
	if err == nil {
		if err = os.Rename(tmp, path); err != nil {
			err = fmt.Errorf("%s: %w", what, err)
		}
	}
	if err != nil {
		if rerr := os.Remove(tmp); rerr != nil && !os.IsNotExist(rerr) {
			err = errors.Join(err, fmt.Errorf("%s: remove %s: %w", what, tmp, rerr))
		}
		return err
	}
	return nil
}

// readOnlyHint turns DuckDB's read-only refusal into a clear message.
func readOnlyHint(err error) error {
	if err == nil {
		return nil
	}
	if strings.Contains(err.Error(), "read-only") || strings.Contains(err.Error(), "read only") {
		return fmt.Errorf("query: the database is opened read-only; civicscore query runs no statement that writes (%v): %w", err, civicscore.ErrReadOnly)
	}
	return fmt.Errorf("query: %w", err)
}

// writeRows writes a result set as an aligned table, CSV with a header row,
// or a JSON array of objects.
func writeRows(w io.Writer, rows *sql.Rows, format string) error {
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var tw *tabwriter.Writer
	var cw *csv.Writer
	first := true
	switch format {
	case "table":
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	case "csv":
		cw = csv.NewWriter(w)
		cw.Write(cols)
	case "json":
		io.WriteString(w, "[")
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		switch format {
		case "table":
			cells := make([]string, len(vals))
			for i, v := range vals {
				cells[i] = strings.NewReplacer("\t", " ", "\n", " ").Replace(cellText(v, "NULL"))
			}
			fmt.Fprintln(tw, strings.Join(cells, "\t"))
		case "csv":
			cells := make([]string, len(vals))
			for i, v := range vals {
				cells[i] = cellText(v, "")
			}
			cw.Write(cells)
		case "json":
			obj := make(map[string]any, len(cols))
			for i, c := range cols {
				obj[c] = jsonValue(vals[i])
			}
			b, err := json.Marshal(obj)
			if err != nil {
				return err
			}
			if !first {
				io.WriteString(w, ",")
			}
			io.WriteString(w, "\n")
			w.Write(b)
		}
		first = false
	}
	if err := rows.Err(); err != nil {
		return readOnlyHint(err)
	}
	switch format {
	case "table":
		return tw.Flush()
	case "csv":
		cw.Flush()
		return cw.Error()
	case "json":
		_, err := io.WriteString(w, "\n]\n")
		return err
	}
	return nil
}

func cellText(v any, null string) string {
	switch x := v.(type) {
	case nil:
		return null
	case time.Time:
		if x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0 {
			return x.Format("2006-01-02")
		}
		return x.Format("2006-01-02 15:04:05")
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case []byte:
		return string(x)
	case map[string]any, []any:
		// JSON columns (cases.extra), structs and lists: as JSON text, not
		// Go's map[...] notation.
		if b, err := json.Marshal(x); err == nil {
			return string(b)
		}
	}
	return fmt.Sprint(v)
}

func jsonValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return cellText(x, "")
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case []byte:
		return string(x)
	}
	return v
}
