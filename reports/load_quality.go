package reports

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// The case categories and the data-quality page, read from the clean
// tables and the ingest record with the columns the migrations define.

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

// qQuality reads the data-quality page's figures in one query: a UNION of
// the files loaded (latest load of each path), rejects by file and reason,
// survey responses by exclusion reason with the flags, and the number of
// cases missing each optional field (and with a due_at from the SLA).
var qQuality = func() string {
	sel := make([]string, 0, len(optionalCaseFields)+1)
	for _, f := range optionalCaseFields {
		// f is one of the fixed column names above.
		sel = append(sel, `count(*) - count(`+f+`) AS `+f)
	}
	sel = append(sel, `count(*) FILTER (WHERE due_at_from_sla) AS due_at_from_sla`)
	names := strings.Join(append(append([]string{}, optionalCaseFields...), "due_at_from_sla"), ", ")
	return `SELECT section, coalesce(a, ''), coalesce(b, ''), coalesce(c, ''), coalesce(d, ''), n1, n2, n3 FROM (
SELECT 'file' AS section, path AS a, kind AS b, strftime(loaded_at, '%Y-%m-%d %H:%M') AS c, '' AS d,
       rows_read AS n1, rows_clean AS n2, rows_rejected AS n3
FROM (SELECT *, row_number() OVER (PARTITION BY path ORDER BY loaded_at DESC) AS k FROM ingest_files) WHERE k = 1
UNION ALL
SELECT 'reject', source_file, kind, reason, '', count(*), 0, 0 FROM rejects GROUP BY ALL
UNION ALL
SELECT 'survey', coalesce(excluded_reason, ''), '', '', '', count(*),
       count(*) FILTER (WHERE straightlining), count(*) FILTER (WHERE burst) FROM survey_responses GROUP BY ALL
UNION ALL
SELECT 'missing', field, '', '', '', total, missing, 0
FROM (SELECT count(*) AS total, ` + strings.Join(sel, ", ") + ` FROM cases)
UNPIVOT (missing FOR field IN (` + names + `))
UNION ALL
-- The columns each file's latest load dropped (a JSON object header → reason).
SELECT 'dropped', path, kind, k, dropped_columns->>k, 0, 0, 0
FROM (SELECT path, kind, dropped_columns, unnest(json_keys(dropped_columns)) AS k
      FROM (SELECT *, row_number() OVER (PARTITION BY path ORDER BY loaded_at DESC) AS r FROM ingest_files)
      WHERE r = 1 AND dropped_columns IS NOT NULL)
UNION ALL
-- Values normalisation changed, per file and column (ingest_value_counts).
SELECT 'mapped', source_file, kind, column_name, how, sum(n), 0, 0 FROM ingest_value_counts GROUP BY ALL
UNION ALL
-- Cases by status: cancelled ones are left out of every case indicator.
SELECT 'status', coalesce(status, ''), '', '', '', count(*), 0, 0 FROM cases GROUP BY ALL
UNION ALL
` + qOthers + `
) ORDER BY section, 2, 3, 4, 5`
}()

// otherColumns are the columns of the clean tables in which ingest turns a
// value it does not know into "other" (the columns with OtherWhenUnknown
// in ingest.Columns; a test checks they agree): input kind, table, column.
var otherColumns = [][3]string{
	{"communities", "communities", "area_type"},
	{"cases", "cases", "source"},
	{"services", "services", "target_group"},
	{"surveys", "survey_responses", "channel"},
}

// qOthers counts the clean rows whose value became other, per column of
// otherColumns: one branch of qQuality each.
var qOthers = func() string {
	parts := make([]string, len(otherColumns))
	for i, c := range otherColumns {
		// Fixed names from otherColumns, not input.
		parts[i] = `SELECT 'other', '` + c[0] + `', '` + c[2] + `', '', '', count(*) FILTER (WHERE ` + c[2] + ` = 'other'), count(` + c[2] + `), 0 FROM ` + c[1]
	}
	return strings.Join(parts, "\nUNION ALL\n")
}()

// loadQuality reads the data-quality page's figures (qQuality).
func loadQuality(ctx context.Context, db *sql.DB, d *Data) error {
	rows, err := db.QueryContext(ctx, qQuality)
	if err != nil {
		return err
	}
	defer rows.Close()
	qa := &Quality{}
	for rows.Next() {
		var section, a, b, c, dd string
		var n1, n2, n3 int64
		if err := rows.Scan(&section, &a, &b, &c, &dd, &n1, &n2, &n3); err != nil {
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
		case "dropped":
			qa.Dropped = append(qa.Dropped, QualityDropped{File: a, Kind: b, Header: c, Reason: dd})
		case "mapped":
			qa.Mapped = append(qa.Mapped, QualityMapped{File: a, Kind: b, Column: c, How: dd, N: n1})
		case "status":
			qa.Statuses = append(qa.Statuses, QualityCount{Name: a, N: n1})
		case "other":
			if n2 > 0 {
				qa.Others = append(qa.Others, QualityOther{Kind: a, Column: b, N: n1, Of: n2})
			}
		default:
			return fmt.Errorf("unexpected section %q", section)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	d.Quality = qa
	return loadStrata(ctx, db, qa)
}

// qStrata reads survey_strata for the latest year it holds.
const qStrata = `
WITH latest AS (SELECT max(period) AS period FROM survey_strata WHERE period_type = 'year')
SELECT s.period, s.community_id, coalesce(c.community_name, s.community_id), s.source,
       coalesce(s.age_group, ''), coalesce(s.gender, ''), coalesce(s.left_out, ''),
       coalesce(s.merged_age_group, ''), coalesce(s.merged_gender, ''),
       s.respondents, s.sample_share, s.population_share, s.weight
FROM survey_strata s
JOIN latest l ON s.period_type = 'year' AND s.period = l.period
LEFT JOIN communities c USING (community_id)
ORDER BY s.community_id, s.left_out NULLS FIRST, s.age_group, s.gender`

// loadStrata reads the survey weighting rows of the data-quality page.
func loadStrata(ctx context.Context, db *sql.DB, qa *Quality) error {
	rows, err := db.QueryContext(ctx, qStrata)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r QualityStratum
		var sample, pop, w sql.NullFloat64
		if err := rows.Scan(&qa.StrataPeriod, &r.CommunityID, &r.CommunityName, &r.Source, &r.AgeGroup, &r.Gender, &r.LeftOut,
			&r.MergedAge, &r.MergedGender, &r.Respondents, &sample, &pop, &w); err != nil {
			return err
		}
		r.SampleShare, r.PopulationShare, r.Weight = nullable(sample), nullable(pop), nullable(w)
		qa.Strata = append(qa.Strata, r)
	}
	return rows.Err()
}

// nullable is a NULL-able float as a pointer, nil for NULL.
func nullable(v sql.NullFloat64) *float64 {
	if !v.Valid {
		return nil
	}
	return &v.Float64
}
