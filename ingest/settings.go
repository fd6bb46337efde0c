package ingest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/civicscore/civicscore"
)

// The manifest (ingest_files) skips a file loaded before. That is right only
// while the settings that decide how its rows were read are the same, so a
// load compares them with those in ingest_settings (migration 005) and, when
// they differ, empties the input tables and reads every file again: the
// database then holds what a first load with the current settings gives.

// readSettings returns the settings that decide how input rows are read,
// named by their config keys, as JSON (keys sorted), and their fingerprint
// with the salt. timeZone is the session's TimeZone, which timestamps with
// a zone are converted to.
func readSettings(opts Options, timeZone string) (settingsJSON, fingerprint string, err error) {
	rules, err := ingestRules()
	if err != nil {
		return "", "", err
	}
	e := opts.effective()
	settings := map[string]any{
		"ingest_rules":                rules,
		"timezone":                    timeZone,
		"encoding":                    e.Encoding,
		"sheet":                       orNil(e.Sheet),
		"mapping":                     orNil(e.Mapping),
		"personal":                    orNil(e.Personal),
		"extra_columns":               e.ExtraColumns,
		"formats":                     orNil(e.Formats),
		"values":                      orNil(e.Values),
		"derive":                      orNil(e.Derive),
		"sla.default_hours":           e.SLA.DefaultHours,
		"sla.by_category":             orNil(e.SLA.ByCategory),
		"sla.unit":                    e.SLA.Unit,
		"sla.holidays":                sortedOrNil(e.SLA.Holidays),
		"sla.workdays":                sortedOrNil(e.SLA.Workdays),
		"survey.min_duration_seconds": e.MinDurationSeconds,
		"survey.max_per_ip_per_day":   e.MaxPerIPPerDay,
	}
	b, err := json.Marshal(settings) // map keys come out sorted
	if err != nil {
		return "", "", fmt.Errorf("settings: %w", err)
	}
	h := sha256.New()
	h.Write(b)
	h.Write([]byte{0})
	h.Write([]byte(opts.Salt))
	return string(b), hex.EncodeToString(h.Sum(nil)), nil
}

