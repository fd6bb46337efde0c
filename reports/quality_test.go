package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/ingest"
)

// TestOtherColumnsAreIngests: the columns the data-quality page counts
// "other" in are those ingest turns unknown values into other in.
func TestOtherColumnsAreIngests(t *testing.T) {
	want := map[[2]string]bool{}
	for _, k := range civicscore.Kinds {
		for _, c := range ingest.Columns[k] {
			if c.OtherWhenUnknown {
				want[[2]string{string(k), c.Name}] = true
			}
		}
	}
	got := map[[2]string]bool{}
	for _, c := range otherColumns {
		got[[2]string{c[0], c[2]}] = true
	}
	if len(got) != len(want) {
		t.Fatalf("otherColumns %v, ingest's %v", got, want)
	}
	for k := range want {
		if !got[k] {
			t.Errorf("otherColumns lacks %v", k)
		}
	}
	for _, k := range ingest.DropReasons {
		if tr("en", "reason_drop_"+k) == "reason_drop_"+k {
			t.Errorf("no words for the drop reason %s", k)
		}
	}
}

// TestNoEmptyCharts: without service data (every community at 0 services
// per 1,000 residents, so a Gini of 0) the district's equity chart and Gini
// are not shown but "no service records" is; without survey answers the
// chart of satisfaction by dimension is not drawn but "no survey
// responses" is said.
func TestNoEmptyCharts(t *testing.T) {
	d := smallData(24)
	o, err := testOpts(Options{}).withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	rc, err := newRenderCtx(d, o)
	if err != nil {
		t.Fatal(err)
	}
	rp := rc.reportPeriod()
	dist := rc.districts[0]
	dist.Set(indGiniServices, rp, Value{Value: Num(0.25)})
	for i, c := range d.Communities {
		c.Set(indServicesPer1000, rp, Value{Value: Num(float64(10 + i))})
	}
	before := rc.area(dist, "t", 0, chartSet{})
	if before.Gini == "" || before.Dimensions == nil || before.NoServices != "" || before.NoSurveys != "" {
		t.Fatalf("with data: Gini %q, dimensions %v, %q, %q", before.Gini, before.Dimensions, before.NoServices, before.NoSurveys)
	}
	dist.Set(indGiniServices, rp, Value{Value: Num(0)})
	units := append(append(append([]*Unit{}, d.Communities...), d.Streets...), d.Districts...)
	for _, u := range units {
		for ind, byPeriod := range u.Values {
			switch {
			case ind == indServicesPer1000 || ind == indGiniServices:
				byPeriod[rp] = Value{Value: Num(0)}
			case strings.HasPrefix(ind, indSatItemPrefix):
				byPeriod[rp] = Value{}
			}
		}
	}
	cs := chartSet{}
	av := rc.area(dist, "t", 0, cs)
	if av.Gini != "" || av.Equity != nil || !strings.Contains(av.NoServices, "暂无服务记录") {
		t.Errorf("no services: Gini %q, equity %v, note %q", av.Gini, av.Equity, av.NoServices)
	}
	if av.Dimensions != nil || !strings.Contains(av.NoSurveys, "暂无问卷") {
		t.Errorf("no surveys: dimensions %v, note %q", av.Dimensions, av.NoSurveys)
	}
	for id := range cs {
		if strings.HasSuffix(id, "-equity") || strings.HasSuffix(id, "-dim") {
			t.Errorf("chart %s drawn", id)
		}
	}
	// The page says so.
	dir := render(t, d, Options{})
	b, err := os.ReadFile(filepath.Join(dir, fileIndex))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "暂无服务记录") || strings.Contains(string(b), `class="gini"`) {
		t.Errorf("index.html does not say there are no service records, or shows a Gini")
	}
}
