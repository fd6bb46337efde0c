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
	var out, scale, shape string
	var seed int64
	cmd := &cobra.Command{
		Use:   "gen --out DIR [--shape canonical|exports] [--scale demo|district|city|province] [--seed N]",
		Short: "write deterministic synthetic inputs (canonical, or in the shapes real exports take), with a config.yaml",
		Long: `gen writes deterministic synthetic inputs and a config.yaml that loads them.

--shape canonical (the default) writes communities.csv, cases.csv, services.csv
and surveys.csv in the canonical form, at --scale.

--shape exports writes a small district in the shapes real exports take:
communities.csv, cases_part1.csv (with known bad rows), cases_part2.csv
(GB18030, Chinese headers and values), cases_open311.json (Open311 GeoReport
v2), cases_updates.csv, services.csv and surveys.xlsx (a survey platform's
export), with README.md describing each file and expected_rejects.yaml, the
rows ingest must reject. Its size is fixed: --scale does not apply.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return usageError{fmt.Errorf("--out DIR is required")}
			}
			sh, err := synth.ParseShape(shape)
			if err != nil {
				return usageError{fmt.Errorf("--shape: %w", err)}
			}
			if sh == synth.Exports {
				if cmd.Flags().Changed("scale") {
					return usageError{fmt.Errorf("--scale applies to --shape canonical only: the exports are one small district")}
				}
				sum, err := synth.GenerateExports(out, seed)
				if err != nil {
					return fmt.Errorf("gen: %w", err)
				}
				printExportsSummary(m.Stdout, sum)
				return nil
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
	cmd.Flags().StringVar(&shape, "shape", string(synth.Canonical), "canonical or exports")
	cmd.Flags().StringVar(&scale, "scale", "demo", "demo, district, city or province (canonical shape only)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed")
	return cmd
}

// printExportsSummary writes what gen --shape exports wrote: one line per
// file with its rows and the rejects ingest must file, then the config to run.
func printExportsSummary(w io.Writer, sum synth.ExportsSummary) {
	fmt.Fprintf(w, "sample exports, seed %d, %s to %s, %d districts, %d streets, %d communities, in %s\n",
		sum.Seed, sum.Start.Format("2006-01-02"), sum.End.AddDate(0, 0, -1).Format("2006-01-02"),
		sum.Districts, sum.Streets, sum.Communities, sum.Dir)
	for _, f := range sum.Files {
		if f.Kind == "" {
			fmt.Fprintf(w, "  %-22s %s\n", f.Name, f.Shape)
			continue
		}
		line := fmt.Sprintf("  %-22s %5d rows", f.Name, f.Rows)
		if len(f.Rejects) > 0 {
			var parts []string
			for _, r := range slices.Sorted(maps.Keys(f.Rejects)) {
				parts = append(parts, fmt.Sprintf("%s %d", r, f.Rejects[r]))
			}
			line += ", rejects: " + strings.Join(parts, ", ")
		}
		fmt.Fprintln(w, line)
	}
	fmt.Fprintf(w, "  %d rows to reject in all; cases_updates.csv closes %d cases\n", sum.Rejects(), sum.Updated)
	fmt.Fprintf(w, "run: civicscore run --config %s\n", filepath.Join(sum.Dir, synth.ConfigFile))
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
