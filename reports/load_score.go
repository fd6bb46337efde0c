package reports

import (
	"context"
	"database/sql"
	"strings"

	"github.com/civicscore/civicscore"
)

// The companion tables of indicator_values (store/migrations/002_score.sql)
// read with the columns the migrations define: a missing column is an
// error, never a silently empty section.

// reportPeriods are the period labels the pages show values of beyond the
// trends: the latest month and the latest full quarter or year.
func reportPeriods(d *Data) []string {
	var out []string
	if n := len(d.Months); n > 0 {
		out = append(out, d.Months[n-1])
		full, _ := fullPeriod(d.Months[n-1], d.Quarters, d.Years)
		if full.Label != "" {
			out = append(out, full.Label)
		}
	}
	if n := len(d.Quarters); n > 0 {
		out = append(out, d.Quarters[n-1])
	}
	if n := len(d.Years); n > 0 {
		out = append(out, d.Years[n-1])
	}
	return out
}

// inPeriods returns the SQL condition "<col> IN (?, …)" for periods, with
// its arguments; col is a fixed column name. No period keeps no row.
func inPeriods(col string, periods []string) (string, []any) {
	if len(periods) == 0 {
		return "false", nil
	}
	args := make([]any, len(periods))
	for i, p := range periods {
		args[i] = p
	}
	return col + ` IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(periods)), ", ") + `)`, args
}

// loadChanges reads the change over the previous period and its
// significance from indicator_changes, for the report periods, into the
// values already loaded.
func loadChanges(ctx context.Context, db *sql.DB, d *Data, idx unitIndex, periods []string) error {
	cond, pargs := inPeriods("period", periods)
	rows, err := db.QueryContext(ctx, `SELECT level, unit_id, period_type, period, indicator, change, change_significant
FROM indicator_changes WHERE run_id = ? AND `+cond, append([]any{d.RunID}, pargs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var lv, id, ptype, period, indicator string
		var change sql.NullFloat64
		var significant bool
		if err := rows.Scan(&lv, &id, &ptype, &period, &indicator, &change, &significant); err != nil {
			return err
		}
		u := idx[civicscore.Level(lv)][id]
		if u == nil {
			continue
		}
		p := civicscore.Period{Type: civicscore.PeriodType(ptype), Label: period}
		v, ok := u.Values.Get(indicator, p)
		if !ok || v.Suppressed || !v.Value.Valid {
			continue
		}
		v.Change, v.Significant = change, significant && change.Valid
		u.Set(indicator, p, v)
	}
	return rows.Err()
}

// qFollowUp reads the follow-up lists of the run's report periods, each
// entry with the stored value and change of its indicator (NULL when the
// value is suppressed or no change was stored).
const qFollowUp = `
SELECT f.community_id, f.list, f.district_id, f.period_type, f.period, f.indicator,
       c.change, CASE WHEN v.suppressed THEN NULL ELSE v.value END, f.q_value
FROM follow_up AS f
LEFT JOIN indicator_values AS v
       ON v.run_id = f.run_id AND v.period_type = f.period_type AND v.period = f.period
      AND v.level = 'community' AND v.unit_id = f.community_id AND v.indicator = f.indicator
LEFT JOIN indicator_changes AS c
       ON c.run_id = f.run_id AND c.period_type = f.period_type AND c.period = f.period
      AND c.level = 'community' AND c.unit_id = f.community_id AND c.indicator = f.indicator
WHERE f.run_id = ? AND `

// loadFollowUp reads the follow-up lists of the run's report periods, each
// list in q-value order (entries without one last, by community).
func loadFollowUp(ctx context.Context, db *sql.DB, d *Data, periods []string) error {
	cond, pargs := inPeriods("f.period", periods)
	rows, err := db.QueryContext(ctx, qFollowUp+cond+` ORDER BY f.list, f.district_id, f.q_value NULLS LAST, f.community_id, f.indicator`,
		append([]any{d.RunID}, pargs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.FollowUp = []FollowUp{}
	for rows.Next() {
		var f FollowUp
		var ptype, period string
		if err := rows.Scan(&f.UnitID, &f.List, &f.DistrictID, &ptype, &period, &f.Indicator, &f.Change, &f.Value, &f.QValue); err != nil {
			return err
		}
		f.Period = civicscore.Period{Type: civicscore.PeriodType(ptype), Label: period}
		d.FollowUp = append(d.FollowUp, f)
	}
	return rows.Err()
}

// loadComponents reads how each community's resident score was made, for
// the report periods, and the weights the run used (score.weights, which
// score_components records on every row as weight_configured).
func loadComponents(ctx context.Context, db *sql.DB, d *Data, periods []string) error {
	cond, pargs := inPeriods("period", periods)
	rows, err := db.QueryContext(ctx, `SELECT unit_id, period_type, period, component, raw_value, ci_low, ci_high,
       shrunk_value, weight_effective, used, weight_configured
FROM score_components WHERE run_id = ? AND level = 'community' AND `+cond+`
ORDER BY unit_id, period_type, period`, append([]any{d.RunID}, pargs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Components = map[string][]Component{}
	for rows.Next() {
		var id, ptype, period string
		var c Component
		var used bool
		var configured float64
		if err := rows.Scan(&id, &ptype, &period, &c.Indicator, &c.Value, &c.CILow, &c.CIHigh, &c.Shrunk, &c.Weight, &used, &configured); err != nil {
			return err
		}
		if d.Weights == nil {
			d.Weights = map[string]float64{}
		}
		d.Weights[c.Indicator] = configured
		if !used {
			// Left out of the score: no weight.
			c.Weight = sql.NullFloat64{}
		}
		c.Period = civicscore.Period{Type: civicscore.PeriodType(ptype), Label: period}
		d.Components[id] = append(d.Components[id], c)
	}
	return rows.Err()
}
