package reports

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/civicscore/civicscore"
)

// schema is the set of tables and columns the database has, read once from
// information_schema so that Load can tell which optional tables (the
// companions of indicator_values that later migrations add) it may query.
type schema map[string]map[string]bool

// has reports whether table exists.
func (s schema) has(table string) bool { return s[table] != nil }

// col reports whether table has column c.
func (s schema) col(table, c string) bool { return s[table][c] }

// pick returns the first of the candidate columns that table has, or "".
func (s schema) pick(table string, candidates ...string) string {
	for _, c := range candidates {
		if s.col(table, c) {
			return c
		}
	}
	return ""
}

// schemaTables are the tables Load may read; only their columns are listed.
var schemaTables = []string{"communities", "indicators", "indicator_values", "runs", "cases", "survey_responses",
	"rejects", "ingest_files", "indicator_changes", "follow_up", "score_components"}

func loadSchema(ctx context.Context, db *sql.DB) (schema, error) {
	q := `SELECT table_name, column_name FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(schemaTables)), ", ") + `)`
	args := make([]any, len(schemaTables))
	for i, t := range schemaTables {
		args[i] = t
	}
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	s := schema{}
	for rows.Next() {
		var t, c string
		if err := rows.Scan(&t, &c); err != nil {
			return nil, err
		}
		if s[t] == nil {
			s[t] = map[string]bool{}
		}
		s[t][strings.ToLower(c)] = true
	}
	return s, rows.Err()
}

// ident quotes a column name for SQL. Names come from information_schema
// and a fixed candidate list, never from the data.
func ident(c string) string { return `"` + strings.ReplaceAll(c, `"`, `""`) + `"` }

// colOr returns the quoted column, or the SQL fallback when it is "".
func colOr(c, fallback string) string {
	if c == "" {
		return fallback
	}
	return ident(c)
}

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

