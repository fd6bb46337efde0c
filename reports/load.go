package reports

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

// Load reads what the report pages need from the database, for the latest
// run that has indicator values (by runs.started_at, else run_id). See
// LoadRun.
func Load(ctx context.Context, db *sql.DB, opts Options) (*Data, error) {
	return LoadRun(ctx, db, "", opts)
}

// LoadRun reads what the report pages need for run runID ("" = the latest
// run with indicator values). It first checks that the database holds the
// schema this civicscore's migrations define (schema_migrations at
// store.SchemaVersion()): a database of another version is refused with
// an error naming both versions, never read by guessing its columns. It
// then runs a fixed number of set-based queries, one per data block,
// whatever the number of communities: the run, the units (communities
// table), the indicator registry, the street and district values, the
// community values the scorecards and the community table show, and the
// companion tables of the run (changes, follow-up lists, score components
// with the weights the run used, targets, peer medians). Indicators that were not computed (the 12345 three rates
// when the data has no callback columns) are simply absent; pages leave
// them out.
func LoadRun(ctx context.Context, db *sql.DB, runID string, opts Options) (*Data, error) {
	if db == nil {
		return nil, fmt.Errorf("reports: load: no database")
	}
	if _, err := opts.withDefaults(); err != nil {
		return nil, err
	}
	if err := checkSchemaVersion(ctx, db); err != nil {
		return nil, err
	}
	d := &Data{Registry: map[string]civicscore.Indicator{}}
	if err := loadRun(ctx, db, runID, d); err != nil {
		return nil, fmt.Errorf("reports: load run: %w", err)
	}
	idx, err := loadUnits(ctx, db, d)
	if err != nil {
		return nil, fmt.Errorf("reports: load communities: %w", err)
	}
	if err := loadRegistry(ctx, db, d); err != nil {
		return nil, fmt.Errorf("reports: load indicator registry: %w", err)
	}
	if d.RunID != "" {
		if err := loadValues(ctx, db, d, idx, qAggregateValues, d.RunID); err != nil {
			return nil, fmt.Errorf("reports: load street and district values of run %s: %w", d.RunID, err)
		}
		args := []any{d.RunID}
		for _, ind := range communityIndicators() {
			args = append(args, ind)
		}
		args = append(args, d.RunID)
		if err := loadValues(ctx, db, d, idx, qCommunityValues(len(args)-2), args...); err != nil {
			return nil, fmt.Errorf("reports: load community values of run %s: %w", d.RunID, err)
		}
	}
	d.Months, d.Quarters, d.Years = periodLists(d.Districts, d.Streets, d.Communities)
	if d.RunID != "" {
		periods := reportPeriods(d)
		if err := loadChanges(ctx, db, d, idx, periods); err != nil {
			return nil, fmt.Errorf("reports: load indicator_changes: %w", err)
		}
		if err := loadFollowUp(ctx, db, d, periods); err != nil {
			return nil, fmt.Errorf("reports: load follow_up: %w", err)
		}
		if err := loadComponents(ctx, db, d, periods); err != nil {
			return nil, fmt.Errorf("reports: load score_components: %w", err)
		}
		if err := loadTargets(ctx, db, d, idx, periods); err != nil {
			return nil, fmt.Errorf("reports: load indicator_targets: %w", err)
		}
		if err := loadPeers(ctx, db, d, idx, periods); err != nil {
			return nil, fmt.Errorf("reports: load score_peers: %w", err)
		}
		if err := loadComparison(ctx, db, d, periods); err != nil {
			return nil, err
		}
	}
	if err := loadCategories(ctx, db, d); err != nil {
		return nil, fmt.Errorf("reports: load case categories: %w", err)
	}
	if err := loadQuality(ctx, db, d); err != nil {
		return nil, fmt.Errorf("reports: load data quality: %w", err)
	}
	return d, nil
}

// ErrSchemaVersion marks a database whose schema version is not the one
// this civicscore's migrations define.
var ErrSchemaVersion = errors.New("reports: unsupported database schema version")

