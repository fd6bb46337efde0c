package metrics

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/civicscore/civicscore"
)

//go:embed sql/*.sql
var sqlFS embed.FS

// paramsFile binds the run parameters; steps run after it, in order.
const paramsFile = "params.sql"

// steps are the SQL files Compute runs after params.sql, in order. Each is
// a fixed handful of set-based statements (see the package documentation).
var steps = []string{
	"common.sql", quantilesFile, "cases.sql", "casemix.sql", "three_rates.sql", "surveys.sql",
	"strata.sql", weightsStep, "weighted.sql", "services.sql",
	"rules.sql", "survey_strata.sql", "shrink.sql", "score.sql", "change.sql", "spc.sql", ranksFile, funnelFile, funnelLimitsFile,
	"peers.sql", "targets.sql", "follow_up.sql",
	"finish.sql",
}

// tempSteps is how many of steps (after params.sql) write only TEMP tables:
// they run before the transaction that replaces the output tables opens.
// A temp table made inside a transaction lives in its local storage, which
// DuckDB scans on one thread; the case rows (one per case) are read twice.
const tempSteps = 10

// quantilesFile computes the case duration quantiles in one pass;
// serialQuantilesFile, the same one grouping at a time, in a ninth of the
// memory (see sql/case_quantiles.sql). Compute picks by quantileBytes.
const (
	quantilesFile       = "case_quantiles.sql"
	serialQuantilesFile = "case_quantiles_serial.sql"
)

// quantileBytes estimates the memory the one-pass quantiles hold for n case
// rows: nine groupings × two durations × 8 bytes, × 1.5 for the growth of
// the value lists.
func quantileBytes(n int64) int64 { return n * 9 * 2 * 8 * 3 / 2 }

// forceSerialQuantiles makes Compute take the serial quantiles (tests).
var forceSerialQuantiles bool

// CompanionTables are the tables besides indicator_values that Compute
// replaces (store/migrations/002_score.sql, 009_comparison.sql and
// 014_strata.sql document their columns).
var CompanionTables = []string{"indicator_changes", "indicator_targets", "score_components", "score_peers", "follow_up",
	"rank_intervals", "rankability", "funnel_params", "funnel_points", "survey_strata", "spc_points"}

// ThreeRatesWeights are the weights of the 12345 response, resolution and
// satisfaction rates in three_rates_score (three_rates.weights). They should
// sum to 1 for the score to run from 0 to 100.
type ThreeRatesWeights struct {
	Response, Resolution, Satisfaction float64
}

// ScoreComponents are the components the resident score may use, as named
// in score.weights (the ids of civicscore.ScoreComponents). escalation_share
// enters the score as 1 − its (shrunk) share.
var ScoreComponents = civicscore.ScoreComponentIDs(false)

// ResidentComponents are the score components whose source is residents'
// own judgement (survey answers and case callbacks). Their weights must sum
// to at least half of the total, and a score needs at least one of them.
var ResidentComponents = civicscore.ScoreComponentIDs(true)

