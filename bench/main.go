package main

import (
	"bufio"
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"flag"
	"fmt"
	"io"
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
	incremental := flag.Bool("incremental", false, "also measure adding the last month to a database of the others")
	flag.Parse()
	err := run(*scale, *runs, *bin, *dir, *memory)
	if err == nil && *incremental {
		err = runIncremental(*scale, *bin, *dir, *runs)
	}
	if err != nil {
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

// runIncremental splits the data set into one file per kind and month and
// builds, once, the output of all months but the last. Then, runs times
// alternately, it runs civicscore on all months from scratch (full) and on
// a copy of that output with the last month's files added, and prints the
// medians.
func runIncremental(scale, bin, dir string, runs int) error {
	data := filepath.Join(dir, scale)
	inc := filepath.Join(dir, scale+"-monthly")
	months, err := splitByMonth(data, inc)
	if err != nil {
		return err
	}
	last := months[len(months)-1]
	cfg := filepath.Join(inc, "config.yaml")
	env := append(os.Environ(), "CIVICSCORE_SALT=bench")
	runCmd := func(out string) (result, error) {
		cmd := exec.Command(bin, "run", "--config", cfg, "--out", out, "--log-level", "warn")
		cmd.Env = env
		return timed(cmd)
	}
	base := filepath.Join(dir, "out-incremental-base")
	if err := withoutMonth(dir, inc, last, func() error {
		os.RemoveAll(base)
		_, err := runCmd(base)
		return err
	}); err != nil {
		return err
	}
	full := filepath.Join(dir, "out-full")
	part := filepath.Join(dir, "out-incremental")
	var fulls, adds []result
	for i := 0; i < runs; i++ {
		os.RemoveAll(full)
		fr, err := runCmd(full)
		if err != nil {
			return err
		}
		fulls = append(fulls, fr)
		os.RemoveAll(part)
		if err := copyTree(base, part); err != nil {
			return err
		}
		ir, err := runCmd(part)
		if err != nil {
			return err
		}
		adds = append(adds, ir)
	}
	fr, ir := median(fulls), median(adds)
	fmt.Printf("\nincremental month (%s added to %d earlier months), %d round(s), medians\n", last, len(months)-1, runs)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "run\twall s\tpeak RSS MiB\twall / full\t")
	fmt.Fprintf(tw, "full (all months)\t%.2f\t%d\t1.00×\t\n", fr.wall.Seconds(), fr.maxKB/1024)
	fmt.Fprintf(tw, "add last month\t%.2f\t%d\t%.2f×\t\n", ir.wall.Seconds(), ir.maxKB/1024, ir.wall.Seconds()/fr.wall.Seconds())
	return tw.Flush()
}

// withoutMonth runs fn with the files of month moved out of the folders of
// inc (into a folder beside it, <inc>-held), and moves them back whatever fn
// returns.
func withoutMonth(dir, inc, month string, fn func() error) error {
	held := filepath.Join(dir, filepath.Base(inc)+"-held")
	os.RemoveAll(held)
	if err := os.MkdirAll(held, 0o755); err != nil {
		return err
	}
	moved, err := filepath.Glob(filepath.Join(inc, "*", "*-"+month+".csv"))
	if err != nil {
		return err
	}
	aside := func(m string) string {
		return filepath.Join(held, filepath.Base(filepath.Dir(m))+"__"+filepath.Base(m))
	}
	var back []string
	for _, m := range moved {
		if err := os.Rename(m, aside(m)); err != nil {
			err = errors.Join(err, restore(back, aside))
			return err
		}
		back = append(back, m)
	}
	return errors.Join(fn(), restore(back, aside))
}

// restore moves the files set aside (aside(path)) back to their paths.
func restore(paths []string, aside func(string) string) error {
	var errs []error
	for _, m := range paths {
		errs = append(errs, os.Rename(aside(m), m))
	}
	return errors.Join(errs...)
}

// copyTree copies the folder src to dst with cp -R: real copies, no links
// (the database is written in place).
func copyTree(src, dst string) error {
	if out, err := exec.Command("cp", "-R", src, dst).CombinedOutput(); err != nil {
		return fmt.Errorf("cp -R %s %s: %w: %s", src, dst, err, out)
	}
	return nil
}

// splitByMonth writes each kind's rows into DIR/<kind>/<kind>-YYYY-MM.csv by
// the month of its period column, and a config.yaml that loads the folders;
// it returns the months in order. Rows whose period text has no month go
// with the first month.
func splitByMonth(src, dst string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dst, "config.yaml")); err == nil {
		entries, _ := filepath.Glob(filepath.Join(dst, "cases", "cases-*.csv"))
		var months []string
		for _, e := range entries {
			b := filepath.Base(e)
			months = append(months, strings.TrimSuffix(strings.TrimPrefix(b, "cases-"), ".csv"))
		}
		sort.Strings(months)
		return months, nil
	}
	os.RemoveAll(dst)
	period := map[string]string{"cases": "reported_at", "services": "service_date", "surveys": "submitted_at"}
	seen := map[string]bool{}
	for kind, col := range period {
		if err := splitFile(filepath.Join(src, kind+".csv"), filepath.Join(dst, kind), kind, col, seen); err != nil {
			return nil, err
		}
	}
	b, err := os.ReadFile(filepath.Join(src, "communities.csv"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dst, "communities.csv"), b, 0o644); err != nil {
		return nil, err
	}
	cfg, err := os.ReadFile(filepath.Join(src, "config.yaml"))
	if err != nil {
		return nil, err
	}
	c := strings.NewReplacer("cases: cases.csv", "cases: cases", "services: services.csv", "services: services",
		"surveys: surveys.csv", "surveys: surveys").Replace(string(cfg))
	if err := os.WriteFile(filepath.Join(dst, "config.yaml"), []byte(c), 0o644); err != nil {
		return nil, err
	}
	var months []string
	for m := range seen {
		months = append(months, m)
	}
	sort.Strings(months)
	return months, nil
}

func splitFile(path, dir, kind, col string, seen map[string]bool) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	r := bufio.NewReaderSize(in, 1<<20)
	header, err := r.ReadString('\n')
	if err != nil {
		return err
	}
	idx := -1
	for i, h := range strings.Split(strings.TrimSpace(header), ",") {
		if h == col {
			idx = i
		}
	}
	if idx < 0 {
		return fmt.Errorf("%s: no column %s", path, col)
	}
	outs := map[string]*bufio.Writer{}
	files := map[string]*os.File{}
	defer func() {
		for m, w := range outs {
			w.Flush()
			files[m].Close()
		}
	}()
	first := ""
	for {
		line, err := r.ReadString('\n')
		if line != "" {
			// The generated files quote no field before the period column.
			fields := strings.SplitN(line, ",", idx+2)
			m := ""
			if len(fields) > idx && len(fields[idx]) >= 7 {
				m = fields[idx][:7]
			}
			if _, ok := outs[m]; !ok && (len(m) != 7 || m[4] != '-') {
				m = first
			}
			if first == "" {
				first = m
			}
			w, ok := outs[m]
			if !ok {
				f, err := os.Create(filepath.Join(dir, kind+"-"+m+".csv"))
				if err != nil {
					return err
				}
				files[m] = f
				w = bufio.NewWriterSize(f, 1<<20)
				w.WriteString(header)
				outs[m] = w
				seen[m] = true
			}
			w.WriteString(line)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
