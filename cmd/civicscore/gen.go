package main

import (
	"fmt"

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
			fmt.Fprintf(m.Stdout, "%+v\n", sum)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "output folder")
	cmd.Flags().StringVar(&scale, "scale", "demo", "demo, district, city or province")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed")
	return cmd
}
