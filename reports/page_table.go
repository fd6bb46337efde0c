package reports

import (
	"bytes"
	"encoding/csv"
	"sort"
	"strconv"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/metrics"
)

// communities.html and communities.csv: every indicator of every
// community.

type tableView struct {
	pageCommon
	Period    string
	Columns   []column
	Rows      []rowView
	Note      string
	CSVHref   string
	CSVNote   string
	HasStreet bool
}

func tablePages(rc *renderCtx) []page {
	return []page{{path: fileTable, build: rc.buildTable}}
}

// allIndicators lists every community-level indicator with a value in the
// latest month, in the registry's order.
func (rc *renderCtx) allIndicators() []string {
	var ids []string
	seen := map[string]bool{}
	for _, c := range rc.communities {
		for ind, byPeriod := range c.Values {
			if seen[ind] {
				continue
			}
			if _, ok := byPeriod[rc.latest]; ok {
				seen[ind] = true
				ids = append(ids, ind)
			}
		}
	}
	sortIndicators(ids, rc.d.Registry)
	return ids
}

// familyRank orders indicator families on the pages.
var familyRank = map[string]int{metrics.FamilyScore: 0, metrics.FamilySurveys: 1, metrics.FamilyCases: 2, metrics.FamilyThreeRates: 3, metrics.FamilyServices: 4}

// sortIndicators orders ids by family, then registry order, then id.
func sortIndicators(ids []string, reg map[string]civicscore.Indicator) {
	fam := func(id string) int {
		f := info(reg, id, LangZH).Family
		if r, ok := familyRank[f]; ok {
			return r
		}
		return len(familyRank)
	}
	sort.SliceStable(ids, func(i, j int) bool {
		fi, fj := fam(ids[i]), fam(ids[j])
		if fi != fj {
			return fi < fj
		}
		ci, cj := registryRank(ids[i]), registryRank(ids[j])
		if ci != cj {
			return ci < cj
		}
		return ids[i] < ids[j]
	})
}

func (rc *renderCtx) buildTable() (any, error) {
	v := &tableView{CSVHref: fileCSV, HasStreet: true}
	if rc.latest.Label != "" {
		v.Period = periodName(rc.latest, rc.lang)
	}
	v.Columns, v.Rows = rc.communityTable(rc.communities, rc.allIndicators(), 0)
	v.Note = tr(rc.lang, "communities_note", v.Period, rc.opts.MinN)
	v.CSVNote = tr(rc.lang, "csv_note")
	common, err := rc.common(tr(rc.lang, "table_title"), 0, chartSet{})
	if err != nil {
		return nil, err
	}
	common.Nav = rc.nav(0, fileTable, false)
	v.pageCommon = common
	return v, nil
}

func csvPages(rc *renderCtx) []page {
	return []page{{path: fileCSV, raw: rc.buildCSV}}
}

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