// periodFilter returns an SQL condition keeping the rows of table whose
// period is one of periods, with its arguments; "" when the table has no
// period column.
func periodFilter(sch schema, table string, periods []string) (string, []any) {
	if !sch.col(table, "period") || len(periods) == 0 {
		return "", nil
	}
	args := make([]any, len(periods))
	for i, p := range periods {
		args[i] = p
	}
	return ` AND CAST("period" AS VARCHAR) IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(periods)), ", ") + `)`, args
}

// runFilter keeps the rows of the run when table has a run_id column.
func runFilter(sch schema, table, runID string) (string, []any) {
	if !sch.col(table, "run_id") {
		return "", nil
	}
	return ` AND run_id = ?`, []any{runID}
}

// scopeFilter is the WHERE tail that keeps the rows of a companion table
// the pages read: those of the run and of the report periods, and with
// communityOnly those of communities where the table has a level column.
func scopeFilter(sch schema, table, runID string, periods []string, communityOnly bool) (string, []any) {
	q, args := runFilter(sch, table, runID)
	f, a := periodFilter(sch, table, periods)
	q, args = q+f, append(args, a...)
	if communityOnly && sch.col(table, "level") {
		q += ` AND level = 'community'`
	}
	return q, args
}

// periodTypeOf guesses the type of a period label.
func periodTypeOf(label string) civicscore.PeriodType {
	switch {
	case strings.Contains(label, "-Q"):
		return civicscore.Quarter
	case strings.Contains(label, "-"):
		return civicscore.Month
	}
	return civicscore.Year
}

// loadChanges reads the change over the previous period and its
// significance from indicator_changes, for the report periods, into the
// values already loaded. The table's columns are matched by name, so that
// the pages work with what metrics writes: unit_id (or community_id),
// indicator, change (or delta), change_significant (or significant).
func loadChanges(ctx context.Context, db *sql.DB, sch schema, d *Data, idx unitIndex, periods []string) error {
	const t = "indicator_changes"
	unit := sch.pick(t, "unit_id", "community_id")
	ind := sch.pick(t, "indicator", "component")
	chg := sch.pick(t, "change", "delta", "difference", "diff")
	sig := sch.pick(t, "change_significant", "significant", "is_significant")
	if unit == "" || ind == "" || sig == "" || !sch.col(t, "period") {
		return nil // a shape the pages do not know: no arrows
	}
	level := colOr(sch.pick(t, "level"), `'community'`)
	q := `SELECT CAST(` + level + ` AS VARCHAR), CAST(` + ident(unit) + ` AS VARCHAR), CAST("period" AS VARCHAR), CAST(` + ident(ind) + ` AS VARCHAR), ` +
		`TRY_CAST(` + colOr(chg, "NULL") + ` AS DOUBLE), coalesce(TRY_CAST(` + ident(sig) + ` AS BOOLEAN), false) FROM ` + t + ` WHERE true`
	f, args := scopeFilter(sch, t, d.RunID, periods, false)
	rows, err := db.QueryContext(ctx, q+f, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var lv, id, period, indicator string
		var change sql.NullFloat64
		var significant bool
		if err := rows.Scan(&lv, &id, &period, &indicator, &change, &significant); err != nil {
			return err
		}
		u := idx[civicscore.Level(lv)][id]
		if u == nil {
			continue
		}
		p := civicscore.Period{Type: periodTypeOf(period), Label: period}
		v, ok := u.Values.Get(indicator, p)
		if !ok || v.Suppressed || !v.Value.Valid {
			continue
		}
		v.Change, v.Significant = change, significant && change.Valid
		u.Set(indicator, p, v)
	}
	return rows.Err()
}

// normaliseList maps the list names metrics may use onto the three the
// pages know.
func normaliseList(s string) string {
	l := strings.ToLower(strings.TrimSpace(s))
	has := func(subs ...string) bool {
		for _, x := range subs {
			if strings.Contains(l, x) {
				return true
			}
		}
		return false
	}
	switch {
	case has("improv", "better", "红") || l == "up":
		return FollowImprover
	case has("declin", "worse", "黑") || l == "down":
		return FollowDecliner
	case has("low", "bottom"):
		return FollowLow
	}
	return l
}

// loadFollowUp reads the follow-up lists of the run's report periods.
func loadFollowUp(ctx context.Context, db *sql.DB, sch schema, d *Data, periods []string) error {
	const t = "follow_up"
	unit := sch.pick(t, "unit_id", "community_id")
	list := sch.pick(t, "list", "list_name", "list_type", "kind", "category", "type", "reason")
	if unit == "" || list == "" {
		return nil
	}
	q := `SELECT CAST(` + ident(unit) + ` AS VARCHAR), CAST(` + ident(list) + ` AS VARCHAR), ` +
		`coalesce(CAST(` + colOr(sch.pick(t, "district_id"), "NULL") + ` AS VARCHAR), ''), ` +
		`coalesce(CAST(` + colOr(sch.pick(t, "period"), "NULL") + ` AS VARCHAR), ''), ` +
		`coalesce(CAST(` + colOr(sch.pick(t, "indicator", "component"), "NULL") + ` AS VARCHAR), ''), ` +
		`TRY_CAST(` + colOr(sch.pick(t, "change", "delta", "difference"), "NULL") + ` AS DOUBLE), ` +
		`TRY_CAST(` + colOr(sch.pick(t, "value", "shrunk_value", "score"), "NULL") + ` AS DOUBLE) FROM ` + t + ` WHERE true`
	f, args := scopeFilter(sch, t, d.RunID, periods, true)
	rows, err := db.QueryContext(ctx, q+f, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var f FollowUp
		var period string
		if err := rows.Scan(&f.UnitID, &f.List, &f.DistrictID, &period, &f.Indicator, &f.Change, &f.Value); err != nil {
			return err
		}
		f.List = normaliseList(f.List)
		if period != "" {
			f.Period = civicscore.Period{Type: periodTypeOf(period), Label: period}
		}
		d.FollowUp = append(d.FollowUp, f)
	}
	return rows.Err()
}

// loadComponents reads how each community's resident score was made, for
// the report periods.
func loadComponents(ctx context.Context, db *sql.DB, sch schema, d *Data, periods []string) error {
	const t = "score_components"
	unit := sch.pick(t, "unit_id", "community_id")
	comp := sch.pick(t, "component", "indicator")
	if unit == "" || comp == "" || !sch.col(t, "period") {
		return nil
	}
	num := func(cands ...string) string {
		return `TRY_CAST(` + colOr(sch.pick(t, cands...), "NULL") + ` AS DOUBLE)`
	}
	q := `SELECT CAST(` + ident(unit) + ` AS VARCHAR), CAST("period" AS VARCHAR), CAST(` + ident(comp) + ` AS VARCHAR), ` +
		num("raw_value", "value") + `, ` + num("ci_low") + `, ` + num("ci_high") + `, ` + num("shrunk_value", "shrunk") + `, ` +
		num("weight_effective", "effective_weight", "weight") + `, ` +
		`coalesce(TRY_CAST(` + colOr(sch.pick(t, "suppressed"), "false") + ` AS BOOLEAN), false) OR NOT coalesce(TRY_CAST(` + colOr(sch.pick(t, "used"), "true") + ` AS BOOLEAN), true) ` +
		`FROM ` + t + ` WHERE true`
	f, args := scopeFilter(sch, t, d.RunID, periods, true)
	rows, err := db.QueryContext(ctx, q+f, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Components = map[string][]Component{}
	for rows.Next() {
		var id, period string
		var c Component
		var suppressed bool
		if err := rows.Scan(&id, &period, &c.Indicator, &c.Value, &c.CILow, &c.CIHigh, &c.Shrunk, &c.Weight, &suppressed); err != nil {
			return err
		}
		if suppressed {
			// Left out of the score (too few rows): no value, no weight.
			c.Value, c.CILow, c.CIHigh, c.Shrunk = sql.NullFloat64{}, sql.NullFloat64{}, sql.NullFloat64{}, sql.NullFloat64{}
			c.Weight = sql.NullFloat64{}
		}
		c.Period = civicscore.Period{Type: periodTypeOf(period), Label: period}
		d.Components[id] = append(d.Components[id], c)
	}
	return rows.Err()
}

// qCategories counts cases by street, month and category in one pass, up
// to the run's data cut-off. Rows are grouped on the first day of their
// month and the label formatted per group (per row cost 0.1 s more on a
// city's 5 M cases).
const qCategories = `
SELECT district_id, street_id, strftime(month_start, '%Y-%m') AS month, category, n
FROM (
    SELECT c.district_id, c.street_id, date_trunc('month', k.reported_at) AS month_start, k.category, count(*) AS n
    FROM cases AS k
    JOIN (SELECT community_id, any_value(street_id) AS street_id, any_value(district_id) AS district_id
          FROM communities GROUP BY community_id) AS c USING (community_id)
    WHERE CAST(? AS TIMESTAMP) IS NULL OR k.reported_at <= CAST(? AS TIMESTAMP)
    GROUP BY ALL
)
ORDER BY 1, 2, 3, 4`

func loadCategories(ctx context.Context, db *sql.DB, d *Data) error {
	var asOf any
	if !d.AsOf.IsZero() {
		asOf = d.AsOf.Format("2006-01-02 15:04:05.999999")
	}
	rows, err := db.QueryContext(ctx, qCategories, asOf, asOf)
	if err != nil {
		return err
	}
	defer rows.Close()
	d.Categories = []CategoryCount{}
	for rows.Next() {
		var c CategoryCount
		if err := rows.Scan(&c.DistrictID, &c.StreetID, &c.Month, &c.Category, &c.N); err != nil {
			return err
		}
		d.Categories = append(d.Categories, c)
	}
	return rows.Err()
}

// optionalCaseFields are the case columns a record may leave empty, whose
// missing share the data-quality page shows.
var optionalCaseFields = []string{"grid_id", "source", "subcategory", "first_response_at", "due_at", "closed_at",
	"callback_satisfaction", "callback_contacted", "callback_resolved", "reopened", "updated_at"}

// loadQuality reads the data-quality page's figures in one query: a UNION
// of the files loaded (latest load of each path), rejects by file and
// reason, survey responses by exclusion reason with the flags, and the
// number of cases missing each optional field. Sections whose table is
// absent are left out.
func loadQuality(ctx context.Context, db *sql.DB, sch schema, d *Data) error {
	var parts []string
	if sch.has("ingest_files") {
		parts = append(parts, `SELECT 'file' AS section, path AS a, kind AS b, strftime(loaded_at, '%Y-%m-%d %H:%M') AS c,
       rows_read AS n1, rows_clean AS n2, rows_rejected AS n3