// Options configures a Compute run. The package has no defaults of its
// own: the caller copies them from the configuration (config.Default()
// holds them), and a zero MinN, ThreeRatesWeights or ScoreWeights is
// refused.
type Options struct {
	// RunID is written on every indicator_values row; it is required.
	RunID string
	// AsOf is the data cut-off. Its wall-clock reading (year … microsecond
	// in its own Location) is taken as a local timestamp, like every
	// timestamp in the database; the instant is not converted. Zero means
	// derive it: the latest of reported_at, first_response_at, closed_at
	// and updated_at over all cases.
	AsOf time.Time
	// MinN suppresses proportions and estimates made from fewer rows
	// (thresholds.min_n); at least 1. Use 1 to suppress only values made
	// from no rows.
	MinN int
	// SurveyItems are the survey dimension items reported as
	// satisfaction_rate.<item>, from SurveyItemColumns; empty means all of
	// SurveyItemColumns.
	SurveyItems []string
	// ThreeRatesWeights weight three_rates_score (three_rates.weights):
	// each >= 0 with a positive sum.
	ThreeRatesWeights ThreeRatesWeights
	// BasicallySatisfiedWeight weights 'basically_satisfied' in
	// satisfaction_rate_12345 (three_rates.basically_satisfied_weight),
	// between 0 and 1; 0 counts such answers as not satisfied.
	BasicallySatisfiedWeight float64
	// ScoreWeights are score.weights: the weight of each component of
	// resident_score, keyed by ScoreComponents. A component left out does
	// not enter the score. Refused (an error wrapping civicscore.ErrConfig)
	// when it breaks civicscore.ValidateScoreWeights: empty, a component
	// unknown, a weight negative or not finite, the total not positive, or
	// ResidentComponents carrying less than half of the total.
	ScoreWeights map[string]float64
	// Targets are targets.<indicator>: a goal (> 0) per indicator of the
	// registry, written with each value's target_ratio to
	// indicator_targets. Refused when an indicator is unknown or has no
	// better direction (neutral).
	Targets map[string]float64
	// FDR is follow_up.fdr: the largest Benjamini–Hochberg q-value at
	// which a community enters a follow-up list, in (0, 1].
	FDR float64
	// SPC are the control-chart rules (spc.*).
	SPC SPCOptions
	// CaseMix is score.case_mix: the score's record components enter as
	// their standardised rates (<id>.standardised).
	CaseMix bool
	// PostStrata are survey.post_strata.variables: nil, [age_group] or
	// [age_group, gender].
	PostStrata []string
	// SurveyMinCell is survey.min_cell (>= 1): smaller weighting cells
	// are merged into a neighbour.
	SurveyMinCell int
	// SurveyMaxWeight is survey.max_weight (>= 1): the cap of a weight.
	SurveyMaxWeight float64
	// RankDraws is ranks.draws (>= 10000): the simulated draws behind
	// each rank interval.
	RankDraws int
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
}

// SPCOptions are the control-chart settings (config spc.*).
type SPCOptions struct {
	// BaselineMonths is spc.baseline_months (>= 2).
	BaselineMonths int
	// TrendPoints is spc.trend_points (>= 3).
	TrendPoints int
	// ShiftPoints is spc.shift_points (>= 3).
	ShiftPoints int
}

// Summary reports what a Compute run wrote.
type Summary struct {
	// RunID is the run id written on every row.
	RunID string
	// AsOf is the cut-off used, as a local wall-clock time; like every
	// TIMESTAMP read from DuckDB its Location is UTC. Zero when there was
	// no case and Options.AsOf was zero.
	AsOf time.Time
	// Indicators is the number of registry rows written to indicators.
	Indicators int
	// Rows is the number of rows written to indicator_values.
	Rows int64
	// Suppressed is how many of them are suppressed.
	Suppressed int64
	// RowsByFamily splits Rows by indicator family.
	RowsByFamily map[string]int64
	// CompanionRows is the number of rows written to each of
	// CompanionTables.
	CompanionRows map[string]int64
}

