package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/civicscore/civicscore/demo"
	"github.com/civicscore/civicscore/store"
)

// twoSheetSurveys writes the header and the first n responses of the demo's
// surveys.csv into the sheet 答卷数据 of a workbook whose first sheet, 说明,
// holds notes, as survey platforms export them.
func twoSheetSurveys(t *testing.T, csvPath, xlsxPath string, n int) {
	t.Helper()
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")[:n+1]
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "说明"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("说明", "A1", "本表为问卷导出说明，数据见“答卷数据”页"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.NewSheet("答卷数据"); err != nil {
		t.Fatal(err)
	}
	for i, line := range lines {
		cells := strings.Split(line, ",")
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("答卷数据", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.SaveAs(xlsxPath); err != nil {
		t.Fatal(err)
	}
}

// TestSheetFromConfig: config sheet.<kind> chooses the worksheet of that
// kind's workbooks; without it the first sheet is read (here the notes, so
// the file has none of the survey columns); a sheet the workbook lacks fails
// the run naming the sheets it has; a key that is no kind is bad config.
func TestSheetFromConfig(t *testing.T) {
	dir := t.TempDir()
	if err := demo.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	const responses = 40
	twoSheetSurveys(t, filepath.Join(dir, "surveys.csv"), filepath.Join(dir, "surveys.xlsx"), responses)
	base, err := os.ReadFile(filepath.Join(dir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(base), "surveys: surveys.csv", "surveys: surveys.xlsx", 1)
	if cfg == string(base) {
		t.Fatal("the demo config names no surveys.csv")
	}
	tests := []struct {
		name  string
		extra string
		code  int
		want  string // in standard error
	}{
		{"named sheet", "sheet:\n  surveys: 答卷数据\n", 0, ""},
		{"first sheet", "", 1, "response_id"},
		{"missing sheet", "sheet:\n  surveys: Sheet9\n", 1, "说明, 答卷数据"},
		{"not a kind", "sheet:\n  survey: 答卷数据\n", 2, "sheet.survey"},
		{"not a sheet name", "sheet:\n  surveys: \"a/b\"\n", 2, "sheet.surveys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_")+".yaml")
			if err := os.WriteFile(path, []byte(cfg+tt.extra), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "out")
			code, _, stderr := run(t, "ingest", "--config", path, "--out", out)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Fatalf("exit %d, want %d and %q in stderr %q", code, tt.code, tt.want, stderr)
			}
			if code != 0 {
				return
			}
			db, err := store.Open(context.Background(), filepath.Join(out, store.DatabaseFile), store.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			var read, held int64
			if err := db.QueryRow(`SELECT (SELECT rows_read FROM ingest_files WHERE kind = 'surveys'),
				(SELECT count(*) FROM survey_responses) + (SELECT count(*) FROM rejects WHERE kind = 'surveys' AND reason NOT IN ('speeder', 'duplicate_respondent'))`).Scan(&read, &held); err != nil {
				t.Fatal(err)
			}
			// Every data row of the named sheet is read and is either a
			// response or a reject.
			if read != responses || held != responses {
				t.Errorf("rows read %d, responses + rejects %d; want %d each (the rows written to the sheet)", read, held, responses)
			}
		})
	}
}
