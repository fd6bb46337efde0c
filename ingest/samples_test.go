package ingest

import (
	"path/filepath"

	"github.com/civicscore/civicscore"
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
