package ingest

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"
)

// rowSource yields the rows of one file as text cells, header first.
type rowSource interface {
	// Header returns the header cells.
	Header() []string
	// Next returns the next data row and its row number in the file (the
	// header is row 1). rowErr describes a row that could not be read as a
	// record; it is filed as malformed_row. err is io.EOF at the end.
	Next() (cells []string, row int64, rowErr string, err error)
	Close() error
}

// csvSource reads delimited text through encoding/csv, transcoding GB18030.
type csvSource struct {
	f      *os.File
	r      *csv.Reader
	header []string
	row    int64
}

func openCSV(path string, comma rune, gb18030 bool) (*csvSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	var in io.Reader = bufio.NewReaderSize(f, 1<<20)
	if gb18030 {
		in = transform.NewReader(in, simplifiedchinese.GB18030.NewDecoder())
	}
	br := bufio.NewReader(in)
	if b, err := br.Peek(3); err == nil && string(b) == "\ufeff" {
		br.Discard(3)
	}
	r := csv.NewReader(br)
	r.Comma = comma
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	s := &csvSource{f: f, r: r}
	header, err := r.Read()
	if err == io.EOF {
		f.Close()
		return nil, errors.New("the file is empty: no header row")
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("header: %w", err)
	}
	s.header = header
	s.row = 1
	return s, nil
}

func (s *csvSource) Header() []string { return s.header }

func (s *csvSource) Next() ([]string, int64, string, error) {
	for {
		rec, err := s.r.Read()
		line, _ := s.r.FieldPos(0)
		if err == io.EOF {
			return nil, 0, "", io.EOF
		}
		s.row++
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, s.row, fmt.Sprintf("line %d, column %d: %v", pe.Line, pe.Column, pe.Err), nil
		}
		if err != nil {
			return nil, 0, "", err
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			// encoding/csv skips empty lines itself; a line of spaces is no row either.
			s.row--
			continue
		}
		if len(rec) > len(s.header) {
			extra := rec[len(s.header):]
			if strings.TrimSpace(strings.Join(extra, "")) != "" {
				return rec, s.row, fmt.Sprintf("line %d: %d fields, the header has %d", line, len(rec), len(s.header)), nil
			}
			rec = rec[:len(s.header)]
		}
		return rec, s.row, "", nil
	}
}

func (s *csvSource) Close() error { return s.f.Close() }

// xlsxSource streams the rows of one worksheet.
type xlsxSource struct {
	f      *excelize.File
	rows   *excelize.Rows
	header []string
	row    int64
	dates  map[int]bool // header indexes of timestamp columns (Excel serials converted)
}

func openXLSX(path, sheet string) (*xlsxSource, error) {
	f, err := excelize.OpenFile(path, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	if sheet == "" {
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			f.Close()
			return nil, errors.New("the workbook has no sheet")
		}
		sheet = sheets[0]
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("sheet %q: %w", sheet, err)
	}
	s := &xlsxSource{f: f, rows: rows, dates: map[int]bool{}}
	for rows.Next() {
		s.row++
		cells, err := rows.Columns()
		if err != nil {
			s.Close()
			return nil, fmt.Errorf("row %d: %w", s.row, err)
		}
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			continue
		}
		s.header = cells
		return s, nil
	}
	s.Close()
	return nil, errors.New("the sheet is empty: no header row")
}

func (s *xlsxSource) Header() []string { return s.header }

// markDates tells the source which header indexes hold timestamps, so that
// Excel serial numbers there become text timestamps.
func (s *xlsxSource) markDates(idx []int) {
	for _, i := range idx {
		s.dates[i] = true
	}
}

func (s *xlsxSource) Next() ([]string, int64, string, error) {
	for s.rows.Next() {
		s.row++
		cells, err := s.rows.Columns()
		if err != nil {
			return nil, s.row, fmt.Sprintf("row %d: %v", s.row, err), nil
		}
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			continue
		}
		for i, c := range cells {
			if s.dates[i] {
				cells[i] = excelDate(c)
			}
		}
		if len(cells) > len(s.header) {
			cells = cells[:len(s.header)]
		}
		return cells, s.row, "", nil
	}
	if err := s.rows.Error(); err != nil {
		return nil, 0, "", err
	}
	return nil, 0, "", io.EOF
}

func (s *xlsxSource) Close() error {
	if s.rows != nil {
		s.rows.Close()
	}
	return s.f.Close()
}

// excelDate turns an Excel serial date (days since 1899-12-30, the fraction
// the time of day) into "YYYY-MM-DD HH:MM:SS"; other text is returned as is.
func excelDate(v string) string {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 1 || f > 2958465 {
		return v
	}
	t, err := excelize.ExcelDateToTime(f, false)
	if err != nil {
		return v
	}
	return t.Round(time.Second).Format("2006-01-02 15:04:05")
}

// open311Source reads an Open311 GeoReport v2 service request array. Each
// object is one case; its keys are the header (the union of the first
// object's keys and the standard fields), mapped by the Open311 aliases.
type open311Source struct {
	f      *os.File
	dec    *json.Decoder
	header []string
	row    int64
	first  map[string]any
}

// open311Fields are the GeoReport v2 fields civicscore reads, in header order.
var open311Fields = []string{
	"service_request_id", "service_name", "service_code", "requested_datetime", "expected_datetime",
	"updated_datetime", "status", "agency_responsible", "community_id", "closed_datetime",
	"status_notes", "description", "address", "lat", "long",
}

func openOpen311(path string) (*open311Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("not Open311 JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		f.Close()
		return nil, errors.New("not Open311 JSON: want an array of service requests")
	}
	s := &open311Source{f: f, dec: dec, header: open311Fields}
	return s, nil
}

func (s *open311Source) Header() []string { return s.header }

func (s *open311Source) Next() ([]string, int64, string, error) {
	if !s.dec.More() {
		return nil, 0, "", io.EOF
	}
	s.row++
	var obj map[string]any
	if err := s.dec.Decode(&obj); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, 0, "", fmt.Errorf("request %d (byte %d): %w", s.row, se.Offset, err)
		}
		return nil, s.row + 1, fmt.Sprintf("request %d: %v", s.row, err), nil
	}
	cells := make([]string, len(s.header))
	for i, k := range s.header {
		if v, ok := obj[k]; ok && v != nil {
			cells[i] = fmt.Sprint(v)
		}
	}
	// A closed request's closing time is its update time unless given.
	if strings.EqualFold(cells[6], "closed") && cells[9] == "" {
		cells[9] = cells[5]
	}
	cells[7] = open311Level(cells[7])
	// Header row 1 does not exist in JSON; rows count requests from 1.
	return cells, s.row, "", nil
}

func (s *open311Source) Close() error { return s.f.Close() }

// open311Level reads the level of government from agency_responsible, e.g.
// "某某社区居委会" → community, "XX街道办事处" → street; other text is kept.
func open311Level(agency string) string {
	a := strings.TrimSpace(agency)
	switch {
	case a == "":
		return ""
	case strings.Contains(a, "社区") || strings.Contains(a, "居委"):
		return "community"
	case strings.Contains(a, "块区") || strings.Contains(a, "片区"):
		return "block"
	case strings.Contains(a, "街道") || strings.Contains(a, "乡") || strings.Contains(a, "镇"):
		return "street"
	case strings.HasPrefix(a, "市") || strings.Contains(a, "市级"):
		return "city"
	case strings.Contains(a, "区"):
		return "district"
	}
	return a
}
