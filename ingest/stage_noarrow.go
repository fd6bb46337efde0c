//go:build !duckdb_arrow

package ingest

import (
	"context"
	"database/sql/driver"
	"errors"
)

// stageFromSource needs the driver's Arrow interface; build with
// -tags duckdb_arrow (the Makefile does).
func stageFromSource(ctx context.Context, conn driver.Conn, exec func(string) error, rows *stagedRows) error {
	return errors.New("this build cannot read GB18030, Excel or JSON files: build with -tags duckdb_arrow")
}