FROM (SELECT *, row_number() OVER (PARTITION BY path ORDER BY loaded_at DESC) AS k FROM ingest_files) WHERE k = 1`)
	}
	if sch.has("rejects") {
		parts = append(parts, `SELECT 'reject', source_file, kind, reason, count(*), 0, 0 FROM rejects GROUP BY ALL`)
	}
	if sch.has("survey_responses") {
		sl := colOr(sch.pick("survey_responses", "straightlining"), "false")
		bu := colOr(sch.pick("survey_responses", "burst"), "false")
		ex := colOr(sch.pick("survey_responses", "excluded_reason"), "NULL")
		parts = append(parts, `SELECT 'survey', coalesce(`+ex+`, ''), '', '', count(*),
       count(*) FILTER (WHERE `+sl+`), count(*) FILTER (WHERE `+bu+`) FROM survey_responses GROUP BY ALL`)
	}
	if sch.has("cases") {
		var sel, names []string
		for _, f := range optionalCaseFields {
			if sch.col("cases", f) {
				sel = append(sel, `count(*) - count(`+ident(f)+`) AS `+ident(f))
				names = append(names, ident(f))
			}
		}
		if sch.col("cases", "due_at_from_sla") {
			sel = append(sel, `count(*) FILTER (WHERE due_at_from_sla) AS due_at_from_sla`)
			names = append(names, `due_at_from_sla`)
		}
		if len(names) > 0 {
			parts = append(parts, `SELECT 'missing', field, '', '', total, missing, 0
