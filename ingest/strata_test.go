package ingest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
)

// TestStrataRejects loads a strata file with one row per reject rule (and
// clean community and district rows), then the same strata again from a
// second file: the clean rows land in strata, the bad ones in rejects
// with the reason of the first rule they break, and a stratum loaded again
// replaces the earlier row. Expected rows are read off the file by hand.
func TestStrataRejects(t *testing.T) {
	const communities = "community_id,community_name,street_id,street_name,district_id,district_name,households,population\n" +
		"C1,一社区,S1,一街道,D1,某区,1000,2300\n" +
		"C2,二社区,S1,一街道,D1,某区,800,1900\n"
	dir := writeFiles(t, map[string][]byte{
		"communities.csv": []byte(communities),
		// header = row 1
		"strata.csv": []byte("社区编码,区编码,年龄段,性别,人口\n" +
			"C1,,18-34,male,300\n" + // 2 clean
			"C1,,18-34,female,320\n" + // 3 clean
			",D1,60+,,500\n" + // 4 clean: a district row, every gender
			",,35-59,male,100\n" + // 5 neither id
			"C1,D1,35-59,male,100\n" + // 6 both ids
			"C2,,35-59,male,1\n" + // 7 duplicate of row 8
			"C2,,35-59,male,2\n" + // 8 clean, the last wins
			"C2,,60+,male,-3\n" + // 9 bad number
			"C2,,60+,female,1.5\n" + // 10 bad number
			"C9,,60+,male,10\n" + // 11 unknown community
			",D9,60+,male,10\n" + // 12 unknown district
			"C2,,,male,10\n"), // 13 no age group
		"strata2.csv": []byte("community_id,age_group,gender,population\nC1,18-34,male,310\n"),
	})
	opts := Options{
		Inputs: map[civicscore.Kind][]string{
			civicscore.KindCommunities: {filepath.Join(dir, "communities.csv")},
			civicscore.KindStrata:      {filepath.Join(dir, "strata.csv"), filepath.Join(dir, "strata2.csv")},
		},
		Salt: "pepper", SLA: SLA{DefaultHours: 72, Unit: "hours"}, MinDurationSeconds: 30, MaxPerIPPerDay: 5,
	}
	db := openTestDB(t)
	mustLoad(t, db, opts)
	got := rowsOf(t, db, `SELECT source_row, reason FROM rejects WHERE kind = 'strata' ORDER BY source_row`)
	want := []string{"5|missing_required", "6|both_areas", "7|duplicate_in_file", "9|bad_number", "10|bad_number",
		"11|unknown_community", "12|unknown_district", "13|missing_required"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rejects:\n got %v\nwant %v", got, want)
	}
	got = rowsOf(t, db, `SELECT coalesce(community_id, '-'), coalesce(district_id, '-'), age_group, coalesce(gender, '-'), population,
		regexp_extract(source_file, '[^/]+$'), source_row FROM strata ORDER BY ALL`)
	want = []string{
		"-|D1|60+|-|500|strata.csv|4",
		"C1|-|18-34|female|320|strata.csv|3",
		"C1|-|18-34|male|310|strata2.csv|2", // replaced by the second file
		"C2|-|35-59|male|2|strata.csv|8",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("strata:\n got %v\nwant %v", got, want)
	}
	det := rowsOf(t, db, `SELECT detail FROM rejects WHERE kind = 'strata' AND source_row IN (5, 12) ORDER BY source_row`)
	if len(det) != 2 || !strings.Contains(det[0], "neither community_id nor district_id") || !strings.Contains(det[1], `"D9"`) {
		t.Errorf("details = %v", det)
	}
	// Changed communities read the strata again, against the new communities.
	if err := os.WriteFile(filepath.Join(dir, "communities.csv"), []byte(communities+"C9,九社区,S1,一街道,D1,某区,10,20\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustLoad(t, db, opts)
	if n := rowsOf(t, db, `SELECT count(*) FROM strata WHERE community_id = 'C9'`); !reflect.DeepEqual(n, []string{"1"}) {
		t.Errorf("after adding C9: %v strata rows of C9, want 1", n)
	}
}
