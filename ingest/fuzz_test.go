package ingest

// Fuzz tests of the ingest parsers. Each checks invariants, not only that
// nothing panics. Seed corpora are in testdata/fuzz/<FuzzName>/ (and the
// f.Add calls below); `make test` runs each target for a few seconds,
// `make fuzz` for longer.
//
// The SQL macros (sql/prelude.sql) are fuzzed through a real in-memory
// DuckDB, opened once per process: go test -fuzz runs each worker in its
// own process, so each worker has its own database.

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

// ---- the SQL macros, through one DuckDB per process ----

var fuzzDB struct {
	once sync.Once
	conn *sql.Conn
	err  error
}

// macroConn returns a connection on which prepare() ran: the macros of
// prelude.sql, the enum_alias table and ingest_params, with the session
// TimeZone Asia/Shanghai as in a run.
func macroConn(t testing.TB) *sql.Conn {
	fuzzDB.once.Do(func() {
		ctx := context.Background()
		db, err := store.Open(ctx, "", store.Options{TimeZone: "Asia/Shanghai", Threads: 1})
		if err != nil {
			fuzzDB.err = err
			return
		}
		c, err := db.Conn(ctx)
		if err != nil {
			fuzzDB.err = err
			return
		}
		fuzzDB.err = c.Raw(func(dc any) error {
			s := &session{ctx: ctx, conn: dc.(driver.Conn), log: slog.New(slog.DiscardHandler)}
			return s.prepare(Options{Salt: "fuzz-salt", SLA: SLA{DefaultHours: 72, Unit: "hours"}})
		})
		fuzzDB.conn = c
	})
	if fuzzDB.err != nil {
		t.Fatalf("fuzz database: %v", fuzzDB.err)
	}
	return fuzzDB.conn
}

var fuzzStmts sync.Map // query → *sql.Stmt on macroConn

// macroStmt returns q prepared once on macroConn.
func macroStmt(t testing.TB, q string) *sql.Stmt {
	if st, ok := fuzzStmts.Load(q); ok {
		return st.(*sql.Stmt)
	}
	st, err := macroConn(t).PrepareContext(context.Background(), q)
	if err != nil {
		t.Fatalf("prepare %s: %v", q, err)
	}
	fuzzStmts.Store(q, st)
	return st
}

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

// timestampLayouts are the forms the data contract promises to read, in Go
// layout syntax; zoned says whether a zone may follow.
var timestampLayouts = []struct {
	layout string
	zoned  bool
}{
	{"2006-01-02 15:04:05", true},
	{"2006-01-02 15:04", true},
	{"2006/01/02 15:04:05", false},
	{"2006/01/02 15:04", false},
	{"2006-01-02T15:04:05", true},
	{"2006-01-02T15:04", true},
	{"2006-01-02 15:04:05.000000", true},
	{"2006-01-02T15:04:05.000", true},
	{"2006-01-02", false},
	{"2006/01/02", false},
	{"2006.01.02", false},
	{"2006.01.02 15:04:05", false},
	{"2006.01.02 15:04", false},
}

