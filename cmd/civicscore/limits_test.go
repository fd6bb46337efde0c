package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/civicscore/civicscore/synth"
)

// limitsMonths is the months of the district-scale data set of
// TestLimitsSpill: enough rows that the work does not fit in 200 MB.
const limitsMonths = 8

// TestLimitsSpill runs a district-scale data set (80 communities; over
// 8 months about 336,000 cases, 134,000 services and 67,000 responses: a
// working set larger than the limit) under duckdb.memory_limit 200MB, with
// threads 2 and a spill folder: the engine reports the configured limit,
// thread count and folder (SELECT current_setting, logged by every run),
// spills there during the run (files appear in it, watched while it runs),
// and the run completes.
func TestLimitsSpill(t *testing.T) {
	if testing.Short() {
		t.Skip("a district-scale run")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if _, err := synth.Generate(data, synth.Options{Scale: synth.District, Seed: 1, Months: limitsMonths}); err != nil {
		t.Fatal(err)
	}
	spill := filepath.Join(dir, "spill")
	cfg := filepath.Join(data, "config.yaml")
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("duckdb:\n  memory_limit: 200MB\n  threads: 2\n  temp_directory: " + strconv.Quote(spill) + "\n")
	f.Close()

	// Watch the spill folder while the run goes.
	var most atomic.Int64
	stop := make(chan struct{})
	watched := make(chan struct{})
	go func() {
		defer close(watched)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
			}
			var n int64
			filepath.Walk(spill, func(_ string, info os.FileInfo, err error) error {
				if err == nil && !info.IsDir() {
					n += info.Size()
				}
				return nil
			})
			if n > most.Load() {
				most.Store(n)
			}
		}
	}()
	start := time.Now()
	code, stderr := runGuarded(t, 5*time.Minute, "run", "--config", cfg)
	close(stop)
	<-watched
	if code != 0 {
		t.Fatalf("run under a 200MB memory limit: exit %d:\n%s", code, tail(stderr, 3000))
	}
	t.Logf("district, %d months, memory_limit 200MB: %v, at most %d MB in the spill folder", limitsMonths, time.Since(start).Round(time.Second), most.Load()>>20)

	// The settings in force, as DuckDB reports them.
	m := regexp.MustCompile(`msg="database engine" memory_limit="([^"]+)" threads=(\d+) temp_directory=(\S+)`).FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no database engine line in the log:\n%s", tail(stderr, 2000))
	}
	if m[1] != "190.7 MiB" { // 200 MB, as DuckDB shows it
		t.Errorf("memory_limit in force = %s, want 200MB (190.7 MiB)", m[1])
	}
	if m[2] != "2" {
		t.Errorf("threads in force = %s, want 2", m[2])
	}
	if strings.Trim(m[3], `"`) != spill {
		t.Errorf("temp_directory in force = %s, want %s", m[3], spill)
	}
	if most.Load() == 0 {
		t.Errorf("nothing was spilled to %s: the data set fits in the memory limit, so this test proves nothing", spill)
	}
}
