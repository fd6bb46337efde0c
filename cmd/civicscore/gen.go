package main

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/civicscore/civicscore/synth"
)

func (m *Main) genCommand() *cobra.Command {
	var out, scale string
	var seed int64
	cmd := &cobra.Command{
		Use:   "gen --out DIR [--scale demo|district|city|province] [--seed N]",
		Short: "write deterministic synthetic inputs in the canonical form, with a config.yaml",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageError{fmt.Errorf("--out DIR is required")}
			}
			sc, err := synth.ParseScale(scale)
			if err != nil {
				return usageError{fmt.Errorf("--scale: %w", err)}
			}
			sum, err := synth.Generate(out, synth.Options{Scale: sc, Seed: seed})
			if err != nil {
				return fmt.Errorf("gen: %w", err)
			}
			printGenSummary(m.Stdout, sum)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "output folder")
	cmd.Flags().StringVar(&scale, "scale", "demo", "demo, district, city or province")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed")
	return cmd
}

// printGenSummary writes what gen wrote: one line per file with its rows,
// deliberately bad rows (by the reject reason ingest will give them) and
// size, then the config to run.
func printGenSummary(w io.Writer, sum synth.Summary) {
	fmt.Fprintf(w, "synthetic %s data, seed %d, %d months from %s, %d districts, %d streets, in %s\n",
		sum.Scale, sum.Seed, sum.Months, sum.Start.Format("2006-01-02"), sum.Districts, sum.Streets, sum.Dir)
	for _, f := range []synth.FileSummary{sum.Communities, sum.Cases, sum.Services, sum.Surveys} {
		line := fmt.Sprintf("  %-16s %11d rows %10.1f MB", f.Name, f.Rows, float64(f.Bytes)/1e6)
		if f.Bad > 0 {
			var parts []string
			for _, r := range slices.Sorted(maps.Keys(f.BadByReason)) {
				parts = append(parts, fmt.Sprintf("%s %d", r, f.BadByReason[r]))
			}
			line += fmt.Sprintf(", %d bad rows (%s)", f.Bad, strings.Join(parts, ", "))
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "  open cases %d, speeders %d, repeat respondents %d\n", sum.OpenCases, sum.Speeders, sum.RepeatRespondents)
	fmt.Fprintf(w, "run: civicscore run --config %s\n", filepath.Join(sum.Dir, sum.Config.Name))
}
