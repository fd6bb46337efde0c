package reports

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/civicscore/civicscore"
)

// The fair-comparison tables of store/migrations/009_comparison.sql, read
// with the columns the migration defines, one query per table whatever the
// number of communities. A run that stored no rows (an older run, or one
// made before these tables were filled) leaves the lists empty.

// controlIndicators are the indicators whose control charts the pages draw:
// the monthly trends of the district and street reports and the
// scorecards.
func controlIndicators() []string {
	seen := map[string]bool{}
	var out []string
	for _, ind := range append(append([]string{}, areaTrendIndicators...), trendIndicators...) {
		if !seen[ind] {
			seen[ind] = true
			out = append(out, ind)
		}
	}
	return out
}

// rankIndicators are the indicators whose rank intervals the pages show.
var rankIndicators = []string{indResidentScore}

// loadComparison reads the funnel plots, rank intervals and rankability of
// the report periods and the control charts of the pages' trend
// indicators.
func loadComparison(ctx context.Context, db *sql.DB, d *Data, periods []string) error {
	if err := loadFunnels(ctx, db, d, periods); err != nil {
		return fmt.Errorf("reports: load funnel_params and funnel_points: %w", err)
	}
	if err := loadControl(ctx, db, d); err != nil {
		return fmt.Errorf("reports: load spc_points: %w", err)
	}
	if err := loadRanks(ctx, db, d, periods); err != nil {
		return fmt.Errorf("reports: load rank_intervals: %w", err)
	}
	if err := loadRankability(ctx, db, d, periods); err != nil {
		return fmt.Errorf("reports: load rankability: %w", err)
	}
	return nil
}

// qFunnels reads every funnel of the report periods with its points, one
// row per point (a funnel without points is one row with NULL point
// columns), funnels in a fixed order and points by denominator.
const qFunnels = `
SELECT f.period_type, f.period, f.district_id, f.indicator, f.target, f.units, f.phi, f.chi2_p, f.od_applied, f.tau2,
       p.unit_id, p.value, p.denominator, p.z, p.z_adjusted, p.p_value, p.q_value, p.flag,
       p.lower_95, p.upper_95, p.lower_998, p.upper_998
FROM funnel_params AS f
LEFT JOIN funnel_points AS p
       ON p.run_id = f.run_id AND p.period_type = f.period_type AND p.period = f.period
      AND p.district_id = f.district_id AND p.indicator = f.indicator
WHERE f.run_id = ? AND `