// FuzzTimestamp builds a timestamp in one of the documented forms, with or
// without a zone, and checks cs_in_range(cs_ts_raw(...)) against Go: the
// same local time (zones converted to Asia/Shanghai), NULL for a date that
// does not exist (2025-02-30) or a year outside 2000..2099.
func FuzzTimestamp(f *testing.F) {
	f.Add(2025, 3, 1, 9, 0, 0, 0, uint8(0), int16(0), uint8(0))
	f.Add(2025, 2, 30, 25, 61, 0, 0, uint8(0), int16(0), uint8(0)) // impossible
	f.Add(1900, 1, 1, 0, 0, 0, 0, uint8(0), int16(0), uint8(0))
	f.Add(2100, 1, 1, 0, 0, 0, 0, uint8(8), int16(0), uint8(0))
	f.Add(2099, 12, 31, 23, 59, 59, 999999, uint8(6), int16(0), uint8(0))
	f.Add(2025, 3, 1, 1, 0, 0, 0, uint8(4), int16(0), uint8(1))     // ...T01:00:00Z
	f.Add(2025, 3, 1, 9, 0, 0, 0, uint8(5), int16(0), uint8(1))     // ...T09:00Z
	f.Add(2025, 3, 1, 9, 0, 0, 0, uint8(1), int16(480), uint8(4))   // 09:00+08
	f.Add(2025, 3, 1, 9, 0, 0, 0, uint8(0), int16(-300), uint8(3))  // -0500
	f.Add(1999, 12, 31, 16, 0, 0, 0, uint8(4), int16(0), uint8(1))  // 2000-01-01 00:00 local
	f.Add(2025, 10, 8, 12, 30, 0, 0, uint8(12), int16(0), uint8(0)) // 2025.10.08 12:30
	f.Fuzz(func(t *testing.T, year, month, day, hour, minute, second, micro int, layout uint8, zoneMinutes int16, zoneStyle uint8) {
		year = 1890 + abs(year)%230
		month = abs(month) % 14 // 0 and 13 are impossible
		day = abs(day) % 33
		hour = abs(hour) % 26
		minute = abs(minute) % 62
		second = abs(second) % 62
		micro = abs(micro) % 1000000
		l := timestampLayouts[int(layout)%len(timestampLayouts)]
		// The text, written field by field so that impossible values stay.
		text := l.layout
		text = strings.NewReplacer("2006", fmt.Sprintf("%04d", year), "01", fmt.Sprintf("%02d", month),
			"02", fmt.Sprintf("%02d", day), "15", fmt.Sprintf("%02d", hour), "04", fmt.Sprintf("%02d", minute),
			"05", fmt.Sprintf("%02d", second), ".000000", fmt.Sprintf(".%06d", micro), ".000", fmt.Sprintf(".%03d", micro/1000)).Replace(text)
		wantMicro := 0
		switch {
		case strings.Contains(l.layout, ".000000"):
			wantMicro = micro
		case strings.Contains(l.layout, ".000"):
			wantMicro = micro / 1000 * 1000
		}
		zm := int(zoneMinutes) % (14 * 60)
		var zone *time.Location
		if l.zoned {
			switch zoneStyle % 5 {
			case 1:
				text += "Z"
				zone = time.UTC
			case 2:
				text += fmt.Sprintf("%s%02d:%02d", sign(zm), abs(zm)/60, abs(zm)%60)
				zone = time.FixedZone("", zm*60)
			case 3:
				text += fmt.Sprintf("%s%02d%02d", sign(zm), abs(zm)/60, abs(zm)%60)
				zone = time.FixedZone("", zm*60)
			case 4:
				zm = zm / 60 * 60
				text += fmt.Sprintf("%s%02d", sign(zm), abs(zm)/60)
				zone = time.FixedZone("", zm*60)
			}
		}
		if !strings.Contains(l.layout, "15") {
			hour, minute, second = 0, 0, 0
		} else if !strings.Contains(l.layout, "05") {
			second = 0
		}
		// Go's answer: valid fields or none; then local time; then the range.
		var want string
		loc := time.UTC // a zone-less text is wall time as written
		if zone != nil {
			loc = zone
		}
		tm := time.Date(year, time.Month(month), day, hour, minute, second, wantMicro*1000, loc)
		valid := tm.Year() == year && int(tm.Month()) == month && tm.Day() == day && tm.Hour() == hour && tm.Minute() == minute && tm.Second() == second
		if valid {
			local := tm.In(shanghai)
			if zone == nil {
				local = tm // a zone-less text is local wall time as written
			}
			if local.Year() >= 2000 && local.Year() <= 2099 {
				want = local.Format("2006-01-02 15:04:05.000000")
			}
		}
		var got sql.NullString
		err := macroStmt(t, "SELECT strftime(cs_in_range(cs_ts_raw(v)), '%Y-%m-%d %H:%M:%S.%f') FROM (SELECT cs_text($1) AS v)").
			QueryRowContext(context.Background(), text).Scan(&got)
		if err != nil {
			t.Fatalf("cs_ts_raw(%q): %v", text, err)
		}
		if got.String != want {
			// ISO 8601 writes the end of a day as 24:00:00; DuckDB's cast
			// reads it as the next midnight, strptime (the / and . forms)
			// refuses it. Either is fine.
			endOfDay := hour == 24 && minute == 0 && second == 0 && wantMicro == 0 &&
				time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC).Day() == day && month >= 1 && month <= 12
			if endOfDay && got.String != "" {
				next := time.Date(year, time.Month(month), day+1, 0, 0, 0, 0, loc)
				if zone != nil {
					next = next.In(shanghai)
				}
				if next.Year() >= 2000 && next.Year() <= 2099 && got.String == next.Format("2006-01-02 15:04:05.000000") {
					return
				}
			}
			if !endOfDay || got.String != "" {
				t.Errorf("cs_ts_raw(%q) = %q, want %q", text, got.String, want)
			}
		}
	})
}

