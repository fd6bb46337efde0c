package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/civicscore/civicscore/reports"
	"github.com/civicscore/civicscore/store"
)

// exportCommand writes the bureau's workbook (reports.WriteWorkbook) from
// the database of the config's output folder: a sheet per level with every
// indicator of the latest month, quarter and year, and the definitions.
// `run` and `report` write the same workbook into the report folder.
func (m *Main) exportCommand() *cobra.Command {
	var f runFlags
	var xlsx string
	cmd := &cobra.Command{
		Use:   "export --config FILE --xlsx FILE",
		Short: "write the bureau's Excel workbook (communities, streets, definitions) from the database",
		Long: "export writes the bureau's Excel workbook from the database of the config's output folder:\n" +
			"a sheet each for communities and streets, one row per unit, period (the latest month, quarter\n" +
			"and year) and indicator, with its interval, sample size, rank, rank range and flags; numbers\n" +
			"as numbers, too few responses as the text 样本不足; headers in report.lang; and a sheet of\n" +
			"the indicator definitions. `run` and `report` write the same workbook as report/" + reports.WorkbookFile + ".",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.config == "" {
				return usageError{errors.New("--config FILE is required")}
			}
			if xlsx == "" {
				return usageError{errors.New("--xlsx FILE is required")}
			}
			cfg, err := m.loadConfig(f)
			if err != nil {
				return err
			}
			dbPath := filepath.Join(cfg.Out, store.DatabaseFile)
			same, err := samePath(xlsx, dbPath)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			if same {
				return usageError{fmt.Errorf("--xlsx %s is the database: name another file", xlsx)}
			}
			if _, err := os.Stat(dbPath); err != nil {
				return fmt.Errorf("export: no database at %s: run ingest and compute first", dbPath)
			}
			db, err := store.Open(cmd.Context(), dbPath, store.Options{ReadOnly: true, TimeZone: cfg.Timezone, Logger: m.Log})
			if err != nil {
				return err
			}
			defer db.Close()
			opts := reportOptions(cfg)
			data, err := reports.Load(cmd.Context(), db.DB, opts)
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			err = replaceFile("export: --xlsx", xlsx, func(tmp string) error {
				out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_TRUNC, 0)
				if err != nil {
					return err
				}
				err = reports.WriteWorkbook(out, data, opts)
				if err == nil {
					err = out.Sync()
				}
				if cerr := out.Close(); err == nil {
					err = cerr
				}
				return err
			})
			if err != nil {
				return err
			}
			abs, _ := filepath.Abs(xlsx)
			m.Log.Info("workbook written", "file", abs, "run_id", data.RunID, "communities", len(data.Communities))
			fmt.Fprintln(m.Stdout, abs)
			return nil
		},
	}
	cmd.Flags().StringVar(&f.config, "config", "", "config file (YAML, TOML or JSON); its out folder holds the database")
	cmd.Flags().StringVar(&f.out, "out", "", "output folder holding the database (overrides config out)")
	cmd.Flags().StringVar(&xlsx, "xlsx", "", "the workbook to write (.xlsx); replaced only once it is complete")
	return cmd
}
