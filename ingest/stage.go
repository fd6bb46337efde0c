package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// stagedRows turns the cells of a rowSource into rows of the stage table:
// one text column per canonical column (hashed ones hashed, personal ones
// dropped), the unknown columns as JSON in _extra, the row as read (minus
// personal columns) as JSON in _raw, and _error for a row that is not a record.
type stagedRows struct {
	src     rowSource
	plan    *headerPlan
	salt    string
	columns []string // canonical column names, the stage's text columns
	colIdx  []int    // header index of each canonical column, -1 absent
	hash    []bool
	extras  []int
	kept    []int
	keys    []string // columnKeys of the header

	hashedAt []string // per header index, the hash written for it this row
	buf      []byte   // reused for the JSON of extra and raw

	// scan: look for personal values in the extra columns (extra_columns:
	// scan); found holds the columns found, by header index, with the
	// reason. A column found is not looked at again.
	scan  bool
	found map[int]string
}

type stagedRow struct {
	row    int64
	values []*string // canonical columns, then _extra, _raw, _error
}

func newStagedRows(src rowSource, plan *headerPlan, salt string) *stagedRows {
	s := &stagedRows{src: src, plan: plan, salt: salt, extras: plan.extras(), kept: plan.kept(), keys: columnKeys(plan.headers)}
	for _, c := range Columns[plan.kind] {
		s.columns = append(s.columns, c.Name)
		s.colIdx = append(s.colIdx, plan.index[c.Name])
		s.hash = append(s.hash, c.Hashed)
	}
	// The from columns of derives, read as they are (also a personal
	// column: the derived value is kept, the column itself is not).
	for _, col := range derivedColumns(plan.kind, plan.derived) {
		if i := plan.derived[col]; i >= 0 {
			s.columns = append(s.columns, fromColumn(col))
			s.colIdx = append(s.colIdx, i)
			s.hash = append(s.hash, false)
		}
	}
	return s
}

// hashValue is the salted SHA-256 (hex) that replaces an identifier; the
// same as the SQL sha256(salt || cs_trim(value)) of the CSV path.
func hashValue(salt, v string) string {
	sum := sha256.Sum256([]byte(salt + trimSpace(v)))
	return hex.EncodeToString(sum[:])
}

// spaceChars is the white space trimmed around every value: the set of the
// SQL macro cs_trim (sql/prelude.sql), so both readers agree.
const spaceChars = "\t\n\r \u00a0\u3000"

// trimSpace removes spaceChars around v.
func trimSpace(v string) string { return strings.Trim(v, spaceChars) }

func (s *stagedRows) next() (stagedRow, error) {
	cells, row, rowErr, err := s.src.Next()
	if err != nil {
		return stagedRow{}, err
	}
	cell := func(i int) string {
		if i >= 0 && i < len(cells) {
			return cells[i]
		}
		return ""
	}
	out := stagedRow{row: row, values: make([]*string, len(s.columns)+3)}
	if cap(s.hashedAt) < len(s.keys) {
		s.hashedAt = make([]string, len(s.keys))
	}
	hashedAt := s.hashedAt[:len(s.keys)]
	clear(hashedAt)
	for j, i := range s.colIdx {
		v := trimSpace(cell(i))
		if i < 0 || v == "" {
			continue
		}
		if s.hash[j] {
			v = hashValue(s.salt, v)
			hashedAt[i] = v
		}
		out.values[j] = &v
	}
	// The JSON objects are written by hand, in header order: this runs for
	// every row of every file read in Go, and encoding a map per row was the
	// bulk of that path's time.
	if len(s.extras) > 0 {
		b := s.buf[:0]
		n := 0
		for _, i := range s.extras {
			if v := cell(i); v != "" {
				b = appendMember(b, n, s.keys[i], v)
				n++
				if s.scan {
					if _, done := s.found[i]; !done {
						if r := personalReason(v); r != "" {
							if s.found == nil {
								s.found = map[int]string{}
							}
							s.found[i] = r
						}
					}
				}
			}
		}
		if n > 0 {
			v := string(append(b, '}'))
			out.values[len(s.columns)] = &v
		}
		s.buf = b
	}
	b := s.buf[:0]
	for n, i := range s.kept {
		v := cell(i)
		if h := hashedAt[i]; h != "" {
			v = h
		}
		b = appendMember(b, n, s.keys[i], v)
	}
	if len(s.kept) == 0 {
		b = append(b, '{')
	}
	rawS := string(append(b, '}'))
	s.buf = b
	out.values[len(s.columns)+1] = &rawS
	if rowErr != "" {
		out.values[len(s.columns)+2] = &rowErr
	}
	return out, nil
}

// appendMember appends `"key":"value"` to a JSON object being written, with
// the opening brace or a comma before it.
func appendMember(b []byte, n int, key, value string) []byte {
	if n == 0 {
		b = append(b, '{')
	} else {
		b = append(b, ',')
	}
	b = appendJSONString(b, key)
	b = append(b, ':')
	return appendJSONString(b, value)
}

// appendJSONString appends s as a JSON string, escaping quotes, backslashes
// and control characters, and replacing invalid UTF-8 as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// headerKey names header i in rejects.raw: its text, or its position when blank.
func headerKey(headers []string, i int) string {
	if h := strings.TrimSpace(strings.TrimPrefix(headers[i], "\ufeff")); h != "" {
		return h
	}
	return "column_" + strconv.Itoa(i+1)
}

