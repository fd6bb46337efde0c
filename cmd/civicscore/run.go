package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/config"
	"github.com/civicscore/civicscore/ingest"
	"github.com/civicscore/civicscore/metrics"
	"github.com/civicscore/civicscore/reports"
	"github.com/civicscore/civicscore/store"
)

// stages is the set of pipeline stages a command runs.
type stages uint8

const (
	stageIngest stages = 1 << iota
	stageCompute
	stageReport
	stageAll = stageIngest | stageCompute | stageReport
)

// runFlags are the flags shared by run, ingest, compute and report.
type runFlags struct {
	config string
	out    string
	asOf   string
}

func (m *Main) runCommand(name, short string, st stages) *cobra.Command {
	var f runFlags
	cmd := &cobra.Command{
		Use:   name + " --config FILE",
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.config == "" {
				return usageError{errors.New("--config FILE is required")}
			}
			cfg, err := m.loadConfig(f)
			if err != nil {
				return err
			}
			return m.pipeline(cmd.Context(), cfg, st)
		},
	}
	cmd.Flags().StringVar(&f.config, "config", "", "config file (YAML, TOML or JSON)")
	cmd.Flags().StringVar(&f.out, "out", "", "output folder (overrides config out)")
	cmd.Flags().StringVar(&f.asOf, "as-of", "", "data cut-off, YYYY-MM-DD[ HH:MM:SS] (overrides config as_of)")
	return cmd
}

// loadConfig loads the config file and applies the flags over it.
func (m *Main) loadConfig(f runFlags) (config.Config, error) {
	cfg, err := config.Load(f.config, m.Log)
	if err != nil {
		return cfg, err
	}
	if f.out != "" {
		cfg.Out = f.out
	}
	if f.asOf != "" {
		cfg.AsOf = f.asOf
		if err := cfg.Validate(); err != nil {
			return cfg, fmt.Errorf("--as-of: %w", err)
		}
	}
	return cfg, nil
}

// salt returns CIVICSCORE_SALT, or else the salt kept on this machine in
// the user's config folder (civicscore/salt there), made on the first run
// without CIVICSCORE_SALT, with a warning: hashes are then pseudonymous only
// within this machine. When that file can be neither read nor made, or
// holds no usable salt, it is an error naming the file: a new salt every
// run would change every hash (and read every input again).
func (m *Main) salt() (string, error) {
	if s := m.Getenv("CIVICSCORE_SALT"); s != "" {
		return s, nil
	}
	m.Log.Warn("CIVICSCORE_SALT is not set: identifiers are hashed with a salt kept on this machine, so hashes are pseudonymous only within this machine; set CIVICSCORE_SALT to a secret shared by the runs that must agree")
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("CIVICSCORE_SALT is not set and there is no config folder to keep a salt in (%v): set CIVICSCORE_SALT: %w", err, civicscore.ErrConfig)
	}
	s, err := machineSalt(filepath.Join(dir, "civicscore", "salt"))
	if err != nil {
		return "", fmt.Errorf("CIVICSCORE_SALT is not set and %v: set CIVICSCORE_SALT, or make the folder writable: %w", err, civicscore.ErrConfig)
	}
	return s, nil
}

// minSaltLen is the length below which a kept salt is refused.
const minSaltLen = 16

// machineSalt returns the salt kept in the file path, making the file (and
// its folder, readable by the user only) with a new random salt when there
// is none. A file made by a concurrent first run is read, not replaced.
func machineSalt(path string) (string, error) {
	read := func() (string, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return "", err
		}
		s := strings.TrimSpace(string(b))
		if len(s) < minSaltLen {
			return "", fmt.Errorf("the salt file %s holds %d characters, fewer than %d (delete it to have a new salt made, which changes every hash)", path, len(s), minSaltLen)
		}
		return s, nil
	}
	s, err := read()
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return s, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", fmt.Errorf("the salt cannot be kept in %s: %w", filepath.Dir(path), err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return read()
	}
	if err != nil {
		return "", fmt.Errorf("the salt cannot be kept in %s: %w", filepath.Dir(path), err)
	}
	s = rand.Text() + rand.Text() // 2 × 128 random bits
	_, err = f.WriteString(s + "\n")
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path) // half written, it would be refused as too short or be a different salt
		return "", fmt.Errorf("the salt cannot be kept in %s: %w", filepath.Dir(path), err)
	}
	return s, nil
}

