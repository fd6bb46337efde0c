package synth

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Timestamps inside the generator are int64 seconds since 1970-01-01 00:00:00
// of a naive local clock (the data carry no zone; Asia/Shanghai has no daylight
// saving, so plain arithmetic is exact). Formatting them by hand instead of
// through time.Time.AppendFormat keeps the hot loops cheap.

const (
	secPerHour = 3600
	secPerDay  = 86400
)

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's algorithm; valid for z >= -719468).
func civilFromDays(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

// weekday returns 0 (Sunday) .. 6 (Saturday) of a day number.
func weekday(day int64) int { return int((day + 4) % 7) }

func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}

func append4(b []byte, v int) []byte {
	return append(b, byte('0'+v/1000), byte('0'+v/100%10), byte('0'+v/10%10), byte('0'+v%10))
}

// appendDate appends YYYY-MM-DD of the day containing t.
func appendDate(b []byte, t int64) []byte {
	y, m, d := civilFromDays(t / secPerDay)
	b = append4(b, y)
	b = append(b, '-')
	b = append2(b, m)
	b = append(b, '-')
	return append2(b, d)
}

// appendTS appends t as YYYY-MM-DD HH:MM:SS.
func appendTS(b []byte, t int64) []byte {
	b = appendDate(b, t)
	s := int(t % secPerDay)
	b = append(b, ' ')
	b = append2(b, s/3600)
	b = append(b, ':')
	b = append2(b, s/60%60)
	b = append(b, ':')
	return append2(b, s%60)
}

// appendPadded appends v in decimal, left-padded with zeros to width digits.
func appendPadded(b []byte, v int64, width int) []byte {
	var tmp [20]byte
	s := strconv.AppendInt(tmp[:0], v, 10)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// appendTenths appends v/10 with one decimal, e.g. 35 -> "3.5".
func appendTenths(b []byte, v int) []byte {
	b = strconv.AppendInt(b, int64(v/10), 10)
	return append(b, '.', byte('0'+v%10))
}

// appendField appends s as one CSV field, quoted per RFC 4180 when it holds
// a comma, a double quote, a CR or an LF (or starts with a space, which some
// readers would trim).
func appendField(b []byte, s string) []byte {
	if !strings.ContainsAny(s, ",\"\r\n") && (s == "" || s[0] != ' ') {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// digits returns the number of decimal digits of v >= 0.
func digits(v int64) int {
	return len(strconv.FormatInt(v, 10))
}

// output is one file being written: to a temporary name, renamed into place
// by commit, so an interrupted run never leaves a half-written file under
// the final name.
type output struct {
	path string
	tmp  string
	f    *os.File
	w    *bufio.Writer
	n    int64
}

func create(dir, name string) (*output, error) {
	path := filepath.Join(dir, name)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	return &output{path: path, tmp: tmp, f: f, w: bufio.NewWriterSize(f, 1<<20)}, nil
}

// write appends b to the file. Errors are sticky in the bufio.Writer and
// reported by commit.
func (o *output) write(b []byte) {
	o.w.Write(b)
	o.n += int64(len(b))
}

func (o *output) commit() error {
	err := o.w.Flush()
	if cerr := o.f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(o.tmp, o.path)
	}
	if err != nil {
		os.Remove(o.tmp)
		return fmt.Errorf("synth: writing %s: %w", o.path, err)
	}
	return nil
}