func abs(x int) int {
	if x < 0 {
		if x == math.MinInt {
			return math.MaxInt
		}
		return -x
	}
	return x
}

func sign(x int) string {
	if x < 0 {
		return "-"
	}
	return "+"
}

// Personal numbers that must not survive cs_scrub.
var (
	leftPhone = regexp.MustCompile(`(^|[^0-9])1[3-9][0-9]{9}([^0-9]|$)`)
	leftID    = regexp.MustCompile(`(^|[^0-9])[1-9][0-9]{5}(18|19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]([^0-9]|$)`)
	threeDigs = regexp.MustCompile(`[0-9]{3}`)
)

// enumOfColumn maps each enum, boolean and answer column (the field of
// enum_alias) to its enum table.
func enumOfColumn() map[string]string {
	out := map[string]string{}
	for _, k := range civicscore.Kinds {
		for _, c := range Columns[k] {
			if c.Enum != "" {
				out[c.Name] = c.Enum
			}
		}
	}
	return out
}

// canonicals lists, per enum column, the canonical values ("" = no answer).
func canonicals(column string) []string {
	var out []string
	for _, c := range enumAliases[enumOfColumn()[column]] {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// FuzzTextMacros feeds one text value to every text macro of
// sql/prelude.sql and to the enum table, and checks:
//   - no macro raises an error, whatever the text;
//   - cs_trim and cs_text trim exactly what Go's trimSpace trims, and the
//     SQL hash of a value equals hashValue (both readers hash alike);
//   - a timestamp that parses after cs_in_range has a year in 2000..2099 and
//     reads back to itself from its canonical text;
//   - cs_scrub leaves no mobile or ID-card number, is idempotent, and leaves
//     text without three digits in a row untouched;
//   - the enum lookup (as the kind scripts do it: lower(cs_text(x))) finds a
//     canonical value of its field exactly when Go's lookup does, and Likert
//     answers are 1..5 or no answer.
func FuzzTextMacros(f *testing.F) {
	for _, s := range []string{"", " ", "\t满意\u3000", "\u00a0C1\u00a0", "5", "5.0", "0", "不了解", "非常满意", "7",
		"2025-03-01 09:00:00", " 2025/03/01 09:00 ", "2025-02-30 25:61:00", "1900-01-01", "2100-01-01 00:00:00",
		"2025-03-01T01:00:00Z", "2025-03-01T09:00Z", "infinity", "-infinity", "epoch", "NaN", "1e400",
		"联系电话13800138000", "13800138000,13900139000", "+86 138-0013-8000", "身份证330102195001011234",
		"330102195001011234X", "0551-62345678", "138001380001", "YES", "  No ", "Y", "是", "城市建设",
		"125秒", "2分钟", "1.5小时", "-5", "1,234", "'); DROP TABLE cases; --", "\x00", "a\x00b", "\u212a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			// Never staged: DuckDB's reader and checkText refuse such bytes,
			// the GB18030 decoder and the xlsx and JSON readers never make them.
			t.Skip()
		}
		var (
			trimmed, text, hash, scrub, scrub2, ts, inRange, date sql.NullString
			num, dur                                              sql.NullFloat64
			enums                                                 sql.NullString
		)
		// Each macro over a column of a subquery, as the kind scripts use
		// them (nesting the macros directly multiplies their expansions).
		err := macroStmt(t, `WITH a AS (SELECT $1::VARCHAR AS x), b AS (SELECT x, cs_trim(x) AS trimmed, cs_text(x) AS t FROM a),
			c AS (SELECT *, cs_ts_raw(t) AS ts, cs_scrub(x) AS scrub FROM b)
			SELECT trimmed, t, sha256((SELECT salt FROM ingest_params) || trimmed), scrub, cs_scrub(scrub),
				strftime(ts, '%Y-%m-%d %H:%M:%S.%f'), strftime(cs_in_range(ts), '%Y-%m-%d %H:%M:%S.%f'),
				strftime(cs_date_raw(t), '%Y-%m-%d'), cs_num(t), cs_duration(t),
				(SELECT string_agg(field || '=' || canonical, '|' ORDER BY field) FROM enum_alias WHERE alias = cs_key(t))
			FROM c`).QueryRowContext(context.Background(), s).
			Scan(&trimmed, &text, &hash, &scrub, &scrub2, &ts, &inRange, &date, &num, &dur, &enums)
		if err != nil {
			t.Fatalf("macros on %q: %v", s, err)
		}
		// Trimming and hashing agree with Go.
		if want := trimSpace(s); trimmed.String != want {
			t.Errorf("cs_trim(%q) = %q, Go trimSpace = %q", s, trimmed.String, want)
		}
		if text.Valid != (trimSpace(s) != "") {
			t.Errorf("cs_text(%q) NULL = %v, but Go trims it to %q", s, !text.Valid, trimSpace(s))
		}
		if want := hashValue("fuzz-salt", s); hash.String != want {
			t.Errorf("SQL hash of %q = %s, Go hashValue = %s", s, hash.String, want)
		}
		// Timestamps: in range, and stable.
		if inRange.Valid {
			y, _ := strconv.Atoi(inRange.String[:4])
			if y < 2000 || y > 2099 {
				t.Errorf("cs_in_range(cs_ts_raw(%q)) = %s: year outside 2000..2099", s, inRange.String)
			}
			var back sql.NullString
			if err := macroStmt(t, "SELECT strftime(cs_ts_raw($1), '%Y-%m-%d %H:%M:%S.%f')").QueryRowContext(context.Background(), inRange.String).Scan(&back); err != nil || back.String != inRange.String {
				t.Errorf("%q → %s does not read back (%q, %v)", s, inRange.String, back.String, err)
			}
		}
		if inRange.Valid && (!ts.Valid || ts.String != inRange.String) {
			t.Errorf("cs_in_range changed %q → %q", ts.String, inRange.String)
		}
		// Scrubbing.
		if leftPhone.MatchString(scrub.String) || leftID.MatchString(scrub.String) {
			t.Errorf("cs_scrub(%q) = %q still holds a phone or ID number", s, scrub.String)
		}
		if scrub2.String != scrub.String {
			t.Errorf("cs_scrub not idempotent on %q: %q then %q", s, scrub.String, scrub2.String)
		}
		if !threeDigs.MatchString(s) && scrub.String != s {
			t.Errorf("cs_scrub changed %q (no number in it) to %q", s, scrub.String)
		}
		// Enums: SQL finds what Go finds.
		key := valueKey(s)
		var want []string
		cols := enumOfColumn()
		for _, col := range sortedKeys(cols) {
			for sp, canon := range enumAliases[cols[col]] {
				if valueKey(sp) == key && key != "" {
					want = append(want, col+"="+canon)
					break
				}
			}
		}
		if got := strings.Join(want, "|"); enums.String != got {
			t.Errorf("enum lookup of %q: SQL %q, Go %q", s, enums.String, got)
		}
		for _, fc := range strings.Split(enums.String, "|") {
			if fc == "" {
				continue
			}
			field, canon, _ := strings.Cut(fc, "=")
			if !slices.Contains(canonicals(field), canon) {
				t.Errorf("%q: %s maps to %q, not a canonical value", s, field, canon)
			}
			if enumOfColumn()[field] == "likert" && !slices.Contains([]string{"", "1", "2", "3", "4", "5"}, canon) {
				t.Errorf("%q: Likert answer %q outside 1..5", s, canon)
			}
		}
	})
}