// ingestRules is a SHA-256 of what civicscore itself reads rows by: the
// validation SQL and the spellings of enum values. A version that changes
// them reads every input again.
func ingestRules() (string, error) {
	h := sha256.New()
	names, err := fs.Glob(sqlFS, "sql/*.sql")
	if err != nil {
		return "", err
	}
	slices.Sort(names)
	for _, n := range names {
		b, err := sqlFS.ReadFile(n)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", n, len(b))
		h.Write(b)
	}
	b, err := json.Marshal(enumAliases)
	if err != nil {
		return "", err
	}
	h.Write(b)
	// The personal headers and patterns decide which columns are stored.
	b, err = json.Marshal([]any{personalAliases, personalPatterns, maxFreeText})
	if err != nil {
		return "", err
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// changedSettings names the keys whose values differ between two settings
// JSON texts; "salt (CIVICSCORE_SALT)" when none does (then only the
// fingerprint, which holds the salt, differs).
func changedSettings(old, now string) []string {
	var a, b map[string]json.RawMessage
	if json.Unmarshal([]byte(old), &a) != nil || json.Unmarshal([]byte(now), &b) != nil {
		return []string{"unknown"}
	}
	var keys []string
	for _, k := range slices.Sorted(maps.Keys(b)) {
		if string(a[k]) != string(b[k]) {
			keys = append(keys, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(a)) {
		if _, ok := b[k]; !ok {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		keys = []string{"salt (CIVICSCORE_SALT)"}
	}
	return keys
}

// orNil makes an empty map nil, so that an empty and an absent setting have
// one fingerprint.
func orNil[M ~map[K]V, K comparable, V any](m M) M {
	if len(m) == 0 {
		return nil
	}
	return m
}

// sortedOrNil returns a sorted copy of days, nil when there are none.
func sortedOrNil(days []string) []string {
	if len(days) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(days))
}

// kindTables names the table each input kind is loaded into.
var kindTables = map[civicscore.Kind]string{
	civicscore.KindCommunities: "communities",
	civicscore.KindStrata:      "strata",
	civicscore.KindCases:       "cases",
	civicscore.KindServices:    "services",
	civicscore.KindSurveys:     "survey_responses",
}

// kindKeys names the id column (for strata an expression of the key
// columns) of each kind's table: one row per id.
var kindKeys = map[civicscore.Kind]string{
	civicscore.KindCommunities: "community_id",
	// One row per area and stratum.
	civicscore.KindStrata:   "concat_ws('/', coalesce(community_id, ''), coalesce(district_id, ''), age_group, coalesce(gender, ''))",
	civicscore.KindCases:    "case_id",
	civicscore.KindServices: "service_id",
	civicscore.KindSurveys:  "response_id",
}

// checkUnique fails when an id repeats in the table of a kind this load
// read files of. The large tables carry no primary key (DuckDB's index
// makes deleting rows far slower; migration 006), so this check is what
// holds them to one row per id: a repeat is a fault of ingest, and the run
// stops before its outputs replace the previous ones.
func (s *session) checkUnique(kinds []civicscore.Kind) error {
	for _, k := range kinds {
		table, key := kindTables[k], kindKeys[k]
		id, found, err := s.queryFirst("SELECT " + key + " FROM " + table + " GROUP BY " + key + " HAVING count(*) > 1 ORDER BY " + key + " LIMIT 1")
		if err != nil {
			return fmt.Errorf("check that %s holds one row per %s: %w", table, key, err)
		}
		if found {
			return fmt.Errorf("%s holds %s %v more than once: a load keeps one row per id, so this is a fault of ingest; nothing from this run replaces the previous output", table, key, id)
		}
	}
	return nil
}

// emptyInputs deletes what ingest loaded from the inputs of every kind but
// keep ("" keeps none): the rows, their rejects and their manifest rows, so
// that the files are read again. Run it inside a transaction.
func (s *session) emptyInputs(keep civicscore.Kind) error {
	for _, k := range civicscore.Kinds {
		if k == keep {
			continue
		}
		if err := s.exec("DELETE FROM " + kindTables[k]); err != nil {
			return err
		}
	}
	if err := s.exec("DELETE FROM rejects WHERE kind <> ?", string(keep)); err != nil {
		return err
	}
	if err := s.exec("DELETE FROM ingest_value_counts WHERE kind <> ?", string(keep)); err != nil {
		return err
	}
	return s.exec("DELETE FROM ingest_files WHERE kind <> ?", string(keep))
}

// checkSettings compares the current settings with those the loaded rows
// were read with. When they differ (or are unknown, in a database loaded
// before they were recorded), it empties the input tables, so that every
// file is read again; then it records the current settings.
func (s *session) checkSettings(opts Options) error {
	tz, err := s.queryString("SELECT current_setting('TimeZone')")
	if err != nil {
		return err
	}
	now, fp, err := readSettings(opts, tz)
	if err != nil {
		return err
	}
	oldPrint, err := s.queryString("SELECT fingerprint FROM ingest_settings LIMIT 1")
	if err != nil {
		return err
	}
	if oldPrint == fp {
		return nil
	}
	loaded, err := s.queryInt("SELECT count(*) FROM ingest_files")
	if err != nil {
		return err
	}
	err = s.inTx(func() error {
		if loaded > 0 {
			changed := []string{"unknown (loaded by an earlier version)"}
			if oldPrint != "" {
				old, err := s.queryString("SELECT settings::VARCHAR FROM ingest_settings LIMIT 1")
				if err != nil {
					return err
				}
				changed = changedSettings(old, now)
			}
			s.log.Info("ingest settings changed since the inputs were loaded: every input is read again", "changed", strings.Join(changed, ", "))
			if err := s.emptyInputs(""); err != nil {
				return err
			}
		}
		if err := s.exec("DELETE FROM ingest_settings"); err != nil {
			return err
		}
		return s.exec("INSERT INTO ingest_settings VALUES (?::JSON, ?, current_localtimestamp())", now, fp)
	})
	if err != nil {
		return fmt.Errorf("ingest settings: %w", err)
	}
	return nil
}

// communitiesChanged runs after a communities file was read: the rows of
// the other kinds were checked against the communities loaded then (a case
// of a community added since was rejected as unknown_community), so they are
// emptied, with their rejects and manifest rows, and read again.
func (s *session) communitiesChanged() error {
	others, err := s.queryInt("SELECT count(*) FROM ingest_files WHERE kind <> 'communities'")
	if err != nil || others == 0 {
		return err
	}
	s.log.Info("communities changed: cases, services and surveys are read again, against the communities now loaded")
	if err := s.inTx(func() error { return s.emptyInputs(civicscore.KindCommunities) }); err != nil {
		return fmt.Errorf("communities changed: %w", err)
	}
	return nil
}
