package ingest

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// scanFile reads in 1 MB chunks: what it tells must not depend on where a
// chunk ends.
func TestScanFileAcrossChunks(t *testing.T) {
	const chunk = 1 << 20
	pad := func(n int) []byte { return bytes.Repeat([]byte("a"), n) }
	gbLine := gb18030(t, "二社区,一街道\n")
	tests := []struct {
		name    string
		content []byte
		check   func(t *testing.T, s scan)
	}{
		{"a character cut by the chunk end is valid UTF-8", append(pad(chunk-1), []byte("社区\n")...), func(t *testing.T, s scan) {
			if !s.utf8 || s.badUTF8Line != 0 || s.chineseUTF8Line != 1 {
				t.Errorf("utf8 %v, bad line %d, Chinese line %d", s.utf8, s.badUTF8Line, s.chineseUTF8Line)
			}
		}},
		{"a blank CRLF line cut by the chunk end", append(append(pad(chunk-2), '\n', '\r'), []byte("\nx\n")...), func(t *testing.T, s scan) {
			if !s.blankLine {
				t.Error("blank line not seen")
			}
		}},
		{"a blank CRLF line cut after its LF", append(append(pad(chunk-1), '\n'), []byte("\r\nx\n")...), func(t *testing.T, s scan) {
			if !s.blankLine {
				t.Error("blank line not seen")
			}
		}},
		{"NUL byte on line 3", []byte("a\nb\nc\x00\n"), func(t *testing.T, s scan) {
			if !s.nul || s.nulLine != 3 {
				t.Errorf("nul %v on line %d, want line 3", s.nul, s.nulLine)
			}
		}},
		{"GB18030 after UTF-8 Chinese", append([]byte("一社区,一街道\n"), gbLine...), func(t *testing.T, s scan) {
			if s.utf8 || s.chineseUTF8Line != 1 || s.badUTF8Line != 2 {
				t.Errorf("utf8 %v, Chinese UTF-8 line %d, bad line %d; want false, 1, 2", s.utf8, s.chineseUTF8Line, s.badUTF8Line)
			}
		}},
		{"GB18030 whose bytes happen to be UTF-8 is no evidence", gb18030(t, "女,C1\n男,C2\n"), func(t *testing.T, s scan) {
			// 女 in GB18030 is C5 AE, which UTF-8 reads as Ů: not Chinese text.
			if s.chineseUTF8Line != 0 {
				t.Errorf("Chinese UTF-8 line %d in a GB18030 file", s.chineseUTF8Line)
			}
		}},
		{"UTF-16 byte-order mark", []byte{0xFF, 0xFE, 'a', 0, '\n', 0}, func(t *testing.T, s scan) {
			if s.bom16 != "UTF-16LE" {
				t.Errorf("bom16 = %q", s.bom16)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string][]byte{"f.csv": tt.content})
			s, err := scanFile(filepath.Join(dir, "f.csv"))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, s)
		})
	}
}

// A file read in Go is handed to DuckDB as an Arrow view, which DuckDB
// makes in the database itself: it must not stay there (it points at freed
// memory once the load is done, and a query of it crashes the process).
func TestArrowViewNotLeft(t *testing.T) {
	cases := "case_id,community_id,category,reported_at,resolution_level\nA1,C1,环境卫生,2025-03-01 09:00:00,社区\n"
	dir := writeFiles(t, map[string][]byte{"communities.csv": []byte(communitiesCSV), "c.csv": gb18030(t, cases)})
	db := openTestDB(t)
	sum := mustLoad(t, db, casesOnly(dir, "c.csv"))
	if f := sum.Files[1]; f.Format != "csv-gb18030" {
		t.Fatalf("format %s, want the Go reader", f.Format)
	}
	got := rowsOf(t, db, "SELECT count(*) FROM duckdb_views() WHERE NOT temporary AND view_name = 'cs_arrow_stage'")
	if got[0] != "0" {
		t.Errorf("the Arrow view is left in the database")
	}
	// A database that holds one from an earlier version loses it at the next load.
	if _, err := db.ExecContext(context.Background(), "CREATE VIEW cs_arrow_stage AS SELECT 1 AS x"); err != nil {
		t.Fatal(err)
	}
	mustLoad(t, db, casesOnly(dir, "c.csv"))
	if got := rowsOf(t, db, "SELECT count(*) FROM duckdb_views() WHERE view_name = 'cs_arrow_stage'"); got[0] != "0" {
		t.Errorf("an old Arrow view is not cleared")
	}
}