// FuzzEnumSpellings takes each documented spelling of every enum field and
// decorates it as exports do (ASCII case changed, white space around it):
// the lookup must still find its canonical value.
func FuzzEnumSpellings(f *testing.F) {
	f.Add(uint16(0), uint8(0), "", "")
	f.Add(uint16(7), uint8(1), " ", "\u3000")
	f.Add(uint16(42), uint8(2), "\t", "\r\n")
	type spelling struct{ field, alias, canon string }
	var all []spelling
	cols := enumOfColumn()
	for _, col := range sortedKeys(cols) {
		field := cols[col]
		for _, alias := range sortedKeys(enumAliases[field]) {
			all = append(all, spelling{col, alias, enumAliases[field][alias]})
		}
	}
	f.Fuzz(func(t *testing.T, pick uint16, caseMode uint8, before, after string) {
		sp := all[int(pick)%len(all)]
		keep := func(r rune) rune {
			if strings.ContainsRune(spaceChars, r) {
				return r
			}
			return -1
		}
		before, after = strings.Map(keep, before), strings.Map(keep, after)
		// Exports change the case of Latin letters only.
		upper := func(r rune) rune {
			if r >= 'a' && r <= 'z' {
				return r - 'a' + 'A'
			}
			return r
		}
		v := sp.alias
		switch caseMode % 3 {
		case 1:
			v = strings.Map(upper, v)
		case 2:
			if v != "" && v[0] < utf8.RuneSelf {
				v = string(upper(rune(v[0]))) + v[1:]
			}
		}
		v = before + v + after
		var got sql.NullString
		err := macroStmt(t, "SELECT canonical FROM enum_alias WHERE field = $1 AND alias = cs_key(cs_text($2))").
			QueryRowContext(context.Background(), sp.field, v).Scan(&got)
		if err != nil {
			t.Fatalf("%s %q: %v", sp.field, v, err)
		}
		if got.String != sp.canon {
			t.Errorf("%s %q = %q, want %q", sp.field, v, got.String, sp.canon)
		}
	})
}

