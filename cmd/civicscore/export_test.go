package main

import (
	"bytes"
	"context"
	"database/sql"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/civicscore/civicscore/config"
	"github.com/civicscore/civicscore/reports"
	"github.com/civicscore/civicscore/store"
)

// The columns of the community sheet the test reads (reports/workbook.go
// documents the layout; the test finds them by their Chinese headers).
var exportHeaders = map[string]string{
	"id": "社区编号", "ptype": "期别", "period": "期", "ind": "指标编号",
	"value": "数值", "low": "95%区间下限", "high": "95%区间上限", "n": "样本量",
	"rank": "排名", "rank_low": "排名区间（最好）", "rank_high": "排名区间（最差）",
}

// dbValue is one community row of indicator_values with what decides
// whether the workbook may show it.
type dbValue struct {
	value, low, high, n   sql.NullFloat64
	suppressed            bool
	rank                  sql.NullInt64
	kind                  string
	rankLow, rankHigh     sql.NullInt64
	ptype, period, unitID string
}

// demoValues reads, straight from the demo's database, the community values
// of the latest run in the latest month, quarter and year, with the rank
// ranges of rank_intervals: what the workbook must show, by community,
// period and indicator.
func demoValues(t *testing.T, dbPath string) map[string]dbValue {
	t.Helper()
	db, err := store.Open(context.Background(), dbPath, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), `
WITH run AS (SELECT v.run_id FROM (SELECT DISTINCT run_id FROM indicator_values) v
             LEFT JOIN runs r USING (run_id) ORDER BY r.started_at DESC NULLS LAST, v.run_id DESC LIMIT 1),
latest AS (SELECT period_type, max(period) AS period FROM indicator_values WHERE run_id = (SELECT run_id FROM run) GROUP BY period_type)
SELECT v.unit_id, v.period_type, v.period, v.indicator, v.value, v.ci_low, v.ci_high, v.denominator, v.suppressed, v.rank,
       i.kind, ri.rank_low, ri.rank_high
FROM indicator_values v
JOIN latest USING (period_type, period)
JOIN indicators i ON i.indicator = v.indicator
LEFT JOIN rank_intervals ri ON ri.run_id = v.run_id AND ri.period_type = v.period_type AND ri.period = v.period
     AND ri.unit_id = v.unit_id AND ri.indicator = v.indicator AND ri.level = 'community' AND v.indicator = 'resident_score'
WHERE v.run_id = (SELECT run_id FROM run) AND v.level = 'community'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]dbValue{}
	for rows.Next() {
		var v dbValue
		var ind string
		if err := rows.Scan(&v.unitID, &v.ptype, &v.period, &ind, &v.value, &v.low, &v.high, &v.n, &v.suppressed, &v.rank,
			&v.kind, &v.rankLow, &v.rankHigh); err != nil {
			t.Fatal(err)
		}
		out[v.unitID+"|"+v.period+"|"+ind] = v
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestExport(t *testing.T) {
	// The demo's own config, so that the workbook run wrote into report/
	// was made with the same settings.
	ensureDemo(t)
	cfgPath := filepath.Join(demoDir, "inputs", "config.yaml")
	cfg, err := config.Load(cfgPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	xlsx := filepath.Join(t.TempDir(), "bureau.xlsx")
	if err := os.WriteFile(xlsx, []byte("an earlier file"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "export", "--config", cfgPath, "--out", demoDir, "--xlsx", xlsx)
	if code != 0 {
		t.Fatalf("export exit %d: %s", code, stderr)
	}
	if !strings.HasSuffix(strings.TrimSpace(stdout), "bureau.xlsx") {
		t.Errorf("export should print the workbook's path, printed %q", stdout)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(xlsx), ".*")); len(left) != 0 {
		t.Errorf("export left %v", left)
	}
	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatalf("open the workbook: %v", err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), ","); got != "社区,街道,指标定义,说明" {
		t.Errorf("sheets %s", got)
	}
	rows, err := f.GetRows("社区")
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for key, h := range exportHeaders {
		for i, got := range rows[0] {
			if got == h {
				col[key] = i + 1
			}
		}
		if col[key] == 0 {
			t.Fatalf("no column %q in %q", h, rows[0])
		}
	}
	cell := func(key string, r int) string {
		ref, _ := excelize.CoordinatesToCellName(col[key], r)
		return ref
	}
	want := demoValues(t, filepath.Join(demoDir, store.DatabaseFile))
	if len(rows)-1 != len(want) {
		t.Errorf("%d community rows, want one per community value of the latest month, quarter and year in the database (%d)", len(rows)-1, len(want))
	}
	// numberIs checks that ref holds the number of v, or is empty when v
	// is NULL. excelize reads a number back to 15 significant digits, as
	// Excel shows it: equal means within a relative 1e-13.
	numberIs := func(ref string, v sql.NullFloat64) {
		t.Helper()
		raw, _ := f.GetCellValue("社区", ref, excelize.Options{RawCellValue: true})
		if !v.Valid {
			if raw != "" {
				t.Errorf("%s = %q, want empty (NULL in the database)", ref, raw)
			}
			return
		}
		typ, _ := f.GetCellType("社区", ref)
		got, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.Abs(got-v.Float64) > 1e-13*math.Max(1, math.Abs(v.Float64)) || typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
			t.Errorf("%s = %q (type %v), want the number %v", ref, raw, typ, v.Float64)
		}
	}
	var shown, hidden, ranged int
	for r := 2; r <= len(rows); r++ {
		get := func(key string) string { v, _ := f.GetCellValue("社区", cell(key, r)); return v }
		k := get("id") + "|" + get("period") + "|" + get("ind")
		v, ok := want[k]
		if !ok {
			t.Errorf("row %d (%s) is not a community value of the latest periods", r, k)
			continue
		}
		delete(want, k)
		ind := get("ind")
		// The suppression rule of the pages (reports/doc.go): marked
		// suppressed, or a proportion or estimate on fewer than min_n rows
		// (the resident score's denominator counts components, not rows).
		tooFew := v.suppressed || v.kind != "fact" && ind != "resident_score" && v.n.Valid && v.n.Float64 < float64(cfg.Thresholds.MinN)
		if tooFew {
			hidden++
			if got := get("value"); got != "样本不足" {
				t.Errorf("row %d (%s): value %q, want 样本不足", r, k, got)
			}
			for _, c := range []string{"low", "high", "n", "rank"} {
				if got := get(c); got != "" {
					t.Errorf("row %d (%s): %s %q shown beside too few responses", r, k, c, got)
				}
			}
			continue
		}
		shown++
		numberIs(cell("value", r), v.value)
		if v.low.Valid && v.high.Valid {
			numberIs(cell("low", r), v.low)
			numberIs(cell("high", r), v.high)
		}
		if v.kind != "fact" && ind != "resident_score" {
			numberIs(cell("n", r), v.n)
		}
		if v.rank.Valid && v.rank.Int64 > 0 && v.value.Valid {
			numberIs(cell("rank", r), sql.NullFloat64{Float64: float64(v.rank.Int64), Valid: true})
		}
		if v.rankLow.Valid {
			ranged++
			numberIs(cell("rank_low", r), sql.NullFloat64{Float64: float64(v.rankLow.Int64), Valid: true})
			numberIs(cell("rank_high", r), sql.NullFloat64{Float64: float64(v.rankHigh.Int64), Valid: true})
		}
	}
	for k := range want {
		t.Errorf("database value %s is not in the workbook", k)
	}
	// The demo has shown values, too few responses and ranked scores; a
	// test that saw none of one would check nothing of it.
	if shown == 0 || hidden == 0 || ranged == 0 {
		t.Errorf("shown %d, too few %d, with a rank range %d: want some of each", shown, hidden, ranged)
	}

	// run wrote the same workbook into report/, byte for byte.
	fromRun, err := os.ReadFile(filepath.Join(demoDir, "report", reports.WorkbookFile))
	if err != nil {
		t.Fatalf("run wrote no workbook into report/: %v", err)
	}
	exported, _ := os.ReadFile(xlsx)
	if !bytes.Equal(fromRun, exported) {
		t.Error("the workbook of report/ differs from the one export wrote from the same database")
	}
}

func TestExportRefusals(t *testing.T) {
	cfgPath := demoConfig(t)
	dbPath := filepath.Join(demoDir, store.DatabaseFile)
	before, err := os.ReadFile(dbPath)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no config", []string{"export", "--xlsx", filepath.Join(t.TempDir(), "a.xlsx")}, 2, "--config FILE is required"},
		{"no xlsx", []string{"export", "--config", cfgPath}, 2, "--xlsx FILE is required"},
		{"the database", []string{"export", "--config", cfgPath, "--xlsx", dbPath}, 2, "is the database"},
		{"no folder", []string{"export", "--config", cfgPath, "--xlsx", filepath.Join(t.TempDir(), "missing", "a.xlsx")}, 1, "export: --xlsx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.want)
			}
			if tt.code == 2 && !strings.Contains(stderr, "Usage:") {
				t.Errorf("a usage error without the usage text: %q", stderr)
			}
		})
	}
	after, _ := os.ReadFile(dbPath)
	if !bytes.Equal(before, after) {
		t.Error("export changed the database")
	}
}
