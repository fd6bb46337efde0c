package reports

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// data400 is a district-scale run: 4 districts × 10 streets × 10
// communities, 24 months, every indicator the pages show, with the
// companion tables (changes, follow-up lists, score components), case
// categories and a data-quality record.
func data400() *Data {
	return withExtras(synthData(synthSpec{districts: 4, streets: 10, communities: 10, months: 24, residentScore: true, threeRates: true, seed: 400}))
}

// BenchmarkRender400 renders the whole report for 400 communities and
// reports, per page type, the pages written, their mean size and the
// render time per page.
func BenchmarkRender400(b *testing.B) {
	d := data400()
	o := Options{MinN: testMinN, DefinitionsVersion: "bench", SurveyURL: "https://wj.example.cn/s/abc"}
	root := b.TempDir()
	i := 0
	var stats []PageStats
	var wall time.Duration
	for b.Loop() {
		b.StopTimer()
		i++
		dir := filepath.Join(root, strconv.Itoa(i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		s, err := RenderStats(dir, d, o)
		if err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		stats = s
		b.StopTimer()
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.StopTimer()
	var pages int
	var bytes int64
	for _, s := range stats {
		pages += s.Pages
		bytes += s.Bytes
		if s.Pages == 0 {
			continue
		}
		b.ReportMetric(float64(s.Bytes)/float64(s.Pages)/1024, s.Type+"-KiB/page")
		b.ReportMetric(float64(s.Time.Microseconds())/float64(s.Pages)/1000, s.Type+"-ms/page")
		b.Logf("%-12s pages %4d  size %8.1f KiB/page  %8.1f KiB total  render %7.2f ms/page  %8.1f ms total (summed over workers)",
			s.Type, s.Pages, float64(s.Bytes)/float64(s.Pages)/1024, float64(s.Bytes)/1024,
			float64(s.Time.Microseconds())/float64(s.Pages)/1000, float64(s.Time.Microseconds())/1000)
	}
	b.ReportMetric(float64(pages), "pages")
	b.ReportMetric(float64(bytes)/(1<<20), "report-MiB")
	b.Logf("all: %d pages, %.1f MiB, wall %.0f ms per render", pages, float64(bytes)/(1<<20), float64(wall.Milliseconds())/float64(i))
}
