package demo

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/civicscore/civicscore/synth"
)

var wantFiles = []string{synth.CasesFile, synth.CommunitiesFile, synth.ConfigFile, synth.ServicesFile, synth.StrataFile, synth.SurveysFile}

// TestEmbeddedMatchesGenerator fails when the committed data drift from what
// synth generates; run `go generate ./demo/` after changing package synth.
func TestEmbeddedMatchesGenerator(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, Options()); err != nil {
		t.Fatal(err)
	}
	if got := Files(); !slices.Equal(got, wantFiles) {
		t.Fatalf("embedded files %v, want %v", got, wantFiles)
	}
	for _, name := range wantFiles {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := FS.ReadFile(Dir + "/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("embedded %s differs from synth.Generate(%+v): run `go generate ./demo/`", name, Options())
		}
	}
}

// TestGeneratorOptions checks that the go:generate command uses demo's options.
func TestGeneratorOptions(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("gen", "main.go"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "synth.Options{Scale: synth.Demo, Seed: 20250101}") || Seed != 20250101 || Scale != synth.Demo {
		t.Errorf("demo/gen/main.go and demo.Seed/demo.Scale disagree")
	}
}

func TestWriteTo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "demo")
	if err := WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	// twice: existing files are replaced
	if err := WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, wantFiles) {
		t.Fatalf("written %v, want %v", names, wantFiles)
	}
	for _, name := range wantFiles {
		got, _ := os.ReadFile(filepath.Join(dir, name))
		want, _ := FS.ReadFile(Dir + "/" + name)
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the embedded file", name)
		}
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, synth.ConfigFile))
	for _, f := range []string{synth.CommunitiesFile, synth.CasesFile, synth.ServicesFile, synth.SurveysFile, synth.StrataFile} {
		if !strings.Contains(string(cfg), ": "+f+"\n") {
			t.Errorf("config.yaml does not load %s", f)
		}
	}
}

func TestWriteToError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteTo(filepath.Join(file, "sub")); err == nil {
		t.Error("WriteTo under a regular file succeeded")
	}
}

func TestSize(t *testing.T) {
	var total int
	for _, name := range Files() {
		b, _ := FS.ReadFile(Dir + "/" + name)
		total += len(b)
	}
	if total > 700_000 {
		t.Errorf("embedded data take %d bytes, want < 700,000", total)
	}
}
