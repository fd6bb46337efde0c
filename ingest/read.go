package ingest

import (
	"archive/zip"
	"bufio"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
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
//
// A quote that is opened and never closed (or closed and followed by more
// text) would make encoding/csv read every following line into one field
// and lose them all in one malformed row. So the reader is fed one physical
// line at a time through lineFeeder, which keeps the lines of the record
// being read: when a record that spans several lines turns out malformed,
// only its first line is filed as malformed_row and the lines after it are
// read again as rows.
type csvSource struct {
	f      *os.File
	comma  rune
	feed   *lineFeeder
	br     *bufio.Reader
	r      *csv.Reader
	header []string
	row    int64
	// base is the number of physical lines read before r's first line.
	base int
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
	src := bufio.NewReaderSize(in, 1<<16)
	if b, err := src.Peek(3); err == nil && string(b) == "\ufeff" {
		src.Discard(3)
	}
	s := &csvSource{f: f, comma: comma, feed: &lineFeeder{src: src}}
	// csv.Reader reads through br by whole lines (ReadSlice('\n')), and
	// lineFeeder hands out at most one line per Read, so br never holds more
	// than the line being parsed.
	s.br = bufio.NewReaderSize(s.feed, 4096)
	s.reset(0)
	header, err := s.r.Read()
	if err == io.EOF {
		f.Close()
		return nil, errors.New("the file is empty: no header row")
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("header: %w", err)
	}
	s.feed.mark()
	s.header = header
	s.row = 1
	return s, nil
}

// reset starts a new csv.Reader after base physical lines.
func (s *csvSource) reset(base int) {
	r := csv.NewReader(s.br)
	r.Comma = s.comma
	r.FieldsPerRecord = -1
	r.ReuseRecord = false
	s.r, s.base = r, base
}

func (s *csvSource) Header() []string { return s.header }

func (s *csvSource) Next() ([]string, int64, string, error) {
	for {
		rec, err := s.r.Read()
		if err == io.EOF {
			return nil, 0, "", io.EOF
		}
		s.row++
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			s.row = int64(s.base + pe.StartLine) // the line the record starts on
			msg := fmt.Sprintf("line %d, column %d: %v", s.base+pe.Line, pe.Column, pe.Err)
			if pe.StartLine < pe.Line {
				// The record began on an earlier line: file that line alone
				// and read the lines after it again.
				start := s.base + pe.StartLine
				msg = fmt.Sprintf("line %d: a quoted field opened on this line is not closed properly (%v at line %d, column %d); the lines after it are read as rows",
					start, pe.Err, s.base+pe.Line, pe.Column)
				s.feed.replayAfterFirst()
				s.reset(start)
			}
			s.feed.mark()
			return nil, s.row, msg, nil
		}
		if err != nil {
			return nil, 0, "", err
		}
		s.feed.mark()
		// The row number is the line the record starts on (a quoted
		// cell may span lines; empty lines are no records). FieldPos
		// only after a successful Read: after a parse error in the first
		// field it has no position and panics.
		if line, _ := s.r.FieldPos(0); line > 0 {
			s.row = int64(s.base + line)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			// encoding/csv skips empty lines itself; a line of spaces is no row either.
			s.row--
			continue
		}
		if len(rec) > len(s.header) {
			extra := rec[len(s.header):]
			if strings.TrimSpace(strings.Join(extra, "")) != "" {
				// FieldPos only after a successful Read: after a parse
				// error in the first field it has no position and panics.
				line, _ := s.r.FieldPos(0)
				return rec, s.row, fmt.Sprintf("line %d: %d fields, the header has %d", s.base+line, len(rec), len(s.header)), nil
			}
			rec = rec[:len(s.header)]
		}
		return rec, s.row, "", nil
	}
}

func (s *csvSource) Close() error { return s.f.Close() }

// lineFeeder is an io.Reader that hands out its source one physical line at
// a time (never more than one line per Read) and keeps the lines handed out
// since the last mark, so that they can be handed out again.
type lineFeeder struct {
	src     *bufio.Reader
	cur     []byte   // rest of the line being handed out
	lines   [][]byte // lines handed out since the last mark
	pending [][]byte // lines to hand out again before reading src
	err     error
}

func (l *lineFeeder) Read(p []byte) (int, error) {
	if len(l.cur) == 0 {
		if len(l.pending) > 0 {
			l.cur, l.pending = l.pending[0], l.pending[1:]
		} else {
			if l.err != nil {
				return 0, l.err
			}
			line, err := l.src.ReadBytes('\n')
			if err != nil {
				l.err = err
				if len(line) == 0 {
					return 0, err
				}
			}
			l.cur = line
		}
		l.lines = append(l.lines, l.cur)
	}
	n := copy(p, l.cur)
	l.cur = l.cur[n:]
	return n, nil
}

// mark forgets the lines handed out so far: the record they made is done.
func (l *lineFeeder) mark() { l.lines = l.lines[:0] }

