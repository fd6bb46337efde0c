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
// community-month rows. DuckDB views cannot pivot on values read from the
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
	for _, s := range stmts {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}
