package reports

import (
	"bytes"
	"encoding/csv"
	"strconv"
)

// csvSafe neutralises a cell a spreadsheet would read as a formula: one
// starting with =, +, -, @ (or a tab or carriage return, which some
// spreadsheets skip before looking) gets a leading apostrophe. Every cell
// is treated alike, numbers included, so the rule is simple to audit; a
// negative number therefore reads as text ('-0.05).
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

// buildCSV writes the table of all communities as CSV: UTF-8 with a byte
// order mark (so spreadsheets read the Chinese names), one header row of
// column ids, then one row per community with the latest month's value of
// every indicator — fractions as 0..1, durations in hours. A suppressed or
// missing value is an empty cell; no count below min_n is written.
func (rc *renderCtx) buildCSV() ([]byte, error) {
	inds := rc.allIndicators()
	var buf bytes.Buffer
	buf.WriteString("\ufeff")
	w := csv.NewWriter(&buf)
	head := []string{"community_id", "community_name", "street_id", "street_name", "district_id", "district_name", "period"}
	head = append(head, inds...)
	for i := range head {
		head[i] = csvSafe(head[i])
	}
	if err := w.Write(head); err != nil {
		return nil, err
	}
	for _, c := range rc.communities {
		row := []string{c.ID, c.Name, c.StreetID, c.StreetName, c.DistrictID, c.DistrictName, rc.latest.Label}
		for _, ind := range inds {
			row = append(row, rc.csvValue(c, ind))
		}
		for i := range row {
			row[i] = csvSafe(row[i])
		}
		if err := w.Write(row); err != nil {
			return nil, err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// csvValue is c's latest-month value of ind as a plain number, or "" when
// it is suppressed, too small a sample, or missing.
func (rc *renderCtx) csvValue(c *Unit, ind string) string {
	v, ok := c.Values.Get(ind, rc.latest)
	if !ok || !v.Value.Valid || rc.hidden(info(rc.d.Registry, ind, rc.lang), v) {
		return ""
	}
	return strconv.FormatFloat(round(v.Value.Float64, 6), 'f', -1, 64)
}
