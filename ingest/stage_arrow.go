//go:build duckdb_arrow

package ingest

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	duckdb "github.com/duckdb/duckdb-go/v2"
)

// BatchRows is the number of rows in one Arrow record batch: DuckDB's
// row-group size, so each batch fills one row group.
const BatchRows = 122880

// stageReader is an Arrow RecordReader that pulls rows from a rowSource on
// demand, BatchRows at a time, so memory stays bounded whatever the file size.
type stageReader struct {
	refs   int64
	schema *arrow.Schema
	build  *array.RecordBuilder
	rows   *stagedRows
	cur    arrow.RecordBatch
	err    error
	done   bool
}

func newStageReader(rows *stagedRows) *stageReader {
	fields := make([]arrow.Field, 0, len(rows.columns)+4)
	fields = append(fields, arrow.Field{Name: "_row", Type: arrow.PrimitiveTypes.Int64})
	for _, c := range rows.columns {
		fields = append(fields, arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	for _, c := range []string{"_extra", "_raw", "_error"} {
		fields = append(fields, arrow.Field{Name: c, Type: arrow.BinaryTypes.String, Nullable: true})
	}
	schema := arrow.NewSchema(fields, nil)
	return &stageReader{refs: 1, schema: schema, build: array.NewRecordBuilder(memory.DefaultAllocator, schema), rows: rows}
}

func (r *stageReader) Retain() { r.refs++ }
func (r *stageReader) Release() {
	r.refs--
	if r.refs == 0 {
		if r.cur != nil {
			r.cur.Release()
			r.cur = nil
		}
		r.build.Release()
	}
}
func (r *stageReader) Schema() *arrow.Schema          { return r.schema }
func (r *stageReader) RecordBatch() arrow.RecordBatch { return r.cur }
func (r *stageReader) Record() arrow.RecordBatch      { return r.cur }
func (r *stageReader) Err() error                     { return r.err }

func (r *stageReader) Next() bool {
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	if r.done {
		return false
	}
	n := 0
	rowB := r.build.Field(0).(*array.Int64Builder)
	strB := make([]*array.StringBuilder, len(r.schema.Fields())-1)
	for i := range strB {
		strB[i] = r.build.Field(i + 1).(*array.StringBuilder)
	}
	for n < BatchRows {
		rec, err := r.rows.next()
		if err == io.EOF {
			r.done = true
			break
		}
		if err != nil {
			r.err = err
			r.done = true
			return false
		}
		rowB.Append(rec.row)
		for i, v := range rec.values {
			if v == nil {
				strB[i].AppendNull()
			} else {
				strB[i].Append(*v)
			}
		}
		n++
	}
	if n == 0 {
		return false
	}
	r.cur = r.build.NewRecordBatch()
	return true
}

// stageFromSource fills the temp table stage_go (and the view stage_base
// over it) from rows parsed in Go, handed
// to DuckDB through the driver's Arrow interface.
func stageFromSource(ctx context.Context, conn driver.Conn, exec func(string) error, rows *stagedRows) error {
	ar, err := duckdb.NewArrowFromConn(conn)
	if err != nil {
		return fmt.Errorf("arrow: %w", err)
	}
	reader := newStageReader(rows)
	defer reader.Release()
	release, err := ar.RegisterView(reader, "cs_arrow_stage")
	if err != nil {
		return fmt.Errorf("arrow: %w", err)
	}
	defer release()
	err = exec("CREATE OR REPLACE TEMP TABLE stage_go AS SELECT * FROM cs_arrow_stage")
	// RegisterView makes a view in the database itself, not a temporary
	// one, and release leaves it: it would be published, pointing at freed
	// memory, and crash whoever queries it. Drop it at once.
	if derr := exec("DROP VIEW IF EXISTS main.cs_arrow_stage"); err == nil {
		err = derr
	}
	if reader.err != nil {
		return errors.Join(reader.err, err)
	}
	if err != nil {
		return err
	}
	if err := exec("CREATE OR REPLACE TEMP VIEW stage_base AS SELECT * EXCLUDE (_raw) FROM stage_go"); err != nil {
		return err
	}
	return exec("CREATE OR REPLACE TEMP VIEW stage_rawjson AS SELECT _row, _raw FROM stage_go")
}
