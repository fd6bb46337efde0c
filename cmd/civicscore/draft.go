package main

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/config"
	"github.com/civicscore/civicscore/ingest"
)

// draft is the config inspect proposes: the given config's settings and a
// guess, with a comment, for each thing a file needs and it lacks.
type draft struct {
	cfg      config.Config
	inputs   map[string][]string
	mapping  map[string]map[string][]string
	formats  map[string]map[string][]string
	values   map[string]map[string]map[string]string
	derive   map[string]map[string]config.Derive
	comments map[string]string // key path → why it was guessed
}

func newDraft(cfg config.Config, communities []string) *draft {
	d := &draft{cfg: cfg, inputs: map[string][]string{}, mapping: map[string]map[string][]string{},
		formats: map[string]map[string][]string{}, values: map[string]map[string]map[string]string{},
		derive: map[string]map[string]config.Derive{}, comments: map[string]string{}}
	for k, cols := range cfg.Mapping {
		d.mapping[k] = map[string][]string{}
		for c, hs := range cols {
			d.mapping[k][c] = slices.Clone(hs)
		}
	}
	for k, cols := range cfg.Formats {
		d.formats[k] = map[string][]string{}
		for c, fs := range cols {
			d.formats[k][c] = slices.Clone(fs)
		}
	}
	for k, cols := range cfg.Values {
		d.values[k] = map[string]map[string]string{}
		for c, vs := range cols {
			d.values[k][c] = map[string]string{}
			for a, v := range vs {
				d.values[k][c][a] = v
			}
		}
	}
	for k, cols := range cfg.Derive {
		d.derive[k] = map[string]config.Derive{}
		for c, dv := range cols {
			d.derive[k][c] = dv
		}
	}
	d.inputs[string(civicscore.KindCommunities)] = slices.Clone(communities)
	return d
}

