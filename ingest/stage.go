package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
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
}

type stagedRow struct {
	row    int64
	values []*string // canonical columns, then _extra, _raw, _error
}

func newStagedRows(src rowSource, plan *headerPlan, salt string) *stagedRows {
	s := &stagedRows{src: src, plan: plan, salt: salt, extras: plan.extras(), kept: plan.kept()}
	for _, c := range Columns[plan.kind] {
		s.columns = append(s.columns, c.Name)
		s.colIdx = append(s.colIdx, plan.index[c.Name])
		s.hash = append(s.hash, c.Hashed)
	}
	return s
}

// hashValue is the salted SHA-256 (hex) that replaces an identifier; the
// same as the SQL sha256(salt || trim(value)) of the CSV path.
func hashValue(salt, v string) string {
	sum := sha256.Sum256([]byte(salt + strings.TrimSpace(v)))
	return hex.EncodeToString(sum[:])
}

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
	hashedAt := map[int]string{}
	for j, i := range s.colIdx {
		v := strings.TrimSpace(cell(i))
		if i < 0 || v == "" {
			continue
		}
		if s.hash[j] {
			v = hashValue(s.salt, v)
			hashedAt[i] = v
		}
		out.values[j] = &v
	}
	if len(s.extras) > 0 {
		m := make(map[string]string, len(s.extras))
		for _, i := range s.extras {
			if v := cell(i); v != "" {
				m[s.plan.headers[i]] = v
			}
		}
		if len(m) > 0 {
			b, _ := json.Marshal(m)
			v := string(b)
			out.values[len(s.columns)] = &v
		}
	}
	raw := make(map[string]string, len(s.kept))
	for _, i := range s.kept {
		v := cell(i)
		if h, ok := hashedAt[i]; ok {
			v = h
		}
		raw[headerKey(s.plan.headers, i)] = v
	}
	b, _ := json.Marshal(raw)
	rawS := string(b)
	out.values[len(s.columns)+1] = &rawS
	if rowErr != "" {
		out.values[len(s.columns)+2] = &rowErr
	}
	return out, nil
}

// headerKey names header i in rejects.raw: its text, or its position when blank.
func headerKey(headers []string, i int) string {
	if h := strings.TrimSpace(strings.TrimPrefix(headers[i], "\ufeff")); h != "" {
		return h
	}
	return "column_" + strconv.Itoa(i+1)
}

// csvStageSQL builds the statement that fills stage from a UTF-8 delimited
// file through DuckDB's own CSV reader, and its arguments. Header names and
// the salt are bound parameters; the only generated identifiers are c0..cN.
// $1 is the path, $2 the delimiter; the salt is bound where a hashed column needs it.
func csvStageSQL(plan *headerPlan, path, delim, salt string) (string, []any) {
	n := len(plan.headers)
	var colDefs []string
	for i := 0; i < n; i++ {
		colDefs = append(colDefs, fmt.Sprintf("'c%d': 'VARCHAR'", i))
	}
	args := []any{path, delim}
	param := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	saltParam := ""
	expr := func(i int, name string) string {
		if hashed(plan.kind, name) {
			if saltParam == "" {
				saltParam = param(salt)
			}
			return fmt.Sprintf("CASE WHEN cs_text(c%d) IS NOT NULL THEN sha256(%s || trim(c%d)) END", i, saltParam, i)
		}
		return fmt.Sprintf("c%d", i)
	}
	var sel []string
	for _, c := range Columns[plan.kind] {
		i := plan.index[c.Name]
		if i < 0 {
			sel = append(sel, "NULL::VARCHAR AS "+c.Name)
			continue
		}
		sel = append(sel, fmt.Sprintf("CASE WHEN cs_text(c%d) IS NOT NULL THEN %s END AS %s", i, expr(i, c.Name), c.Name))
	}
	extra := "NULL::VARCHAR"
	if ex := plan.extras(); len(ex) > 0 {
		var parts []string
		for _, i := range ex {
			parts = append(parts, param(plan.headers[i]), fmt.Sprintf("c%d", i))
		}
		extra = fmt.Sprintf("json_object(%s)::VARCHAR", strings.Join(parts, ", "))
	}
	var rawParts []string
	for _, i := range plan.kept() {
		v := fmt.Sprintf("coalesce(c%d, '')", i)
		if t := plan.target[i]; t != "" && t != "-" && hashed(plan.kind, t) {
			v = fmt.Sprintf("coalesce(%s, '')", expr(i, t))
		}
		rawParts = append(rawParts, param(headerKey(plan.headers, i)), v)
	}
	raw := "'{}'"
	if len(rawParts) > 0 {
		raw = fmt.Sprintf("json_object(%s)::VARCHAR", strings.Join(rawParts, ", "))
	}
	q := fmt.Sprintf(`CREATE OR REPLACE TEMP TABLE stage AS
SELECT row_number() OVER () + 1 AS _row, %s, %s AS _extra, %s AS _raw, NULL::VARCHAR AS _error
FROM read_csv($1, header = true, delim = $2, quote = '"', escape = '"', auto_detect = false,
              null_padding = true, max_line_size = 8388608, columns = {%s})`,
		strings.Join(sel, ", "), extra, raw, strings.Join(colDefs, ", "))
	return q, args
}