// A quote that is never closed costs one row, not the rest of the file;
// the same through the Go reader for GB18030 text.
func TestUnclosedQuoteCostsOneRow(t *testing.T) {
	content := "case_id,community_id,category,reported_at,resolution_level\n" +
		"A1,C1,x,2025-03-01 09:00:00,community\n" +
		"A2,C1,\"x,2025-03-01 09:00:00,community\n" +
		"A3,C1,x,2025-03-01 09:00:00,community\n" +
		"A4,C1,\"多行\n文本\",2025-03-01 09:00:00,community\n" +
		"A5,C1,x,2025-03-01 09:00:00,community\n"
	for _, enc := range []string{"utf-8", "gb18030"} {
		t.Run(enc, func(t *testing.T) {
			b := []byte(content)
			if enc == "gb18030" {
				b = gb18030(t, content)
			}
			dir := writeFiles(t, map[string][]byte{"communities.csv": []byte(communitiesCSV), "c.csv": b})
			db := openTestDB(t)
			mustLoad(t, db, casesOnly(dir, "c.csv"))
			if got := rowsOf(t, db, "SELECT string_agg(case_id, ',' ORDER BY case_id) FROM cases"); got[0] != "A1,A3,A4,A5" {
				t.Errorf("clean cases %v, want A1,A3,A4,A5 (A4's quoted field spans two lines)", got)
			}
			got := rowsOf(t, db, "SELECT source_row || ' ' || reason || ' ' || detail FROM rejects")
			if len(got) != 1 || !strings.HasPrefix(got[0], "3 malformed_row line 3: a quoted field opened on this line is not closed") {
				t.Errorf("rejects %v", got)
			}
		})
	}
}

// TestSourceRowIsPhysicalLine: after a quoted cell that spans lines (here
// 4 lines in row A1, 2 in A2), source_row is the line each record starts
// on, counted by hand: A1 line 2, A2 line 6, A3 line 8 — in UTF-8 (which
// DuckDB's parallel reader refuses, so Go reads it) and in GB18030, also
// for a rejected row (A3, an unknown community) in rejects.
func TestSourceRowIsPhysicalLine(t *testing.T) {
	text := "case_id,community_id,category,reported_at,resolution_level,备注,联系电话\n" +
		"A1,C1,噪音,2025-03-01 09:00:00,社区,\"第一行\n第二行\n第三行\",\"1\n2\"\n" + // lines 2-5 (the phone cell ends on line 5)
		"A2,C1,噪音,2025-03-02 09:00:00,社区,\"上\n下\",\n" + // lines 6-7
		"A3,C9,噪音,2025-03-03 09:00:00,社区,无,\n" // line 8
	for _, tt := range []struct {
		name, format string
		content      []byte
	}{
		{"UTF-8", "csv-go", []byte(text)},
		{"Go", "csv-gb18030", gb18030(t, text)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string][]byte{"communities.csv": []byte(communitiesCSV), "c.csv": tt.content})
			db := openTestDB(t)
			opts := casesOnly(dir, "c.csv")
			opts.ExtraColumns = "keep"
			sum := mustLoad(t, db, opts)
			if sum.Files[1].Format != tt.format {
				t.Errorf("format %s, want %s (%s)", sum.Files[1].Format, tt.format, sum.Files[1].FastPathError)
			}
			got := rowsOf(t, db, `SELECT case_id || ':' || source_row FROM cases UNION ALL
				SELECT (raw->>'case_id') || ':' || source_row FROM rejects ORDER BY 1`)
			if want := []string{"A1:2", "A2:6", "A3:8"}; !reflect.DeepEqual(got, want) {
				t.Errorf("source rows %v, want %v", got, want)
			}
		})
	}
}