// checkSchemaVersion refuses a database whose schema is not the one of
// store's migrations: its highest schema_migrations version must be
// store.SchemaVersion().
func checkSchemaVersion(ctx context.Context, db *sql.DB) error {
	want := store.SchemaVersion()
	var found sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&found); err != nil {
		return fmt.Errorf("%w: cannot read the schema version from schema_migrations (not a civicscore database?): %v; expected schema version %d",
			ErrSchemaVersion, err, want)
	}
	if !found.Valid || found.Int64 != int64(want) {
		return fmt.Errorf("%w: found schema version %d, expected %d: open the database once with this civicscore for writing (civicscore run or compute) to migrate it, or report it with the civicscore that made it",
			ErrSchemaVersion, found.Int64, want)
	}
	return nil
}

// qRun picks the run: the given one, else the latest with values.
const qRun = `
SELECT v.run_id, r.as_of, TRY_CAST(json_extract_string(r.config_json, '$.follow_up.fdr') AS DOUBLE)
FROM (SELECT DISTINCT run_id FROM indicator_values) AS v
LEFT JOIN runs AS r ON r.run_id = v.run_id
WHERE ? = '' OR v.run_id = ?
ORDER BY r.started_at DESC NULLS LAST, v.run_id DESC
LIMIT 1`

func loadRun(ctx context.Context, db *sql.DB, runID string, d *Data) error {
	var asOf sql.NullTime
	var fdr sql.NullFloat64
	err := db.QueryRowContext(ctx, qRun, runID, runID).Scan(&d.RunID, &asOf, &fdr)
	switch {
	case errors.Is(err, sql.ErrNoRows) && runID != "":
		return fmt.Errorf("run %q has no indicator values", runID)
	case errors.Is(err, sql.ErrNoRows):
		return nil // nothing computed yet: an empty report
	case err != nil:
		return err
	}
	if asOf.Valid {
		d.AsOf = asOf.Time
	}
	if fdr.Valid && fdr.Float64 > 0 {
		d.FDR = fdr.Float64
	}
	return nil
}

// unitIndex finds units by level and id while values are loaded.
type unitIndex map[civicscore.Level]map[string]*Unit

const qUnits = `
SELECT community_id, community_name, street_id, street_name, district_id, district_name,
       households, population, coalesce(area_type, '')
FROM communities
ORDER BY district_id, street_id, community_id`

func loadUnits(ctx context.Context, db *sql.DB, d *Data) (unitIndex, error) {
	idx := unitIndex{
		civicscore.LevelCommunity: {},
		civicscore.LevelStreet:    {},
		civicscore.LevelDistrict:  {},
	}
	rows, err := db.QueryContext(ctx, qUnits)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		c := &Unit{Level: civicscore.LevelCommunity}
		if err := rows.Scan(&c.ID, &c.Name, &c.StreetID, &c.StreetName, &c.DistrictID, &c.DistrictName,
			&c.Households, &c.Population, &c.AreaType); err != nil {
			return nil, err
		}
		if _, dup := idx[civicscore.LevelCommunity][c.ID]; dup {
			continue
		}
		idx[civicscore.LevelCommunity][c.ID] = c
		d.Communities = append(d.Communities, c)
		dist := idx[civicscore.LevelDistrict][c.DistrictID]
		if dist == nil {
			dist = &Unit{Level: civicscore.LevelDistrict, ID: c.DistrictID, Name: c.DistrictName,
				DistrictID: c.DistrictID, DistrictName: c.DistrictName}
			idx[civicscore.LevelDistrict][c.DistrictID] = dist
			d.Districts = append(d.Districts, dist)
		}
		st := idx[civicscore.LevelStreet][c.StreetID]
		if st == nil {
			st = &Unit{Level: civicscore.LevelStreet, ID: c.StreetID, Name: c.StreetName,
				DistrictID: c.DistrictID, DistrictName: c.DistrictName}
			idx[civicscore.LevelStreet][c.StreetID] = st
			d.Streets = append(d.Streets, st)
		}
		dist.Households += c.Households
		dist.Population += c.Population
		st.Households += c.Households
		st.Population += c.Population
	}
	return idx, rows.Err()
}

const qRegistry = `
SELECT indicator, family, name_zh, name_en, unit, direction, kind, coalesce(definition, '')
FROM indicators`

