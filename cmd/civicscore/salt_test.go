package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/civicscore/civicscore/demo"
	"github.com/civicscore/civicscore/store"
)

// ingestNoSalt runs ingest on the demo inputs in dir with CIVICSCORE_SALT
// set to salt ("" = unset) and returns the exit code and standard error.
func ingestNoSalt(t *testing.T, dir, out, salt string) (int, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	m := NewMain()
	m.Stdin = strings.NewReader("")
	m.Stdout, m.Stderr = &stdout, &stderr
	m.Getenv = func(k string) string {
		if k == "CIVICSCORE_SALT" {
			return salt
		}
		return ""
	}
	err := m.Run(context.Background(), []string{"ingest", "--config", filepath.Join(dir, "config.yaml"), "--out", out})
	return m.ExitCode(err), stderr.String()
}

// respondentHashes returns the hashed respondents of the database in out,
// in response order.
func respondentHashes(t *testing.T, out string) string {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(out, store.DatabaseFile), store.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var s string
	if err := db.QueryRow("SELECT string_agg(respondent_hash, ',' ORDER BY response_id) FROM survey_responses").Scan(&s); err != nil {
		t.Fatal(err)
	}
	if s == "" {
		t.Fatal("no respondent hashes")
	}
	return s
}

// TestSaltWithoutEnvironment: without CIVICSCORE_SALT the salt is the one
// kept in the user's config folder, made on the first run, so that two runs
// hash alike; when that folder cannot hold it the run fails naming the
// folder and CIVICSCORE_SALT (a new salt every run would change every hash
// and read every input again), and CIVICSCORE_SALT needs no folder.
func TestSaltWithoutEnvironment(t *testing.T) {
	inputs := t.TempDir()
	if err := demo.WriteTo(inputs); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	t.Setenv("HOME", home)

	t.Run("kept in the config folder", func(t *testing.T) {
		cfgHome := filepath.Join(home, "config")
		t.Setenv("XDG_CONFIG_HOME", cfgHome)
		var hashes []string
		for i := range 2 {
			out := filepath.Join(t.TempDir(), "out")
			if code, stderr := ingestNoSalt(t, inputs, out, ""); code != 0 {
				t.Fatalf("run %d: exit %d: %s", i, code, stderr)
			}
			hashes = append(hashes, respondentHashes(t, out))
		}
		if hashes[0] != hashes[1] {
			t.Error("two runs without CIVICSCORE_SALT hashed differently")
		}
		fi, err := os.Stat(filepath.Join(cfgHome, "civicscore", "salt"))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("salt file mode %v, want 0600", fi.Mode().Perm())
		}
	})

	t.Run("config folder unusable", func(t *testing.T) {
		// A file where the folder should be: no one, not even root, can
		// make the folder.
		blocked := filepath.Join(home, "blocked")
		if err := os.WriteFile(blocked, []byte("not a folder"), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Setenv("XDG_CONFIG_HOME", blocked)
		out := filepath.Join(t.TempDir(), "out")
		code, stderr := ingestNoSalt(t, inputs, out, "")
		if code != 2 || !strings.Contains(stderr, "CIVICSCORE_SALT") || !strings.Contains(stderr, filepath.Join(blocked, "civicscore")) {
			t.Errorf("exit %d, stderr %q; want 2 naming CIVICSCORE_SALT and the folder", code, stderr)
		}
		if _, err := os.Stat(filepath.Join(out, store.DatabaseFile)); !os.IsNotExist(err) {
			t.Errorf("a database was published (stat: %v)", err)
		}
		code, stderr = ingestNoSalt(t, inputs, out, "a-salt-from-the-environment")
		if code != 0 {
			t.Errorf("with CIVICSCORE_SALT: exit %d: %s", code, stderr)
		}
	})

	t.Run("salt file too short", func(t *testing.T) {
		cfgHome := filepath.Join(home, "short")
		if err := os.MkdirAll(filepath.Join(cfgHome, "civicscore"), 0o700); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(cfgHome, "civicscore", "salt")
		if err := os.WriteFile(p, []byte("short\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("XDG_CONFIG_HOME", cfgHome)
		code, stderr := ingestNoSalt(t, inputs, filepath.Join(t.TempDir(), "out"), "")
		if code != 2 || !strings.Contains(stderr, p) {
			t.Errorf("exit %d, stderr %q; want 2 naming %s", code, stderr, p)
		}
		if b, _ := os.ReadFile(p); string(b) != "short\n" {
			t.Errorf("the salt file was overwritten: %q", b)
		}
	})
}
