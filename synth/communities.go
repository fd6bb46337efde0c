package synth

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/civicscore/civicscore"
)

// File names written by Generate.
const (
	// CommunitiesFile is the communities dimension.
	CommunitiesFile = "communities.csv"
	// CasesFile holds the cases (grid events, hotline work orders).
	CasesFile = "cases.csv"
	// ServicesFile holds the service delivery records.
	ServicesFile = "services.csv"
	// SurveysFile holds the survey responses.
	SurveysFile = "surveys.csv"
	// ConfigFile is the civicscore config that loads the four files.
	ConfigFile = "config.yaml"
)

// Headers of the generated CSV files: canonical column names, in file order.
// Callers must not modify them.
var (
	// CommunitiesHeader is the header of communities.csv.
	CommunitiesHeader = []string{"community_id", "community_name", "street_id", "street_name", "district_id", "district_name", "households", "population", "elderly_population", "area_type", "service_space_m2", "grid_count", "block_id"}
	// CasesHeader is the header of cases.csv.
	CasesHeader = []string{"case_id", "community_id", "grid_id", "source", "category", "reported_at", "first_response_at", "due_at", "closed_at", "resolution_level", "callback_satisfaction", "callback_contacted", "callback_resolved", "reopened", "updated_at"}
	// ServicesHeader is the header of services.csv.
	ServicesHeader = []string{"service_id", "community_id", "service_date", "service_type", "target_group", "provider_type", "recipients", "hours"}
	// SurveysHeader is the header of surveys.csv.
	// The answer columns are civicscore's survey items, q_overall first.
	SurveysHeader = slices.Concat(
		[]string{"response_id", "community_id", "submitted_at", "respondent_hash", "channel", "duration_seconds", "ip_hash"},
		civicscore.SurveyItemIDs(true),
		[]string{"age_group", "gender"})
)

func headerLine(h []string) []byte {
	var b []byte
	for i, f := range h {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendField(b, f)
	}
	return append(b, '\n')
}

func writeCommunities(dir string, p *plan) (FileSummary, error) {
	o, err := create(dir, CommunitiesFile)
	if err != nil {
		return FileSummary{}, err
	}
	o.write(headerLine(CommunitiesHeader))
	var b []byte
	for i := range p.comms {
		c := &p.comms[i]
		b = b[:0]
		b = appendField(b, c.id)
		b = append(b, ',')
		b = appendField(b, c.name)
		b = append(b, ',')
		b = appendField(b, c.streetID)
		b = append(b, ',')
		b = appendField(b, c.streetName)
		b = append(b, ',')
		b = appendField(b, c.districtID)
		b = append(b, ',')
		b = appendField(b, c.district)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(c.households), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(c.population), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(c.elderly), 10)
		b = append(b, ',')
		b = append(b, areaTypes[c.area]...)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(c.space), 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(c.grids), 10)
		b = append(b, ',')
		b = appendField(b, c.blockID)
		b = append(b, '\n')
		o.write(b)
	}
	if err := o.commit(); err != nil {
		return FileSummary{}, err
	}
	return FileSummary{Name: CommunitiesFile, Rows: int64(len(p.comms)), Bytes: o.n}, nil
}

// configText returns the config.yaml that loads the generated files.
func configText(p *plan, seed int64) string {
	var s strings.Builder
	s.WriteString("# Synthetic data written by civicscore gen (package synth): scale ")
	s.WriteString(string(p.scale))
	s.WriteString(", seed ")
	s.WriteString(strconv.FormatInt(seed, 10))
	s.WriteString(", ")
	s.WriteString(strconv.Itoa(p.months))
	s.WriteString(" months.\n# Not real data: communities, cases and answers are invented.\n")
	s.WriteString("timezone: Asia/Shanghai\n")
	s.WriteString("out: out\n")
	s.WriteString("inputs:\n")
	s.WriteString("  communities: " + CommunitiesFile + "\n")
	s.WriteString("  cases: " + CasesFile + "\n")
	s.WriteString("  services: " + ServicesFile + "\n")
	s.WriteString("  surveys: " + SurveysFile + "\n")
	s.WriteString("  strata: " + StrataFile + "\n")
	s.WriteString("sla:\n")
	s.WriteString("  default_hours: " + strconv.Itoa(defaultSLAHours) + "\n")
	s.WriteString("  by_category:\n")
	for _, c := range categories {
		s.WriteString("    " + c.name + ": " + strconv.FormatInt(c.sla, 10) + "\n")
	}
	s.WriteString("survey:\n")
	s.WriteString("  min_duration_seconds: 30\n")
	s.WriteString("  post_strata:\n")
	s.WriteString("    variables: [age_group, gender]\n")
	s.WriteString("thresholds:\n")
	s.WriteString("  min_n: 10\n")
	s.WriteString("report:\n")
	s.WriteString("  title: \"社区治理绩效报告（合成数据）\"\n")
	return s.String()
}

func writeConfig(dir string, p *plan, seed int64) (FileSummary, error) {
	text := configText(p, seed)
	path := filepath.Join(dir, ConfigFile)
	tmp := path + ".tmp"
	err := os.WriteFile(tmp, []byte(text), 0o644)
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return FileSummary{}, fmt.Errorf("synth: %w", err)
	}
	return FileSummary{Name: ConfigFile, Bytes: int64(len(text))}, nil
}
