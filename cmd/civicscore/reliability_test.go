package main

// Whole-run reliability: a `civicscore run` killed with SIGKILL at
// any point leaves the previously published database, Parquet files and
// report exactly as they were, and the next run succeeds; a second run
// while one is running stops with a clear "in use" error.

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/civicscore/civicscore/store"
)

// The kill test runs this test binary again as a child that runs the
// command given in childArgsEnv. Its stderr (the log) goes through a writer
// that stops the child for good right after it writes a line holding
// childFreezeEnv, so the parent can kill it at exactly that point.
const (
	childEnv       = "CIVICSCORE_TEST_CHILD"
	childArgsEnv   = "CIVICSCORE_TEST_CHILD_ARGS"
	childFreezeEnv = "CIVICSCORE_TEST_CHILD_FREEZE"
)

// TestChildRun is the child: it does nothing in a normal test run.
func TestChildRun(t *testing.T) {
	if os.Getenv(childEnv) != "1" {
		t.Skip("runs only as the child of TestKillRunAtAnyPoint")
	}
	var args []string
	if err := json.Unmarshal([]byte(os.Getenv(childArgsEnv)), &args); err != nil {
		panic(err)
	}
	m := NewMain()
	m.Stderr = &freezeWriter{w: os.Stderr, pattern: os.Getenv(childFreezeEnv)}
	err := m.Run(context.Background(), args)
	os.Exit(m.ExitCode(err))
}

// freezeWriter passes writes on, and after one that holds pattern never
// returns: the goroutine that logged stops there (with it, the run).
type freezeWriter struct {
	w       io.Writer
	pattern string
}

func (f *freezeWriter) Write(p []byte) (int, error) {
	n, err := f.w.Write(p)
	if f.pattern != "" && strings.Contains(string(p), f.pattern) {
		os.Stderr.Sync()
		for {
			time.Sleep(time.Hour)
		}
	}
	return n, err
}

// killPoint is where a child run is killed: at the first log line holding
// logLine (the child freezes there), or, with glob, as soon as a file
// matching it (relative to the output folder) appears.
type killPoint struct {
	name, logLine, glob string
}

// The child's last stop before it would commit: it freezes there at the
// latest, so no kill can land after the swap.
const lastLogBeforeCommit = "report written"

var killPoints = []killPoint{
	{name: "ingest starting", logLine: "file=prelude.sql"},
	{name: "communities staged", logLine: "msg=staged file=" /* the first file */},
	{name: "cases loading, inside the transaction", logLine: "file=cases.sql statement=2"},
	{name: "surveys loading", logLine: "file=surveys.sql statement=1"},
	{name: "ingest done", logLine: "msg=loaded kind=surveys"},
	{name: "computing", logLine: "file=sql/surveys.sql"},
	{name: "metrics computed", logLine: "metrics computed"},
	{name: "exporting Parquet", glob: ".staging-*/parquet/*.parquet"},
	{name: "writing the report", glob: ".staging-*/report/assets/*"},
	{name: "writing scorecards", glob: ".staging-*/report/scorecards/*.html"},
	{name: "all staged, before the commit", logLine: lastLogBeforeCommit},
}

// published hashes every published file of the output folder: the
// database, Parquet files and report (not the lock, staging or .old- names).
func published(t *testing.T, out string) map[string][32]byte {
	t.Helper()
	m := map[string][32]byte{}
	for _, name := range []string{store.DatabaseFile, "parquet", "report"} {
		filepath.Walk(filepath.Join(out, name), func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				rel, _ := filepath.Rel(out, p)
				m[rel] = sha256.Sum256(b)
			}
			return nil
		})
	}
	return m
}

