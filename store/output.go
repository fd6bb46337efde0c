package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/civicscore/civicscore"
)

// DatabaseFile is the name of the database inside an output folder.
const DatabaseFile = "civicscore.duckdb"

// errLocked is what lockExclusive returns when another process holds the
// lock (lock_unix.go, lock_windows.go).
var errLocked = errors.New("locked by another process")

const (
	lockFile      = ".civicscore.lock"
	stagingPrefix = ".staging-"
	oldPrefix     = ".old-"
)

// Output is an output folder being rebuilt. Work is written into a staging
// folder beside the published files; Commit moves it into place. Until then
// the previous database and report stay exactly as they were, and a run that
// dies leaves only a staging folder that the next run removes.
type Output struct {
	dir   string
	stage string
	lock  *os.File
}

// BeginOutput takes the output folder dir for one run: it creates dir, takes
// an exclusive lock (ErrInUse when another run holds it), repairs a swap that
// an earlier run left half done, removes stale staging folders, and makes a
// fresh staging folder.
func BeginOutput(dir string) (*Output, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("output %s: %w", dir, err)
	}
	lf, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("output %s: %w", dir, err)
	}
	if err := lockExclusive(lf); err != nil {
		lf.Close()
		if errors.Is(err, errLocked) {
			return nil, fmt.Errorf("output %s: another civicscore run is writing it: %w", dir, civicscore.ErrInUse)
		}
		return nil, fmt.Errorf("output %s: lock: %w", dir, err)
	}
	o := &Output{dir: dir, lock: lf}
	if err := o.recover(); err != nil {
		o.release()
		return nil, err
	}
	stage, err := os.MkdirTemp(dir, stagingPrefix)
	if err != nil {
		o.release()
		return nil, fmt.Errorf("output %s: %w", dir, err)
	}
	o.stage = stage
	return o, nil
}

// recover finishes or undoes what a killed run left: an .old-NAME whose NAME
// is missing is put back; other .old- and staging folders are removed.
func (o *Output) recover() error {
	if b, err := os.ReadFile(filepath.Join(o.dir, journalFile)); err == nil {
		var j journal
		if err := json.Unmarshal(b, &j); err == nil && j.Stage != "" && !strings.ContainsAny(j.Stage, `/\`) {
			if err := o.rollForward(j); err != nil {
				return fmt.Errorf("output %s: finish an interrupted commit: %w", o.dir, err)
			}
		} else if err := os.Remove(filepath.Join(o.dir, journalFile)); err != nil {
			return fmt.Errorf("output %s: %w", o.dir, err)
		}
	}
	entries, err := os.ReadDir(o.dir)
	if err != nil {
		return fmt.Errorf("output %s: %w", o.dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, oldPrefix):
			orig := filepath.Join(o.dir, strings.TrimPrefix(name, oldPrefix))
			if _, err := os.Lstat(orig); errors.Is(err, os.ErrNotExist) {
				if err := os.Rename(filepath.Join(o.dir, name), orig); err != nil {
					return fmt.Errorf("output %s: restore %s: %w", o.dir, name, err)
				}
				continue
			}
			if err := os.RemoveAll(filepath.Join(o.dir, name)); err != nil {
				return fmt.Errorf("output %s: %w", o.dir, err)
			}
		case strings.HasPrefix(name, stagingPrefix):
			if err := os.RemoveAll(filepath.Join(o.dir, name)); err != nil {
				return fmt.Errorf("output %s: %w", o.dir, err)
			}
		}
	}
	return nil
}

// Dir returns the published output folder.
func (o *Output) Dir() string { return o.dir }

// Staged returns the path of name inside the staging folder.
func (o *Output) Staged(name string) string { return filepath.Join(o.stage, name) }

// Published returns the path of name inside the published folder.
func (o *Output) Published(name string) string { return filepath.Join(o.dir, name) }

// StageDatabase copies the published database, if any, into the staging
// folder and returns the staged path, so a run builds on what earlier runs
// loaded without touching it.
func (o *Output) StageDatabase() (string, error) {
	dst := o.Staged(DatabaseFile)
	src := o.Published(DatabaseFile)
	if err := copyFile(src, dst); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("stage database: %w", err)
	}
	return dst, nil
}

// StagePublished copies the published file or folder name into staging, so a
// commit of several names never drops one this run did not rebuild.
func (o *Output) StagePublished(name string) error {
	src := o.Published(name)
	fi, err := os.Stat(src)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return copyFile(src, o.Staged(name))
	}
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(o.Staged(name), rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		return copyFile(p, dst)
	})
}

// Commit publishes the staged names (files or folders) as one step. It
// first writes a journal (.commit: the staging folder and the names), then
// moves every published name aside to .old-NAME and every staged one into
// place, then removes the journal and the old copies. A run killed after the
// journal is written is rolled forward by the next BeginOutput (the staged
// copies are complete by then); one killed before it leaves the published
// names untouched. So the database, Parquet copies and report always come
// from the same run.
func (o *Output) Commit(names ...string) error {
	for _, name := range names {
		if _, err := os.Stat(o.Staged(name)); err != nil {
			return fmt.Errorf("commit %s: %w", name, err)
		}
	}
	j := journal{Stage: filepath.Base(o.stage), Names: names}
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(o.dir, journalFile), b); err != nil {
		return fmt.Errorf("commit: journal: %w", err)
	}
	if err := o.rollForward(j); err != nil {
		return err
	}
	return nil
}

// journal records a commit in progress.
type journal struct {
	Stage string   `json:"stage"`
	Names []string `json:"names"`
}

const journalFile = ".commit"

// rollForward completes the commit j: every name still staged replaces its
// published copy (kept as .old-NAME until the end); then the journal, the
// old copies and the staging folder are removed.
func (o *Output) rollForward(j journal) error {
	stage := filepath.Join(o.dir, j.Stage)
	for _, name := range j.Names {
		src := filepath.Join(stage, name)
		if _, err := os.Lstat(src); errors.Is(err, os.ErrNotExist) {
			continue // moved already
		}
		dst := o.Published(name)
		old := filepath.Join(o.dir, oldPrefix+name)
		if _, err := os.Lstat(dst); err == nil {
			if err := os.RemoveAll(old); err != nil {
				return fmt.Errorf("commit %s: %w", name, err)
			}
			if err := os.Rename(dst, old); err != nil {
				return fmt.Errorf("commit %s: %w", name, err)
			}
		}
		if err := os.Rename(src, dst); err != nil {
			return fmt.Errorf("commit %s: %w", name, err)
		}
	}
	if err := os.Remove(filepath.Join(o.dir, journalFile)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("commit: %w", err)
	}
	for _, name := range j.Names {
		if err := os.RemoveAll(filepath.Join(o.dir, oldPrefix+name)); err != nil {
			return fmt.Errorf("commit %s: remove previous: %w", name, err)
		}
	}
	return nil
}

func writeSynced(path string, b []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Close removes the staging folder (whatever was not committed) and releases
// the lock. It is safe to call after Commit and more than once.
func (o *Output) Close() error {
	var err error
	if o.stage != "" {
		err = os.RemoveAll(o.stage)
		o.stage = ""
	}
	o.release()
	return err
}

func (o *Output) release() {
	if o.lock != nil {
		unlock(o.lock)
		o.lock.Close()
		o.lock = nil
	}
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
