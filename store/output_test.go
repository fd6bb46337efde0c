package store_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

// snapshot maps every file and folder under dir (relative, slash-separated)
// to its sha256 or "dir", leaving out the lock file and staging folders,
// which are not part of what a run publishes.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if rel == ".civicscore.lock" {
			return nil
		}
		if strings.HasPrefix(rel, ".staging-") {
			return filepath.SkipDir
		}
		if d.IsDir() {
			snap[rel] = "dir"
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		snap[rel] = hex.EncodeToString(sum[:])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func assertSnapshot(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	got := snapshot(t, dir)
	for _, k := range sortedKeys(want) {
		if got[k] != want[k] {
			t.Errorf("%s changed: %q, want %q", k, got[k], want[k])
		}
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok {
			t.Errorf("%s appeared", k)
		}
	}
}

// stagingDirs lists the .staging-* entries of dir.
func stagingDirs(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".staging-*"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// makeDatabase creates a database at path holding n rejects rows tagged tag.
func makeDatabase(t *testing.T, path, tag string, n int) {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(context.Background(),
		"INSERT INTO rejects (kind, source_file, reason) SELECT 'cases', ?, 'row ' || i FROM range(?) t(i)", tag, n)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// rejectsIn returns the number of rejects rows tagged tag in the database.
func rejectsIn(t *testing.T, path, tag string) int {
	t.Helper()
	db, err := store.Open(context.Background(), path, store.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	return count(t, db, "SELECT count(*) FROM rejects WHERE source_file = ?", tag)
}

// publishOld creates a published output in dir: a database with 5 rows
// tagged "old" and a report folder.
func publishOld(t *testing.T, dir string) {
	t.Helper()
	makeDatabase(t, filepath.Join(dir, store.DatabaseFile), "old", 5)
	write(t, filepath.Join(dir, "report", "index.html"), "<h1>old report</h1>")
	write(t, filepath.Join(dir, "report", "scorecards", "c001.html"), "old scorecard")
	write(t, filepath.Join(dir, "parquet", "cases.parquet"), "old parquet")
}

func begin(t *testing.T, dir string) *store.Output {
	t.Helper()
	out, err := store.BeginOutput(dir)
	if err != nil {
		t.Fatalf("BeginOutput(%s): %v", dir, err)
	}
	return out
}

func TestBeginOutputLock(t *testing.T) {
	tests := []struct {
		name string
		dir  func(t *testing.T) string
	}{
		{"new nested folder", func(t *testing.T) string { return filepath.Join(t.TempDir(), "a", "b", "out") }},
		{"existing folder with output", func(t *testing.T) string { d := t.TempDir(); publishOld(t, d); return d }},
		{"relative path", func(t *testing.T) string { t.Chdir(t.TempDir()); return "out" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := tt.dir(t)
			first := begin(t, dir)
			if first.Dir() != dir {
				t.Errorf("Dir() = %q, want %q", first.Dir(), dir)
			}
			for i := range 2 {
				second, err := store.BeginOutput(dir)
				if err == nil {
					second.Close()
					t.Fatalf("attempt %d: second BeginOutput on a held folder succeeded", i)
				}
				if !errors.Is(err, civicscore.ErrInUse) {
					t.Fatalf("attempt %d: second BeginOutput = %v, want ErrInUse", i, err)
				}
			}
			// The refused attempts did not disturb the holder's staging.
			if _, err := os.Stat(first.Staged("")); err != nil {
				t.Fatalf("staging folder of the holder: %v", err)
			}
			if err := first.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			if err := first.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			third, err := store.BeginOutput(dir)
			if err != nil {
				t.Fatalf("BeginOutput after Close: %v", err)
			}
			if err := third.Close(); err != nil {
				t.Fatal(err)
			}
			if s := stagingDirs(t, dir); len(s) != 0 {
				t.Errorf("staging folders left after Close: %v", s)
			}
		})
	}
}

func TestCommitReplaces(t *testing.T) {
	tests := []struct {
		name      string
		published bool     // an earlier output exists
		commit    []string // names committed
	}{
		{"over an earlier output", true, []string{store.DatabaseFile, "parquet", "report"}},
		{"first output", false, []string{store.DatabaseFile, "parquet", "report"}},
		{"database only", true, []string{store.DatabaseFile}},
		{"report only", true, []string{"report"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			if tt.published {
				publishOld(t, dir)
			}
			before := snapshot(t, dir)
			out := begin(t, dir)
			defer out.Close()

			dbPath, err := out.StageDatabase()
			if err != nil {
				t.Fatal(err)
			}
			if dbPath != out.Staged(store.DatabaseFile) || !strings.HasPrefix(dbPath, dir) {
				t.Errorf("StageDatabase = %s, want %s", dbPath, out.Staged(store.DatabaseFile))
			}
			wantOld := 0
			if tt.published {
				wantOld = 5
				if got := rejectsIn(t, dbPath, "old"); got != wantOld {
					t.Errorf("staged database holds %d old rows, want %d (a copy of the published one)", got, wantOld)
				}
			} else if _, err := os.Stat(dbPath); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("StageDatabase with nothing published staged a file: %v", err)
			}
			makeDatabase(t, dbPath, "new", 3)
			write(t, out.Staged("report/index.html"), "<h1>new report</h1>")
			write(t, out.Staged("report/posters/p.html"), "poster")
			write(t, out.Staged("parquet/cases.parquet"), "new parquet")

			if err := out.Commit(tt.commit...); err != nil {
				t.Fatalf("Commit: %v", err)
			}
			if err := out.Close(); err != nil {
				t.Fatal(err)
			}

			committed := func(name string) bool { return slices.Contains(tt.commit, name) }
			pub := out.Published
			if committed(store.DatabaseFile) {
				if got := rejectsIn(t, pub(store.DatabaseFile), "new"); got != 3 {
					t.Errorf("published database has %d new rows, want 3", got)
				}
				if got := rejectsIn(t, pub(store.DatabaseFile), "old"); got != wantOld {
					t.Errorf("published database has %d old rows, want %d", got, wantOld)
				}
			} else if snapshot(t, dir)[store.DatabaseFile] != before[store.DatabaseFile] {
				t.Error("database changed without being committed")
			}
			if committed("report") {
				if got := readString(t, pub("report/index.html")); got != "<h1>new report</h1>" {
					t.Errorf("report/index.html = %q", got)
				}
				if got := readString(t, pub("report/posters/p.html")); got != "poster" {
					t.Errorf("report/posters/p.html = %q", got)
				}
				// The folder is replaced whole: nothing of the old one remains.
				if _, err := os.Stat(pub("report/scorecards/c001.html")); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("old report file survived the swap: %v", err)
				}
			} else if tt.published && readString(t, pub("report/index.html")) != "<h1>old report</h1>" {
				t.Error("report changed without being committed")
			}
			if committed("parquet") && readString(t, pub("parquet/cases.parquet")) != "new parquet" {
				t.Error("parquet not replaced")
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, ".old-*"))
			leftovers = append(leftovers, stagingDirs(t, dir)...)
			if len(leftovers) != 0 {
				t.Errorf("left behind: %v", leftovers)
			}
		})
	}
}

func TestCommitMissingStaged(t *testing.T) {
	dir := t.TempDir()
	publishOld(t, dir)
	before := snapshot(t, dir)
	out := begin(t, dir)
	defer out.Close()
	if err := out.Commit("report"); err == nil {
		t.Fatal("Commit of a name never staged succeeded")
	}
	out.Close()
	assertSnapshot(t, dir, before)
}

func TestCloseWithoutCommit(t *testing.T) {
	tests := []struct {
		name  string
		stage func(t *testing.T, out *store.Output)
	}{
		{"nothing staged", func(t *testing.T, out *store.Output) {}},
		{"database staged and changed", func(t *testing.T, out *store.Output) {
			p, err := out.StageDatabase()
			if err != nil {
				t.Fatal(err)
			}
			makeDatabase(t, p, "new", 100)
		}},
		{"database left open", func(t *testing.T, out *store.Output) {
			p, err := out.StageDatabase()
			if err != nil {
				t.Fatal(err)
			}
			db, err := store.Open(context.Background(), p, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if _, err := db.ExecContext(context.Background(), "DELETE FROM rejects"); err != nil {
				t.Fatal(err)
			}
		}},
		{"everything staged", func(t *testing.T, out *store.Output) {
			p, err := out.StageDatabase()
			if err != nil {
				t.Fatal(err)
			}
			makeDatabase(t, p, "new", 1)
			write(t, out.Staged("report/index.html"), "new")
			write(t, out.Staged("parquet/cases.parquet"), "new")
			if err := out.StagePublished("report"); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			publishOld(t, dir)
			before := snapshot(t, dir)
			out := begin(t, dir)
			tt.stage(t, out)
			if err := out.Close(); err != nil {
				t.Fatalf("Close: %v", err)
			}
			assertSnapshot(t, dir, before)
			if got := rejectsIn(t, filepath.Join(dir, store.DatabaseFile), "old"); got != 5 {
				t.Errorf("published database has %d rows, want 5", got)
			}
			if s := stagingDirs(t, dir); len(s) != 0 {
				t.Errorf("Close left staging folders: %v", s)
			}
		})
	}
}

// TestStagePublished: copying a published name into staging and committing
// it republishes it unchanged.
func TestStagePublished(t *testing.T) {
	dir := t.TempDir()
	publishOld(t, dir)
	before := snapshot(t, dir)
	out := begin(t, dir)
	defer out.Close()
	for _, name := range []string{"report", "parquet", store.DatabaseFile, "absent"} {
		if err := out.StagePublished(name); err != nil {
			t.Fatalf("StagePublished(%s): %v", name, err)
		}
	}
	if _, err := os.Stat(out.Staged("absent")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("StagePublished of a missing name staged something: %v", err)
	}
	if got := readString(t, out.Staged("report/scorecards/c001.html")); got != "old scorecard" {
		t.Errorf("staged copy = %q", got)
	}
	if err := out.Commit("report", "parquet", store.DatabaseFile); err != nil {
		t.Fatal(err)
	}
	out.Close()
	assertSnapshot(t, dir, before)
}

func TestRecovery(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		check func(t *testing.T, dir string)
	}{
		{
			name: "killed between the two renames of a folder swap",
			setup: func(t *testing.T, dir string) {
				publishOld(t, dir)
				if err := os.Rename(filepath.Join(dir, "report"), filepath.Join(dir, ".old-report")); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, dir string) {
				if got := readString(t, filepath.Join(dir, "report/index.html")); got != "<h1>old report</h1>" {
					t.Errorf("report/index.html = %q, want the old report restored", got)
				}
				if got := readString(t, filepath.Join(dir, "report/scorecards/c001.html")); got != "old scorecard" {
					t.Errorf("report/scorecards/c001.html = %q", got)
				}
			},
		},
		{
			name: "killed after the swap, before removing the old folder",
			setup: func(t *testing.T, dir string) {
				publishOld(t, dir)
				write(t, filepath.Join(dir, ".old-report", "index.html"), "older")
			},
			check: func(t *testing.T, dir string) {
				if got := readString(t, filepath.Join(dir, "report/index.html")); got != "<h1>old report</h1>" {
					t.Errorf("report/index.html = %q, want the newer (published) report kept", got)
				}
			},
		},
		{
			name: "stale staging folders",
			setup: func(t *testing.T, dir string) {
				publishOld(t, dir)
				write(t, filepath.Join(dir, ".staging-123", store.DatabaseFile), "half a database")
				write(t, filepath.Join(dir, ".staging-123", "report", "deep", "x.html"), "x")
				write(t, filepath.Join(dir, ".staging-abc", "f"), "y")
			},
			check: func(t *testing.T, dir string) {
				for _, s := range []string{".staging-123", ".staging-abc"} {
					if _, err := os.Stat(filepath.Join(dir, s)); !errors.Is(err, os.ErrNotExist) {
						t.Errorf("%s not removed: %v", s, err)
					}
				}
			},
		},
		{
			name: "both at once, other files untouched",
			setup: func(t *testing.T, dir string) {
				publishOld(t, dir)
				if err := os.Rename(filepath.Join(dir, "parquet"), filepath.Join(dir, ".old-parquet")); err != nil {
					t.Fatal(err)
				}
				write(t, filepath.Join(dir, ".staging-x", "parquet", "cases.parquet"), "new")
				write(t, filepath.Join(dir, "notes.txt"), "mine")
			},
			check: func(t *testing.T, dir string) {
				if got := readString(t, filepath.Join(dir, "parquet/cases.parquet")); got != "old parquet" {
					t.Errorf("parquet/cases.parquet = %q", got)
				}
				if got := readString(t, filepath.Join(dir, "notes.txt")); got != "mine" {
					t.Errorf("notes.txt = %q", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			out := begin(t, dir)
			defer out.Close()
			tt.check(t, dir)
			old, _ := filepath.Glob(filepath.Join(dir, ".old-*"))
			if len(old) != 0 {
				t.Errorf(".old- folders left: %v", old)
			}
			// Only this run's own staging folder remains, and it is empty.
			s := stagingDirs(t, dir)
			if len(s) != 1 || s[0] != out.Staged("") {
				t.Errorf("staging folders = %v, want only %s", s, out.Staged(""))
			}
			if entries, err := os.ReadDir(out.Staged("")); err != nil || len(entries) != 0 {
				t.Errorf("fresh staging folder: %v entries, %v", len(entries), err)
			}
			if got := rejectsIn(t, filepath.Join(dir, store.DatabaseFile), "old"); got != 5 {
				t.Errorf("published database has %d rows, want 5", got)
			}
		})
	}
}

// The kill test runs this test binary again as a child (TestMain hands it
// to helperMain) that takes the output folder and works in it, printing a
// line at each point; the parent kills it with SIGKILL at one of them.
const (
	helperEnv    = "CIVICSCORE_TEST_HELPER"
	helperDirEnv = "CIVICSCORE_TEST_HELPER_DIR"
)

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "output" {
		if err := helperMain(os.Getenv(helperDirEnv)); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperMain begins an output in dir, stages the database and writes to it,
// stages a big file slowly, and then waits to be killed before committing.
func helperMain(dir string) error {
	say := func(point string) { fmt.Println(point) }
	out, err := store.BeginOutput(dir)
	if err != nil {
		return err
	}
	say("locked")
	dbPath, err := out.StageDatabase()
	if err != nil {
		return err
	}
	say("staged-database")
	db, err := store.Open(context.Background(), dbPath, store.Options{})
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(context.Background(),
		"INSERT INTO rejects (kind, source_file, reason) SELECT 'cases', 'child', repeat('x', 200) FROM range(200000)"); err != nil {
		return err
	}
	if _, err := db.ExecContext(context.Background(), "DELETE FROM rejects WHERE source_file = 'old'"); err != nil {
		return err
	}
	say("database-written") // the staged database is open, with uncheckpointed writes
	if err := os.MkdirAll(out.Staged("report"), 0o755); err != nil {
		return err
	}
	f, err := os.Create(out.Staged("report/big.bin"))
	if err != nil {
		return err
	}
	chunk := make([]byte, 1<<20)
	for i := range 64 {
		for j := range chunk {
			chunk[j] = byte(i + j)
		}
		if _, err := f.Write(chunk); err != nil {
			return err
		}
		if i == 0 {
			say("writing-big-file")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := f.Close(); err != nil {
		return err
	}
	say("staged-all")
	time.Sleep(time.Hour) // "committing" never comes: the parent kills us
	_ = db.Close()
	return out.Commit(store.DatabaseFile, "report")
}

func TestKillBeforeCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes")
	}
	for _, point := range []string{"locked", "staged-database", "database-written", "writing-big-file", "staged-all"} {
		t.Run(point, func(t *testing.T) {
			dir := t.TempDir()
			publishOld(t, dir)
			before := snapshot(t, dir)

			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"=output", helperDirEnv+"="+dir)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
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

			// Read the child's points until the one to kill at.
			lines := make(chan string)
			go func() {
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					lines <- sc.Text()
				}
				close(lines)
			}()
			timeout := time.After(2 * time.Minute)
		wait:
			for {
				select {
				case l, ok := <-lines:
					if !ok {
						cmd.Wait()
						t.Fatalf("child ended before %q: %s", point, stderr.String())
					}
					if l == point {
						break wait
					}
				case <-timeout:
					t.Fatalf("child did not reach %q: %s", point, stderr.String())
				}
			}

			// While the child holds the folder, this process cannot take it.
			if o, err := store.BeginOutput(dir); !errors.Is(err, civicscore.ErrInUse) {
				if o != nil {
					o.Close()
				}
				t.Fatalf("BeginOutput while the child holds the folder = %v, want ErrInUse", err)
			}

			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
			go io.Copy(io.Discard, stdout)
			err = cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child ended with %v, want killed by SIGKILL (stderr: %s)", err, stderr.String())
			}

			// The published output is exactly as it was; the child left its
			// staging folder behind.
			assertSnapshot(t, dir, before)
			stale := stagingDirs(t, dir)
			if len(stale) != 1 {
				t.Fatalf("staging folders after the kill = %v, want the child's one", stale)
			}

			// The kernel released the child's lock: the next run begins, and
			// clears the child's staging folder.
			out, err := store.BeginOutput(dir)
			if err != nil {
				t.Fatalf("BeginOutput after the kill: %v", err)
			}
			defer out.Close()
			if _, err := os.Stat(stale[0]); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the killed run's staging folder %s is still there: %v", stale[0], err)
			}
			if got := rejectsIn(t, filepath.Join(dir, store.DatabaseFile), "old"); got != 5 {
				t.Errorf("published database has %d old rows, want 5", got)
			}
			if got := rejectsIn(t, filepath.Join(dir, store.DatabaseFile), "child"); got != 0 {
				t.Errorf("published database has %d rows of the killed run", got)
			}
			// And that run can stage and publish normally.
			p, err := out.StageDatabase()
			if err != nil {
				t.Fatal(err)
			}
			makeDatabase(t, p, "next", 2)
			if err := out.Commit(store.DatabaseFile); err != nil {
				t.Fatal(err)
			}
			if got := rejectsIn(t, filepath.Join(dir, store.DatabaseFile), "next"); got != 2 {
				t.Errorf("next run published %d rows, want 2", got)
			}
		})
	}
}