// ---- the CSV reader ----

// FuzzCSVReader reads arbitrary bytes as a CSV file (UTF-8 or GB18030) and
// checks: it ends (no more rows than lines), row numbers rise from 2, a row
// that reads has no more cells than the header, a malformed one says which
// line, every cell is valid UTF-8 when the input was (or was decoded from
// GB18030); and, for text without quotes or carriage returns, the rows are
// exactly the lines split at commas (blank lines skipped).
func FuzzCSVReader(f *testing.F) {
	for _, s := range []string{
		"a,b,c\n1,2,3\n",
		"\ufeffcase_id,community_id\nK1,C1\n\nK2,C2",
		"a,b\n1,2,3\n4\n",
		"a,b\n\"x,y\n1,2\n3,4\n",      // a quote never closed
		"a,b\n\"x\"y,2\n3,4\n",        // a bad quote in the first field
		"a,b\n\"multi\nline\",2\n3,4", // a quoted newline
		"a,\"b\nc\"\n1,2\n",
		"\"",
		"",
		"   \n  \n",
		"a\r\nb\r\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Add([]byte("工单编号,社区编码\nK1,一社区\n"), true)
	f.Fuzz(func(t *testing.T, data []byte, gb bool) {
		path := filepath.Join(t.TempDir(), "f.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		src, err := openCSV(path, ',', gb)
		if err != nil {
			return // an empty file or a broken header: an error, which names the line
		}
		defer src.Close()
		decoded := data
		if gb {
			decoded, _ = simplifiedchinese.GB18030.NewDecoder().Bytes(data)
		}
		maxRows := int64(strings.Count(string(decoded), "\n")) + 2
		utf8In := gb || utf8.Valid(data)
		checkCells := func(what string, cells []string) {
			for _, c := range cells {
				if utf8In && !utf8.ValidString(c) {
					t.Fatalf("%s: cell %q is not UTF-8", what, c)
				}
			}
		}
		header := src.Header()
		checkCells("header", header)
		type row struct {
			cells []string
			bad   bool
		}
		var rows []row
		last := int64(1)
		for {
			cells, n, rowErr, err := src.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("Next: %v", err)
			}
			if n <= last {
				t.Fatalf("row %d after row %d", n, last)
			}
			last = n
			if n > maxRows {
				t.Fatalf("row %d from %d lines: the reader does not end", n, maxRows)
			}
			checkCells(fmt.Sprintf("row %d", n), cells)
			if rowErr == "" && len(cells) > len(header) {
				t.Fatalf("row %d: %d cells, header %d", n, len(cells), len(header))
			}
			if rowErr != "" && !strings.HasPrefix(rowErr, "line ") {
				t.Fatalf("row %d: malformed without a line: %q", n, rowErr)
			}
			rows = append(rows, row{cells, rowErr != ""})
		}
		// The model, for text the reader cannot misread.
		text := string(decoded)
		if strings.ContainsAny(text, "\"\r") || !utf8.ValidString(text) {
			return
		}
		text = strings.TrimPrefix(text, "\ufeff")
		var lines [][]string
		for _, l := range strings.Split(text, "\n") {
			if l == "" {
				continue
			}
			lines = append(lines, strings.Split(l, ","))
		}
		if len(lines) == 0 || !slices.Equal(lines[0], header) {
			t.Fatalf("header %q, want %q", header, lines[0])
		}
		var want []row
		for _, l := range lines[1:] {
			if len(l) == 1 && strings.TrimSpace(l[0]) == "" {
				continue
			}
			if len(l) > len(header) {
				if strings.TrimSpace(strings.Join(l[len(header):], "")) != "" {
					want = append(want, row{l, true})
					continue
				}
				l = l[:len(header)]
			}
			want = append(want, row{l, false})
		}
		if len(rows) != len(want) {
			t.Fatalf("%d rows, want %d", len(rows), len(want))
		}
		for i := range want {
			if rows[i].bad != want[i].bad || !slices.Equal(rows[i].cells, want[i].cells) {
				t.Fatalf("row %d = %q (malformed %v), want %q (malformed %v)", i+2, rows[i].cells, rows[i].bad, want[i].cells, want[i].bad)
			}
		}
	})
}

// quoteZeroNumbers is the one leniency the Open311 reader allows over
// strict JSON, written independently of it for the fuzz check: a number
// with a leading zero outside a string (006, -01) becomes the string "006".
func quoteZeroNumbers(data []byte) []byte {
	var out []byte
	inString, escape := false, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		if inString {
			out = append(out, c)
			if escape {
				escape = false
			} else if c == '\\' {
				escape = true
			} else if c == '"' {
				inString = false
			}
			continue
		}
		if c == '"' {
			inString = true
			out = append(out, c)
			continue
		}
		if c != '-' && (c < '0' || c > '9') {
			out = append(out, c)
			continue
		}
		j := i + 1
		for j < len(data) && strings.IndexByte("0123456789.eE+-", data[j]) >= 0 {
			j++
		}
		tok := data[i:j]
		digits := strings.TrimPrefix(string(tok), "-")
		if len(digits) > 1 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9' {
			out = append(append(append(out, '"'), tok...), '"')
		} else {
			out = append(out, tok...)
		}
		i = j - 1
	}
	return out
}

