package main

// The corpus of broken inputs (testdata/bad/): each case of
// testdata/bad/cases.yaml runs through the real command, in-process, with a
// time limit, and must end as the manifest says.

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/spf13/viper"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/civicscore/civicscore/store"
)

// badDir is the corpus, at the repository root.
var badDir = filepath.Join("..", "..", "testdata", "bad")

// badCase is one entry of testdata/bad/cases.yaml.
type badCase struct {
	Name     string   `mapstructure:"name"`
	Input    string   `mapstructure:"input"`
	Generate string   `mapstructure:"generate"`
	Config   string   `mapstructure:"config"`
	Exit     int      `mapstructure:"exit"`
	Error    []string `mapstructure:"error"`
	Rejects  []string `mapstructure:"rejects"`
	// AnyRejects: the rejects are not listed (the checks count them).
	AnyRejects bool     `mapstructure:"any_rejects"`
	Checks     []string `mapstructure:"checks"`
}

func loadBadCases(t *testing.T) []badCase {
	t.Helper()
	v := viper.New()
	v.SetConfigFile(filepath.Join(badDir, "cases.yaml"))
	if err := v.ReadInConfig(); err != nil {
		t.Fatal(err)
	}
	var m struct {
		Cases []badCase `mapstructure:"cases"`
	}
	if err := v.Unmarshal(&m); err != nil {
		t.Fatal(err)
	}
	if len(m.Cases) < 20 {
		t.Fatalf("cases.yaml holds %d cases", len(m.Cases))
	}
	return m.Cases
}

const defaultBadConfig = `inputs: {communities: communities.csv, cases: cases.csv, services: services.csv, surveys: surveys.csv}
thresholds: {min_n: 5}
`

func TestBadInputs(t *testing.T) {
	cases := loadBadCases(t)
	names := map[string]bool{}
	for _, c := range cases {
		if names[c.Name] {
			t.Fatalf("case %s twice", c.Name)
		}
		names[c.Name] = true
		if c.Generate != "" && badGenerators[c.Generate] == nil {
			t.Fatalf("case %s: no generator %q", c.Name, c.Generate)
		}
	}
	// Every folder of the corpus is a case (or base/ or a fuzz corpus).
	entries, _ := os.ReadDir(badDir)
	for _, e := range entries {
		if e.IsDir() && e.Name() != "base" && !names[e.Name()] {
			t.Errorf("testdata/bad/%s is in no case of cases.yaml", e.Name())
		}
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			dir := t.TempDir()
			copyTree(t, filepath.Join(badDir, "base"), dir)
			os.Remove(filepath.Join(dir, "config.yaml"))
			if _, err := os.Stat(filepath.Join(badDir, c.Name)); err == nil {
				copyTree(t, filepath.Join(badDir, c.Name), dir)
			}
			if c.Generate != "" {
				badGenerators[c.Generate](t, dir)
			}
			body := c.Config
			if body == "" {
				body = defaultBadConfig
			}
			cfg := filepath.Join(dir, "config.yaml")
			if err := os.WriteFile(cfg, []byte("out: out\n"+body), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stderr := runGuarded(t, 2*time.Minute, "run", "--config", cfg)
			if code != c.Exit {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, c.Exit, tail(stderr, 3000))
			}
			for _, w := range c.Error {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not hold %q:\n%s", w, tail(stderr, 3000))
				}
			}
			out := filepath.Join(dir, "out")
			if c.Exit != 0 {
				// Nothing half-written: no database, report or Parquet
				// published, no staging folder left.
				entries, _ := os.ReadDir(out)
				for _, e := range entries {
					if e.Name() != ".civicscore.lock" {
						t.Errorf("a failed run left %s in the output folder", e.Name())
					}
				}
				return
			}
			db, err := store.Open(context.Background(), filepath.Join(out, store.DatabaseFile), store.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			query := func(q string) []string {
				rows, err := db.QueryContext(context.Background(), q)
				if err != nil {
					t.Fatalf("%s: %v", q, err)
				}
				defer rows.Close()
				var got []string
				for rows.Next() {
					var s *string
					if err := rows.Scan(&s); err != nil {
						t.Fatal(err)
					}
					if s == nil {
						got = append(got, "NULL")
					} else {
						got = append(got, *s)
					}
				}
				return got
			}
			// Rejects: exactly those of the manifest, each with a reason,
			// a detail and the row.
			got := query(`SELECT kind || '|' || regexp_extract(source_file, '[^/]+$') || '|' || coalesce(source_row::VARCHAR, 'NULL') || '|' || reason || '|' || detail
				FROM rejects ORDER BY kind, source_file, source_row`)
			if c.AnyRejects {
				// counted by the checks
			} else if len(got) != len(c.Rejects) {
				t.Errorf("%d rejects, want %d:\n  %s", len(got), len(c.Rejects), strings.Join(got, "\n  "))
			} else {
				for i, w := range c.Rejects {
					parts := strings.SplitN(w, "|", 5)
					g := strings.SplitN(got[i], "|", 5)
					if len(parts) != 5 || len(g) != 5 || !reflect.DeepEqual(parts[:4], g[:4]) || !strings.Contains(g[4], parts[4]) {
						t.Errorf("reject %d = %q, want %q", i, got[i], w)
					}
				}
			}
			for _, r := range query(`SELECT source_file || ' ' || coalesce(source_row::VARCHAR, 'no row') FROM rejects
				WHERE coalesce(reason, '') = '' OR coalesce(detail, '') = '' OR source_row IS NULL OR source_row < 1 OR source_file IS NULL`) {
				t.Errorf("reject without a reason, detail or row: %s", r)
			}
			// The counts add up: each row read is clean or rejected.
			for _, r := range query(`SELECT path || ': ' || rows_read || ' read, ' || rows_clean || ' clean, ' || rows_rejected || ' rejected'
				FROM ingest_files WHERE rows_read <> rows_clean + rows_rejected`) {
				t.Errorf("rows lost: %s", r)
			}
			if n := query(`SELECT (SELECT sum(rows_rejected) FROM ingest_files) = (SELECT count(*) FROM rejects)`); len(n) != 1 || n[0] != "true" {
				t.Errorf("ingest_files.rows_rejected does not add up to the rejects table")
			}
			for _, chk := range c.Checks {
				q, want, ok := strings.Cut(chk, " => ")
				if !ok {
					t.Fatalf("check %q: want \"SQL => value\"", chk)
				}
				if g := strings.Join(query(q), ","); g != strings.TrimSpace(want) {
					t.Errorf("%s = %q, want %q", q, g, want)
				}
			}
		})
	}
}

