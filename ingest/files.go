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
}

// scanFile hashes the file and checks its encoding in one pass.
func scanFile(path string) (scan, error) {
	f, err := os.Open(path)
	if err != nil {
		return scan{}, err
	}
	defer f.Close()
	h := sha256.New()
	s := scan{utf8: true}
	buf := make([]byte, 1<<20)
	var carry []byte
	var prev byte = '\n'
	first := true
	for {
		n, err := f.Read(buf)
		if n > 0 {
			chunk := buf[:n]
			h.Write(chunk)
			s.size += int64(n)
			if bytes.IndexByte(chunk, 0) >= 0 {
				s.nul = true
			}
			if !s.blankLine {
				if bytes.Contains(chunk, []byte("\n\n")) || bytes.Contains(chunk, []byte("\n\r\n")) ||
					(!first && prev == '\n' && (chunk[0] == '\n' || chunk[0] == '\r')) {
					s.blankLine = true
				}
			}
			prev = chunk[n-1]
			first = false
			if s.utf8 {
				data := append(carry, chunk...)
				// Keep an incomplete rune at the end for the next chunk.
				cut := len(data)
				i := len(data) - 1
				for i > 0 && i > len(data)-utf8.UTFMax && !utf8.RuneStart(data[i]) {
					i--
				}
				if i >= 0 && utf8.RuneStart(data[i]) && !utf8.FullRune(data[i:]) {
					cut = i
				}
				if !utf8.Valid(data[:cut]) {
					s.utf8 = false
				}
				carry = append([]byte(nil), data[cut:]...)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return scan{}, err
		}
	}
	if len(carry) > 0 && !utf8.Valid(carry) {
		s.utf8 = false
	}
	s.sha256 = hex.EncodeToString(h.Sum(nil))
	return s, nil
}
