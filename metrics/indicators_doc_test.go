package metrics

import (
	"bytes"
	"os"
	"testing"

	"github.com/civicscore/civicscore/config"
)

// indicatorsDoc is the generated indicator reference, relative to the package.
const indicatorsDoc = "../docs/indicators.md"

// TestIndicatorsReferenceCurrent fails when docs/indicators.md is not what
// WriteReference makes from the registry, the SQL and the fixtures; -update
// rewrites it.
func TestIndicatorsReferenceCurrent(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReference(&buf, os.DirFS(fixtureDir), config.Default().Thresholds.MinN); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(indicatorsDoc, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(indicatorsDoc)
	if err != nil {
		t.Fatalf("%v; generate it with: %s", err, ReferenceCommand)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("docs/indicators.md is stale; regenerate it with: %s", ReferenceCommand)
	}
}

// TestReferenceFindsEveryIndicator checks that the scan of the SQL files
// finds every indicator of the registry, and the fixtures some of them.
func TestReferenceFindsEveryIndicator(t *testing.T) {
	src, err := readTexts(sqlFS, "sql/*.sql", "metrics")
	if err != nil {
		t.Fatal(err)
	}
	for _, ind := range Registry(nil) {
		if len(mentions(src, ind.ID)) == 0 {
			t.Errorf("%s: no SQL file names it", ind.ID)
		}
	}
	tests, err := readTexts(os.DirFS(fixtureDir), "*.yaml", fixtureDir)
	if err != nil {
		t.Fatal(err)
	}
	if got := mentions(tests, "gini_services"); len(got) != 2 {
		t.Errorf("gini_services in fixtures %v, want services.yaml and gini_ties.yaml", got)
	}
	// A longer id that contains another is not a mention of it.
	if got := mentions(map[string]string{"x": "callback_satisfaction_rate satisfaction_rate_12345"}, "satisfaction_rate"); len(got) != 0 {
		t.Errorf("satisfaction_rate found inside longer ids: %v", got)
	}
}