// runGuarded runs the command in-process like run, but turns a panic into a
// test failure and gives up (failing) after limit: a hang is a bug too.
func runGuarded(t *testing.T, limit time.Duration, args ...string) (code int, stderr string) {
	t.Helper()
	type result struct {
		code   int
		stderr string
		panic  string
	}
	done := make(chan result, 1)
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	go func() {
		var out, errb lockedBuffer
		defer func() {
			if p := recover(); p != nil {
				done <- result{panic: fmt.Sprintf("%v\n%s", p, debug.Stack())}
			}
		}()
		m := NewMain()
		m.Stdin = strings.NewReader("")
		m.Stdout, m.Stderr = &out, &errb
		m.Getenv = func(k string) string {
			if k == "CIVICSCORE_SALT" {
				return "test-salt"
			}
			return ""
		}
		err := m.Run(ctx, args)
		c := m.ExitCode(err)
		m.Close()
		done <- result{code: c, stderr: errb.String()}
	}()
	select {
	case r := <-done:
		if r.panic != "" {
			t.Fatalf("civicscore %s panicked: %s", strings.Join(args, " "), r.panic)
		}
		return r.code, r.stderr
	case <-time.After(limit + 30*time.Second):
		t.Fatalf("civicscore %s did not end within %v", strings.Join(args, " "), limit)
	}
	return 0, ""
}

// lockedBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// copyTree copies the files under src into dst.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// ---- generators of big or binary inputs ----