func assertSame(t *testing.T, what string, before, after map[string][32]byte) {
	t.Helper()
	for p, h := range before {
		a, ok := after[p]
		switch {
		case !ok:
			t.Errorf("%s: %s is gone", what, p)
		case a != h:
			t.Errorf("%s: %s changed", what, p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s: %s appeared", what, p)
		}
	}
}

// runCount returns the number of rows of runs in the published database.
func runCount(t *testing.T, out string) int {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(out, store.DatabaseFile), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM runs").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestKillRunAtAnyPoint(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	gen := func(seed string) {
		t.Helper()
		if code, _, stderr := run(t, "gen", "--out", data, "--scale", "demo", "--seed", seed); code != 0 {
			t.Fatalf("gen: %s", stderr)
		}
	}
	gen("1")
	cfg := filepath.Join(data, "config.yaml")
	out := filepath.Join(data, "out")
	if code, _, stderr := run(t, "run", "--config", cfg); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	runs := runCount(t, out)

	for i, kp := range killPoints {
		ok := t.Run(kp.name, func(t *testing.T) {
			before := published(t, out)
			if len(before) < 20 {
				t.Fatalf("only %d published files", len(before))
			}
			// New inputs, so that the killed run has real work to do.
			gen(string(rune('2' + i%8)))

			args, _ := json.Marshal([]string{"run", "--config", cfg, "--log-level", "debug"})
			freeze := kp.logLine
			if freeze == "" {
				freeze = lastLogBeforeCommit
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestChildRun$")
			cmd.Env = append(os.Environ(), childEnv+"=1", childArgsEnv+"="+string(args), childFreezeEnv+"="+freeze,
				"CIVICSCORE_SALT=kill-test-salt", "TMPDIR="+tmp)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			killed := false
			defer func() {
				if !killed {
					cmd.Process.Kill()
					cmd.Wait()
				}
			}()
			var logText strings.Builder
			lines := make(chan string, 1024)
			go func() {
				sc := bufio.NewScanner(stderr)
				sc.Buffer(make([]byte, 1<<20), 1<<20)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			reached := func() bool {
				if kp.glob != "" {
					m, _ := filepath.Glob(filepath.Join(out, kp.glob))
					return len(m) > 0
				}
				return false
			}
			deadline := time.After(2 * time.Minute)
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
		wait:
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						cmd.Wait()
						t.Fatalf("the child ended before %q:\n%s", kp.name, logText.String())
					}
					logText.WriteString(l + "\n")
					if strings.Contains(l, freeze) {
						if kp.glob != "" {
							t.Logf("the child reached %q before %s appeared; killed there", freeze, kp.glob)
						}
						break wait
					}
				case <-tick.C:
					if reached() {
						break wait
					}
				case <-deadline:
					t.Fatalf("the child did not reach %q:\n%s", kp.name, logText.String())
				}
			}

			// While the child holds the output, a second run stops at once
			// with a clear error, and changes nothing.
			if i == 0 || kp.glob != "" {
				code, _, errText := run(t, "run", "--config", cfg)
				if code != 1 || !strings.Contains(errText, "in use") || !strings.Contains(errText, "another civicscore run") {
					t.Errorf("a second run while one runs: exit %d, %q; want 1 and an \"in use\" error", code, errText)
				}
			}

			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
			go func() {
				for range lines {
				}
			}()
			err = cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("the child ended with %v, want killed by SIGKILL", err)
			}

			// The published output is exactly as it was.
			assertSame(t, "after the kill", before, published(t, out))
			if old, _ := filepath.Glob(filepath.Join(out, ".old-*")); len(old) > 0 {
				t.Errorf("a kill before the commit left %v", old)
			}

			// The next run clears what the killed one left and succeeds.
			code, _, errText := run(t, "run", "--config", cfg)
			if code != 0 {
				t.Fatalf("the run after the kill: exit %d: %s", code, errText)
			}
			if left, _ := filepath.Glob(filepath.Join(out, ".staging-*")); len(left) > 0 {
				t.Errorf("staging folders left after the next run: %v", left)
			}
			runs++
			if got := runCount(t, out); got != runs {
				t.Errorf("runs = %d after the next run, want %d: the killed run must leave no row", got, runs)
			}
			if after := published(t, out); after[store.DatabaseFile] == before[store.DatabaseFile] {
				t.Errorf("the next run did not publish a new database")
			}
		})
		if !ok {
			runs = runCount(t, out)
		}
	}
}

// TestKillInsideCommit kills a run inside its commit, between publishing the
// database and publishing the report: the published output must then be
// wholly the old one or wholly the new one, never a mix.
//
// To hit that moment without hooks, the previous Parquet folder is filled
// with many files: the commit removes it after swapping it and before it
// swaps the report, and the test kills the run while .old-parquet exists.
func TestKillInsideCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	tmp := t.TempDir()
	data := filepath.Join(tmp, "data")
	code, stdout, stderr := run(t, "gen", "--out", data, "--scale", "demo", "--seed", "1")
	if code != 0 {
		t.Fatalf("gen: %s", stderr)
	}
	// The demo scale writes 3,000 cases, six of them bad (one per reason).
	if !strings.Contains(stdout, "cases.csv") || !strings.Contains(stdout, "3000 rows") || !strings.Contains(stdout, "6 bad rows") {
		t.Errorf("gen summary does not say what it wrote:\n%s", stdout)
	}
	cfg := filepath.Join(data, "config.yaml")
	out := filepath.Join(data, "out")
	if code, _, stderr := run(t, "run", "--config", cfg); code != 0 {
		t.Fatalf("first run: exit %d: %s", code, stderr)
	}
	for i := range 40000 {
		if err := os.WriteFile(filepath.Join(out, "parquet", "junk-"+fmt.Sprintf("%05d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	before := published(t, out)
	if code, _, stderr := run(t, "gen", "--out", data, "--scale", "demo", "--seed", "2"); code != 0 {
		t.Fatalf("gen: %s", stderr)
	}
	args, _ := json.Marshal([]string{"run", "--config", cfg})
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildRun$")
	cmd.Env = append(os.Environ(), childEnv+"=1", childArgsEnv+"="+string(args), "CIVICSCORE_SALT=kill-test-salt", "TMPDIR="+tmp)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(filepath.Join(out, ".old-parquet")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the commit never swapped the Parquet folder")
		}
		time.Sleep(200 * time.Microsecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	after := published(t, out)
	dbOld := after[store.DatabaseFile] == before[store.DatabaseFile]
	reportOld := after["report/index.html"] == before["report/index.html"]
	if dbOld != reportOld {
		t.Errorf("killed inside the commit: database old = %v, report old = %v: a mix of two runs is published", dbOld, reportOld)
	}
	if code, _, stderr := run(t, "run", "--config", cfg); code != 0 {
		t.Fatalf("the run after the kill: exit %d: %s", code, stderr)
	}
}
