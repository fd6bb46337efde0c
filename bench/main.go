package main

import (
	"context"
	"database/sql"
	_ "embed"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
)

//go:embed floor.sql
var floorSQL string

// result is one timed process.
type result struct {
	wall  time.Duration
	maxKB int64
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "floor" {
		if err := floor(os.Args[2], os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, "floor:", err)
			os.Exit(1)
		}
		return
	}
	scale := flag.String("scale", "city", "data scale for civicscore gen: demo, district, city or province")
	runs := flag.Int("runs", 1, "alternating rounds of floor and civicscore")
	bin := flag.String("bin", "bin/civicscore", "the civicscore binary")
	dir := flag.String("dir", ".cache/bench", "work folder (data is generated once per scale)")
	memory := flag.String("memory-limit", "", "duckdb.memory_limit for civicscore (e.g. 4GB)")
	flag.Parse()
	if err := run(*scale, *runs, *bin, *dir, *memory); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(scale string, runs int, bin, dir, memory string) error {
	data := filepath.Join(dir, scale)
	if _, err := os.Stat(filepath.Join(data, "config.yaml")); err != nil {
		fmt.Printf("generating %s data in %s\n", scale, data)
		if _, err := timed(exec.Command(bin, "gen", "--out", data, "--scale", scale, "--seed", "1")); err != nil {
			return err
		}
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	cfg := filepath.Join(data, "config.yaml")
	if memory != "" {
		cfg = filepath.Join(data, "config-bench.yaml")
		base, err := os.ReadFile(filepath.Join(data, "config.yaml"))
		if err != nil {
			return err
		}
		if err := os.WriteFile(cfg, append(base, []byte("\nduckdb:\n  memory_limit: "+memory+"\n")...), 0o644); err != nil {
			return err
		}
	}
	out := filepath.Join(dir, "out-"+scale)
	stages := []string{"floor", "ingest", "compute", "ingest+compute", "report", "run"}
	res := map[string][]result{}
	for i := 0; i < runs; i++ {
		fdb := filepath.Join(dir, "floor.duckdb")
		os.Remove(fdb)
		r, err := timed(exec.Command(self, "floor", data, fdb))
		if err != nil {
			return err
		}
		res["floor"] = append(res["floor"], r)
		os.Remove(fdb)

		os.RemoveAll(out)
		env := append(os.Environ(), "CIVICSCORE_SALT=bench")
		var sum result
		for _, st := range []string{"ingest", "compute", "report"} {
			cmd := exec.Command(bin, st, "--config", cfg, "--out", out, "--log-level", "warn")
			cmd.Env = env
			r, err := timed(cmd)
			if err != nil {
				return err
			}
			res[st] = append(res[st], r)
			if st != "report" {
				sum.wall += r.wall
				sum.maxKB = max(sum.maxKB, r.maxKB)
			}
		}
		res["ingest+compute"] = append(res["ingest+compute"], sum)

		os.RemoveAll(out)
		cmd := exec.Command(bin, "run", "--config", cfg, "--out", out, "--log-level", "warn")
		cmd.Env = env
		r, err = timed(cmd)
		if err != nil {
			return err
		}
		res["run"] = append(res["run"], r)
	}
	f := median(res["floor"])
	fmt.Printf("\nscale %s, %d round(s), medians; floor = DuckDB alone (bench/floor.sql)\n", scale, runs)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\twall s\tpeak RSS MiB\twall / floor\t")
	for _, st := range stages {
		m := median(res[st])
		fmt.Fprintf(tw, "%s\t%.2f\t%d\t%.2f×\t\n", st, m.wall.Seconds(), m.maxKB/1024, m.wall.Seconds()/f.wall.Seconds())
	}
	return tw.Flush()
}

// timed runs cmd and returns its wall time and peak resident set size.
func timed(cmd *exec.Cmd) (result, error) {
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return result{}, fmt.Errorf("%s: %w", cmd.String(), err)
	}
	r := result{wall: time.Since(start)}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxKB = ru.Maxrss
	}
	return r, nil
}

func median(rs []result) result {
	if len(rs) == 0 {
		return result{}
	}
	s := append([]result(nil), rs...)
	sort.Slice(s, func(i, j int) bool { return s[i].wall < s[j].wall })
	return s[len(s)/2]
}

// floor runs floor.sql against a new file database.
func floor(data, dbPath string) error {
	abs, err := filepath.Abs(data)
	if err != nil {
		return err
	}
	q := strings.ReplaceAll(floorSQL, "{{DIR}}", strings.ReplaceAll(abs, "'", "''"))
	db, err := sql.Open("duckdb", dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(context.Background(), q)
	return err
}