// FuzzOpen311Reader reads arbitrary bytes as an Open311 JSON array and
// checks that the reader ends (no more rows than bytes), that row numbers
// count requests from 1, that a malformed request says which, and that a
// file it reads to the end is one whole JSON array once numbers with a
// leading zero are quoted (a file cut short is an error, never a partial
// load).
func FuzzOpen311Reader(f *testing.F) {
	for _, s := range []string{`[]`, `[{"service_request_id":"A1"}]`, `[{"a":1},{"b":2},{"c"`, `[{"a":1}, "str", 3, [1], {"b":2}]`,
		`[{"a":1},}`, `[`, `[{"a":1}`, `[{"a":1}]trailing`, `[{"a":1}] [{"b":1}]`, `{"a":1}`, ``, `[null, {"status":"closed","updated_datetime":"x"}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		src, err := openOpen311(path)
		if err != nil {
			return
		}
		defer src.Close()
		var last int64
		for {
			cells, n, rowErr, err := src.Next()
			if err == io.EOF {
				var whole any
				if json.Unmarshal(quoteZeroNumbers(data), &whole) != nil {
					t.Fatalf("read %q to the end, but it is not one JSON value", data)
				}
				if _, ok := whole.([]any); !ok {
					t.Fatalf("read %q to the end, but it is not an array", data)
				}
				return
			}
			if err != nil {
				if !strings.Contains(err.Error(), "request") && !strings.Contains(err.Error(), "byte") {
					t.Fatalf("error %q says neither request nor byte", err)
				}
				return
			}
			if n != last+1 {
				t.Fatalf("request %d after %d", n, last)
			}
			last = n
			if n > int64(len(data)) {
				t.Fatalf("request %d from %d bytes: the reader does not end", n, len(data))
			}
			if rowErr != "" && !strings.HasPrefix(rowErr, fmt.Sprintf("request %d:", n)) {
				t.Fatalf("malformed request %d: %q", n, rowErr)
			}
			if rowErr == "" && len(cells) != len(src.Header()) {
				t.Fatalf("request %d: %d cells, header %d", n, len(cells), len(src.Header()))
			}
		}
	})
}

// ---- the header matcher ----

var kindsByIndex = []civicscore.Kind{civicscore.KindCommunities, civicscore.KindCases, civicscore.KindServices, civicscore.KindSurveys}

// FuzzPlanHeaders matches fuzzed header rows (cells split at "|"), with one
// fuzzed config alias, and checks: every required column is either found —
// at a header that normalises to its name or one of its aliases, one column
// per header — or named in the error, and only columns that no header
// names are called missing; personal columns are dropped, never mapped.
func FuzzPlanHeaders(f *testing.F) {
	f.Add(uint8(1), "case_id|community_id|category|reported_at|resolution_level", uint8(0), "")
	f.Add(uint8(1), "工单编号|社区编码|诉求类型|受理时间|办理层级|联系电话|备注", uint8(3), "事件分类")
	f.Add(uint8(3), "答卷编号|社区编码|提交答卷时间|手机号码|1、您对本社区工作的总体评价", uint8(7), "1、您对本社区工作的总体评价")
	f.Add(uint8(0), "\ufeff Community_ID |社区名称|街道编码|街道|区编码|区|户数|人口", uint8(0), "")
	f.Add(uint8(2), "service_id|service_id|community_id||姓名", uint8(1), "service_id")
	f.Add(uint8(1), "x'); DROP TABLE cases; --|\"|\x1b[31m", uint8(0), "\x1b[2J")
	f.Fuzz(func(t *testing.T, k uint8, row string, aliasCol uint8, alias string) {
		kind := kindsByIndex[int(k)%len(kindsByIndex)]
		headers := strings.Split(row, "|")
		cols := Columns[kind]
		mapping := map[string][]string{}
		if alias != "" {
			mapping[cols[int(aliasCol)%len(cols)].Name] = []string{alias}
		}
		tried := func(c Column) []string {
			return append(append([]string{c.Name}, mapping[c.Name]...), c.Aliases...)
		}
		names := func(c Column, h string) bool {
			return normHeader(h) != "" && slices.ContainsFunc(tried(c), func(a string) bool { return normHeader(a) == normHeader(h) })
		}
		plan, err := planHeaders(kind, headers, mapping, nil)
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "missing required column ") {
				t.Fatalf("error %q is not about a missing column", msg)
			}
			named := 0
			for _, c := range cols {
				if !c.Required {
					continue
				}
				missing := strings.Contains(msg, c.Name+" (tried: ")
				anyHeader := slices.ContainsFunc(headers, func(h string) bool { return names(c, h) })
				if missing {
					named++
				}
				if !anyHeader && !missing {
					t.Errorf("required %s: no header names it, but the error does not say so: %q", c.Name, msg)
				}
			}
			if named == 0 {
				t.Errorf("error names no required column: %q", msg)
			}
			return
		}
		seen := map[int]string{}
		for _, c := range cols {
			i := plan.index[c.Name]
			if c.Required && i < 0 {
				t.Fatalf("required %s not found and no error", c.Name)
			}
			if i < 0 {
				continue
			}
			if !names(c, headers[i]) {
				t.Errorf("%s mapped to header %q, which is none of its names", c.Name, headers[i])
			}
			if other, dup := seen[i]; dup {
				t.Errorf("header %d taken by %s and %s", i, other, c.Name)
			}
			seen[i] = c.Name
			if plan.target[i] != c.Name {
				t.Errorf("target[%d] = %q, want %s", i, plan.target[i], c.Name)
			}
		}
		personal := map[string]bool{}
		for _, a := range personalAliases {
			personal[normHeader(a)] = true
		}
		for i, tg := range plan.target {
			switch tg {
			case "":
			case "-":
				if !personal[normHeader(headers[i])] {
					t.Errorf("header %q dropped as personal", headers[i])
				}
			default:
				if seen[i] != tg {
					t.Errorf("target[%d] = %q, not in the index", i, tg)
				}
			}
			if tg == "" && personal[normHeader(headers[i])] {
				t.Errorf("personal header %q kept as an extra column", headers[i])
			}
		}
		for _, i := range plan.extras() {
			if plan.target[i] != "" {
				t.Errorf("extra %d has target %q", i, plan.target[i])
			}
		}
		for _, i := range plan.kept() {
			if plan.target[i] == "-" {
				t.Errorf("kept %d is personal", i)
			}
		}
	})
}

// ---- small parsers ----

var excelOut = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}$`)

// FuzzExcelDate checks that a cell is either returned as it is or, when it
// is a plain decimal serial in Excel's range, turned into a timestamp that
// converts back to the same serial (to the second).
func FuzzExcelDate(f *testing.F) {
	for _, s := range []string{"45717.375", " 45717.375 ", "1", "60", "61", "2958465", "2958466", "0.5", "NaN", "Inf",
		"-1", "1e3", "1_000", "0x1p16", "2025-03-01", "45717,375", "", "4.5717375E4"} {
		f.Add(s)
	}
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		out := excelDate(s)
		if out == s {
			return
		}
		if !excelOut.MatchString(out) {
			t.Fatalf("excelDate(%q) = %q, not YYYY-MM-DD HH:MM:SS", s, out)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || !serialRe.MatchString(strings.TrimSpace(s)) || v < 1 || v > 2958465 {
			t.Fatalf("excelDate(%q) = %q: not a serial, yet converted", s, out)
		}
		tm, err := time.Parse("2006-01-02 15:04:05", out)
		if err != nil {
			t.Fatalf("excelDate(%q) = %q: %v", s, out, err)
		}
		if v >= 61 { // Excel counts a 1900-02-29 that never was
			back := float64(tm.Unix()-epoch.Unix()) / 86400
			if math.Abs(back-v)*86400 > 0.5001 {
				t.Errorf("excelDate(%q) = %q, which is serial %v", s, out, back)
			}
		}
	})
}

