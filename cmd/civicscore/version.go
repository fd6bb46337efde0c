package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/civicscore/civicscore/store"
)

func (m *Main) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version, the DuckDB version and build information",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := store.Open(cmd.Context(), "", store.Options{})
			if err != nil {
				return err
			}
			defer db.Close()
			dv, err := db.DuckDBVersion(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(m.Stdout, "civicscore %s\nduckdb %s\ngo %s %s/%s\nschema %d\n", version, dv,
				runtime.Version(), runtime.GOOS, runtime.GOARCH, store.SchemaVersion())
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, d := range bi.Deps {
					if d.Path == "github.com/duckdb/duckdb-go/v2" {
						fmt.Fprintf(m.Stdout, "driver %s %s\n", d.Path, d.Version)
					}
				}
			}
			return nil
		},
	}
}