var badGenerators = map[string]func(t *testing.T, dir string){
	"binary_garbage": func(t *testing.T, dir string) {
		b := make([]byte, 4096)
		rand.New(rand.NewSource(8)).Read(b)
		for i := range b {
			if b[i] == 0 {
				b[i] = 0xFF
			}
		}
		writeFile(t, dir, "cases.csv", b)
	},
	"nul_bytes": func(t *testing.T, dir string) {
		editLines(t, dir, "cases.csv", func(i int, l string) string {
			if i == 4 { // line 5
				return strings.Replace(l, "hotline", "hot\x00line", 1)
			}
			return l
		})
	},
	"utf16": func(t *testing.T, dir string) {
		text := readFile(t, dir, "communities.csv")
		var b bytes.Buffer
		b.Write([]byte{0xFF, 0xFE})
		for _, u := range utf16.Encode([]rune(string(text))) {
			b.WriteByte(byte(u))
			b.WriteByte(byte(u >> 8))
		}
		writeFile(t, dir, "communities.csv", b.Bytes())
	},
	"gb18030_communities": func(t *testing.T, dir string) {
		writeFile(t, dir, "communities.csv", toGB18030(t, readFile(t, dir, "communities.csv")))
	},
	"gb18030_all": func(t *testing.T, dir string) {
		for _, f := range []string{"communities.csv", "cases.csv"} {
			writeFile(t, dir, f, toGB18030(t, readFile(t, dir, f)))
		}
	},
	"mixed_encodings": func(t *testing.T, dir string) {
		lines := strings.SplitAfter(string(readFile(t, dir, "communities.csv")), "\n")
		var b bytes.Buffer
		for i, l := range lines {
			if i == 2 { // line 3
				b.Write(toGB18030(t, []byte(l)))
			} else {
				b.WriteString(l)
			}
		}
		writeFile(t, dir, "communities.csv", b.Bytes())
	},
	"truncated_xlsx": func(t *testing.T, dir string) {
		b := csvToXLSX(t, readFile(t, dir, "surveys.csv"))
		writeFile(t, dir, "surveys.xlsx", b[:len(b)*6/10])
	},
	"damaged_xlsx_sheet": func(t *testing.T, dir string) {
		src := csvToXLSX(t, readFile(t, dir, "surveys.csv"))
		zr, err := zip.NewReader(bytes.NewReader(src), int64(len(src)))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		zw := zip.NewWriter(&out)
		for _, f := range zr.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(rc)
			rc.Close()
			if f.Name == "xl/worksheets/sheet1.xml" {
				b = b[:len(b)/2]
			}
			w, _ := zw.Create(f.Name)
			w.Write(b)
		}
		zw.Close()
		writeFile(t, dir, "surveys.xlsx", out.Bytes())
	},
	"open311_cut_short": func(t *testing.T, dir string) {
		b := open311Requests(5)
		cut := bytes.Index(b, []byte(`"J3"`)) + 2
		writeFile(t, dir, "cases.json", b[:cut])
	},
	"open311_unclosed": func(t *testing.T, dir string) {
		b := open311Requests(5)
		cut := bytes.Index(b, []byte(`{"agency_responsible":"一社区居委会","community_id":"C1","requested_datetime":"2025-03-03`))
		writeFile(t, dir, "cases.json", append(bytes.TrimRight(b[:cut], ",\n "), '\n'))
	},
	"open311_nul_escape": func(t *testing.T, dir string) {
		writeFile(t, dir, "cases.json", bytes.ReplaceAll(open311Requests(5), []byte("环境卫生"), []byte(`环境\u0000卫生`)))
	},
	"open311_not_objects": func(t *testing.T, dir string) {
		b := open311Requests(5)
		b = bytes.Replace(b, []byte(`{"agency_responsible":"一社区居委会","community_id":"C1","requested_datetime":"2025-03-02T09:00:00+08:00","service_name":"环境卫生","service_request_id":"J2","status":"open"}`), []byte(`"J2"`), 1)
		b = bytes.Replace(b, []byte(`{"agency_responsible":"一社区居委会","community_id":"C1","requested_datetime":"2025-03-04T09:00:00+08:00","service_name":"环境卫生","service_request_id":"J4","status":"open"}`), []byte(`4`), 1)
		writeFile(t, dir, "cases.json", b)
	},
	"big_field": func(t *testing.T, dir string) {
		big := func(n int) string { return strings.Repeat("x", n) }
		editLines(t, dir, "cases.csv", func(i int, l string) string {
			switch i {
			case 0:
				return l + ",备注"
			case 3: // row 4
				return l + `,"` + big(5_000_000) + `"`
			case 5: // row 6
				return l + "," + big(9_000_000)
			}
			if l == "" {
				return l
			}
			return l + ","
		})
	},
	"date_far_out_of_range": func(t *testing.T, dir string) {
		editLines(t, dir, "services.csv", func(i int, l string) string {
			if i == 1 {
				return strings.Replace(l, "2025-03-03", "1000000-1-1", 1)
			}
			return l
		})
	},
	"cr_only": func(t *testing.T, dir string) {
		writeFile(t, dir, "services.csv", bytes.ReplaceAll(readFile(t, dir, "services.csv"), []byte("\n"), []byte("\r")))
	},
	"communities_header_only": func(t *testing.T, dir string) {
		b := readFile(t, dir, "communities.csv")
		writeFile(t, dir, "communities.csv", b[:bytes.IndexByte(b, '\n')+1])
	},
}

// open311Requests is an Open311 array of n open requests J1..Jn, one per line.
func open311Requests(n int) []byte {
	var b bytes.Buffer
	b.WriteString("[\n")
	for i := 1; i <= n; i++ {
		r, _ := json.Marshal(map[string]string{"service_request_id": fmt.Sprintf("J%d", i), "community_id": "C1",
			"service_name": "环境卫生", "requested_datetime": fmt.Sprintf("2025-03-%02dT09:00:00+08:00", i),
			"status": "open", "agency_responsible": "一社区居委会"})
		b.Write(r)
		if i < n {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
	}
	b.WriteString("]\n")
	return b.Bytes()
}

func readFile(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// editLines rewrites the lines of a text file (line i from 0; the empty
// string after the last newline included).
func editLines(t *testing.T, dir, name string, edit func(i int, line string) string) {
	t.Helper()
	lines := strings.Split(string(readFile(t, dir, name)), "\n")
	for i, l := range lines {
		lines[i] = edit(i, l)
	}
	writeFile(t, dir, name, []byte(strings.Join(lines, "\n")))
}

func toGB18030(t *testing.T, b []byte) []byte {
	t.Helper()
	out, err := simplifiedchinese.GB18030.NewEncoder().Bytes(b)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// csvToXLSX writes a CSV's rows (text cells) into the first sheet of a workbook.
func csvToXLSX(t *testing.T, text []byte) []byte {
	t.Helper()
	f := excelize.NewFile()
	for i, line := range strings.Split(strings.TrimSpace(string(text)), "\n") {
		cells := strings.Split(line, ",")
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &row); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
