package reports

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/civicscore/civicscore"
)

// The bureau's workbook (civicscore.xlsx): what a district civil-affairs
// bureau reports upward with. It is a presentation of what the database
// holds, like the pages, and computes nothing.
//
// Layout: long, one row per unit × period × indicator, on a sheet per level
// (communities, streets), for the latest month, the latest quarter and the
// latest year. Each row carries the value, its 95% interval, the sample size
// n, the rank (and, for the resident score, the rank range of
// rank_intervals), the change over the previous period with whether it is
// significant, and for communities the funnel-plot flag and the follow-up
// lists. A long table suits the Excel user: the autofilter picks an
// indicator and a period in two clicks, a pivot table makes any wide view,
// and every column keeps one meaning (a wide sheet would need four columns
// per indicator, some 200 in all). A definitions sheet lists the registry
// the run used and an about sheet the run, the cut-off and the suppression
// rule.
//
// Numbers are numbers with a display format — shares as 0.0%, everything
// else with one decimal, counts and ranks whole — so the stored value keeps
// its precision. A value marked suppressed, or resting on fewer than
// Options.MinN rows, is the text "样本不足" ("too few responses") with
// neither its interval nor its count. Every data string is written as a
// plain string cell, never a formula, whatever it starts with.

// WorkbookFile is the name of the bureau's workbook in the report folder.
const WorkbookFile = "civicscore.xlsx"

// WriteWorkbook writes the bureau's workbook of d to w, headers in
// opts.Lang.
func WriteWorkbook(w io.Writer, d *Data, opts Options) error {
	if d == nil {
		return errors.New("reports: workbook: no data")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return err
	}
	rc, err := newRenderCtx(d, o.inLang(o.Lang))
	if err != nil {
		return fmt.Errorf("reports: workbook: %w", err)
	}
	b, err := rc.buildWorkbook()
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return fmt.Errorf("reports: workbook: %w", err)
	}
	return nil
}

func workbookPages(rc *renderCtx) []page {
	return []page{{path: WorkbookFile, raw: rc.buildWorkbook}}
}

// wbColumn is one column of a workbook sheet: its header's message key
// (wb_col_<key>) and its width in characters.
type wbColumn struct {
	key   string
	width float64
}

// The columns of the level sheets and of the definitions sheet.
var (
	wbCommunityColumns = []wbColumn{
		{"district", 12}, {"street", 14}, {"community_id", 14}, {"community", 16},
		{"period_type", 8}, {"period", 10}, {"indicator_id", 30}, {"indicator", 26}, {"unit", 10},
		{"value", 10}, {"ci_low", 10}, {"ci_high", 10}, {"n", 9},
		{"rank", 7}, {"rank_low", 9}, {"rank_high", 9},
		{"change", 10}, {"significant", 9}, {"funnel", 30}, {"follow_up", 16},
	}
	wbStreetColumns = []wbColumn{
		{"district", 12}, {"street_id", 14}, {"street", 16},
		{"period_type", 8}, {"period", 10}, {"indicator_id", 30}, {"indicator", 26}, {"unit", 10},
		{"value", 10}, {"ci_low", 10}, {"ci_high", 10}, {"n", 9},
		{"rank", 7}, {"change", 10}, {"significant", 9},
	}
	wbDefinitionColumns = []wbColumn{
		{"indicator_id", 30}, {"name_zh", 26}, {"name_en", 34}, {"family", 12}, {"unit", 10},
		{"direction", 12}, {"kind", 12}, {"definition", 60}, {"plain", 60},
	}
)

// wbStyles are the cell styles of the workbook.
type wbStyles struct {
	header, percent, decimal, whole int
}

func newWBStyles(f *excelize.File) (wbStyles, error) {
	var s wbStyles
	var err error
	pct, dec := "0.0%", "0.0"
	if s.header, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDE4EE"}}}); err != nil {
		return s, err
	}
	if s.percent, err = f.NewStyle(&excelize.Style{CustomNumFmt: &pct}); err != nil {
		return s, err
	}
	if s.decimal, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dec}); err != nil {
		return s, err
	}
	s.whole, err = f.NewStyle(&excelize.Style{NumFmt: 1}) // "0"
	return s, err
}

// buildWorkbook makes the workbook's bytes.
func (rc *renderCtx) buildWorkbook() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newWBStyles(f)
	if err != nil {
		return nil, fmt.Errorf("reports: workbook: styles: %w", err)
	}
	periods := rc.workbookPeriods()
	sheets := []struct {
		name string
		cols []wbColumn
		rows [][]any
	}{
		{tr(rc.lang, "wb_sheet_communities"), wbCommunityColumns, rc.workbookRows(rc.communities, periods, st, true)},
		{tr(rc.lang, "wb_sheet_streets"), wbStreetColumns, rc.workbookRows(sortedUnits(rc.d.Streets), periods, st, false)},
		{tr(rc.lang, "wb_sheet_definitions"), wbDefinitionColumns, rc.definitionRows()},
	}
	for i, sh := range sheets {
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), sh.name)
		} else {
			_, err = f.NewSheet(sh.name)
		}
		if err == nil {
			err = writeSheet(f, sh.name, sh.cols, sh.rows, rc.lang, st)
		}
		if err != nil {
			return nil, fmt.Errorf("reports: workbook: sheet %s: %w", sh.name, err)
		}
	}
	if err := rc.aboutSheet(f, st); err != nil {
		return nil, fmt.Errorf("reports: workbook: about sheet: %w", err)
	}
	f.SetActiveSheet(0)
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("reports: workbook: %w", err)
	}
	b, err := sortedZip(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("reports: workbook: %w", err)
	}
	return b, nil
}

