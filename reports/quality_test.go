package reports

import (
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
