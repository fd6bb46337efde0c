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
// object is one case. Every key of a request is a header: the standard
// fields first (open311Fields, in that order), then every other key in the
// order it first appears in the file, each member of extended_attributes
// as extended_attributes.<key>; a nested object or array (attributes) is
// one cell holding its JSON text. The file is read twice: once for the
// keys, once for the rows. Numbers GeoReport writes loosely (006, with a
// leading zero, as in the specification's own example) are read as the
// text they are.
type open311Source struct {
	f      *os.File
	dec    *json.Decoder
	header []string
	col    map[string]int
	row    int64
	done   bool // the array's end was read
	// guessLevel applies open311Level to agency_responsible: set when that
	// field is the resolution_level column (no derive for it).
	guessLevel bool
}

// open311Fields are the GeoReport v2 fields read first, in header order.
var open311Fields = []string{
	"service_request_id", "service_name", "service_code", "requested_datetime", "expected_datetime",
	"updated_datetime", "status", "agency_responsible", "community_id", "closed_datetime",
	"status_notes", "description", "address", "lat", "long",
}

// open311Extended is the member whose members become headers of their own.
const open311Extended = "extended_attributes"

// openOpen311 opens an Open311 array: a first pass collects the keys.
func openOpen311(path string) (*open311Source, error) {
	header := append([]string{}, open311Fields...)
	col := map[string]int{}
	for i, k := range header {
		col[k] = i
	}
	first, err := openOpen311Pass(path)
	if err != nil {
		return nil, err
	}
	add := func(k string) {
		if _, ok := col[k]; !ok {
			col[k] = len(header)
			header = append(header, k)
		}
	}
	for first.dec.More() {
		var obj map[string]any
		if err := first.dec.Decode(&obj); err != nil {
			// The second pass reports it, with the request's number.
			break
		}
		for _, k := range orderedKeys(obj) {
			if ext, ok := obj[k].(map[string]any); ok && k == open311Extended {
				for _, ek := range orderedKeys(ext) {
					add(open311Extended + "." + ek)
				}
				continue
			}
			add(k)
		}
	}
	first.f.Close()
	s, err := openOpen311Pass(path)
	if err != nil {
		return nil, err
	}
	s.header, s.col = header, col
	return s, nil
}

// orderedKeys returns the keys of a decoded object, sorted (encoding/json
// does not keep the order of the file).
func orderedKeys(m map[string]any) []string { return sortedKeys(m) }

// openOpen311Pass opens the file and reads up to the array's opening [.
func openOpen311Pass(path string) (*open311Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(&looseNumbers{src: bufio.NewReaderSize(f, 1<<20)})
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
	return &open311Source{f: f, dec: dec}, nil
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
	set := func(k string, v any) {
		if i, ok := s.col[k]; ok && v != nil {
			cells[i] = jsonCell(v)
		}
	}
	for k, v := range obj {
		if ext, ok := v.(map[string]any); ok && k == open311Extended {
			for ek, ev := range ext {
				set(open311Extended+"."+ek, ev)
			}
			continue
		}
		set(k, v)
	}
	// A closed request's closing time is its update time unless given.
	if strings.EqualFold(cells[6], "closed") && cells[9] == "" {
		cells[9] = cells[5]
	}
	if s.guessLevel {
		cells[7] = open311Level(cells[7])
	}
	// Header row 1 does not exist in JSON; rows count requests from 1.
	return cells, s.row, "", nil
}

// jsonCell is the text of a decoded JSON value: strings and numbers as
// written, an object or array as its JSON text.
func jsonCell(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case map[string]any, []any:
		b, err := json.Marshal(x)
		if err != nil {
			return fmt.Sprint(x)
		}
		return string(b)
	}
	return fmt.Sprint(v)
}

// looseNumbers is an io.Reader over JSON text that quotes a number written
// with a leading zero (006, -01.5), which strict JSON refuses and GeoReport's
// own examples use for codes: it becomes the string "006". Everything else
// passes unchanged.
type looseNumbers struct {
	src      *bufio.Reader
	out      []byte
	inString bool
	escape   bool
	err      error
}

func (l *looseNumbers) Read(p []byte) (int, error) {
	for len(l.out) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		c, err := l.src.ReadByte()
		if err != nil {
			l.err = err
			continue
		}
		switch {
		case l.inString:
			l.out = append(l.out, c)
			switch {
			case l.escape:
				l.escape = false
			case c == '\\':
				l.escape = true
			case c == '"':
				l.inString = false
			}
		case c == '"':
			l.inString = true
			l.out = append(l.out, c)
		case c == '-' || (c >= '0' && c <= '9'):
			tok := []byte{c}
			for {
				b, err := l.src.ReadByte()
				if err != nil {
					l.err = err
					break
				}
				if (b >= '0' && b <= '9') || b == '.' || b == 'e' || b == 'E' || b == '+' || b == '-' {
					tok = append(tok, b)
					continue
				}
				l.src.UnreadByte()
				break
			}
			digits := tok
			if digits[0] == '-' {
				digits = digits[1:]
			}
			if len(digits) > 1 && digits[0] == '0' && digits[1] >= '0' && digits[1] <= '9' {
				l.out = append(append(append(l.out, '"'), tok...), '"')
			} else {
				l.out = append(l.out, tok...)
			}
		default:
			l.out = append(l.out, c)
		}
	}
	n := copy(p, l.out)
	l.out = l.out[n:]
	return n, nil
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