// sortedZip returns the zip archive b with its entries in name order
// ([Content_Types].xml first, as '[' sorts before '_' and the lower-case
// folders), their compressed bytes copied as they are. excelize writes the
// streamed sheets in map order; sorted, the same data give the same file
// byte for byte, like every other file of the report.
func sortedZip(b []byte) ([]byte, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	files := append([]*zip.File(nil), zr.File...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, f := range files {
		if err := zw.Copy(f); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// writeSheet streams a sheet: the header row (frozen, with an autofilter
// over the header and every row) and rows, whose cells are excelize.Cell
// values or nil.
func writeSheet(f *excelize.File, sheet string, cols []wbColumn, rows [][]any, lang string, st wbStyles) error {
	last, err := excelize.CoordinatesToCellName(len(cols), len(rows)+1)
	if err != nil {
		return err
	}
	// The autofilter is set on the sheet before streaming: the stream
	// writer carries it into the sheet it writes.
	if err := f.AutoFilter(sheet, "A1:"+last, nil); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	for i, c := range cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	head := make([]any, len(cols))
	for i, c := range cols {
		head[i] = excelize.Cell{StyleID: st.header, Value: tr(lang, "wb_col_"+c.key)}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for r, row := range rows {
		cell, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, row); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// workbookPeriods are the latest month, quarter and year that have values.
func (rc *renderCtx) workbookPeriods() []civicscore.Period {
	var out []civicscore.Period
	for _, l := range []struct {
		t      civicscore.PeriodType
		labels []string
	}{{civicscore.Month, rc.d.Months}, {civicscore.Quarter, rc.d.Quarters}, {civicscore.Year, rc.d.Years}} {
		if n := len(l.labels); n > 0 {
			out = append(out, civicscore.Period{Type: l.t, Label: l.labels[n-1]})
		}
	}
	if len(out) == 0 {
		months, quarters, years := periodLists(rc.d.Streets, rc.d.Communities)
		for _, l := range []struct {
			t      civicscore.PeriodType
			labels []string
		}{{civicscore.Month, months}, {civicscore.Quarter, quarters}, {civicscore.Year, years}} {
			if n := len(l.labels); n > 0 {
				out = append(out, civicscore.Period{Type: l.t, Label: l.labels[n-1]})
			}
		}
	}
	return out
}

// wbText is a plain string cell: never a formula, whatever it starts with.
func wbText(s string) any {
	if s == "" {
		return nil
	}
	return excelize.Cell{Value: s}
}

// workbookRows lists the rows of a level sheet: per unit, per period, per
// indicator the unit has a value of in that period.
func (rc *renderCtx) workbookRows(units []*Unit, periods []civicscore.Period, st wbStyles, community bool) [][]any {
	type key struct {
		unit, ptype, period, ind string
	}
	ranks := map[key]RankInterval{}
	flags := map[key]*FunnelPoint{}
	lists := map[key][]string{}
	if community {
		for _, r := range rc.d.Ranks {
			ranks[key{r.UnitID, string(r.Period.Type), r.Period.Label, r.Indicator}] = r
		}
		for i := range rc.d.Funnels {
			fn := &rc.d.Funnels[i]
			for j := range fn.Points {
				flags[key{fn.Points[j].UnitID, string(fn.Period.Type), fn.Period.Label, fn.Indicator}] = &fn.Points[j]
			}
		}
		for _, fu := range rc.d.FollowUp {
			k := key{fu.UnitID, string(fu.Period.Type), fu.Period.Label, fu.Indicator}
			lists[k] = append(lists[k], tr(rc.lang, followListKey(fu.List)))
		}
	}
	sep := "；"
	if rc.lang == LangEN {
		sep = "; "
	}
	var rows [][]any
	for _, u := range units {
		for _, p := range periods {
			var inds []string
			for ind, byPeriod := range u.Values {
				if _, ok := byPeriod[p]; ok {
					inds = append(inds, ind)
				}
			}
			sortIndicators(inds, rc.d.Registry)
			for _, ind := range inds {
				v, _ := u.Values.Get(ind, p)
				inf := info(rc.d.Registry, ind, rc.lang)
				num := st.decimal
				if inf.Unit == unitFraction {
					num = st.percent
				}
				k := key{u.ID, string(p.Type), p.Label, ind}
				row := []any{wbText(u.DistrictName)}
				if community {
					row = append(row, wbText(u.StreetName), wbText(u.ID), wbText(u.Name))
				} else {
					row = append(row, wbText(u.ID), wbText(u.Name))
				}
				row = append(row, wbText(tr(rc.lang, "wb_"+string(p.Type))), wbText(p.Label),
					wbText(ind), wbText(inf.Name), wbText(unitWord(inf.Unit, rc.lang)))
				hidden := rc.hidden(inf, v)
				number := func(f float64, ok bool, style int) any {
					if !ok || hidden {
						return nil
					}
					return excelize.Cell{StyleID: style, Value: f}
				}
				if hidden {
					row = append(row, wbText(tr(rc.lang, "too_few")))
				} else {
					row = append(row, number(v.Value.Float64, v.Value.Valid, num))
				}
				row = append(row,
					number(v.CILow.Float64, v.CILow.Valid && v.CIHigh.Valid, num),
					number(v.CIHigh.Float64, v.CILow.Valid && v.CIHigh.Valid, num),
					number(v.Denominator.Float64, v.Denominator.Valid && inf.Kind != civicscore.Fact && hasSampleSize(ind), st.whole),
					number(float64(v.Rank), v.Rank > 0 && v.Value.Valid, st.whole))
				if community {
					r, ok := ranks[k]
					row = append(row, number(float64(r.Low), ok && r.Low > 0, st.whole), number(float64(r.High), ok && r.High > 0, st.whole))
				}
				row = append(row, number(v.Change.Float64, v.Change.Valid, num))
				switch {
				case hidden || !v.Change.Valid:
					row = append(row, nil)
				case v.Significant:
					row = append(row, wbText(tr(rc.lang, "wb_yes")))
				default:
					row = append(row, wbText(tr(rc.lang, "wb_no")))
				}
				if community {
					var flag any
					if pt := flags[k]; pt != nil && !hidden && rc.shownPoint(pt) {
						words, _ := rc.flagText(pt.Flag, inf.Direction)
						flag = wbText(words)
					}
					row = append(row, flag, wbText(strings.Join(lists[k], sep)))
				}
				rows = append(rows, row)
			}
		}
	}
	return rows
}

// followListKey is the message naming follow-up list name.
func followListKey(list string) string {
	switch list {
	case FollowImprover:
		return "follow_improvers"
	case FollowDecliner:
		return "follow_decliners"
	case FollowLow:
		return "follow_low"
	}
	return list
}

// unitWord names a registry unit in lang.
func unitWord(unit, lang string) string {
	if unit == "" {
		return ""
	}
	return tr(lang, "unit_"+unit)
}

// definitionRows lists the registry the run used, in the pages' order.
func (rc *renderCtx) definitionRows() [][]any {
	ids := make([]string, 0, len(rc.d.Registry))
	for id := range rc.d.Registry {
		ids = append(ids, id)
	}
	sortIndicators(ids, rc.d.Registry)
	rows := make([][]any, 0, len(ids))
	for _, id := range ids {
		r := rc.d.Registry[id]
		inf := info(rc.d.Registry, id, rc.lang)
		rows = append(rows, []any{wbText(id), wbText(r.NameZH), wbText(r.NameEN), wbText(r.Family),
			wbText(unitWord(r.Unit, rc.lang)), wbText(tr(rc.lang, "dir_"+string(r.Direction))),
			wbText(string(r.Kind)), wbText(r.Definition), wbText(inf.Plain)})
	}
	return rows
}

// aboutSheet writes the sheet naming the run, its data cut-off and the
// rules of the other sheets.
func (rc *renderCtx) aboutSheet(f *excelize.File, st wbStyles) error {
	sheet := tr(rc.lang, "wb_sheet_about")
	if _, err := f.NewSheet(sheet); err != nil {
		return err
	}
	asOf := ""
	if !rc.d.AsOf.IsZero() {
		asOf = rc.d.AsOf.Format("2006-01-02 15:04:05")
	}
	lines := [][2]string{
		{tr(rc.lang, "wb_about_title"), rc.opts.Title},
		{tr(rc.lang, "wb_about_run"), rc.d.RunID},
		{tr(rc.lang, "wb_about_as_of"), asOf},
		{tr(rc.lang, "wb_about_definitions"), rc.opts.DefinitionsVersion},
		{tr(rc.lang, "wb_about_too_few"), tr(rc.lang, "too_few_long", rc.opts.MinN)},
		{tr(rc.lang, "wb_about_layout"), tr(rc.lang, "wb_about_layout_text")},
	}
	if err := f.SetColWidth(sheet, "A", "A", 18); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "B", "B", 100); err != nil {
		return err
	}
	for i, l := range lines {
		a, _ := excelize.CoordinatesToCellName(1, i+1)
		b, _ := excelize.CoordinatesToCellName(2, i+1)
		if err := f.SetCellStr(sheet, a, l[0]); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, a, a, st.header); err != nil {
			return err
		}
		if err := f.SetCellStr(sheet, b, l[1]); err != nil {
			return err
		}
	}
	return nil
}