func loadRegistry(ctx context.Context, db *sql.DB, d *Data) error {
	rows, err := db.QueryContext(ctx, qRegistry)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ind civicscore.Indicator
		var dir, kind string
		if err := rows.Scan(&ind.ID, &ind.Family, &ind.NameZH, &ind.NameEN, &ind.Unit, &dir, &kind, &ind.Definition); err != nil {
			return err
		}
		ind.Direction, ind.Kind = civicscore.Direction(dir), civicscore.IndicatorKind(kind)
		d.Registry[ind.ID] = ind
	}
	if err := rows.Err(); err != nil {
		return err
	}
	d.Registry = mergeRegistry(d.Registry)
	return nil
}

// valueColumns lists the indicator_values columns read into a Value, in
// the order loadValues scans them.
const valueColumns = `level, unit_id, period_type, period, indicator,
       value, denominator, ci_low, ci_high, shrunk_value, suppressed, rank`

// qAggregateValues reads every street and district value of the run: the
// district report's tiles, trends and escalation split.
const qAggregateValues = `
SELECT ` + valueColumns + `
FROM indicator_values
WHERE run_id = ? AND level IN ('district', 'street')`

// communityIndicators are the community-level indicators the pages show in
// every period, besides the per-item satisfaction rates (matched by prefix).
// Every other community indicator is read for the latest period of each
// type only, for the table of all communities.
func communityIndicators() []string {
	seen := map[string]bool{}
	var out []string
	for _, list := range [][]string{tableIndicators, verdictIndicators, handlingIndicators, trendIndicators,
		{indResidentScore, indServicesPer1000, indClosureGap}} {
		for _, ind := range list {
			if !seen[ind] {
				seen[ind] = true
				out = append(out, ind)
			}
		}
	}
	return out
}

// qCommunityValues reads the community values of the run: the indicators
// the scorecards and charts show in every period, and every indicator in
// the latest period of each type (the community table and its CSV); n is
// the number of indicator ids bound.
func qCommunityValues(n int) string {
	return `
SELECT ` + valueColumns + `
FROM indicator_values
WHERE run_id = ? AND level = 'community'
  AND (indicator IN (` + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + `)
       OR starts_with(indicator, '` + indSatItemPrefix + `')
       OR period IN (SELECT max(period) FROM indicator_values WHERE run_id = ? GROUP BY period_type))`
}

// loadValues runs a value query and files each row under its unit. Rows of
// units missing from the communities table get a unit named by its id.
func loadValues(ctx context.Context, db *sql.DB, d *Data, idx unitIndex, query string, args ...any) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			level, unitID, ptype, period, ind string
			v                                 Value
			rank                              sql.NullInt64
		)
		if err := rows.Scan(&level, &unitID, &ptype, &period, &ind,
			&v.Value, &v.Denominator, &v.CILow, &v.CIHigh, &v.Shrunk, &v.Suppressed, &rank); err != nil {
			return err
		}
		v.Rank = int(rank.Int64)
		if v.Suppressed {
			// Never carry a suppressed estimate into the pages, even if a
			// value was left in the row.
			v.Value, v.CILow, v.CIHigh, v.Shrunk = sql.NullFloat64{}, sql.NullFloat64{}, sql.NullFloat64{}, sql.NullFloat64{}
			v.Change, v.Significant = sql.NullFloat64{}, false
		}
		lv := civicscore.Level(level)
		byID, ok := idx[lv]
		if !ok {
			continue // a level the pages do not know
		}
		u := byID[unitID]
		if u == nil {
			u = &Unit{Level: lv, ID: unitID, Name: unitID}
			byID[unitID] = u
			switch lv {
			case civicscore.LevelCommunity:
				d.Communities = append(d.Communities, u)
			case civicscore.LevelStreet:
				d.Streets = append(d.Streets, u)
			case civicscore.LevelDistrict:
				u.DistrictID, u.DistrictName = unitID, unitID
				d.Districts = append(d.Districts, u)
			}
		}
		u.Set(ind, civicscore.Period{Type: civicscore.PeriodType(ptype), Label: period}, v)
	}
	return rows.Err()
}
