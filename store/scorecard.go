package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// ScorecardView is the wide view of community indicators by month.
const ScorecardView = "scorecard_wide"

// scorecardKeys are the leading columns of ScorecardView, in order, as
// migrations/003_research.sql creates them.
var scorecardKeys = []string{"community_id", "community_name", "street_id", "street_name",
	"district_id", "district_name", "area_type", "month"}

// RefreshScorecard rebuilds the view scorecard_wide with one column per
// indicator of the registry table indicators (in registry order), named by
// the indicator id and holding indicator_values.value of the latest run's
// community-month rows. When resident_score is in the registry, the
// columns resident_score_rank, resident_score_rank_low and
// resident_score_rank_high follow (rank_intervals: the point rank and the
// 95% rank interval in the district); then <indicator>_funnel_flag for each
// indicator (in registry order) with a funnel plot in the latest run
// (funnel_points.flag). DuckDB views cannot pivot on values read from the
// data, so the ids are listed in the view; calling this after every compute
// keeps the view in step with the registry. The comments of the view and
// its key columns are carried over; each indicator column is commented
// from the registry (name, unit, definition).
func RefreshScorecard(ctx context.Context, db *DB) error {
	return db.Tx(ctx, func(tx *sql.Tx) error {
		if err := refreshScorecard(ctx, tx); err != nil {
			return fmt.Errorf("refresh %s: %w", ScorecardView, err)
		}
		return nil
	})
}

type registryEntry struct{ id, nameZH, nameEN, unit, definition string }

// rankColumns are the columns of scorecard_wide from rank_intervals (the
// resident score's rank in its district), with their comments.
var rankColumns = []struct{ name, source, comment string }{
	{"resident_score_rank", "rank", "The resident score's point rank among the district's communities that have a score (1 = best; ties share the better rank). Source: rank_intervals.rank of indicator resident_score for the community and month (NULL without a score)."},
	{"resident_score_rank_low", "rank_low", "The best plausible rank: the 2.5% quantile of the simulated ranks. Source: rank_intervals.rank_low of indicator resident_score for the community and month."},
	{"resident_score_rank_high", "rank_high", "The worst plausible rank: the 97.5% quantile of the simulated ranks; the community could rank anywhere from resident_score_rank_low to this. Source: rank_intervals.rank_high of indicator resident_score for the community and month."},
}

// funnelFlagSuffix names a funnel flag column: <indicator>_funnel_flag.
const funnelFlagSuffix = "_funnel_flag"