// file adds what file fi needs to the draft and fills fi.Missing.
func (d *draft) file(fi *inspectFile, opts ingest.Options, names, ids map[string]bool, lang string) {
	kind := civicscore.Kind(fi.Kind)
	k := fi.Kind
	if kind == civicscore.KindCommunities {
		return
	}
	d.inputs[k] = append(d.inputs[k], fi.Path)
	targets, missing, err := ingest.PlanColumns(kind, fi.sample, opts)
	if err != nil {
		fi.Notes = append(fi.Notes, err.Error())
		return
	}
	headerAt := map[string]int{}
	for i, t := range targets {
		headerAt[t.Header] = i
	}
	values := func(header string) []ingest.ValueCount { return fi.sample.Values[headerAt[header]] }
	colHeader := map[string]string{} // canonical column → header, mapped or guessed
	for _, t := range targets {
		if t.Column != "" {
			colHeader[t.Column] = t.Header
		}
	}
	offers := map[string]inspectMissing{}
	guesses := ingest.GuessHeaders(kind, targets)
	for _, col := range sortedCols(guesses) {
		h := guesses[col]
		if _, derived := d.derive[k][col]; derived {
			continue
		}
		if col == "community_id" && len(names) > 0 {
			byName, byID := 0, 0
			for _, v := range values(h) {
				byName += b2i(names[ingest.NameKey(v.Value)])
				byID += b2i(ids[ingest.NameKey(v.Value)])
			}
			if byName > byID {
				d.setDerive(k, col, config.Derive{From: h, Lookup: "community_name"},
					fmt.Sprintf("guess: %q holds community names (%d of its values are names in the communities file)", h, byName))
				offers[col] = inspectMissing{Column: col, Candidates: []string{h}, Offer: tr(lang, "offer_derive")}
				continue
			}
		}
		d.addMapping(k, col, h, fmt.Sprintf("guess from the header %q", h))
		colHeader[col] = h
		offers[col] = inspectMissing{Column: col, Candidates: []string{h}, Offer: tr(lang, "offer_mapping")}
	}
	// A community column that is empty (Open311's) or holds names.
	if h := colHeader["community_id"]; h != "" && (len(values(h)) == 0 || mostlyNames(values(h), names, ids)) && d.derive[k]["community_id"].From == "" {
		delete(colHeader, "community_id")
		if len(values(h)) > 0 {
			d.setDerive(k, "community_id", config.Derive{From: h, Lookup: "community_name"},
				fmt.Sprintf("guess: %q holds community names, not codes; they are looked up in the communities file", h))
			colHeader["community_id"] = h
		}
	}
	if _, ok := d.derive[k]["community_id"]; !ok && colHeader["community_id"] == "" {
		if h, ok := ingest.CommunityNameColumn(targets); ok {
			d.setDerive(k, "community_id", config.Derive{From: h, Lookup: "community_name"},
				fmt.Sprintf("guess: %q names the community; its names are looked up in the communities file", h))
			offers["community_id"] = inspectMissing{Column: "community_id", Candidates: []string{h}, Offer: tr(lang, "offer_derive")}
		}
	}
	// A level column whose values are mostly unit names, not levels.
	if h := colHeader["resolution_level"]; h != "" && d.derive[k]["resolution_level"].From == "" && mostlyUnmapped(kind, "resolution_level", values(h), opts) {
		delete(colHeader, "resolution_level")
		targets = slices.Clone(targets)
		targets[headerAt[h]].Column = "" // offered as the handling unit below
	}
	if _, ok := d.derive[k]["resolution_level"]; !ok && kind == civicscore.KindCases && colHeader["resolution_level"] == "" {
		if h, ok := ingest.AgencyColumn(targets); ok {
			var rules []config.DeriveRule
			for _, r := range append(slices.Clone(ingest.LevelRules), ingest.EnglishLevelRules...) {
				rules = append(rules, config.DeriveRule{Match: r.Match, Value: r.Value})
			}
			d.setDerive(k, "resolution_level", config.Derive{From: h, Rules: rules, Default: ingest.LevelDefault},
				fmt.Sprintf("guess: the level from the handling unit %q by the built-in rules (Chinese unit names, English Dept/Department/Bureau/Office → district), else %s: check them against its values", h, ingest.LevelDefault))
			offers["resolution_level"] = inspectMissing{Column: "resolution_level", Candidates: []string{h}, Offer: tr(lang, "offer_derive")}
		}
	}
	for _, col := range missing {
		o, ok := offers[col]
		if !ok {
			o = inspectMissing{Column: col, Offer: tr(lang, "offer_none")}
		}
		fi.Missing = append(fi.Missing, o)
	}
	// Timestamp layouts: a slash-date column whose values are all
	// ambiguous gets a guessed order.
	fmts := d.cfg.Formats[k]
	for _, c := range ingest.Columns[kind] {
		h := colHeader[c.Name]
		if c.Type != ingest.TypeTimestamp || h == "" || len(fmts[c.Name]) > 0 || len(fmts["*"]) > 0 {
			continue
		}
		slash, order, ampm, _ := ingest.SlashOrder(values(h))
		if !slash || order != "" {
			continue
		}
		if ampm {
			d.setFormats(k, c.Name, []string{"%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y"},
				fmt.Sprintf("guess: every date of %q reads as month/day and as day/month; 12-hour AM/PM times are taken for the US order month/day", h))
		} else {
			d.setFormats(k, c.Name, []string{"%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"},
				fmt.Sprintf("guess: every date of %q reads as month/day and as day/month; without AM/PM it is taken for day/month", h))
		}
	}
	// Value aliases for unmapped values of enum, boolean and Likert columns.
	for _, c := range ingest.Columns[kind] {
		h := colHeader[c.Name]
		if c.Enum == "" || h == "" {
			continue
		}
		if _, derived := d.derive[k][c.Name]; derived {
			continue
		}
		for _, v := range values(h) {
			if _, ok := ingest.MapValue(kind, c.Name, v.Value, opts); ok {
				continue
			}
			if g := ingest.GuessValue(kind, c.Name, v.Value); g != "" {
				if d.values[k] == nil {
					d.values[k] = map[string]map[string]string{}
				}
				if d.values[k][c.Name] == nil {
					d.values[k][c.Name] = map[string]string{}
				}
				d.values[k][c.Name][v.Value] = g
				d.comments["values."+k+"."+c.Name] = "guess from the words of the values: check each"
			}
		}
	}
}

func (d *draft) addMapping(k, col, header, why string) {
	if d.mapping[k] == nil {
		d.mapping[k] = map[string][]string{}
	}
	d.mapping[k][col] = append(d.mapping[k][col], header)
	d.comments["mapping."+k+"."+col] = why
}

func (d *draft) setDerive(k, col string, dv config.Derive, why string) {
	if d.derive[k] == nil {
		d.derive[k] = map[string]config.Derive{}
	}
	d.derive[k][col] = dv
	d.comments["derive."+k+"."+col] = why
}

func (d *draft) setFormats(k, col string, fs []string, why string) {
	if d.formats[k] == nil {
		d.formats[k] = map[string][]string{}
	}
	d.formats[k][col] = fs
	d.comments["formats."+k+"."+col] = why
}

