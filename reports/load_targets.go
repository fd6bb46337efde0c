package reports

import (
	"context"
	"database/sql"

	"github.com/civicscore/civicscore"
)

// loadTargets puts the distance to the configured goals
// (indicator_targets) of the run's report periods on the values they
// belong to. Values the run did not store are left alone.
func loadTargets(ctx context.Context, db *sql.DB, d *Data, idx unitIndex, periods []string) error {
	cond, pargs := inPeriods("period", periods)
	rows, err := db.QueryContext(ctx, `SELECT level, unit_id, period_type, period, indicator, target, target_ratio
FROM indicator_targets WHERE run_id = ? AND `+cond, append([]any{d.RunID}, pargs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var lv, id, ptype, period, indicator string
		var target, ratio sql.NullFloat64
		if err := rows.Scan(&lv, &id, &ptype, &period, &indicator, &target, &ratio); err != nil {
			return err
		}
		u := idx[civicscore.Level(lv)][id]
		if u == nil {
			continue
		}
		p := civicscore.Period{Type: civicscore.PeriodType(ptype), Label: period}
		v, ok := u.Values.Get(indicator, p)
		if !ok {
			continue
		}
		v.Target, v.TargetRatio = target, ratio
		if v.Suppressed || !v.Value.Valid {
			v.TargetRatio = sql.NullFloat64{}
		}
		u.Set(indicator, p, v)
	}
	return rows.Err()
}

// loadPeers puts each community's peer median (score_peers: the median
// resident_score of the communities of the same area type in its district)
// of the run's report periods on its resident_score values.
func loadPeers(ctx context.Context, db *sql.DB, d *Data, idx unitIndex, periods []string) error {
	cond, pargs := inPeriods("period", periods)
	rows, err := db.QueryContext(ctx, `SELECT community_id, period_type, period, coalesce(area_type, ''), peer_median, peer_n
FROM score_peers WHERE run_id = ? AND `+cond, append([]any{d.RunID}, pargs...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id, ptype, period, area string
		var median sql.NullFloat64
		var n int64
		if err := rows.Scan(&id, &ptype, &period, &area, &median, &n); err != nil {
			return err
		}
		u := idx[civicscore.LevelCommunity][id]
		if u == nil {
			continue
		}
		p := civicscore.Period{Type: civicscore.PeriodType(ptype), Label: period}
		v, ok := u.Values.Get(indResidentScore, p)
		if !ok {
			continue
		}
		v.PeerMedian, v.PeerN, v.AreaType = median, n, area
		u.Set(indResidentScore, p, v)
	}
	return rows.Err()
}
