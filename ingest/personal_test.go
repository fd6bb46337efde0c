package ingest

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/civicscore/civicscore"
)

// TestPersonalReason: each value is classified by hand; the values kept are
// ones real exports hold in harmless columns (agency names, categories,
// dates, boroughs), the others real-looking personal data.
func TestPersonalReason(t *testing.T) {
	tests := []struct{ value, want string }{
		// Kept.
		{"望京街道办事处", ""},
		{"朝阳区城市管理委员会", ""},
		{"道路破损", ""},
		{"6月1号反映", ""},
		{"BROOKLYN", ""},
		{"Street/Sidewalk", ""},
		{"12 BROOKLYN", ""},
		{"Noise - Residential", ""},
		{"2024-06-01 08:00:00", ""},
		{"已办结", ""},
		{"N/A", ""},
		{"100", ""},
		{"0.5", ""},
		{"10036", ""}, // a ZIP code alone
		{"DOB - Conservation", ""},
		{"202406010800000012", ""}, // an 18-digit work-order number: no birth date in it
		{strings.Repeat("长", 50), ""},
		// Dropped.
		{strings.Repeat("长", 51), DropLongText},
		{"合肥市蜀山区笔架山路88号", DropAddress},
		{"朝阳区望京西园三区312号楼2单元1101室", DropAddress},
		{"阳光小区3栋", DropAddress},
		{"建国路与东三环交叉口", DropAddress},
		{"123 MAIN STREET", DropAddress},
		{"45-10 Queens Blvd", DropAddress},
		{"1 Centre St.", DropAddress},
		{"13912345678", DropPhone},
		{"电话：138-0013-8002", DropPhone},
		{"0551-62345678", DropPhone},
		{"(212) 555-0123", DropPhone},
		{"212-555-0123", DropPhone},
		{"330102195001011234", DropIDNumber},
		{"证件11010519491231002X", DropIDNumber},
		{"li.si@example.com", DropEmail},
		{"40.71277, -74.00597", DropCoordinates},
		{"(40.712776, -74.005974)", DropCoordinates},
		{"POINT (-73.98 40.75)", DropCoordinates},
		{"116.397128", DropCoordinates},
		{"39.916527", DropCoordinates},
	}
	for _, tt := range tests {
		if got := personalReason(tt.value); got != tt.want {
			t.Errorf("personalReason(%q) = %q, want %q", tt.value, got, tt.want)
		}
	}
}

// TestPersonalHeaders: the built-in personal headers match however the
// export spells them; config personal adds more; a mapped column is not
// dropped.
func TestPersonalHeaders(t *testing.T) {
	headers := []string{"Unique Key", "Incident Address", "Latitude", "X Coordinate (State Plane)", "E-Mail", "留言用户",
		"微信昵称", "Borough", "走访记录", "Agency", "service_request_id", "community_id", "category", "reported_at", "resolution_level", "联系电话"}
	p, err := planHeaders(civicscore.KindCases, headers, map[string][]string{"grid_id": {"联系电话"}}, []string{"走访记录"})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"Incident Address": DropPersonalHeader, "Latitude": DropPersonalHeader, "X Coordinate (State Plane)": DropPersonalHeader,
		"E-Mail": DropPersonalHeader, "留言用户": DropPersonalHeader, "微信昵称": DropPersonalHeader, "走访记录": DropPersonalConfig,
	}
	if got := p.droppedColumns(); !reflect.DeepEqual(got, want) {
		t.Errorf("dropped %v\nwant %v", got, want)
	}
}