// yaml writes the draft as config.yaml.
func (d *draft) yaml(lang string) []byte {
	var b bytes.Buffer
	c := func(key string) string {
		if why := d.comments[key]; why != "" {
			return "  # " + strings.ReplaceAll(why, "\n", " ")
		}
		return ""
	}
	b.WriteString("# Draft written by civicscore inspect. Each guess says so in a comment: check it\n# against the data, then run: civicscore run --config THIS_FILE\n")
	if d.cfg.Timezone != "" {
		fmt.Fprintf(&b, "timezone: %s\n", jsonString(d.cfg.Timezone))
	}
	if d.cfg.Encoding != "" {
		fmt.Fprintf(&b, "encoding: %s\n", jsonString(d.cfg.Encoding))
	}
	if d.cfg.ExtraColumns != "" {
		fmt.Fprintf(&b, "extra_columns: %s\n", jsonString(d.cfg.ExtraColumns))
	}
	fmt.Fprintf(&b, "thresholds:\n  max_reject_share: %v\n", d.cfg.Thresholds.MaxRejectShare)
	fmt.Fprintf(&b, "report:\n  lang: %s\n", jsonString(lang))
	b.WriteString("inputs:\n")
	for _, k := range civicscore.Kinds {
		fmt.Fprintf(&b, "  %s: %s\n", k, jsonList(d.inputs[string(k)]))
	}
	writeSection(&b, "mapping", d.mapping, func(k, col string, hs []string) string { return jsonList(hs) + c("mapping."+k+"."+col) })
	writeSection(&b, "formats", d.formats, func(k, col string, fs []string) string { return jsonList(fs) + c("formats."+k+"."+col) })
	if len(d.cfg.Personal) > 0 {
		b.WriteString("personal:\n")
		for _, k := range sortedCols(d.cfg.Personal) {
			fmt.Fprintf(&b, "  %s: %s\n", k, jsonList(d.cfg.Personal[k]))
		}
	}
	if len(d.cfg.Sheet) > 0 {
		b.WriteString("sheet:\n")
		for _, k := range sortedCols(d.cfg.Sheet) {
			fmt.Fprintf(&b, "  %s: %s\n", k, jsonString(d.cfg.Sheet[k]))
		}
	}
	if nonEmpty(d.values) {
		b.WriteString("values:\n")
		for _, k := range sortedCols(d.values) {
			fmt.Fprintf(&b, "  %s:\n", k)
			for _, col := range sortedCols(d.values[k]) {
				fmt.Fprintf(&b, "    %s:%s\n", col, c("values."+k+"."+col))
				for _, a := range sortedCols(d.values[k][col]) {
					fmt.Fprintf(&b, "      %s: %s\n", jsonString(a), jsonString(d.values[k][col][a]))
				}
			}
		}
	}
	if nonEmpty(d.derive) {
		b.WriteString("derive:\n")
		for _, k := range sortedCols(d.derive) {
			fmt.Fprintf(&b, "  %s:\n", k)
			for _, col := range sortedCols(d.derive[k]) {
				dv := d.derive[k][col]
				fmt.Fprintf(&b, "    %s:%s\n", col, c("derive."+k+"."+col))
				if dv.From != "" {
					fmt.Fprintf(&b, "      from: %s\n", jsonString(dv.From))
				}
				if len(dv.Rules) > 0 {
					b.WriteString("      rules:\n")
					for _, r := range dv.Rules {
						fmt.Fprintf(&b, "        - {match: %s, value: %s}\n", jsonString(r.Match), jsonString(r.Value))
					}
				}
				if dv.Default != "" {
					fmt.Fprintf(&b, "      default: %s\n", jsonString(dv.Default))
				}
				if dv.Lookup != "" {
					fmt.Fprintf(&b, "      lookup: %s\n", jsonString(dv.Lookup))
				}
			}
		}
	}
	return b.Bytes()
}

// writeSection writes a kind → column → list section.
func writeSection(b *bytes.Buffer, name string, m map[string]map[string][]string, line func(k, col string, v []string) string) {
	if !nonEmpty(m) {
		return
	}
	fmt.Fprintf(b, "%s:\n", name)
	for _, k := range sortedCols(m) {
		if len(m[k]) == 0 {
			continue
		}
		fmt.Fprintf(b, "  %s:\n", k)
		for _, col := range sortedCols(m[k]) {
			fmt.Fprintf(b, "    %s: %s\n", jsonString(col), line(k, col, m[k][col]))
		}
	}
}

func nonEmpty[V any](m map[string]map[string]V) bool {
	for _, v := range m {
		if len(v) > 0 {
			return true
		}
	}
	return false
}

func jsonList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = jsonString(x)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func sortedCols[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mostlyNames reports whether more of the values are community names
// than community codes.
func mostlyNames(vs []ingest.ValueCount, names, ids map[string]bool) bool {
	byName, byID := 0, 0
	for _, v := range vs {
		byName += b2i(names[ingest.NameKey(v.Value)])
		byID += b2i(ids[ingest.NameKey(v.Value)])
	}
	return byName > byID
}

// mostlyUnmapped reports whether more rows of the sampled values of col
// map to nothing than to a canonical value.
func mostlyUnmapped(kind civicscore.Kind, col string, vs []ingest.ValueCount, opts ingest.Options) bool {
	var in, out int64
	for _, v := range vs {
		if _, ok := ingest.MapValue(kind, col, v.Value, opts); ok {
			in += v.N
		} else {
			out += v.N
		}
	}
	return out > in
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