func loadFunnels(ctx context.Context, db *sql.DB, d *Data, periods []string) error {
	cond, pargs := inPeriods("f.period", periods)
	rows, err := db.QueryContext(ctx, qFunnels+cond+`
ORDER BY f.district_id, f.indicator, f.period_type, f.period, p.denominator, p.unit_id`, append([]any{d.RunID}, pargs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Funnels = nil
	for rows.Next() {
		var (
			f                  Funnel
			ptype, period      string
			unitID, flag       sql.NullString
			den                sql.NullFloat64
			pt                 FunnelPoint
			lo95, hi95, lo, hi sql.NullFloat64
		)
		if err := rows.Scan(&ptype, &period, &f.DistrictID, &f.Indicator, &f.Target, &f.Units, &f.Phi, &f.Chi2P, &f.ODApplied, &f.Tau2,
			&unitID, &pt.Value, &den, &pt.Z, &pt.ZAdjusted, &pt.PValue, &pt.QValue, &flag,
			&lo95, &hi95, &lo, &hi); err != nil {
			return err
		}
		f.Period = civicscore.Period{Type: civicscore.PeriodType(ptype), Label: period}
		n := len(d.Funnels)
		if n == 0 || d.Funnels[n-1].Period != f.Period || d.Funnels[n-1].DistrictID != f.DistrictID || d.Funnels[n-1].Indicator != f.Indicator {
			d.Funnels = append(d.Funnels, f)
			n++
		}
		if !unitID.Valid {
			continue
		}
		pt.UnitID, pt.Flag, pt.Denominator = unitID.String, flag.String, den.Float64
		pt.Lower95, pt.Upper95, pt.Lower998, pt.Upper998 = lo95, hi95, lo, hi
		d.Funnels[n-1].Points = append(d.Funnels[n-1].Points, pt)
	}
	return rows.Err()
}

// qControl reads the control charts of the pages' trend indicators, every
// unit and month.
func qControl(n int) string {
	return `
SELECT level, unit_id, indicator, period, value, denominator, centre, lower, upper, lower_2s, upper_2s,
       rule, signal, baseline, trial
FROM spc_points
WHERE run_id = ? AND indicator IN (` + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + `)
ORDER BY level, unit_id, indicator, period`
}

func loadControl(ctx context.Context, db *sql.DB, d *Data) error {
	inds := controlIndicators()
	args := []any{d.RunID}
	for _, ind := range inds {
		args = append(args, ind)
	}
	rows, err := db.QueryContext(ctx, qControl(len(inds)), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Control = nil
	for rows.Next() {
		var (
			level, unitID, ind string
			p                  ControlPoint
		)
		if err := rows.Scan(&level, &unitID, &ind, &p.Month, &p.Value, &p.Denominator, &p.Centre, &p.Lower, &p.Upper,
			&p.Lower2s, &p.Upper2s, &p.Rule, &p.Signal, &p.Baseline, &p.Trial); err != nil {
			return err
		}
		n := len(d.Control)
		if n == 0 || string(d.Control[n-1].Level) != level || d.Control[n-1].UnitID != unitID || d.Control[n-1].Indicator != ind {
			d.Control = append(d.Control, ControlSeries{Level: civicscore.Level(level), UnitID: unitID, Indicator: ind})
			n++
		}
		d.Control[n-1].Points = append(d.Control[n-1].Points, p)
	}
	return rows.Err()
}

func loadRanks(ctx context.Context, db *sql.DB, d *Data, periods []string) error {
	cond, pargs := inPeriods("period", periods)
	args := append([]any{d.RunID}, pargs...)
	for _, ind := range rankIndicators {
		args = append(args, ind)
	}
	rows, err := db.QueryContext(ctx, `
SELECT period_type, period, district_id, unit_id, indicator, units, rank, expected_rank, rank_low, rank_high, p_bottom_fifth
FROM rank_intervals
WHERE run_id = ? AND level = 'community' AND `+cond+` AND indicator IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(rankIndicators)), ", ")+`)
ORDER BY district_id, indicator, period_type, period, unit_id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Ranks = nil
	for rows.Next() {
		var r RankInterval
		var ptype, period string
		if err := rows.Scan(&ptype, &period, &r.DistrictID, &r.UnitID, &r.Indicator, &r.Units, &r.Rank, &r.ExpectedRank,
			&r.Low, &r.High, &r.PBottomFifth); err != nil {
			return err
		}
		r.Period = civicscore.Period{Type: civicscore.PeriodType(ptype), Label: period}
		d.Ranks = append(d.Ranks, r)
	}
	return rows.Err()
}

func loadRankability(ctx context.Context, db *sql.DB, d *Data, periods []string) error {
	cond, pargs := inPeriods("period", periods)
	rows, err := db.QueryContext(ctx, `
SELECT period_type, period, district_id, indicator, units, tau2, median_sampling_variance, rankability
FROM rankability
WHERE run_id = ? AND `+cond+`
ORDER BY district_id, period_type, period, indicator`, append([]any{d.RunID}, pargs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Rankability = nil
	for rows.Next() {
		var r Rankability
		var ptype, period string
		if err := rows.Scan(&ptype, &period, &r.DistrictID, &r.Indicator, &r.Units, &r.Tau2, &r.MedianSamplingVariance, &r.Rho); err != nil {
			return err
		}
		r.Period = civicscore.Period{Type: civicscore.PeriodType(ptype), Label: period}
		d.Rankability = append(d.Rankability, r)
	}
	return rows.Err()
}
