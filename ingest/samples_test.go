package ingest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

const samples = "../../shared/samples"

func sampleOptions() Options {
	in := func(names ...string) []string {
		var out []string
		for _, n := range names {
			out = append(out, filepath.Join(samples, n))
		}
		return out
	}
	return Options{
		Inputs: map[civicscore.Kind][]string{
			civicscore.KindCommunities: in("communities.csv"),
			civicscore.KindCases:       in("cases_part1.csv", "cases_part2.csv", "cases_updates.csv"),
			civicscore.KindServices:    in("services.csv"),
			civicscore.KindSurveys:     in("surveys.xlsx"),
		},
		Mapping: map[string]map[string][]string{"surveys": {
			"respondent_hash": {"手机号码"}, "q_overall": {"1、您对本社区工作的总体评价"},
			"q_environment": {"2、环境卫生"}, "q_safety": {"3、治安状况"}, "q_services": {"4、便民服务"},
			"q_responsiveness": {"5、诉求响应速度"},
		}},
		Salt:               "test-salt",
		SLA:                SLA{DefaultHours: 72, ByCategory: map[string]float64{"城市建设": 168, "环境卫生": 48}},
		MinDurationSeconds: 30,
		MaxPerIPPerDay:     5,
	}
}

func TestSamplesLoad(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.duckdb"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sum, err := Load(ctx, db, sampleOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range sum.Files {
		t.Logf("%s %s %s read=%d clean=%d rejected=%d %s", f.Kind, filepath.Base(f.Path), f.Format, f.Read, f.Clean, f.Rejected, f.FastPathError)
	}
	rows, err := db.QueryContext(ctx, "SELECT kind, source_file, source_row, reason, detail FROM rejects ORDER BY kind, source_file, source_row")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, f, r, d string
		var n int64
		rows.Scan(&k, &f, &n, &r, &d)
		t.Logf("reject %s %s:%d %s %s", k, filepath.Base(f), n, r, d)
	}
}

func TestSamplesDebug(t *testing.T) {
	ctx := context.Background()
	db, _ := store.Open(ctx, "", store.Options{})
	defer db.Close()
	if _, err := Load(ctx, db, sampleOptions()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"SELECT response_id, submitted_at, duration_seconds, excluded_reason, source_row FROM survey_responses WHERE respondent_hash LIKE '3a958%'",
		"SELECT respondent_hash, community_id, strftime(submitted_at, '%Y-%m'), count(*) FROM survey_responses GROUP BY ALL HAVING count(*) > 1",
		"SELECT response_id, submitted_at, duration_seconds, excluded_reason FROM survey_responses WHERE respondent_hash IN (SELECT respondent_hash FROM survey_responses GROUP BY 1 HAVING count(*) > 1)",
		"SELECT case_id, due_at, due_at_from_sla, category, reported_at FROM cases WHERE due_at_from_sla LIMIT 3",
	} {
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			v := make([]any, len(cols))
			p := make([]any, len(cols))
			for i := range v {
				p[i] = &v[i]
			}
			rows.Scan(p...)
			t.Log(v)
		}
		rows.Close()
	}
}
