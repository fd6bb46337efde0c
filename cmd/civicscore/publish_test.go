package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/civicscore/civicscore/reports"
)

// demoConfig writes a config whose out is the demo's output folder.
func demoConfig(t *testing.T) string {
	t.Helper()
	dir := ensureDemo(t)
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(cfg, []byte("out: "+abs+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestPublish(t *testing.T) {
	cfg := demoConfig(t)
	to := filepath.Join(t.TempDir(), "public")
	code, stdout, stderr := run(t, "publish", "--config", cfg, "--to", to)
	if code != 0 {
		t.Fatalf("publish exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "public") {
		t.Errorf("publish should print the folder, printed %q", stdout)
	}
	for _, want := range []string{"index.html", "ranking.html", "methodology.html", "assets/echarts.min.js", "assets/style.css", "assets/civicscore.js"} {
		if _, err := os.Stat(filepath.Join(to, want)); err != nil {
			t.Errorf("published folder lacks %s", want)
		}
	}
	cards, _ := filepath.Glob(filepath.Join(to, "scorecards", "*.html"))
	if len(cards) != 20 {
		t.Errorf("%d scorecards published, want 20", len(cards))
	}
	// Nothing internal: no data-quality page, no district or street report,
	// no table or CSV, no bureau's workbook, no file paths or reject reasons
	// in any page.
	for _, absent := range []string{"data-quality.html", "communities.html", "communities.csv", reports.WorkbookFile, "streets"} {
		if _, err := os.Stat(filepath.Join(to, absent)); err == nil {
			t.Errorf("published folder has internal %s", absent)
		}
	}
	err := filepath.WalkDir(to, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasPrefix(e.Name(), "echarts") || strings.HasPrefix(e.Name(), "ECHARTS") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, leak := range []string{"inputs/", "cases.csv", "surveys.csv", "duplicate_respondent", "speeder", "data-quality", "source_file", demoDir} {
			if bytes.Contains(b, []byte(leak)) {
				t.Errorf("published %s contains internal %q", p, leak)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	idx, _ := os.ReadFile(filepath.Join(to, "index.html"))
	rank, _ := os.ReadFile(filepath.Join(to, "ranking.html"))
	if !bytes.Equal(idx, rank) || !bytes.Contains(idx, []byte("scorecards/")) {
		t.Error("index.html of the published folder should be the ranking, linking the scorecards")
	}

	// Publishing again replaces the folder whole: a stray file goes.
	stray := filepath.Join(to, "scorecards", "gone.html")
	if err := os.WriteFile(stray, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "publish", "--config", cfg, "--to", to); code != 0 {
		t.Fatalf("second publish exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(stray); err == nil {
		t.Error("a file of an earlier publish survived")
	}
	entries, _ := os.ReadDir(filepath.Dir(to))
	if len(entries) != 1 {
		t.Errorf("publish left debris beside the folder: %v", entries)
	}

	// A folder civicscore did not publish is never replaced.
	foreign := t.TempDir()
	keep := filepath.Join(foreign, "keep.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "publish", "--config", cfg, "--to", foreign); code != 2 || !strings.Contains(stderr, "did not publish") {
		t.Errorf("publish into a foreign folder: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(keep); err != nil {
		t.Error("publish touched a foreign folder")
	}
	// Nor the report itself, nor a folder inside it.
	if code, _, _ := run(t, "publish", "--config", cfg, "--to", filepath.Join(demoDir, "report", "pub")); code != 2 {
		t.Errorf("publish into the report: exit %d, want 2", code)
	}
	for _, args := range [][]string{{"publish", "--config", cfg}, {"publish", "--to", to}} {
		if code, _, _ := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	// No report yet: a clear failure.
	empty := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(empty, []byte("out: "+filepath.Join(t.TempDir(), "nothing")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "publish", "--config", empty, "--to", filepath.Join(t.TempDir(), "p")); code != 1 || !strings.Contains(stderr, "civicscore report") {
		t.Errorf("publish without a report: exit %d, %s", code, stderr)
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServe(t *testing.T) {
	dir := filepath.Join(ensureDemo(t), "report")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var out syncBuffer
	m := NewMain()
	m.Stdout, m.Stderr = &out, io.Discard
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.serve(ctx, ln, dir) }()
	base := "http://" + ln.Addr().String()
	client := &http.Client{Timeout: 10 * time.Second}
	get := func(method, p string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, base+p, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, p, err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	resp, body := get("GET", "/")
	if resp.StatusCode != 200 || !strings.Contains(body, "<!DOCTYPE html>") {
		t.Errorf("GET /: %d", resp.StatusCode)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("no content security policy: %q", csp)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no nosniff header")
	}
	if resp, _ := get("GET", "/assets/echarts.min.js"); resp.StatusCode != 200 {
		t.Errorf("GET the chart library: %d", resp.StatusCode)
	}
	for _, p := range []string{"/scorecards/", "/assets/", "/../civicscore.duckdb", "/nope.html"} {
		if resp, _ := get("GET", p); resp.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404 (no listings, nothing outside the folder)", p, resp.StatusCode)
		}
	}
	if resp, _ := get("POST", "/index.html"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", resp.StatusCode)
	}
	if !strings.Contains(out.String(), "http://127.0.0.1:") {
		t.Errorf("serve should print its URL, printed %q", out.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeFlags(t *testing.T) {
	m := NewMain()
	if err := m.ParseFlags(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	cmd, _, err := m.root.Find([]string{"serve"})
	if err != nil {
		t.Fatal(err)
	}
	if got := cmd.Flags().Lookup("addr").DefValue; got != "127.0.0.1:8080" {
		t.Errorf("serve --addr defaults to %q, want loopback 127.0.0.1:8080", got)
	}
	for _, args := range [][]string{{"serve"}, {"serve", "--dir", filepath.Join(t.TempDir(), "missing")}, {"serve", "--dir", t.TempDir(), "--addr", "no-port"}} {
		if code, _, _ := run(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}
