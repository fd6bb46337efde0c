package ingest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/civicscore/civicscore"
)

// formats civicscore reads, by file extension.
var formats = map[string]string{".csv": "csv", ".tsv": "tsv", ".txt": "csv", ".xlsx": "xlsx", ".json": "json"}

// ResolveFiles expands the configured entries of one kind — paths, globs or
// folders — into files, in order: entries as listed, glob matches and folder
// contents sorted by name. An entry that names nothing is an error naming it.
func ResolveFiles(kind civicscore.Kind, entries []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, e := range entries {
		if strings.ContainsAny(e, "*?[") {
			matches, err := filepath.Glob(e)
			if err != nil {
				return nil, fmt.Errorf("inputs.%s: pattern %q: %w", kind, e, civicscore.ErrInput)
			}
			sort.Strings(matches)
			n := 0
			for _, m := range matches {
				if fi, err := os.Stat(m); err == nil && !fi.IsDir() {
					add(m)
					n++
				}
			}
			if n == 0 {
				return nil, fmt.Errorf("inputs.%s: %s matches no file: %w", kind, e, civicscore.ErrInput)
			}
			continue
		}
		fi, err := os.Stat(e)
		if err != nil {
			return nil, fmt.Errorf("inputs.%s: %s: %w", kind, e, errors.Join(civicscore.ErrInput, err))
		}
		if !fi.IsDir() {
			add(e)
			continue
		}
		entries, err := os.ReadDir(e)
		if err != nil {
			return nil, fmt.Errorf("inputs.%s: %s: %w", kind, e, errors.Join(civicscore.ErrInput, err))
		}
		n := 0
		for _, d := range entries {
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") || strings.HasPrefix(d.Name(), "~$") {
				continue
			}
			if _, ok := formats[strings.ToLower(filepath.Ext(d.Name()))]; ok {
				add(filepath.Join(e, d.Name()))
				n++
			}
		}
		if n == 0 {
			return nil, fmt.Errorf("inputs.%s: folder %s holds no .csv, .tsv, .xlsx or .json file: %w", kind, e, civicscore.ErrInput)
		}
	}
	return out, nil
}

// scan is what one pass over a file's bytes tells.
type scan struct {
	sha256    string
	size      int64
	utf8      bool // every byte sequence is valid UTF-8
	blankLine bool // an empty line inside the file (DuckDB's reader skips those)
	nul       bool // a NUL byte
	// nulLine is the line (from 1) of the first NUL byte, 0 when none.
	nulLine int64
	// badUTF8Line is the first line that is not valid UTF-8, 0 when none.
	badUTF8Line int64
	// chineseUTF8Line is the first line that is valid UTF-8 and holds
	// Chinese text (see utf8Evidence), 0 when none: a file in GB18030 all
	// through never has one, so with badUTF8Line it tells a file that mixes
	// the two encodings.
	chineseUTF8Line int64
	// bom16 names a UTF-16 byte-order mark at the start ("UTF-16LE" or
	// "UTF-16BE"), "" when none.
	bom16 string
}

// scanFile hashes the file and checks its encoding in one pass, line by line
// (a '\n' byte is never part of a multi-byte character in UTF-8 or GB18030).
func scanFile(path string) (scan, error) {
	f, err := os.Open(path)
	if err != nil {
		return scan{}, err
	}
	defer f.Close()
	h := sha256.New()
	s := scan{utf8: true}
	lines := lineScanner{s: &s, line: 1}
	buf := make([]byte, 1<<20)
	// last2 holds the file's last two bytes so far, for blank lines that
	// straddle two reads.
	last2 := [2]byte{'\n', '\n'}
	first := true
	for {
		n, err := f.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			h.Write(chunk)
			if first && n >= 2 {
				switch {
				case chunk[0] == 0xFF && chunk[1] == 0xFE:
					s.bom16 = "UTF-16LE"
				case chunk[0] == 0xFE && chunk[1] == 0xFF:
					s.bom16 = "UTF-16BE"
				}
			}
			s.size += int64(n)
			if !s.blankLine {
				if bytes.Contains(chunk, []byte("\n\n")) || bytes.Contains(chunk, []byte("\n\r\n")) ||
					(!first && last2[1] == '\n' && (chunk[0] == '\n' || chunk[0] == '\r')) ||
					(!first && last2[0] == '\n' && last2[1] == '\r' && chunk[0] == '\n') ||
					(!first && n >= 2 && last2[1] == '\n' && chunk[0] == '\r' && chunk[1] == '\n') {
					s.blankLine = true
				}
			}
			if n >= 2 {
				last2 = [2]byte{chunk[n-2], chunk[n-1]}
			} else {
				last2 = [2]byte{last2[1], chunk[0]}
			}
			first = false
			lines.write(chunk)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return scan{}, err
		}
	}
	lines.end()
	s.sha256 = hex.EncodeToString(h.Sum(nil))
	return s, nil
}

