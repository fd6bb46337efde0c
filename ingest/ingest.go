package ingest

import (
	"context"
	"database/sql/driver"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

//go:embed sql/*.sql
var sqlFS embed.FS

// Options configures a load. The command fills it from config.
type Options struct {
	// Inputs lists, per kind, paths, globs or folders.
	Inputs map[civicscore.Kind][]string
	// Encoding of delimited text: auto (UTF-8 unless the bytes are not valid
	// UTF-8, then GB18030), utf-8 or gb18030.
	Encoding string
	// Mapping adds header aliases: kind → canonical column → aliases.
	Mapping map[string]map[string][]string
	// Personal names extra columns to drop, per kind.
	Personal map[string][]string
	// ExtraColumns is what happens to unknown columns: scan (the default)
	// keeps one only when none of its values looks personal, keep keeps
	// them all, drop drops them all.
	ExtraColumns string
	// Formats are timestamp layouts (strptime) per kind and column ("*" for
	// every timestamp column), tried before the built-in ones.
	Formats map[string]map[string][]string
	// Values are value aliases per kind, column and value: the target is a
	// canonical value of the column.
	Values map[string]map[string]map[string]string
	// Derive fills columns per kind and column (see Derive).
	Derive map[string]map[string]Derive
	// Sheet names, per kind, the worksheet of that kind's .xlsx files (a
	// kind not named: the first).
	Sheet map[string]string
	// Salt is mixed into every hashed identifier (CIVICSCORE_SALT).
	Salt string
	// SLA fills due_at when a case has none.
	SLA SLA
	// MinDurationSeconds marks faster survey responses as speeders.
	MinDurationSeconds float64
	// MaxPerIPPerDay flags bursts of responses from one address.
	MaxPerIPPerDay int
	// Logger receives one line per file; nil discards.
	Logger *slog.Logger
}

// effective returns the options with their defaults filled in: encoding
// auto, extra columns scanned, SLA unit hours, a default SLA of 72 hours, at most 5 responses per
// address and day.
func (o Options) effective() Options {
	o.Encoding = strings.ToLower(strings.TrimSpace(o.Encoding))
	if o.Encoding == "" {
		o.Encoding = "auto"
	}
	if o.ExtraColumns == "" {
		o.ExtraColumns = "scan"
	}
	if o.SLA.Unit == "" {
		o.SLA.Unit = "hours"
	}
	if o.SLA.DefaultHours <= 0 {
		o.SLA.DefaultHours = 72
	}
	if o.MaxPerIPPerDay <= 0 {
		o.MaxPerIPPerDay = 5
	}
	return o
}

// SLA sets the time allowed for a case when its export gives no due_at.
type SLA struct {
	DefaultHours float64
	// ByCategory overrides DefaultHours per category (matched case-insensitively).
	ByCategory map[string]float64
	// Unit is "hours" or "working_days" (then the numbers count working days).
	Unit string
	// Holidays and Workdays (YYYY-MM-DD) amend the built-in calendar.
	Holidays, Workdays []string
}

// FileResult is what happened to one input file.
type FileResult struct {
	Kind    civicscore.Kind
	Path    string
	SHA256  string
	Format  string // csv-duckdb, csv-go, xlsx, json
	Skipped bool   // unchanged since an earlier load
	// SkippedBy says how an unchanged file was recognised: by its "size and
	// modification time" (not read at all) or by its "content (sha256)".
	SkippedBy string
	Read      int64
	Clean     int64
	Rejected  int64
	Took      time.Duration
	// FastPathError says why DuckDB's CSV reader was not used, if it was tried.
	FastPathError string
	// Reasons counts the file's rejected rows by reason, most first, each
	// with an example row.
	Reasons []ReasonCount
	// DroppedColumns are the file's columns that were not stored, header →
	// why (see DropReasons); recorded in ingest_files.dropped_columns.
	DroppedColumns map[string]string
	// NoClosedAt: a cases file without a closed_at column, so every case in
	// it counts as open.
	NoClosedAt bool
	// Layouts are the timestamp layouts found for the file's columns.
	Layouts []DetectedLayout

	plan *headerPlan // where each header cell went

	size, modified int64 // bytes, and modification time in Unix nanoseconds
}

// Summary is the result of a load.
type Summary struct {
	Files []FileResult
}

// Totals sums the rows of all files.
func (s Summary) Totals() (read, clean, rejected int64) {
	for _, f := range s.Files {
		read += f.Read
		clean += f.Clean
		rejected += f.Rejected
	}
	return
}

// Load ingests every configured file into db, communities first, on a
// connection of its own that is closed at the end. Each file is loaded in
// its own transaction; an unchanged file (same kind and
// sha256 in ingest_files, or the same path, size and modification time) is
// skipped. A file that cannot be read at all is an
// error naming it; bad rows are rejects, not errors.
func Load(ctx context.Context, db *store.DB, opts Options) (Summary, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	var sum Summary
	if err := checkNormalisation(opts); err != nil {
		return sum, err
	}
	files := map[civicscore.Kind][]string{}
	for _, k := range civicscore.Kinds {
		fs, err := ResolveFiles(k, opts.Inputs[k])
		if err != nil {
			return sum, err
		}
		files[k] = fs
	}
	// A connection of its own, closed at the end: the load's temp tables,
	// its session variables (the salt among them) and settings never reach
	// another user of the pool, also when a file failed.
	err := db.Isolated(ctx, func(conn driver.Conn) (err error) {
		s := &session{ctx: ctx, conn: conn, log: log}
		defer func() {
			// A global setting, which closing the connection keeps.
			if rerr := s.exec("RESET preserve_insertion_order"); rerr != nil {
				err = errors.Join(err, fmt.Errorf("ingest: reset preserve_insertion_order: %w", rerr))
			}
		}()
		if err := s.prepare(opts); err != nil {
			return fmt.Errorf("ingest: prepare: %w", err)
		}
		if err := s.checkSettings(opts); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		surveysLoaded := false
		for _, k := range civicscore.Kinds {
			for _, path := range files[k] {
				res, err := s.loadFile(k, path, opts)
				if err != nil {
					return fmt.Errorf("ingest %s %s: %w", k, path, err)
				}
				sum.Files = append(sum.Files, res)
				surveysLoaded = surveysLoaded || (k == civicscore.KindSurveys && !res.Skipped)
			}
			if k == civicscore.KindCommunities && slices.ContainsFunc(sum.Files, func(f FileResult) bool { return f.Kind == k && !f.Skipped }) {
				if err := s.communitiesChanged(); err != nil {
					return fmt.Errorf("ingest: %w", err)
				}
			}
		}
		// The survey filter and the checks after it run with DuckDB's default.
		if err := s.exec("SET preserve_insertion_order = true"); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		if surveysLoaded {
			if err := s.surveyFilter(&sum); err != nil {
				return fmt.Errorf("ingest: survey quality filter: %w", err)
			}
		}
		var loaded []civicscore.Kind
		for _, res := range sum.Files {
			if !res.Skipped && !slices.Contains(loaded, res.Kind) {
				loaded = append(loaded, res.Kind)
			}
		}
		if err := s.checkUnique(loaded); err != nil {
			return fmt.Errorf("ingest: %w", err)
		}
		if opts.SLA.Unit == "working_days" {
			if err := s.warnCalendar(); err != nil {
				return err
			}
		}
		if err := s.loadReasons(&sum); err != nil {
			return fmt.Errorf("ingest: reject reasons: %w", err)
		}
		for _, res := range sum.Files {
			if res.Skipped {
				log.Info("unchanged, skipped", "kind", res.Kind, "file", res.Path, "by", res.SkippedBy)
				continue
			}
			log.Info("loaded", "kind", res.Kind, "file", res.Path, "format", res.Format, "read", res.Read,
				"clean", res.Clean, "rejected", res.Rejected, "took", res.Took.Round(time.Millisecond))
			if len(res.DroppedColumns) > 0 {
				log.Info("columns dropped as personal", "kind", res.Kind, "file", res.Path, "columns", droppedList(res.DroppedColumns))
			}
			if res.NoClosedAt {
				log.Warn("the cases file has no closed_at column: every case in it counts as open (map the column that holds the closing time with mapping.cases.closed_at)",
					"file", res.Path)
			}
		}
		return nil
	})
	return sum, err
}

// session runs statements on the one connection a load uses (temp tables
// and the registered Arrow view live on it).
type session struct {
	ctx  context.Context
	conn driver.Conn
	log  *slog.Logger
}

// queryRow returns the columns of the first row of q (nil values when it
// returns no row).
func (s *session) queryRow(q string, args ...any) ([]driver.Value, error) {
	qc, ok := s.conn.(driver.QueryerContext)
	if !ok {
		return nil, errors.New("driver connection cannot query")
	}
	rows, err := qc.QueryContext(s.ctx, q, named(args))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(dest); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return dest, nil
}

// warnCalendar warns once when working-day deadlines were computed for
// years the built-in holiday table does not cover: for those, only
// weekends (and sla.holidays / sla.workdays) are known.
func (s *session) warnCalendar() error {
	known := map[int64]bool{}
	for _, y := range CalendarYears() {
		known[int64(y)] = true
	}
	var missing []string
	err := s.queryRows("SELECT DISTINCT year(reported_at)::BIGINT FROM cases WHERE due_at_from_sla ORDER BY 1", func(row []driver.Value) error {
		if y, ok := row[0].(int64); ok && !known[y] {
			missing = append(missing, fmt.Sprint(y))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("calendar years: %w", err)
	}
	if len(missing) > 0 {
		s.log.Warn("sla.unit working_days: the built-in holiday calendar does not cover these years; deadlines there count weekends only (add sla.holidays and sla.workdays)",
			"years", strings.Join(missing, ","), "covered", fmt.Sprint(CalendarYears()))
	}
	return nil
}

// prepare creates the per-connection macros, the enum alias table, the SLA
// table and the parameter row the kind scripts read.
func (s *session) prepare(opts Options) error {
	// Databases written before stageFromSource dropped its Arrow view hold
	// it still, dangling: a query of it crashes the process.
	if err := s.exec("DROP VIEW IF EXISTS main.cs_arrow_stage"); err != nil {
		return err
	}
	if err := s.exec(`CREATE OR REPLACE TEMP TABLE enum_alias (field VARCHAR, alias VARCHAR, canonical VARCHAR, origin VARCHAR);
		CREATE OR REPLACE TEMP TABLE derive_spec (key VARCHAR, dflt VARCHAR, lookup BOOLEAN, has_rules BOOLEAN);
		CREATE OR REPLACE TEMP TABLE derive_rule (key VARCHAR, n INTEGER, regex BOOLEAN, pattern VARCHAR, value VARCHAR);
		CREATE OR REPLACE TEMP TABLE ts_layout (col VARCHAR, n INTEGER, layout VARCHAR);
		CREATE OR REPLACE TEMP TABLE sla_category (category_key VARCHAR, amount DOUBLE);
		CREATE OR REPLACE TEMP TABLE ingest_params (file VARCHAR, load_seq BIGINT, min_duration DOUBLE,
			max_per_ip INTEGER, default_sla DOUBLE, sla_unit VARCHAR, salt VARCHAR);
		CREATE OR REPLACE TEMP TABLE stage_headers (i INTEGER, name VARCHAR);
		CREATE OR REPLACE TEMP TABLE rejected (_row BIGINT, reason VARCHAR, detail VARCHAR);
		CREATE OR REPLACE TEMP TABLE survey_months (month DATE);
		CREATE OR REPLACE TEMP TABLE calendar (day DATE, workday BOOLEAN, ordinal BIGINT)`); err != nil {
		return err
	}
	if err := s.fillEnumAliases(opts); err != nil {
		return err
	}
	if err := s.fillDeriveRules(opts); err != nil {
		return err
	}
	var vals []string
	var args []any
	if len(opts.SLA.ByCategory) > 0 {
		vals, args = nil, nil
		for _, c := range sortedKeys(opts.SLA.ByCategory) {
			vals = append(vals, "(?, ?)")
			args = append(args, strings.ToLower(strings.TrimSpace(c)), opts.SLA.ByCategory[c])
		}
		if err := s.exec("INSERT INTO sla_category VALUES "+strings.Join(vals, ", "), args...); err != nil {
			return err
		}
	}
	e := opts.effective()
	unit := e.SLA.Unit
	if err := s.exec("INSERT INTO ingest_params VALUES (NULL, 0, ?, ?, ?, ?, ?)", e.MinDurationSeconds, e.MaxPerIPPerDay, e.SLA.DefaultHours, unit, e.Salt); err != nil {
		return err
	}
	// The SLA defaults and the salt as session variables too: constants
	// when a query is planned, where a cross join with ingest_params (or a
	// subquery of it) was one more join over every staged row. Session
	// variables live on this connection only and are never stored.
	if err := s.exec(`SET VARIABLE ingest_default_sla = (SELECT default_sla FROM ingest_params);
		SET VARIABLE ingest_sla_unit = (SELECT sla_unit FROM ingest_params);
		SET VARIABLE ingest_salt = (SELECT salt FROM ingest_params)`); err != nil {
		return err
	}
	if unit == "working_days" {
		if err := s.fillCalendar(opts.SLA); err != nil {
			return err
		}
	}
	return s.script("prelude.sql")
}

// setHeaders stores the file's header names for the stage views.
func (s *session) setHeaders(headers []string) error {
	if err := s.exec("DELETE FROM stage_headers"); err != nil {
		return err
	}
	vals := make([]string, len(headers))
	args := make([]any, 0, 2*len(headers))
	keys := columnKeys(headers)
	for i := range headers {
		vals[i] = "(?, ?)"
		args = append(args, i, keys[i])
	}
	return s.exec("INSERT INTO stage_headers VALUES "+strings.Join(vals, ", "), args...)
}

// loadFile loads one file in one transaction.
func (s *session) loadFile(kind civicscore.Kind, path string, opts Options) (FileResult, error) {
	start := time.Now()
	res := FileResult{Kind: kind, Path: path}
	// The size and time are taken before the file is read: a file changed
	// while it is read is read again next time.
	fi, err := os.Stat(path)
	if err != nil {
		return res, errors.Join(civicscore.ErrInput, err)
	}
	res.size, res.modified = fi.Size(), fi.ModTime().UnixNano()
	sha, err := s.queryString(`SELECT sha256 FROM ingest_files WHERE kind = ? AND path = ? AND size_bytes = ? AND modified_unix_ns = ?
		ORDER BY loaded_at DESC LIMIT 1`, string(kind), path, res.size, res.modified)
	if err != nil {
		return res, err
	}
	if sha != "" {
		res.SHA256, res.Skipped, res.SkippedBy = sha, true, "size and modification time"
		return res, nil
	}
	sc, err := scanFile(path)
	if err != nil {
		return res, errors.Join(civicscore.ErrInput, err)
	}
	res.SHA256 = sc.sha256
	n, err := s.queryInt("SELECT count(*) FROM ingest_files WHERE kind = ? AND sha256 = ?", string(kind), sc.sha256)
	if err != nil {
		return res, err
	}
	if n > 0 {
		res.Skipped, res.SkippedBy = true, "content (sha256)"
		// Remember the size and time of this path's copy, so that the next
		// run need not read it.
		err := s.exec("UPDATE ingest_files SET size_bytes = ?, modified_unix_ns = ? WHERE kind = ? AND path = ? AND sha256 = ?",
			res.size, res.modified, string(kind), path, sc.sha256)
		return res, err
	}
	if sc.size == 0 {
		return res, fmt.Errorf("the file is empty: %w", civicscore.ErrInput)
	}
	// Stage outside the transaction: a strict CSV read that DuckDB refuses
	// must not abort it.
	staged := time.Now()
	if err := s.stage(kind, path, sc, opts, &res); err != nil {
		return res, err
	}
	s.log.Debug("staged", "file", path, "format", res.Format, "took", time.Since(staged).Round(time.Millisecond), "scan", staged.Sub(start).Round(time.Millisecond))
	script := string(kind) + ".sql"
	pre, in, err := scriptParts(script)
	if err != nil {
		return res, err
	}
	// Row order matters only while staging (rowid is the file's row order;
	// stage sets it again for the next file); validation and the move run
	// in parallel without it, in less memory.
	if err := s.exec("SET preserve_insertion_order = false"); err != nil {
		return res, err
	}
	if err := s.run(script, pre); err != nil {
		return res, err
	}
	if err := s.inTx(func() error {
		if err := s.loadInTx(kind, path, script, in, &res); err != nil {
			return err
		}
		return s.recordValueCounts(kind, path, res.plan)
	}); err != nil {
		return res, err
	}
	if err := s.exec("DROP TABLE IF EXISTS conflicts; DROP VIEW IF EXISTS stage; DROP VIEW IF EXISTS stage_base; DROP TABLE IF EXISTS derive_map; DROP VIEW IF EXISTS stage_rawjson; DROP TABLE IF EXISTS stage_raw; DROP TABLE IF EXISTS stage_go; DROP TABLE IF EXISTS checked; DELETE FROM rejected"); err != nil {
		return res, err
	}
	res.Took = time.Since(start)
	return res, nil
}

func (s *session) loadInTx(kind civicscore.Kind, path, script string, stmts []stmt, res *FileResult) error {
	var err error
	if res.Read, err = s.queryInt("SELECT count(*) FROM stage"); err != nil {
		return err
	}
	// Rejects of an earlier version of this path are replaced by this one's.
	if err := s.exec("DELETE FROM rejects WHERE kind = ? AND source_file = ?", string(kind), path); err != nil {
		return err
	}
	seq, err := s.queryInt("SELECT coalesce(max(load_seq), 0) + 1 FROM cases")
	if err != nil {
		return err
	}
	if err := s.exec("UPDATE ingest_params SET file = ?, load_seq = ?", path, seq); err != nil {
		return err
	}
	before, err := s.queryInt("SELECT count(*) FROM rejects WHERE kind = ? AND source_file = ?", string(kind), path)
	if err != nil {
		return err
	}
	if err := s.run(script, stmts); err != nil {
		return err
	}
	after, err := s.queryInt("SELECT count(*) FROM rejects WHERE kind = ? AND source_file = ?", string(kind), path)
	if err != nil {
		return err
	}
	res.Rejected = after - before
	res.Clean = res.Read - res.Rejected
	dropped, err := json.Marshal(res.DroppedColumns)
	if err != nil {
		return err
	}
	if res.DroppedColumns == nil {
		dropped = []byte("{}")
	}
	return s.exec(`INSERT INTO ingest_files (path, kind, sha256, rows_read, rows_clean, rows_rejected, loaded_at, size_bytes, modified_unix_ns, dropped_columns)
		VALUES (?, ?, ?, ?, ?, ?, current_localtimestamp(), ?, ?, ?::JSON)`, path, string(kind), res.SHA256, res.Read, res.Clean, res.Rejected, res.size, res.modified, string(dropped))
}

// stage fills the temp table stage from the file: UTF-8 text through
// DuckDB's CSV reader when it can read it strictly, everything else parsed
// in Go and handed over as Arrow batches.
func (s *session) stage(kind civicscore.Kind, path string, sc scan, opts Options, res *FileResult) error {
	// The staged table's rowid must follow the file's rows.
	if err := s.exec("SET preserve_insertion_order = true"); err != nil {
		return err
	}
	ext := strings.ToLower(filepath.Ext(path))
	format := formats[ext]
	if format == "" {
		format = "csv"
	}
	mapping := opts.Mapping[string(kind)]
	enc := strings.ToLower(opts.Encoding)
	gb := enc == "gb18030" || enc == "gbk" || ((enc == "" || enc == "auto") && !sc.utf8)
	var src rowSource
	var err error
	switch format {
	case "xlsx":
		xs, err := openXLSX(path, opts.Sheet[string(kind)])
		if err != nil {
			return errors.Join(civicscore.ErrInput, err)
		}
		src = xs
	case "json":
		if kind != civicscore.KindCases {
			return fmt.Errorf(".json inputs are Open311 service requests, for cases only: %w", civicscore.ErrInput)
		}
		if !sc.utf8 {
			return fmt.Errorf("line %d is not valid UTF-8: JSON must be UTF-8: %w", sc.badUTF8Line, civicscore.ErrInput)
		}
		js, err := openOpen311(path)
		if err != nil {
			return errors.Join(civicscore.ErrInput, err)
		}
		src = js
		mapping = mergeMapping(mapping, open311Mapping)
	default:
		comma := ','
		if format == "tsv" {
			comma = '\t'
		}
		if err := checkText(sc, enc); err != nil {
			return errors.Join(civicscore.ErrInput, err)
		}
		cs, err := openCSV(path, comma, gb)
		if err != nil {
			return errors.Join(civicscore.ErrInput, err)
		}
		src = cs
	}
	defer src.Close()
	plan, err := planHeadersDerive(kind, src.Header(), mapping, opts.Personal[string(kind)], opts.Derive[string(kind)])
	if err != nil {
		return errors.Join(civicscore.ErrInput, err)
	}
	res.plan = plan
	if js, ok := src.(*open311Source); ok {
		js.guessLevel = plan.index["resolution_level"] == slices.Index(js.header, "agency_responsible") && plan.index["resolution_level"] >= 0
	}
	if xs, ok := src.(*xlsxSource); ok {
		xs.markDates(plan.timestampIndexes())
	}
	mode := opts.effective().ExtraColumns
	if mode == "drop" {
		for _, i := range plan.extras() {
			plan.drop(i, DropExtraColumns)
		}
	}
	defer func() {
		res.DroppedColumns = plan.droppedColumns()
		_, derived := plan.derived["closed_at"]
		res.NoClosedAt = kind == civicscore.KindCases && plan.index["closed_at"] < 0 && !derived
	}()
	if (format == "csv" || format == "tsv") && !gb && !sc.blankLine {
		delim := ","
		if format == "tsv" {
			delim = "\t"
		}
		read, _ := csvStage(plan)
		err := s.exec(read, path, delim)
		if err == nil {
			if err := s.setHeaders(plan.headers); err != nil {
				return err
			}
			if mode == "scan" {
				if err := s.scanStaged(plan); err != nil {
					return err
				}
			}
			// The views leave out the columns the scan dropped.
			_, views := csvStage(plan)
			for _, v := range views {
				if err := s.exec(v); err != nil {
					return fmt.Errorf("stage: %w", err)
				}
			}
			res.Format = format + "-duckdb"
			return s.normaliseStage(kind, plan, opts, res)
		}
		res.FastPathError = err.Error()
		// DuckDB's strict reader refused the file (bad quoting, a row with
		// more fields): read it in Go, which files such rows as malformed_row.
	}
	res.Format = format + "-go"
	if format == "csv" || format == "tsv" {
		if gb {
			res.Format = format + "-gb18030"
		}
	}
	rows := newStagedRows(src, plan, opts.Salt)
	rows.scan = mode == "scan"
	if err := stageFromSource(s.ctx, s.conn, func(q string) error { return s.exec(q) }, rows); err != nil {
		return err
	}
	if err := s.dropScanned(plan, rows.found); err != nil {
		return err
	}
	return s.normaliseStage(kind, plan, opts, res)
}

// normaliseStage makes the view stage over stage_base and keeps the
// layouts found.
func (s *session) normaliseStage(kind civicscore.Kind, plan *headerPlan, opts Options, res *FileResult) error {
	layouts, err := s.normalise(kind, plan, opts)
	if err != nil {
		return err
	}
	res.Layouts = layouts
	return nil
}

// checkText refuses delimited text that cannot be decoded faithfully with
// the configured encoding enc (auto, utf-8 or gb18030), naming the line: NUL
// bytes (binary data, or UTF-16), bytes that are not UTF-8 when utf-8 is
// forced, UTF-8 Chinese text when gb18030 is forced, and, with auto, a file
// that mixes UTF-8 and GB18030 lines (decoding all of it as GB18030 would
// garble the UTF-8 lines without a trace).
func checkText(sc scan, enc string) error {
	switch {
	case sc.bom16 != "":
		return fmt.Errorf("the file is %s text (it starts with a UTF-16 byte-order mark): save it as CSV in UTF-8 or GB18030", sc.bom16)
	case sc.nul:
		return fmt.Errorf("line %d holds a NUL byte: not a text export", sc.nulLine)
	}
	switch enc {
	case "utf-8", "utf8":
		if !sc.utf8 {
			return fmt.Errorf("line %d is not valid UTF-8, but config encoding is utf-8 (is the file GB18030? set encoding: auto or gb18030)", sc.badUTF8Line)
		}
	case "gb18030", "gbk":
		if sc.utf8 && sc.chineseUTF8Line > 0 {
			return fmt.Errorf("the file is UTF-8 (Chinese text on line %d), but config encoding is gb18030, which would garble it: set encoding: auto or utf-8", sc.chineseUTF8Line)
		}
	default:
		if !sc.utf8 && sc.chineseUTF8Line > 0 {
			return fmt.Errorf("the file mixes encodings: line %d is UTF-8 Chinese text but line %d is not UTF-8 (GB18030?); save the whole file in one encoding (if line %d really is GB18030, set encoding: gb18030)",
				sc.chineseUTF8Line, sc.badUTF8Line, sc.chineseUTF8Line)
		}
	}
	return nil
}

var open311Mapping = map[string][]string{
	"category":         {"service_name", "service_code"},
	"reported_at":      {"requested_datetime"},
	"due_at":           {"expected_datetime"},
	"updated_at":       {"updated_datetime"},
	"closed_at":        {"closed_datetime"},
	"resolution_level": {"agency_responsible"},
}

func mergeMapping(a, b map[string][]string) map[string][]string {
	out := map[string][]string{}
	for k, v := range a {
		out[k] = append(out[k], v...)
	}
	for k, v := range b {
		out[k] = append(out[k], v...)
	}
	return out
}

// timestampIndexes returns the header indexes of the plan's timestamp and
// date columns.
func (p *headerPlan) timestampIndexes() []int {
	var out []int
	for _, c := range Columns[p.kind] {
		if c.Type != TypeTimestamp && c.Type != TypeDate {
			continue
		}
		if i, ok := p.index[c.Name]; ok && i >= 0 {
			out = append(out, i)
		}
	}
	return out
}

// surveyFilter applies the quality filter over the months this load
// changed (survey_filter.sql) and updates the survey files' counts.
func (s *session) surveyFilter(sum *Summary) error {
	pre, in, err := scriptParts("survey_filter.sql")
	if err != nil {
		return err
	}
	if err := s.run("survey_filter.sql", pre); err != nil {
		return err
	}
	err = s.inTx(func() error {
		if err := s.run("survey_filter.sql", in); err != nil {
			return err
		}
		// A file's rejected rows are its rows in rejects (the filter may
		// have added some); the others count as clean, also a response that
		// a later file replaced (same response_id), as for the other kinds:
		// counting it as rejected left a rejected row with no reject.
		return s.exec(`UPDATE ingest_files f SET rows_rejected = r.n, rows_clean = f.rows_read - r.n
			FROM (SELECT i.path, count(j.source_file) AS n
			      FROM (SELECT DISTINCT path FROM ingest_files WHERE kind = 'surveys') i
			      LEFT JOIN rejects j ON j.kind = 'surveys' AND j.source_file = i.path
			      GROUP BY i.path) r
			WHERE f.kind = 'surveys' AND f.path = r.path`)
	})
	if err != nil {
		return err
	}
	for i, f := range sum.Files {
		if f.Kind != civicscore.KindSurveys || f.Skipped {
			continue
		}
		rejected, err := s.queryInt("SELECT count(*) FROM rejects WHERE kind = 'surveys' AND source_file = ?", f.Path)
		if err != nil {
			return err
		}
		sum.Files[i].Rejected = rejected
		sum.Files[i].Clean = f.Read - rejected
	}
	return nil
}