// withDefaults validates o and fills in its defaults.
func (o Options) withDefaults() (Options, error) {
	if o.RunID == "" {
		return o, fmt.Errorf("metrics: run id is required: %w", civicscore.ErrConfig)
	}
	if o.MinN < 1 {
		return o, fmt.Errorf("metrics: thresholds.min_n %d: must be >= 1: %w", o.MinN, civicscore.ErrConfig)
	}
	if len(o.SurveyItems) == 0 {
		o.SurveyItems = SurveyItemColumns
	}
	seen := map[string]bool{}
	for _, it := range o.SurveyItems {
		if !slices.Contains(SurveyItemColumns, it) {
			return o, fmt.Errorf("metrics: survey item %q is not one of %s: %w",
				it, strings.Join(SurveyItemColumns, ", "), civicscore.ErrConfig)
		}
		if seen[it] {
			return o, fmt.Errorf("metrics: survey item %q is listed twice: %w", it, civicscore.ErrConfig)
		}
		seen[it] = true
	}
	w := o.ThreeRatesWeights
	if w.Response+w.Resolution+w.Satisfaction <= 0 {
		return o, fmt.Errorf("metrics: three_rates.weights %+v: need a positive sum: %w", w, civicscore.ErrConfig)
	}
	for name, v := range map[string]float64{"response": w.Response, "resolution": w.Resolution, "satisfaction": w.Satisfaction} {
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return o, fmt.Errorf("metrics: three_rates.weights.%s = %v must be a number >= 0: %w", name, v, civicscore.ErrConfig)
		}
	}
	b := o.BasicallySatisfiedWeight
	switch {
	case math.IsNaN(b) || b < 0 || b > 1:
		return o, fmt.Errorf("metrics: three_rates.basically_satisfied_weight = %v must be between 0 and 1: %w", b, civicscore.ErrConfig)
	}
	if err := civicscore.ValidateScoreWeights(o.ScoreWeights); err != nil {
		return o, fmt.Errorf("metrics: %w: %w", err, civicscore.ErrConfig)
	}
	o.ScoreWeights = maps.Clone(o.ScoreWeights)
	for _, ind := range slices.Sorted(maps.Keys(o.Targets)) {
		if t := o.Targets[ind]; math.IsNaN(t) || math.IsInf(t, 0) || t <= 0 {
			return o, fmt.Errorf("metrics: targets.%s = %v must be a number > 0: %w", ind, t, civicscore.ErrConfig)
		}
	}
	if !(o.FDR > 0 && o.FDR <= 1) {
		return o, fmt.Errorf("metrics: follow_up.fdr = %v must be in (0, 1]: %w", o.FDR, civicscore.ErrConfig)
	}
	if o.SPC.BaselineMonths < 2 || o.SPC.TrendPoints < 3 || o.SPC.ShiftPoints < 3 {
		return o, fmt.Errorf("metrics: spc %+v: baseline_months must be >= 2, trend_points and shift_points >= 3: %w", o.SPC, civicscore.ErrConfig)
	}
	switch {
	case len(o.PostStrata) == 0:
	case len(o.PostStrata) == 1 && o.PostStrata[0] == "age_group":
	case len(o.PostStrata) == 2 && o.PostStrata[0] == "age_group" && o.PostStrata[1] == "gender":
	default:
		return o, fmt.Errorf("metrics: survey.post_strata.variables %q: want [age_group] or [age_group, gender]: %w", o.PostStrata, civicscore.ErrConfig)
	}
	if o.SurveyMinCell < 1 {
		return o, fmt.Errorf("metrics: survey.min_cell = %d must be >= 1: %w", o.SurveyMinCell, civicscore.ErrConfig)
	}
	if !(o.SurveyMaxWeight >= 1) || math.IsInf(o.SurveyMaxWeight, 1) {
		return o, fmt.Errorf("metrics: survey.max_weight = %v must be a number >= 1: %w", o.SurveyMaxWeight, civicscore.ErrConfig)
	}
	if o.RankDraws < 10000 {
		return o, fmt.Errorf("metrics: ranks.draws = %d must be >= 10000: %w", o.RankDraws, civicscore.ErrConfig)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// validTargets checks that every targeted indicator is in reg and has a
// better direction, and returns the targets as two parallel lists sorted by
// indicator, ready to bind.
func validTargets(targets map[string]float64, reg []civicscore.Indicator) ([]string, []float64, error) {
	ids := make([]string, 0, len(targets))
	values := make([]float64, 0, len(targets))
	for _, id := range slices.Sorted(maps.Keys(targets)) {
		i := slices.IndexFunc(reg, func(ind civicscore.Indicator) bool { return ind.ID == id })
		if i < 0 {
			return nil, nil, fmt.Errorf("metrics: targets.%s: no such indicator: %w", id, civicscore.ErrConfig)
		}
		if reg[i].Direction == civicscore.Neutral {
			return nil, nil, fmt.Errorf("metrics: targets.%s: the indicator is neutral (neither higher nor lower is better), so a target has no direction: %w", id, civicscore.ErrConfig)
		}
		ids = append(ids, id)
		values = append(values, targets[id])
	}
	return ids, values, nil
}

// Compute computes every indicator of the registry for every unit and
// period and replaces all rows of indicator_values, of indicators and of
// the CompanionTables with the result, in one transaction: on error nothing
// is changed. db must hold
// civicscore's schema (store.Open applies it). See the package
// documentation and the files in sql/ for the formulas.
func Compute(ctx context.Context, db *sql.DB, opts Options) (Summary, error) {
	if db == nil {
		return Summary{}, errors.New("metrics: no database")
	}
	o, err := opts.withDefaults()
	if err != nil {
		return Summary{}, err
	}
	log := o.Logger
	start := time.Now()
	registry := Registry(o.SurveyItems)
	targetIDs, targetValues, err := validTargets(o.Targets, registry)
	if err != nil {
		return Summary{}, err
	}
	components := slices.Sorted(maps.Keys(o.ScoreWeights))
	weights := make([]float64, len(components))
	for i, c := range components {
		weights[i] = o.ScoreWeights[c]
	}

	// One connection for every step: the temp tables live on it.
	conn, err := db.Conn(ctx)
	if err != nil {
		return Summary{}, fmt.Errorf("metrics: connect: %w", err)
	}
	defer conn.Close()
	committed := false
	defer func() {
		if !committed {
			dropTemp(conn)
		}
	}()

	sum := Summary{RunID: o.RunID, Indicators: len(registry), RowsByFamily: map[string]int64{}, CompanionRows: map[string]int64{}}

	// Parameters, bound in the order of the placeholders of params.sql.
	var asOf any // NULL: derive from the cases
	if !o.AsOf.IsZero() {
		asOf = o.AsOf.Format("2006-01-02 15:04:05.999999")
	}
	w := o.ThreeRatesWeights
	if err := execFile(ctx, conn, log, paramsFile,
		o.RunID, asOf, o.MinN, strings.Join(o.SurveyItems, ","),
		w.Response, w.Resolution, w.Satisfaction, o.BasicallySatisfiedWeight,
		components, weights, ResidentComponents, targetIDs, targetValues,
		o.FDR, o.SPC.BaselineMonths, o.SPC.TrendPoints, o.SPC.ShiftPoints, o.CaseMix,
		append([]string{}, o.PostStrata...), o.SurveyMinCell, o.SurveyMaxWeight, o.RankDraws); err != nil {
		return Summary{}, err
	}
	var used sql.NullTime
	if err := conn.QueryRowContext(ctx, "SELECT as_of FROM metrics_params").Scan(&used); err != nil {
		return Summary{}, fmt.Errorf("metrics: sql/%s: read as_of: %w", paramsFile, err)
	}
	if used.Valid {
		sum.AsOf = used.Time
	}
	serial, err := serialQuantiles(ctx, conn, log)
	if err != nil {
		return Summary{}, err
	}
	for _, name := range steps[:tempSteps] {
		if name == quantilesFile && serial {
			name = serialQuantilesFile
		}
		if name == weightsStep {
			if err := computeWeights(ctx, conn, log, o); err != nil {
				return Summary{}, err
			}
			continue
		}
		if err := execFile(ctx, conn, log, name); err != nil {
			return Summary{}, err
		}
	}

	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return Summary{}, fmt.Errorf("metrics: begin: %w", err)
	}
	defer tx.Rollback() // a no-op once committed

	if err := writeRegistry(ctx, tx, registry); err != nil {
		return Summary{}, err
	}
	for _, name := range steps[tempSteps:] {
		if name == "targets.sql" && len(targetIDs) == 0 {
			continue // nothing to write; rules.sql emptied indicator_targets
		}
		if err := execFile(ctx, tx, log, name); err != nil {
			return Summary{}, err
		}
		if name == ranksFile {
			if err := simulateRanks(ctx, tx, log, o.RankDraws); err != nil {
				return Summary{}, err
			}
		}
		if name == funnelFile {
			if err := funnelLimits(ctx, tx, log); err != nil {
				return Summary{}, err
			}
		}
	}

	rows, err := tx.QueryContext(ctx, `SELECT i.family, count(*), count(*) FILTER (WHERE v.suppressed)
		FROM indicator_values v JOIN indicators i USING (indicator) GROUP BY i.family`)
	if err != nil {
		return Summary{}, fmt.Errorf("metrics: count rows: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var family string
		var n, suppressed int64
		if err := rows.Scan(&family, &n, &suppressed); err != nil {
			return Summary{}, fmt.Errorf("metrics: count rows: %w", err)
		}
		sum.RowsByFamily[family] = n
		sum.Rows += n
		sum.Suppressed += suppressed
	}
	if err := rows.Err(); err != nil {
		return Summary{}, fmt.Errorf("metrics: count rows: %w", err)
	}
	for _, table := range CompanionTables {
		var n int64
		// table is one of the fixed names of CompanionTables, not input.
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			return Summary{}, fmt.Errorf("metrics: count rows of %s: %w", table, err)
		}
		sum.CompanionRows[table] = n
	}
	if err := tx.Commit(); err != nil {
		return Summary{}, fmt.Errorf("metrics: commit: %w", err)
	}
	committed = true
	asOfText := "none (no case)" // never the zero time's 0001-01-01
	if !sum.AsOf.IsZero() {
		asOfText = sum.AsOf.Format(time.DateTime)
	}
	log.Info("metrics computed", "run_id", sum.RunID, "as_of", asOfText,
		"rows", sum.Rows, "suppressed", sum.Suppressed, "elapsed", time.Since(start).Round(time.Millisecond))
	return sum, nil
}