// pipeline runs the stages into a staging copy of the output folder and
// publishes the database and report only when every stage succeeded.
func (m *Main) pipeline(ctx context.Context, cfg config.Config, st stages) error {
	started := time.Now()
	out, err := store.BeginOutput(cfg.Out)
	if err != nil {
		return err
	}
	defer out.Close()

	dbOpts := store.Options{
		MemoryLimit: cfg.DuckDB.MemoryLimit, Threads: cfg.DuckDB.Threads,
		TempDirectory: cfg.DuckDB.TempDirectory, TimeZone: cfg.Timezone, Logger: m.Log,
	}
	var dbPath string
	if st&(stageIngest|stageCompute) != 0 {
		if dbPath, err = out.StageDatabase(); err != nil {
			return err
		}
	} else {
		dbPath = out.Published(store.DatabaseFile)
		if _, err := os.Stat(dbPath); err != nil {
			return fmt.Errorf("report: no database at %s: run ingest and compute first", dbPath)
		}
		dbOpts.ReadOnly = true
	}
	db, err := store.Open(ctx, dbPath, dbOpts)
	if err != nil {
		return err
	}
	defer func() { db.Close() }() // the database open at the end (the report opens it again)
	m.logEngine(ctx, db)

	var publish []string
	var ingested *ingest.Summary // what this run loaded, for its provenance
	if st&stageIngest != 0 {
		if ingested, err = m.ingest(ctx, db, cfg); err != nil {
			return err
		}
	}
	var runID string
	if st&stageCompute != 0 {
		if runID, err = m.compute(ctx, db, cfg, started, ingested); err != nil {
			return err
		}
	}
	if st&(stageIngest|stageCompute) != 0 {
		publish = append(publish, store.DatabaseFile)
	}
	// The Parquet copies are an output of the whole run; the
	// single stages update only the database and report.
	if st == stageAll {
		exported := time.Now()
		if err := store.ExportParquet(ctx, db, out.Staged("parquet"), out.Published("parquet")); err != nil {
			return err
		}
		m.Log.Debug("parquet written", "took", time.Since(exported).Round(time.Millisecond))
		publish = append(publish, "parquet")
	}
	if st&stageReport != 0 {
		if !dbOpts.ReadOnly {
			// The report reads a little from a database whose buffer pool
			// the stages before filled: opened again, read-only, it starts
			// with an empty pool, and the report's data in Go do not come on
			// top of it (a city run's peak 2.34 → 2.1 GiB).
			if err := db.Close(); err != nil {
				return fmt.Errorf("close database: %w", err)
			}
			dbOpts.ReadOnly = true
			reopened, err := store.Open(ctx, dbPath, dbOpts)
			if err != nil {
				return err
			}
			db = reopened
		}
		if err := m.report(ctx, db, cfg, out.Staged("report")); err != nil {
			return err
		}
		publish = append(publish, "report")
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("close database: %w", err)
	}
	if err := out.Commit(publish...); err != nil {
		return err
	}
	m.Log.Info("done", "out", cfg.Out, "run_id", runID, "took", time.Since(started).Round(time.Millisecond))
	if st&stageReport != 0 {
		abs, _ := filepath.Abs(filepath.Join(cfg.Out, "report", "index.html"))
		fmt.Fprintln(m.Stdout, abs)
	}
	return nil
}