func refreshScorecard(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `SELECT indicator, name_zh, name_en, unit, coalesce(definition, '')
		FROM indicators ORDER BY rowid`)
	if err != nil {
		return err
	}
	var reg []registryEntry
	for rows.Next() {
		var e registryEntry
		if err := rows.Scan(&e.id, &e.nameZH, &e.nameEN, &e.unit, &e.definition); err != nil {
			rows.Close()
			return err
		}
		if slices.Contains(scorecardKeys, e.id) {
			rows.Close()
			return fmt.Errorf("indicator id %q clashes with a key column", e.id)
		}
		reg = append(reg, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	hasScore := slices.ContainsFunc(reg, func(e registryEntry) bool { return e.id == "resident_score" })
	// The indicators with a funnel plot in the latest run, in registry order.
	var funnel []registryEntry
	if len(reg) > 0 {
		frows, err := tx.QueryContext(ctx, `SELECT DISTINCT indicator FROM funnel_points
			WHERE period_type = 'month' AND run_id = (SELECT run_id FROM latest_run)`)
		if err != nil {
			return err
		}
		inFunnel := map[string]bool{}
		for frows.Next() {
			var id string
			if err := frows.Scan(&id); err != nil {
				frows.Close()
				return err
			}
			inFunnel[id] = true
		}
		frows.Close()
		if err := frows.Err(); err != nil {
			return err
		}
		for _, e := range reg {
			if inFunnel[e.id] {
				funnel = append(funnel, e)
			}
		}
	}
	for _, e := range reg {
		for _, c := range rankColumns {
			if e.id == c.name {
				return fmt.Errorf("indicator id %q clashes with a rank column", e.id)
			}
		}
		for _, f := range funnel {
			if e.id == f.id+funnelFlagSuffix {
				return fmt.Errorf("indicator id %q clashes with a funnel flag column", e.id)
			}
		}
	}

	// The comments 003 gave the view and its key columns.
	var viewComment sql.NullString
	if err := tx.QueryRowContext(ctx, `SELECT comment FROM duckdb_views()
		WHERE database_name = current_database() AND schema_name = 'main' AND view_name = ?`, ScorecardView).Scan(&viewComment); err != nil && err != sql.ErrNoRows {
		return err
	}
	keyComments := map[string]string{}
	crows, err := tx.QueryContext(ctx, `SELECT column_name, comment FROM duckdb_columns()
		WHERE database_name = current_database() AND schema_name = 'main' AND table_name = ? AND comment IS NOT NULL`, ScorecardView)
	if err != nil {
		return err
	}
	for crows.Next() {
		var c, cm string
		if err := crows.Scan(&c, &cm); err != nil {
			crows.Close()
			return err
		}
		keyComments[c] = cm
	}
	crows.Close()
	if err := crows.Err(); err != nil {
		return err
	}

	var b strings.Builder
	b.WriteString("CREATE OR REPLACE VIEW " + quoteIdent(ScorecardView) + " AS\nSELECT ")
	for i, k := range scorecardKeys {
		if i > 0 {
			b.WriteString(", ")
		}
		if k == "month" {
			b.WriteString("v.month")
		} else {
			b.WriteString("k." + k)
		}
	}
	const latest = "(SELECT run_id FROM latest_run)"
	if len(reg) == 0 {
		b.WriteString(`
FROM (SELECT DISTINCT unit_id AS community_id, period AS month
      FROM indicator_values
      WHERE level = 'community' AND period_type = 'month' AND run_id = ` + latest + `) AS v
JOIN communities AS k USING (community_id)`)
	} else {
		var cols, in []string
		for _, e := range reg {
			cols = append(cols, "v."+quoteIdent(e.id))
			in = append(in, quoteLiteral(e.id))
		}
		if hasScore {
			for _, c := range rankColumns {
				cols = append(cols, "r."+quoteIdent(c.name))
			}
		}
		var flagIn []string
		for _, f := range funnel {
			cols = append(cols, "f."+quoteIdent(f.id+funnelFlagSuffix))
			flagIn = append(flagIn, quoteLiteral(f.id+funnelFlagSuffix))
		}
		b.WriteString(",\n    " + strings.Join(cols, ",\n    "))
		b.WriteString(`
FROM (
    PIVOT (SELECT unit_id AS community_id, period AS month, indicator, value
           FROM indicator_values
           WHERE level = 'community' AND period_type = 'month' AND run_id = ` + latest + `)
    ON indicator IN (` + strings.Join(in, ", ") + `)
    USING any_value(value)
    GROUP BY community_id, month
) AS v
JOIN communities AS k USING (community_id)`)
		if hasScore {
			var sel []string
			for _, c := range rankColumns {
				sel = append(sel, c.source+" AS "+quoteIdent(c.name))
			}
			b.WriteString(`
LEFT JOIN (SELECT unit_id AS community_id, period AS month, ` + strings.Join(sel, ", ") + `
           FROM rank_intervals
           WHERE level = 'community' AND period_type = 'month' AND indicator = 'resident_score'
             AND run_id = ` + latest + `) AS r
  ON r.community_id = v.community_id AND r.month = v.month`)
		}
		if len(funnel) > 0 {
			b.WriteString(`
LEFT JOIN (
    PIVOT (SELECT unit_id AS community_id, period AS month, indicator || '` + funnelFlagSuffix + `' AS flag_column, flag
           FROM funnel_points
           WHERE period_type = 'month' AND run_id = ` + latest + `)
    ON flag_column IN (` + strings.Join(flagIn, ", ") + `)
    USING any_value(flag)
    GROUP BY community_id, month
) AS f ON f.community_id = v.community_id AND f.month = v.month`)
		}
	}
	if _, err := tx.ExecContext(ctx, b.String()); err != nil {
		return err
	}

	stmts := []string{}
	if viewComment.Valid {
		stmts = append(stmts, "COMMENT ON VIEW "+quoteIdent(ScorecardView)+" IS "+quoteLiteral(viewComment.String))
	}
	for _, k := range scorecardKeys {
		if c, ok := keyComments[k]; ok {
			stmts = append(stmts, "COMMENT ON COLUMN "+quoteIdent(ScorecardView)+"."+quoteIdent(k)+" IS "+quoteLiteral(c))
		}
	}
	for _, e := range reg {
		c := fmt.Sprintf("%s (%s). Unit: %s. %s Source: indicator_values.value of indicator %s for the community and month (NULL when suppressed).",
			e.nameEN, e.nameZH, e.unit, strings.TrimSpace(e.definition), e.id)
		stmts = append(stmts, "COMMENT ON COLUMN "+quoteIdent(ScorecardView)+"."+quoteIdent(e.id)+" IS "+quoteLiteral(c))
	}
	if hasScore {
		for _, c := range rankColumns {
			stmts = append(stmts, "COMMENT ON COLUMN "+quoteIdent(ScorecardView)+"."+quoteIdent(c.name)+" IS "+quoteLiteral(c.comment))
		}
	}
	for _, f := range funnel {
		c := fmt.Sprintf("Where the community lies in the district's funnel plot of %s (%s) for the month: above_998, above_95, within, below_95 or below_998 (the 95%% and 99.8%% limits at its denominator, widened for overdispersion when found). Source: funnel_points.flag of indicator %s (NULL when the community is not in the funnel).",
			f.nameEN, f.nameZH, f.id)
		stmts = append(stmts, "COMMENT ON COLUMN "+quoteIdent(ScorecardView)+"."+quoteIdent(f.id+funnelFlagSuffix)+" IS "+quoteLiteral(c))
	}
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}
