package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/civicscore/civicscore/config"
	"github.com/civicscore/civicscore/demo"
)

func (m *Main) demoCommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "demo [--out DIR]",
		Short: "run the whole pipeline on the sample data embedded in the binary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The embedded inputs are written beside the outputs, so the
			// analyst can see what a run reads.
			inputs := filepath.Join(out, "inputs")
			if err := demo.WriteTo(inputs); err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			cfg, err := config.Load(filepath.Join(inputs, "config.yaml"), m.Log)
			if err != nil {
				return fmt.Errorf("demo: %w", err)
			}
			cfg.Out = out
			return m.pipeline(cmd.Context(), cfg, stageAll)
		},
	}
	cmd.Flags().StringVar(&out, "out", "civicscore-demo", "output folder")
	return cmd
}
