package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite generated docs")

// configDoc is the generated reference, relative to this package.
var configDoc = filepath.Join("..", "docs", "config.md")

// TestConfigReferenceCurrent fails when docs/config.md is not what
// WriteReference renders from Default() and the doc comments of config.go.
func TestConfigReferenceCurrent(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteReference(&buf); err != nil {
		t.Fatalf("WriteReference: %v", err)
	}
	if *update {
		if err := os.WriteFile(configDoc, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	old, err := os.ReadFile(configDoc)
	if err != nil {
		t.Fatalf("%v; generate it: make docs (or go test ./config -run TestConfigReferenceCurrent -update)", err)
	}
	if !bytes.Equal(old, buf.Bytes()) {
		al, bl := strings.Split(string(old), "\n"), strings.Split(buf.String(), "\n")
		line := min(len(al), len(bl)) + 1
		for i := range min(len(al), len(bl)) {
			if al[i] != bl[i] {
				line = i + 1
				break
			}
		}
		t.Errorf("docs/config.md is not current (first difference at line %d); regenerate it: make docs (or go test ./config -run TestConfigReferenceCurrent -update)", line)
	}
}

// TestKeysCoverEveryKnownKey: every key Load knows (defaults()) is in the
// reference with the environment variable Load reads, and every key of the
// reference is known to Load (a fixed key, or under an open map). The
// environment names are spelled out by hand from viper's rule (prefix
// CIVICSCORE_, "." replaced by "_", upper case).
func TestKeysCoverEveryKnownKey(t *testing.T) {
	keys, err := Keys()
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]Key{}
	for _, k := range keys {
		listed[k.Name] = k
		if strings.TrimSpace(k.Doc) == "" {
			t.Errorf("%s: no meaning", k.Name)
		}
		if !strings.Contains(k.Name, "<") && len(UnknownKeys([]string{k.Name})) > 0 {
			t.Errorf("%s: listed, but Load does not know it", k.Name)
		}
	}
	for name := range defaults() {
		k, ok := listed[name]
		if !ok {
			t.Errorf("%s: a key of defaults() missing from the reference", name)
			continue
		}
		if want := "CIVICSCORE_" + strings.ToUpper(strings.ReplaceAll(name, ".", "_")); k.Env != want {
			t.Errorf("%s: environment %q, want %q", name, k.Env, want)
		}
	}
	for want, env := range map[string]string{"sla.default_hours": "CIVICSCORE_SLA_DEFAULT_HOURS", "duckdb.memory_limit": "CIVICSCORE_DUCKDB_MEMORY_LIMIT"} {
		if listed[want].Env != env {
			t.Errorf("%s: environment %q, want %q", want, listed[want].Env, env)
		}
	}
	if k := listed["sla.default_hours"]; k.Default != "72" || k.Type != "number" {
		t.Errorf("sla.default_hours: default %q type %q, want 72 number (Default() sets 72 hours)", k.Default, k.Type)
	}
}

// TestFieldDocsNeedAComment: a field without a doc comment is an error, so
// a key added without one fails the reference.
func TestFieldDocsNeedAComment(t *testing.T) {
	src := []byte("package config\n// T is a section.\ntype T struct {\n\t// A is documented.\n\tA int\n\tB int\n}\n")
	fields, types, err := fieldDocs(src)
	if err != nil {
		t.Fatal(err)
	}
	if fields["T.A"] != "A is documented." || fields["T.B"] != "" || types["T"] != "T is a section." {
		t.Errorf("fieldDocs = %q, %q", fields, types)
	}
}
