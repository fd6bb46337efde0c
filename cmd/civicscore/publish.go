package main

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/civicscore/civicscore/reports"
)

// publishCommand copies the public part of a built report — scorecards
// (which print as notice-board posters), the ranking and the methodology —
// to a folder for a static web host. Nothing internal goes: not the
// district and street reports, not the table of every indicator, not the
// data-quality page with its file paths and rejects.
func (m *Main) publishCommand() *cobra.Command {
	var f runFlags
	var to string
	cmd := &cobra.Command{
		Use:   "publish --config FILE --to DIR",
		Short: "copy the public part of the report (scorecards, posters, methodology, ranking) to DIR",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.config == "" {
				return usageError{errors.New("--config FILE is required")}
			}
			if to == "" {
				return usageError{errors.New("--to DIR is required")}
			}
			cfg, err := m.loadConfig(f)
			if err != nil {
				return err
			}
			src := filepath.Join(cfg.Out, "report")
			n, err := reports.Publish(src, to)
			if err != nil {
				return err
			}
			abs, _ := filepath.Abs(to)
			m.Log.Info("published", "from", src, "to", abs, "files", n)
			fmt.Fprintln(m.Stdout, abs)
			return nil
		},
	}
	cmd.Flags().StringVar(&f.config, "config", "", "config file (YAML, TOML or JSON); its out folder holds the report")
	cmd.Flags().StringVar(&f.out, "out", "", "output folder holding report/ (overrides config out)")
	cmd.Flags().StringVar(&to, "to", "", "folder to write the public pages to; replaced whole on every publish")
	return cmd
}