// FuzzOpen311Level checks that agency_responsible becomes a level of
// government or stays as it was (trimmed), that the result is stable, and
// that a residents' committee is always the community level.
func FuzzOpen311Level(f *testing.F) {
	for _, s := range []string{"一社区居委会", "XX街道办事处", "某区市场监管局", "某区城乡建设局", "市城管委", "某镇人民政府",
		"城镇", "乡村振兴局", "片区", "", "  ", "community", "其他"} {
		f.Add(s)
	}
	levels := []string{"community", "block", "street", "district", "city"}
	f.Fuzz(func(t *testing.T, s string) {
		got := open311Level(s)
		if !slices.Contains(levels, got) && got != strings.TrimSpace(s) {
			t.Fatalf("open311Level(%q) = %q: neither a level nor the text", s, got)
		}
		if again := open311Level(got); again != got {
			t.Errorf("open311Level not stable: %q → %q → %q", s, got, again)
		}
		if (strings.Contains(s, "社区") || strings.Contains(s, "居委")) && got != "community" {
			t.Errorf("open311Level(%q) = %q, want community", s, got)
		}
		if got == "street" && !strings.Contains(s, "街道") && !strings.ContainsAny(townless.Replace(s), "乡镇") {
			t.Errorf("open311Level(%q) = street, but it names no street office or township", s)
		}
	})
}