// lineScanner checks each line's bytes as they stream past: NUL bytes, UTF-8
// validity and Chinese text in UTF-8.
type lineScanner struct {
	s     *scan
	line  int64
	carry []byte // an incomplete character at the end of the previous write
	// State of the current line.
	invalid bool // a byte sequence that is not UTF-8
	han     bool // a Han character
	foreign bool // a non-ASCII character that Chinese text in UTF-8 rarely holds
}

func (l *lineScanner) write(chunk []byte) {
	data := chunk
	if len(l.carry) > 0 {
		data = append(l.carry, chunk...)
		l.carry = nil
	}
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			// Keep an incomplete character at the end for the next write.
			cut := len(data)
			for j := len(data) - 1; j >= 0 && j > len(data)-utf8.UTFMax; j-- {
				if utf8.RuneStart(data[j]) {
					if !utf8.FullRune(data[j:]) {
						cut = j
					}
					break
				}
			}
			l.segment(data[:cut])
			l.carry = append([]byte(nil), data[cut:]...)
			return
		}
		l.segment(data[:i])
		l.endLine()
		data = data[i+1:]
	}
}

// segment checks part of the current line.
func (l *lineScanner) segment(b []byte) {
	if l.s.nulLine == 0 && bytes.IndexByte(b, 0) >= 0 {
		l.s.nul = true
		l.s.nulLine = l.line
	}
	if l.invalid {
		return
	}
	if !utf8.Valid(b) {
		l.invalid = true
		return
	}
	if l.s.chineseUTF8Line > 0 || l.foreign {
		return // the evidence is in already, or this line gives none
	}
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		if isChineseText(r) {
			l.han = l.han || unicode.Is(unicode.Han, r)
		} else {
			l.foreign = true
		}
		b = b[size:]
	}
}

func (l *lineScanner) endLine() {
	if len(l.carry) > 0 {
		l.invalid = true // a character cut short by the end of the line
		l.carry = nil
	}
	if l.invalid {
		l.s.utf8 = false
		if l.s.badUTF8Line == 0 {
			l.s.badUTF8Line = l.line
		}
	} else if l.han && !l.foreign && l.s.chineseUTF8Line == 0 {
		l.s.chineseUTF8Line = l.line
	}
	l.line++
	l.invalid, l.han, l.foreign = false, false, false
}

func (l *lineScanner) end() {
	if len(l.carry) > 0 {
		l.invalid = true
		l.carry = nil
	}
	l.endLine()
}

// isChineseText reports whether r is a character that Chinese text in UTF-8
// is made of: Han characters, CJK and full-width punctuation, general
// punctuation and the byte-order mark. Bytes of GB18030 text that happen to
// be valid UTF-8 decode mostly to other characters (Latin, Greek, Cyrillic),
// so a line of these only is good evidence of UTF-8.
func isChineseText(r rune) bool {
	return unicode.Is(unicode.Han, r) ||
		(r >= 0x3000 && r <= 0x303F) || // CJK symbols and punctuation
		(r >= 0xFF00 && r <= 0xFFEF) || // full-width forms
		(r >= 0x2000 && r <= 0x206F) || // general punctuation
		r == 0xFEFF
}
