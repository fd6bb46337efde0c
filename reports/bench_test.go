package reports

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// data400 is a district-scale run: 4 districts × 10 streets × 10
// communities, 24 months, every indicator the pages show.
func data400() *Data {
	return synthData(synthSpec{districts: 4, streets: 10, communities: 10, months: 24, residentScore: true, threeRates: true, seed: 400})
}

// BenchmarkRender400 renders the whole report for 400 communities and
// reports the page sizes.
func BenchmarkRender400(b *testing.B) {
	d := data400()
	o := Options{DefinitionsVersion: "bench", SurveyURL: "https://wj.example.cn/s/abc"}
	root := b.TempDir()
	i := 0
	var dir string
	for b.Loop() {
		b.StopTimer()
		i++
		dir = filepath.Join(root, strconv.Itoa(i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := Render(dir, d, o); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	var pages, scorecards, scBytes, index, total int64
	_ = filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		switch {
		case strings.HasSuffix(p, "index.html"):
			index = info.Size()
			pages++
		case strings.Contains(p, string(filepath.Separator)+"scorecards"+string(filepath.Separator)):
			scorecards++
			scBytes += info.Size()
			pages++
		}
		return nil
	})
	b.ReportMetric(float64(pages), "pages")
	b.ReportMetric(float64(index)/1024, "index-KiB")
	b.ReportMetric(float64(scBytes)/float64(max(scorecards, 1))/1024, "scorecard-KiB")
	b.ReportMetric(float64(total)/(1<<20), "report-MiB")
}