// TestExtraColumnsModes loads one cases export with three unknown columns
// — a harmless one, one where a single row holds a street address, one
// where a single row holds long complaint text — through every reader, in
// each mode. Expected by hand: scan keeps only 街道 (the agency-like
// column), keep keeps all three, drop none; the values of a dropped column
// are nowhere in cases, rejects or ingest_files.
func TestExtraColumnsModes(t *testing.T) {
	complaint := "反映人称楼上住户每晚十一点后装修噪音很大，多次沟通无果，严重影响休息，请相关部门尽快上门处理并回复结果"
	header := []string{"case_id", "community_id", "category", "reported_at", "resolution_level", "街道", "备注", "说明"}
	rows := [][]string{
		{"A1", "C1", "噪音", "2025-03-01 09:00:00", "社区", "望京街道", "已回访", "无"},
		{"A2", "C1", "噪音", "2025-03-02 09:00:00", "社区", "望京街道", "朝阳区望京西园三区312号楼", "无"},
		{"A3", "C1", "噪音", "2025-03-03 09:00:00", "社区", "望京街道", "无", complaint},
		{"A4", "C9", "噪音", "2025-03-04 09:00:00", "社区", "望京街道", "笔架山路88号", complaint}, // rejected: unknown_community
	}
	csvText := func(sep string) string {
		var b strings.Builder
		for _, r := range append([][]string{header}, rows...) {
			b.WriteString(strings.Join(r, sep) + "\n")
		}
		return b.String()
	}
	xlsx := func(t *testing.T) []byte {
		f := excelize.NewFile()
		for i, r := range append([][]string{header}, rows...) {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			row := make([]any, len(r))
			for j, v := range r {
				row[j] = v
			}
			if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
				t.Fatal(err)
			}
		}
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	files := []struct {
		name, file, format string
		content            func(t *testing.T) []byte
	}{
		{"DuckDB CSV", "c.csv", "csv-duckdb", func(*testing.T) []byte { return []byte(csvText(",")) }},
		{"GB18030 CSV", "c.csv", "csv-gb18030", func(t *testing.T) []byte { return gb18030(t, csvText(",")) }},
		{"xlsx", "c.xlsx", "xlsx-go", xlsx},
	}
	modes := []struct {
		mode     string
		kept     string // keys of extra over the clean cases, sorted, joined
		dropped  map[string]string
		leftOuts []string // values that must be nowhere
	}{
		{"scan", "街道", map[string]string{"备注": DropAddress, "说明": DropLongText}, []string{"312号楼", "笔架山路88号", "装修噪音"}},
		{"", "街道", map[string]string{"备注": DropAddress, "说明": DropLongText}, []string{"312号楼", "笔架山路88号", "装修噪音"}},
		{"keep", "备注,街道,说明", map[string]string{}, nil},
		{"drop", "", map[string]string{"街道": DropExtraColumns, "备注": DropExtraColumns, "说明": DropExtraColumns}, []string{"312号楼", "望京街道", "装修噪音"}},
	}
	for _, f := range files {
		for _, m := range modes {
			t.Run(f.name+"/"+m.mode, func(t *testing.T) {
				dir := writeFiles(t, map[string][]byte{"communities.csv": []byte(communitiesCSV), f.file: f.content(t)})
				db := openTestDB(t)
				opts := casesOnly(dir, f.file)
				opts.ExtraColumns = m.mode
				sum := mustLoad(t, db, opts)
				res := sum.Files[1]
				if res.Format != f.format {
					t.Errorf("format %s, want %s (%s)", res.Format, f.format, res.FastPathError)
				}
				if res.Clean != 3 || res.Rejected != 1 {
					t.Errorf("clean %d, rejected %d; want 3, 1", res.Clean, res.Rejected)
				}
				got := rowsOf(t, db, `SELECT coalesce(string_agg(DISTINCT k, ',' ORDER BY k), '') FROM (SELECT unnest(json_keys(extra)) AS k FROM cases)`)
				if got[0] != m.kept {
					t.Errorf("extra keys %q, want %q", got[0], m.kept)
				}
				var recorded map[string]string
				js := rowsOf(t, db, "SELECT dropped_columns::VARCHAR FROM ingest_files WHERE kind = 'cases'")
				if err := json.Unmarshal([]byte(js[0]), &recorded); err != nil {
					t.Fatalf("dropped_columns %q: %v", js[0], err)
				}
				if !reflect.DeepEqual(recorded, m.dropped) {
					t.Errorf("dropped_columns %v, want %v", recorded, m.dropped)
				}
				if len(m.dropped) > 0 && !reflect.DeepEqual(res.DroppedColumns, m.dropped) {
					t.Errorf("FileResult.DroppedColumns %v, want %v", res.DroppedColumns, m.dropped)
				}
				all := strings.Join(rowsOf(t, db, `SELECT to_json(c)::VARCHAR FROM cases c UNION ALL SELECT to_json(r)::VARCHAR FROM rejects r
					UNION ALL SELECT to_json(f)::VARCHAR FROM ingest_files f`), "\n")
				for _, v := range m.leftOuts {
					if strings.Contains(all, v) {
						t.Errorf("%q is stored", v)
					}
				}
				if m.mode == "keep" && !strings.Contains(all, "312号楼") {
					t.Errorf("keep lost the address column")
				}
			})
		}
	}
}
