package reports

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/civicscore/civicscore"
)

// hostileName is a community name a spreadsheet would run as a formula if
// it were written as one.
const hostileName = `=HYPERLINK("http://example.invalid","x")`

// workbookData is a small district built by hand: every number the
// workbook test expects is one written here, so each expected cell comes
// from this literal, not from the code under test.
func workbookData() *Data {
	month := civicscore.Period{Type: civicscore.Month, Label: "2025-03"}
	prev := civicscore.Period{Type: civicscore.Month, Label: "2025-02"}
	quarter := civicscore.Period{Type: civicscore.Quarter, Label: "2025-Q1"}
	year := civicscore.Period{Type: civicscore.Year, Label: "2025"}
	c1 := &Unit{Level: civicscore.LevelCommunity, ID: "C1", Name: hostileName, StreetID: "S1", StreetName: "一街道", DistrictID: "D1", DistrictName: "某区"}
	c2 := &Unit{Level: civicscore.LevelCommunity, ID: "C2", Name: "二社区", StreetID: "S1", StreetName: "一街道", DistrictID: "D1", DistrictName: "某区"}
	s1 := &Unit{Level: civicscore.LevelStreet, ID: "S1", Name: "一街道", DistrictID: "D1", DistrictName: "某区"}
	c1.Set(indSatisfaction, month, Value{Value: Num(0.8125), CILow: Num(0.7), CIHigh: Num(0.9), Denominator: Num(48), Rank: 2,
		Change: Num(0.05), Significant: true})
	c1.Set(indSatisfaction, prev, Value{Value: Num(0.7625), Denominator: Num(40)}) // not the latest month: not in the workbook
	c1.Set(indResidentScore, month, Value{Value: Num(71.25), Denominator: Num(4), Rank: 1})
	c1.Set(indSatisfaction, quarter, Value{Suppressed: true, Denominator: Num(3)})
	c1.Set(indMedianResolution, year, Value{Value: Num(30.5), Denominator: Num(8)}) // 8 < MinN 10: hidden
	c2.Set(indSatisfaction, month, Value{Value: Num(0.5), CILow: Num(0.35), CIHigh: Num(0.65), Denominator: Num(40), Rank: 1,
		Change: Num(-0.02)})
	s1.Set(indSatisfaction, month, Value{Value: Num(0.65), CILow: Num(0.55), CIHigh: Num(0.74), Denominator: Num(88)})
	return &Data{
		RunID:       "run-1",
		Registry:    RegistryMap(nil),
		Districts:   []*Unit{{Level: civicscore.LevelDistrict, ID: "D1", Name: "某区", DistrictID: "D1", DistrictName: "某区"}},
		Streets:     []*Unit{s1},
		Communities: []*Unit{c1, c2},
		Months:      []string{"2025-02", "2025-03"},
		Quarters:    []string{"2025-Q1"},
		Years:       []string{"2025"},
		Ranks:       []RankInterval{{Period: month, DistrictID: "D1", UnitID: "C1", Indicator: indResidentScore, Units: 2, Low: 1, High: 3}},
		Funnels: []Funnel{{Period: month, DistrictID: "D1", Indicator: indSatisfaction,
			Points: []FunnelPoint{{UnitID: "C1", Value: Num(0.8125), Denominator: 48, Flag: FlagAbove95}}}},
		FollowUp: []FollowUp{{List: FollowImprover, UnitID: "C1", DistrictID: "D1", Period: month, Indicator: indSatisfaction}},
	}
}

