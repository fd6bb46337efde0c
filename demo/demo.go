package demo

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/civicscore/civicscore/synth"
)

//go:generate go run ./gen

// FS holds the demo data set under the folder "data": data/communities.csv,
// data/cases.csv, data/services.csv, data/surveys.csv and data/config.yaml.
//
//go:embed data
var FS embed.FS

// The options the embedded files were generated with.
const (
	// Scale is the synth scale of the embedded data set.
	Scale = synth.Demo
	// Seed is the synth seed of the embedded data set.
	Seed int64 = 20250101
)

// Dir is the folder of FS that holds the files.
const Dir = "data"

// Options returns the synth options that reproduce the embedded files.
func Options() synth.Options {
	return synth.Options{Scale: Scale, Seed: Seed}
}

// Files lists the names of the embedded files, sorted.
func Files() []string {
	ents, err := fs.ReadDir(FS, Dir)
	if err != nil {
		panic(err) // the embedded folder always exists
	}
	names := make([]string, 0, len(ents))
	for _, e := range ents {
		if !e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

// WriteTo writes the embedded files into dir (created if needed), so the
// pipeline can read them from disk: dir/config.yaml then loads the data set.
// Existing files of the same names are replaced.
func WriteTo(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	for _, name := range Files() {
		b, err := FS.ReadFile(Dir + "/" + name)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	return nil
}
