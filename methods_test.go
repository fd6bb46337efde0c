package civicscore

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite docs/methods.md from Methods")

// methodsDoc is the generated methods reference, relative to the package.
const methodsDoc = "docs/methods.md"

// TestMethodsReferenceCurrent: docs/methods.md is what
// WriteMethodsReference makes of Methods (with -update, rewrite it).
func TestMethodsReferenceCurrent(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteMethodsReference(&buf); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(methodsDoc, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(methodsDoc)
	if err != nil {
		t.Fatalf("%v; generate it with: %s", err, MethodsReferenceCommand)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Errorf("%s is stale; regenerate it with: %s", methodsDoc, MethodsReferenceCommand)
	}
}

// TestMethodsRegistry: the six methods, each with every text in both
// languages and at least one reference, and every table, column and
// setting it names present in the migrations and in docs/config.md (read
// from the repository's own files, so a renamed table or key fails here).
func TestMethodsRegistry(t *testing.T) {
	want := []string{"funnel", "fdr", "spc", "ranks", "case_mix", "survey_weights"}
	if len(Methods) != len(want) {
		t.Fatalf("%d methods, want %d", len(Methods), len(want))
	}
	var sql strings.Builder
	files, err := filepath.Glob("store/migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sql.Write(b)
	}
	configDoc, err := os.ReadFile("docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, m := range Methods {
		if m.ID != want[i] {
			t.Errorf("method %d is %q, want %q", i, m.ID, want[i])
		}
		if got, ok := MethodOf(m.ID); !ok || got.ID != m.ID {
			t.Errorf("MethodOf(%q) = %q, %v", m.ID, got.ID, ok)
		}
		for name, s := range map[string]string{"NameZH": m.NameZH, "NameEN": m.NameEN, "AnswersZH": m.AnswersZH, "AnswersEN": m.AnswersEN,
			"ReadZH": m.ReadZH, "ReadEN": m.ReadEN, "LimitsZH": m.LimitsZH, "LimitsEN": m.LimitsEN} {
			if strings.TrimSpace(s) == "" {
				t.Errorf("%s: %s is empty", m.ID, name)
			}
		}
		if len(m.References) == 0 {
			t.Errorf("%s: no reference", m.ID)
		}
		for _, tab := range m.Tables {
			table, col, isCol := strings.Cut(tab, ".")
			pat := `(?i)CREATE TABLE ` + regexp.QuoteMeta(table) + ` \(`
			if isCol {
				pat = `(?i)(ALTER TABLE ` + regexp.QuoteMeta(table) + ` ADD COLUMN ` + regexp.QuoteMeta(col) + `\b)|(COMMENT ON COLUMN ` + regexp.QuoteMeta(tab) + ` )`
			}
			if !regexp.MustCompile(pat).MatchString(sql.String()) {
				t.Errorf("%s: table %s is in no migration", m.ID, tab)
			}
		}
		for _, key := range m.Config {
			if !bytes.Contains(configDoc, []byte("| `"+key+"` |")) {
				t.Errorf("%s: setting %s is not in docs/config.md", m.ID, key)
			}
		}
	}
	if _, ok := MethodOf("league_table"); ok {
		t.Error("MethodOf found a method that does not exist")
	}
}