// openWorkbook writes d's workbook and opens it again.
func openWorkbook(t *testing.T, d *Data, o Options) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, d, o); err != nil {
		t.Fatalf("WriteWorkbook: %v", err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// wbRow finds the row (1-based) of a level sheet whose columns hold want
// (column letter → text).
func wbRow(t *testing.T, f *excelize.File, sheet string, want map[string]string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for r := 2; r <= len(rows); r++ {
		ok := true
		for col, v := range want {
			got, _ := f.GetCellValue(sheet, col+strconv.Itoa(r))
			ok = ok && got == v
		}
		if ok {
			if found != 0 {
				t.Fatalf("%s: two rows match %v", sheet, want)
			}
			found = r
		}
	}
	if found == 0 {
		t.Fatalf("%s: no row matches %v", sheet, want)
	}
	return found
}

// wbCell is what a test expects of one cell: a number with its display
// format, a text, or nothing.
type wbCell struct {
	col    string
	num    string // the stored number as excelize reads it raw; "" = not a number
	format string // the number format
	text   string // a text cell's value
}

func checkCells(t *testing.T, f *excelize.File, sheet string, row int, cells []wbCell) {
	t.Helper()
	for _, c := range cells {
		ref := c.col + strconv.Itoa(row)
		typ, err := f.GetCellType(sheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		formula, _ := f.GetCellFormula(sheet, ref)
		if formula != "" {
			t.Errorf("%s!%s holds the formula %q", sheet, ref, formula)
		}
		switch {
		case c.num != "":
			if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset || raw != c.num {
				t.Errorf("%s!%s = %q (type %v), want the number %s", sheet, ref, raw, typ, c.num)
			}
			sid, _ := f.GetCellStyle(sheet, ref)
			st, err := f.GetStyle(sid)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if st.CustomNumFmt != nil {
				got = *st.CustomNumFmt
			} else if st.NumFmt == 1 {
				got = "0"
			}
			if got != c.format {
				t.Errorf("%s!%s format %q, want %q", sheet, ref, got, c.format)
			}
		case c.text != "":
			if typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString || raw != c.text {
				t.Errorf("%s!%s = %q (type %v), want the text %q", sheet, ref, raw, typ, c.text)
			}
		default:
			if raw != "" {
				t.Errorf("%s!%s = %q, want empty", sheet, ref, raw)
			}
		}
	}
}

func TestWorkbook(t *testing.T) {
	d := workbookData()
	f := openWorkbook(t, d, Options{MinN: 10})
	if got, want := strings.Join(f.GetSheetList(), ","), "社区,街道,指标定义,说明"; got != want {
		t.Fatalf("sheets %s, want %s", got, want)
	}
	const comm, streets = "社区", "街道"
	rows, err := f.GetRows(comm)
	if err != nil {
		t.Fatal(err)
	}
	// C1: two indicators in 2025-03, one in 2025-Q1, one in 2025; C2 one.
	if len(rows) != 1+5 {
		t.Fatalf("%d rows on the community sheet, want a header and 5", len(rows))
	}
	head := rows[0]
	for col, want := range map[int]string{0: "区", 3: "社区", 9: "数值", 10: "95%区间下限", 12: "样本量", 14: "排名区间（最好）", 19: "跟进名单"} {
		if head[col] != want {
			t.Errorf("header %d = %q, want %q", col, head[col], want)
		}
	}
	// The hostile name is text, not a formula; the satisfaction rate is a
	// share shown as 0.0%, n and rank whole, the change significant.
	r := wbRow(t, f, comm, map[string]string{"C": "C1", "F": "2025-03", "G": indSatisfaction})
	checkCells(t, f, comm, r, []wbCell{
		{col: "A", text: "某区"}, {col: "D", text: hostileName}, {col: "E", text: "月"},
		{col: "J", num: "0.8125", format: "0.0%"}, {col: "K", num: "0.7", format: "0.0%"}, {col: "L", num: "0.9", format: "0.0%"},
		{col: "M", num: "48", format: "0"}, {col: "N", num: "2", format: "0"}, {col: "O"}, {col: "P"},
		{col: "Q", num: "0.05", format: "0.0%"}, {col: "R", text: "是"},
		{col: "S", text: "高于全区正常范围：好于预期"}, {col: "T", text: "显著进步"},
	})
	// The score: one decimal, its rank range, no sample size (its
	// denominator counts components).
	r = wbRow(t, f, comm, map[string]string{"C": "C1", "F": "2025-03", "G": indResidentScore})
	checkCells(t, f, comm, r, []wbCell{
		{col: "J", num: "71.25", format: "0.0"}, {col: "M"}, {col: "N", num: "1", format: "0"},
		{col: "O", num: "1", format: "0"}, {col: "P", num: "3", format: "0"}, {col: "Q"}, {col: "R"}, {col: "S"}, {col: "T"},
	})
	// Suppressed in the database, and below MinN: the text, nothing else.
	for _, p := range []struct{ period, ind string }{{"2025-Q1", indSatisfaction}, {"2025", indMedianResolution}} {
		r = wbRow(t, f, comm, map[string]string{"C": "C1", "F": p.period, "G": p.ind})
		checkCells(t, f, comm, r, []wbCell{{col: "J", text: "样本不足"}, {col: "K"}, {col: "L"}, {col: "M"}, {col: "N"}})
	}
	r = wbRow(t, f, comm, map[string]string{"C": "C2", "F": "2025-03", "G": indSatisfaction})
	checkCells(t, f, comm, r, []wbCell{{col: "J", num: "0.5", format: "0.0%"}, {col: "Q", num: "-0.02", format: "0.0%"},
		{col: "R", text: "否"}, {col: "S"}, {col: "T"}})

	srows, _ := f.GetRows(streets)
	if len(srows) != 2 {
		t.Fatalf("%d rows on the street sheet, want a header and 1", len(srows))
	}
	checkCells(t, f, streets, 2, []wbCell{{col: "B", text: "S1"}, {col: "C", text: "一街道"}, {col: "F", text: indSatisfaction},
		{col: "I", num: "0.65", format: "0.0%"}, {col: "L", num: "88", format: "0"}, {col: "N"}, {col: "O"}})

	// Frozen header row and an autofilter over the data on both level
	// sheets.
	for _, s := range []struct{ sheet, ref string }{{comm, "A1:T6"}, {streets, "A1:O2"}} {
		p, err := f.GetPanes(s.sheet)
		if err != nil {
			t.Fatal(err)
		}
		if !p.Freeze || p.YSplit != 1 || p.TopLeftCell != "A2" {
			t.Errorf("%s panes %+v, want the header row frozen", s.sheet, p)
		}
		found := false
		for _, dn := range f.GetDefinedName() {
			if dn.Name == "_xlnm._FilterDatabase" && dn.Scope == s.sheet && strings.ReplaceAll(dn.RefersTo, "$", "") == "'"+s.sheet+"'!"+s.ref {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no autofilter over %s in %+v", s.sheet, s.ref, f.GetDefinedName())
		}
	}

	// The definitions: one row per indicator of the registry.
	defs, _ := f.GetRows("指标定义")
	if len(defs) != 1+len(d.Registry) {
		t.Errorf("%d definition rows, want %d", len(defs)-1, len(d.Registry))
	}
	r = wbRow(t, f, "指标定义", map[string]string{"A": indSatisfaction})
	sat := d.Registry[indSatisfaction]
	checkCells(t, f, "指标定义", r, []wbCell{{col: "B", text: sat.NameZH}, {col: "C", text: sat.NameEN},
		{col: "E", text: "%"}, {col: "F", text: "越高越好"}, {col: "H", text: sat.Definition}})
}

func TestWorkbookEnglish(t *testing.T) {
	f := openWorkbook(t, workbookData(), Options{MinN: 10, Lang: "en"})
	if got, want := strings.Join(f.GetSheetList(), ","), "Communities,Streets,Definitions,About"; got != want {
		t.Fatalf("sheets %s, want %s", got, want)
	}
	head, _ := f.GetRows("Communities")
	if head[0][9] != "Value" || head[0][12] != "Sample size" {
		t.Errorf("header %q", head[0])
	}
	r := wbRow(t, f, "Communities", map[string]string{"C": "C1", "F": "2025-Q1"})
	checkCells(t, f, "Communities", r, []wbCell{{col: "E", text: "quarter"}, {col: "J", text: "too few responses"}, {col: "M"}})
	r = wbRow(t, f, "Communities", map[string]string{"C": "C1", "F": "2025-03", "G": indSatisfaction})
	checkCells(t, f, "Communities", r, []wbCell{{col: "R", text: "yes"}, {col: "T", text: "Significant improvers"}})
}

// TestWorkbookInReport checks that Render writes the workbook, that the
// district report links it in both languages, and that publish leaves it
// out (the workbook is the bureau's).
func TestWorkbookInReport(t *testing.T) {
	dir := render(t, smallData(7), Options{})
	if _, err := excelize.OpenFile(filepath.Join(dir, WorkbookFile)); err != nil {
		t.Fatalf("the report's workbook: %v", err)
	}
	b, err := os.ReadFile(filepath.Join(dir, fileIndex))
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range pageLangs {
		part := langPart(t, string(b), lang)
		if !strings.Contains(part, `href="`+WorkbookFile+`"`) || !strings.Contains(part, tr(lang, "workbook_download")) {
			t.Errorf("index.html (%s) does not link the workbook", lang)
		}
	}
	files, err := PublicFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f == WorkbookFile {
			t.Error("the workbook is listed as public")
		}
	}
}

// TestWorkbookDeterministic: the same data give the same file byte for
// byte (excelize alone writes the streamed sheets in map order).
func TestWorkbookDeterministic(t *testing.T) {
	d := smallData(3)
	var first []byte
	for i := range 8 {
		var buf bytes.Buffer
		if err := WriteWorkbook(&buf, d, testOpts(Options{})); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.Bytes()
		} else if !bytes.Equal(first, buf.Bytes()) {
			t.Fatalf("write %d differs from the first", i+1)
		}
	}
}