FROM (SELECT count(*) AS total, `+strings.Join(sel, ", ")+` FROM cases)
UNPIVOT (missing FOR field IN (`+strings.Join(names, ", ")+`))`)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	q := `SELECT section, coalesce(a, ''), coalesce(b, ''), coalesce(c, ''), n1, n2, n3 FROM (` +
		strings.Join(parts, "\nUNION ALL\n") + `) ORDER BY section, 2, 3, 4`
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	qa := &Quality{}
	for rows.Next() {
		var section, a, b, c string
		var n1, n2, n3 int64
		if err := rows.Scan(&section, &a, &b, &c, &n1, &n2, &n3); err != nil {
			return err
		}
		switch section {
		case "file":
			qa.Files = append(qa.Files, QualityFile{Path: a, Kind: b, LoadedAt: c, Read: n1, Clean: n2, Rejected: n3})
		case "reject":
			qa.Rejects = append(qa.Rejects, QualityReject{File: a, Kind: b, Reason: c, N: n1})
		case "survey":
			qa.Exclusions = append(qa.Exclusions, QualityCount{Name: a, N: n1})
			qa.Responses += n1
			if a == "" {
				qa.Flagged = append(qa.Flagged, QualityCount{Name: "straightlining", N: n2}, QualityCount{Name: "burst", N: n3})
			}
		case "missing":
			qa.Missing = append(qa.Missing, QualityCount{Name: a, N: n2})
			qa.Cases = n1
		default:
			return fmt.Errorf("unexpected section %q", section)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	d.Quality = qa
	return nil
}
