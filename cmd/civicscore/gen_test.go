package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// gen --shape exports writes the repository's sample exports: the files of
// testdata/samples, byte for byte, with the config to run printed last.
func TestGenExportsWritesTheSamples(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "samples")
	code, stdout, stderr := run(t, "gen", "--out", dir, "--shape", "exports")
	if code != 0 {
		t.Fatalf("gen exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "rejects: bad_enum 1") || !strings.Contains(stdout, "run: civicscore run --config "+filepath.Join(dir, "config.yaml")) {
		t.Errorf("gen output:\n%s", stdout)
	}
	committed := filepath.Join("..", "..", "testdata", "samples")
	ents, err := os.ReadDir(committed)
	if err != nil {
		t.Fatal(err)
	}
	written, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != len(ents) {
		t.Errorf("gen wrote %d files, testdata/samples holds %d", len(written), len(ents))
	}
	for _, e := range ents {
		want, _ := os.ReadFile(filepath.Join(committed, e.Name()))
		got, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: gen's file differs from the committed one (%v)", e.Name(), err)
		}
	}
}

func TestGenShapeUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown shape", []string{"--shape", "pdf"}, "unknown shape"},
		{"scale with exports", []string{"--shape", "exports", "--scale", "city"}, "--scale applies to --shape canonical only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			code, _, stderr := run(t, append([]string{"gen", "--out", dir}, tt.args...)...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, stderr, tt.want)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("a usage error wrote %s", dir)
			}
		})
	}
}