// columnKeys names every header cell in extra and rejects.raw, uniquely:
// headerKey, and "#N" (the column number) added to a name that came
// before, so that two columns with one header do not share a key and the
// first is not lost.
func columnKeys(headers []string) []string {
	keys := make([]string, len(headers))
	seen := make(map[string]bool, len(headers))
	for i := range headers {
		k := headerKey(headers, i)
		for n := 0; seen[k]; n++ {
			k = headerKey(headers, i) + "#" + strconv.Itoa(i+1)
			if n > 0 {
				k += "." + strconv.Itoa(n)
			}
		}
		seen[k] = true
		keys[i] = k
	}
	return keys
}

// csvStage returns the statements that stage a UTF-8 delimited file read by
// DuckDB's own CSV reader: the table stage_raw (the file's cells as text
// columns c0..cN, in file order, so rowid + 2 is the spreadsheet row), the
// view stage_base (canonical columns, the from columns of derives, hashed ones hashed, unknown ones as JSON in
// _extra) and the view stage_rawjson (each row as read, minus personal
// columns, computed only for the rows that are rejected). The path and
// delimiter are bound parameters of the first statement; header names come
// from the temp table stage_headers and the salt from the session variable
// ingest_salt (set from ingest_params), so no text from the file is spliced
// into SQL. The only generated identifiers are c0..cN.
//
// rowid + 2 is the line a row starts on: DuckDB's parallel reader refuses
// a quoted cell that spans lines (with null_padding), and such a file, like
// one with blank lines, is read in Go, which numbers rows by line.
func csvStage(plan *headerPlan) (read string, views []string) {
	n := len(plan.headers)
	colDefs := make([]string, n)
	for i := range colDefs {
		colDefs[i] = fmt.Sprintf("'c%d': 'VARCHAR'", i)
	}
	// Personal columns are never selected (DuckDB's reader skips them), and
	// hashed ones are hashed as they are read: neither reaches a table.
	var cells []string
	isFrom := map[int]bool{}
	for _, i := range plan.derived {
		isFrom[i] = true
	}
	for i := 0; i < n; i++ {
		switch t := plan.target[i]; {
		case t == "-" && !isFrom[i]:
		case t != "" && hashed(plan.kind, t):
			cells = append(cells, fmt.Sprintf("CASE WHEN cs_text(c%d) IS NOT NULL THEN sha256(getvariable('ingest_salt') || cs_trim(c%d)) END AS c%d", i, i, i))
		default:
			cells = append(cells, fmt.Sprintf("c%d", i))
		}
	}
	if len(cells) == 0 {
		cells = []string{"NULL AS c_none"}
	}
	const rowExpr = "rowid + 2"
	read = fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE stage_raw AS
SELECT %s FROM read_csv($1, header = true, delim = $2, quote = '"', escape = '"', auto_detect = false,
                       null_padding = true, max_line_size = 8388608, columns = {%s})`, strings.Join(cells, ", "), strings.Join(colDefs, ", "))
	header := func(i int) string { return fmt.Sprintf("(SELECT name FROM stage_headers WHERE i = %d)", i) }
	var sel []string
	for _, c := range Columns[plan.kind] {
		i := plan.index[c.Name]
		if i < 0 {
			sel = append(sel, "NULL::VARCHAR AS "+c.Name)
			continue
		}
		sel = append(sel, fmt.Sprintf("c%d AS %s", i, c.Name))
	}
	for _, col := range derivedColumns(plan.kind, plan.derived) {
		if i := plan.derived[col]; i >= 0 {
			sel = append(sel, fmt.Sprintf("c%d AS %s", i, fromColumn(col)))
		}
	}
	extra := "NULL::VARCHAR"
	if ex := plan.extras(); len(ex) > 0 {
		var parts []string
		for _, i := range ex {
			parts = append(parts, header(i), fmt.Sprintf("c%d", i))
		}
		// Empty cells leave no key (as in the Go reader): merge_patch drops
		// the nulls, and a row with none is NULL.
		extra = fmt.Sprintf("nullif(json_merge_patch('{}', json_object(%s))::VARCHAR, '{}')", strings.Join(parts, ", "))
	}
	var rawParts []string
	for _, i := range plan.kept() {
		rawParts = append(rawParts, header(i), fmt.Sprintf("coalesce(c%d, '')", i))
	}
	raw := "'{}'"
	if len(rawParts) > 0 {
		raw = fmt.Sprintf("json_object(%s)::VARCHAR", strings.Join(rawParts, ", "))
	}
	views = []string{
		fmt.Sprintf("CREATE OR REPLACE TEMP VIEW stage_base AS SELECT %s AS _row, %s, %s AS _extra, NULL::VARCHAR AS _error FROM stage_raw",
			rowExpr, strings.Join(sel, ", "), extra),
		fmt.Sprintf("CREATE OR REPLACE TEMP VIEW stage_rawjson AS SELECT %s AS _row, %s AS _raw FROM stage_raw WHERE %s IN (SELECT _row FROM rejected)", rowExpr, raw, rowExpr),
	}
	return read, views
}