// execFile runs the statements of sql/name in tx; args bind the placeholders
// of its last statement.
func execFile(ctx context.Context, tx execer, log *slog.Logger, name string, args ...any) error {
	text, err := sqlFS.ReadFile("sql/" + name)
	if err != nil {
		return fmt.Errorf("metrics: sql/%s: %w", name, err)
	}
	t := time.Now()
	if _, err := tx.ExecContext(ctx, string(text), args...); err != nil {
		return fmt.Errorf("metrics: sql/%s: %w", name, err)
	}
	log.Debug("metrics step", "file", "sql/"+name, "elapsed", time.Since(t).Round(time.Millisecond))
	return nil
}

// serialQuantiles reports whether the case quantiles must be computed one
// grouping at a time: when the one-pass estimate exceeds half of DuckDB's
// memory_limit (the other half is left to the buffer pool).
func serialQuantiles(ctx context.Context, conn *sql.Conn, log *slog.Logger) (bool, error) {
	if forceSerialQuantiles {
		return true, nil
	}
	var n int64
	var limit string
	if err := conn.QueryRowContext(ctx, "SELECT (SELECT count(*) FROM cases), current_setting('memory_limit')").Scan(&n, &limit); err != nil {
		return false, fmt.Errorf("metrics: memory limit: %w", err)
	}
	max, ok := parseBytes(limit)
	need := quantileBytes(n)
	serial := ok && need > max/2
	log.Debug("case quantiles", "cases", n, "estimate_bytes", need, "memory_limit", limit, "serial", serial)
	return serial, nil
}