func (m *Main) ingest(ctx context.Context, db *store.DB, cfg config.Config) (*ingest.Summary, error) {
	inputs := map[civicscore.Kind][]string{}
	for _, k := range civicscore.Kinds {
		inputs[k] = cfg.Inputs.Of(k)
	}
	if len(inputs[civicscore.KindCommunities]) == 0 {
		return nil, fmt.Errorf("inputs.communities: no file configured: %w", civicscore.ErrConfig)
	}
	salt, err := m.salt()
	if err != nil {
		return nil, err
	}
	o := ingestOptions(cfg, salt)
	o.Inputs, o.Logger = inputs, m.Log
	sum, err := ingest.Load(ctx, db, o)
	if err != nil {
		return nil, err
	}
	// One line per kind: a sum across kinds hid that no case loaded.
	fmt.Fprintln(m.Stderr, "ingest (rejected rows are in table rejects):")
	sum.WriteSummary(m.Stderr)
	// A file that loads badly fails the run here, before the output is
	// published: the previous output stays as it was.
	if err := sum.Check(cfg.Thresholds.MaxRejectShare); err != nil {
		return nil, err
	}
	return &sum, nil
}

// ingestOptions are the ingest settings of cfg with salt (Inputs and
// Logger left to the caller): run and inspect load with the same ones.
func ingestOptions(cfg config.Config, salt string) ingest.Options {
	return ingest.Options{
		Encoding: cfg.Encoding, Mapping: cfg.Mapping, Personal: cfg.Personal,
		Formats: cfg.Formats, Values: cfg.Values, Derive: ingestDerive(cfg.Derive),
		Sheet: cfg.Sheet, ExtraColumns: cfg.ExtraColumns, Salt: salt,
		SLA: ingest.SLA{DefaultHours: cfg.SLA.DefaultHours, ByCategory: cfg.SLA.ByCategory,
			Unit: cfg.SLA.Unit, Holidays: cfg.SLA.Holidays, Workdays: cfg.SLA.Workdays},
		MinDurationSeconds: cfg.Survey.MinDurationSeconds, MaxPerIPPerDay: cfg.Survey.MaxPerIPPerDay,
	}
}

// ingestDerive copies the config's derive settings into ingest's.
func ingestDerive(d map[string]map[string]config.Derive) map[string]map[string]ingest.Derive {
	if len(d) == 0 {
		return nil
	}
	out := map[string]map[string]ingest.Derive{}
	for kind, cols := range d {
		out[kind] = map[string]ingest.Derive{}
		for col, c := range cols {
			rules := make([]ingest.DeriveRule, len(c.Rules))
			for i, r := range c.Rules {
				rules[i] = ingest.DeriveRule{Match: r.Match, Value: r.Value}
			}
			out[kind][col] = ingest.Derive{From: c.From, Rules: rules, Default: c.Default, Lookup: c.Lookup}
		}
	}
	return out
}

// compute computes the indicators, rebuilds the wide scorecard view for the
// registry, and records the run's provenance (runs, run_inputs). ingested is
// what this invocation loaded (nil when it ran no ingest stage).
func (m *Main) compute(ctx context.Context, db *store.DB, cfg config.Config, started time.Time, ingested *ingest.Summary) (string, error) {
	asOf, err := cfg.AsOfTime()
	if err != nil {
		return "", fmt.Errorf("as_of: %w", errors.Join(civicscore.ErrConfig, err))
	}
	runID := newRunID(started)
	o := computeOptions(cfg, runID)
	o.AsOf, o.Logger = asOf, m.Log
	sum, err := metrics.Compute(ctx, db.DB, o)
	if err != nil {
		return "", err
	}
	if err := store.RefreshScorecard(ctx, db); err != nil {
		return "", err
	}
	if err := m.recordRun(ctx, db, cfg, runID, started, sum.AsOf, ingested); err != nil {
		return "", err
	}
	fmt.Fprintln(m.Stderr, asOfLine(cfg, sum.AsOf))
	return runID, nil
}

// recordRun writes the provenance of this run (store.RecordRun): the
// effective config without secrets (configjson.go), the versions, as_of,
// and the files this invocation loaded or skipped.
func (m *Main) recordRun(ctx context.Context, db *store.DB, cfg config.Config, runID string, started time.Time, asOf time.Time, ingested *ingest.Summary) error {
	cj, err := configJSON(cfg, m.Getenv("CIVICSCORE_SALT"))
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	dv, err := db.DuckDBVersion(ctx)
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	loc, err := time.LoadLocation(cfg.Timezone)
	if err != nil {
		return fmt.Errorf("record run: timezone: %w", err)
	}
	var file string
	if cfg.File != "" {
		if abs, err := filepath.Abs(cfg.File); err == nil {
			file = abs
		}
	}
	var inputs []store.InputFile
	if ingested != nil {
		for _, f := range ingested.Files {
			inputs = append(inputs, store.InputFile{Kind: string(f.Kind), SHA256: f.SHA256, Skipped: f.Skipped})
		}
	}
	return store.RecordRun(ctx, db, store.Run{
		ID: runID, Started: started, Finished: time.Now(), Version: version, DuckDBVersion: dv,
		AsOf: asOf, ConfigJSON: cj, ConfigFile: file, DefinitionsVersion: metrics.DefinitionsVersion, Location: loc,
	}, inputs)
}