// replayAfterFirst hands out again every line since the mark but the first.
func (l *lineFeeder) replayAfterFirst() {
	// csv.Reader has read every line of the record to its end (it parses
	// whole lines), so nothing of them is left in cur.
	if len(l.lines) > 1 {
		again := make([][]byte, 0, len(l.lines)-1+len(l.pending))
		again = append(again, l.lines[1:]...)
		l.pending = append(again, l.pending...)
	}
	l.lines = l.lines[:0]
}

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
	if err := checkWorksheets(path); err != nil {
		f.Close()
		return nil, err
	}
	if sheet == "" {
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			f.Close()
			return nil, errors.New("the workbook has no sheet")
		}
		sheet = sheets[0]
	} else if sheets := f.GetSheetList(); !slices.Contains(sheets, sheet) {
		f.Close()
		return nil, fmt.Errorf("the workbook has no sheet %q (config sheet); its sheets: %s", sheet, strings.Join(sheets, ", "))
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
	if err := rows.Error(); err != nil {
		s.Close()
		return nil, fmt.Errorf("sheet %q: %w", sheet, err)
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

// checkWorksheets reads every worksheet of the workbook at path through an
// XML decoder to its end. excelize's row reader takes a worksheet cut short
// (a damaged or truncated file inside a sound zip) for its end and would
// load the rows before the damage as if they were all: this makes such a
// workbook an error that names the damaged part.
func checkWorksheets(path string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return fmt.Errorf("not a readable .xlsx workbook: %w", err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/") || !strings.HasSuffix(zf.Name, ".xml") {
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			return fmt.Errorf("damaged .xlsx workbook: %s: %w", zf.Name, err)
		}
		dec := xml.NewDecoder(bufio.NewReaderSize(rc, 1<<16))
		depth := 0
		for {
			tok, err := dec.RawToken()
			if err == io.EOF {
				break
			}
			if err != nil {
				rc.Close()
				line, _ := dec.InputPos()
				return fmt.Errorf("damaged .xlsx workbook: %s is cut short or broken at line %d: %v", zf.Name, line, err)
			}
			switch tok.(type) {
			case xml.StartElement:
				depth++
			case xml.EndElement:
				depth--
			}
		}
		rc.Close()
		if depth != 0 {
			return fmt.Errorf("damaged .xlsx workbook: %s is cut short (%d elements left open)", zf.Name, depth)
		}
	}
	return nil
}

// excelDate turns an Excel serial date (days since 1899-12-30, the fraction
// the time of day) into "YYYY-MM-DD HH:MM:SS"; other text is returned as is.
func excelDate(v string) string {
	t := strings.TrimSpace(v)
	// Only a plain decimal number is a serial: ParseFloat also reads NaN,
	// Inf, hex and digits with underscores, which are not.
	if !serialRe.MatchString(t) {
		return v
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 1 || f > 2958465 {
		return v
	}
	tm, err := excelize.ExcelDateToTime(f, false)
	if err != nil {
		return v
	}
	return tm.Round(time.Second).Format("2006-01-02 15:04:05")
}

// serialRe matches a plain decimal number, as Excel stores a date serial.
var serialRe = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// open311Source reads an Open311 GeoReport v2 service request array. Each
// object is one case; its keys are the header (the union of the first
// object's keys and the standard fields), mapped by the Open311 aliases.
type open311Source struct {
	f      *os.File
	dec    *json.Decoder
	header []string
	row    int64
	first  map[string]any
	done   bool // the array's end was read
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
	if s.done {
		return nil, 0, "", io.EOF
	}
	if !s.dec.More() {
		// The array must close, and nothing may follow: a file cut short
		// between two requests would otherwise load as if complete.
		s.done = true
		if tok, err := s.dec.Token(); err != nil || tok != json.Delim(']') {
			return nil, 0, "", fmt.Errorf("after request %d (byte %d): the file ends before the closing ] of the array (cut short?)", s.row, s.dec.InputOffset())
		}
		if _, err := s.dec.Token(); err != io.EOF {
			return nil, 0, "", fmt.Errorf("byte %d: more data after the closing ] of the array", s.dec.InputOffset())
		}
		return nil, 0, "", io.EOF
	}
	s.row++
	var obj map[string]any
	if err := s.dec.Decode(&obj); err != nil {
		// Only a request that is valid JSON but not an object (a string, a
		// number, an array) is a malformed row: the decoder has read past it.
		// Any other error (bad syntax, the file cut short) stops the file:
		// the decoder cannot go on, and would return the same error for
		// ever (a file cut short once made the reader loop without end).
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, s.row, fmt.Sprintf("request %d: %v", s.row, err), nil
		}
		if errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, 0, "", fmt.Errorf("request %d (byte %d): the file ends inside it (cut short?): %w", s.row, s.dec.InputOffset(), err)
		}
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, 0, "", fmt.Errorf("request %d (byte %d): %w", s.row, se.Offset, err)
		}
		return nil, 0, "", fmt.Errorf("request %d: %w", s.row, err)
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

// townless removes words in which 乡 or 镇 does not name a township, as in
// 区城乡建设局 or 城镇管理: a district bureau, not a street office.
var townless = strings.NewReplacer("城乡", "", "城镇", "", "乡村", "", "乡镇街道", "街道")

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
	case strings.Contains(a, "街道") || strings.ContainsAny(townless.Replace(a), "乡镇"):
		return "street"
	case strings.HasPrefix(a, "市") || strings.Contains(a, "市级"):
		return "city"
	case strings.Contains(a, "区"):
		return "district"
	}
	return a
}