// parseBytes reads a size as DuckDB shows memory_limit ("3.7 GiB",
// "200.0 MiB", "4 GB"); ok is false for anything else.
func parseBytes(s string) (int64, bool) {
	num, unit, found := strings.Cut(strings.TrimSpace(s), " ")
	if !found {
		i := strings.IndexFunc(s, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
		if i <= 0 {
			return 0, false
		}
		num, unit = s[:i], s[i:]
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || v < 0 {
		return 0, false
	}
	mult := map[string]float64{
		"B": 1, "bytes": 1,
		"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
		"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
	}[strings.TrimSpace(unit)]
	if mult == 0 {
		return 0, false
	}
	return int64(v * mult), true
}

// dropTemp drops the temp tables and views a failed Compute left on conn
// (finish.sql drops them after a successful one), so that the pool does not
// hand out a connection holding them.
func dropTemp(conn *sql.Conn) {
	ctx := context.Background()
	rows, err := conn.QueryContext(ctx, `SELECT table_name, 'TABLE' FROM duckdb_tables() WHERE temporary AND table_name LIKE 'metrics\_%' ESCAPE '\'
		UNION ALL SELECT view_name, 'VIEW' FROM duckdb_views() WHERE temporary AND view_name LIKE 'metrics\_%' ESCAPE '\'`)
	if err != nil {
		return
	}
	var drops []string
	for rows.Next() {
		var name, kind string
		if rows.Scan(&name, &kind) == nil {
			// name is one of our own metrics_ temp objects, quoted anyway.
			drops = append(drops, "DROP "+kind+" IF EXISTS temp.main.\""+strings.ReplaceAll(name, `"`, `""`)+"\"")
		}
	}
	rows.Close()
	for _, d := range drops {
		conn.ExecContext(ctx, d)
	}
	conn.ExecContext(ctx, "RESET VARIABLE metrics_as_of")
	conn.ExecContext(ctx, "RESET VARIABLE metrics_items")
}

// execer is a connection or a transaction.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// writeRegistry replaces the rows of indicators with reg, in one
// multi-row INSERT of bound values.
func writeRegistry(ctx context.Context, tx *sql.Tx, reg []civicscore.Indicator) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM indicators"); err != nil {
		return fmt.Errorf("metrics: registry: %w", err)
	}
	var b strings.Builder
	b.WriteString("INSERT INTO indicators (indicator, family, name_zh, name_en, unit, direction, kind, definition) VALUES ")
	args := make([]any, 0, 8*len(reg))
	for i, ind := range reg {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?)")
		args = append(args, ind.ID, ind.Family, ind.NameZH, ind.NameEN, ind.Unit,
			string(ind.Direction), string(ind.Kind), ind.Definition)
	}
	if _, err := tx.ExecContext(ctx, b.String(), args...); err != nil {
		return fmt.Errorf("metrics: registry: %w", err)
	}
	return nil
}