// asOfLine says which data cut-off the indicators were computed at and
// where it came from: config as_of (or --as-of), or the latest timestamp
// in cases; without either there is none.
func asOfLine(cfg config.Config, asOf time.Time) string {
	switch {
	case strings.TrimSpace(cfg.AsOf) != "" && !asOf.IsZero():
		return "as_of: " + asOf.Format(time.DateTime) + " (from config as_of)"
	case !asOf.IsZero():
		return "as_of: " + asOf.Format(time.DateTime) + " (taken from the data: the latest timestamp in cases; set as_of to fix it)"
	}
	return "as_of: none (no case was loaded, and config as_of is not set)"
}

func newRunID(t time.Time) string {
	b := make([]byte, 3)
	rand.Read(b)
	return t.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

func (m *Main) report(ctx context.Context, db *store.DB, cfg config.Config, dir string) error {
	started := time.Now()
	opts := reportOptions(cfg)
	data, err := reports.Load(ctx, db.DB, opts)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	loaded := time.Since(started)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	stats, err := reports.RenderStats(dir, data, opts)
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, s := range stats {
		m.Log.Debug("report pages", "type", s.Type, "pages", s.Pages, "bytes", s.Bytes, "render", s.Time.Round(time.Microsecond), "public", s.Public)
	}
	m.Log.Info("report written", "communities", len(data.Communities), "load", loaded.Round(time.Millisecond),
		"took", time.Since(started).Round(time.Millisecond))
	return nil
}

// computeOptions are the metrics settings of cfg for run runID (AsOf and
// Logger left to the caller): metrics has no defaults of its own, so every
// value is copied from cfg.
func computeOptions(cfg config.Config, runID string) metrics.Options {
	w := cfg.ThreeRates.Weights
	return metrics.Options{
		RunID: runID, MinN: cfg.Thresholds.MinN,
		ThreeRatesWeights:        metrics.ThreeRatesWeights{Response: w.Response, Resolution: w.Resolution, Satisfaction: w.Satisfaction},
		BasicallySatisfiedWeight: cfg.ThreeRates.BasicallySatisfiedWeight,
		ScoreWeights:             cfg.Score.Weights,
		Targets:                  cfg.Targets,
		FDR:                      cfg.FollowUp.FDR,
		SPC: metrics.SPCOptions{BaselineMonths: cfg.SPC.BaselineMonths,
			TrendPoints: cfg.SPC.TrendPoints, ShiftPoints: cfg.SPC.ShiftPoints},
		CaseMix:         cfg.Score.CaseMix,
		PostStrata:      cfg.Survey.PostStrata.Variables,
		SurveyMinCell:   cfg.Survey.MinCell,
		SurveyMaxWeight: cfg.Survey.MaxWeight,
		RankDraws:       cfg.Ranks.Draws,
	}
}

// reportOptions are the report settings of cfg: title, language, the
// suppression threshold, the survey link and invitation, the definitions
// version and the optional boundaries (the score weights the run used are
// read from the database).
func reportOptions(cfg config.Config) reports.Options {
	return reports.Options{
		Title: cfg.Report.Title, Lang: cfg.Report.Lang, MinN: cfg.Thresholds.MinN, FDR: cfg.FollowUp.FDR,
		SurveyURL: cfg.Report.SurveyURL, HaveYourSay: cfg.Report.HaveYourSay,
		DefinitionsVersion: metrics.DefinitionsVersion,
		GeoJSON:            cfg.Report.GeoJSON,
	}
}
