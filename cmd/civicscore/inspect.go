package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/config"
	"github.com/civicscore/civicscore/ingest"
	"github.com/civicscore/civicscore/store"
)

// errInspectRejects marks an inspect whose run would fail a file (exit 1).
var errInspectRejects = errors.New("a run would not load every file within thresholds.max_reject_share")

type inspectFlags struct {
	kind, config, writeConfig, format string
}

func (m *Main) inspectCommand() *cobra.Command {
	var f inspectFlags
	cmd := &cobra.Command{
		Use:   "inspect PATH... [--kind K] [--config FILE] [--write-config FILE] [--format table|json]",
		Short: "say how exports would load, without loading them; draft a config",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "table" && f.format != "json" {
				return usageError{fmt.Errorf("--format %q: want table or json", f.format)}
			}
			if f.kind != "" && !slices.Contains(civicscore.Kinds, civicscore.Kind(f.kind)) {
				return usageError{fmt.Errorf("--kind %q: want communities, cases, services or surveys", f.kind)}
			}
			return m.inspect(cmd.Context(), args, f)
		},
	}
	cmd.Flags().StringVar(&f.kind, "kind", "", "the input kind of every PATH (default: from the headers)")
	cmd.Flags().StringVar(&f.config, "config", "", "config file whose settings are applied (default: the defaults)")
	cmd.Flags().StringVar(&f.writeConfig, "write-config", "", "write a draft config.yaml here")
	cmd.Flags().StringVar(&f.format, "format", "table", "output: table or json")
	return cmd
}

// inspectReport is what inspect says, also its JSON output.
type inspectReport struct {
	Config      string        `json:"config,omitempty"`
	DraftConfig string        `json:"draft_config,omitempty"`
	OK          bool          `json:"ok"`
	Files       []inspectFile `json:"files"`
}

type inspectFile struct {
	Path       string            `json:"path"`
	Kind       string            `json:"kind"`
	Format     string            `json:"format"`
	Encoding   string            `json:"encoding,omitempty"`
	Delimiter  string            `json:"delimiter,omitempty"`
	Sheet      string            `json:"sheet,omitempty"`
	Rows       int64             `json:"rows"`
	Headers    []inspectHeader   `json:"headers"`
	Timestamps []inspectLayout   `json:"timestamps"`
	Values     []inspectValues   `json:"values"`
	Missing    []inspectMissing  `json:"missing"`
	Load       inspectLoad       `json:"load"`
	Notes      []string          `json:"notes,omitempty"`
	sample     ingest.FileSample // read without loading
	targets    []ingest.HeaderTarget
}

type inspectHeader struct {
	Header string `json:"header"`
	// As is canonical, derive_from, personal_dropped, extra_kept or extra_dropped.
	As     string `json:"as"`
	Column string `json:"column,omitempty"`
	Why    string `json:"why,omitempty"`
}

type inspectLayout struct {
	Column  string   `json:"column"`
	Header  string   `json:"header"`
	Layout  string   `json:"layout"`
	Formats []string `json:"formats,omitempty"`
	Values  int64    `json:"values"`
	Parsed  int64    `json:"parsed"`
	Share   float64  `json:"share"`
}

type inspectValues struct {
	Column   string `json:"column"`
	Header   string `json:"header"`
	Distinct int    `json:"distinct"`
	// Derived: the values of a derive's from column, with what it makes of them.
	Derived bool           `json:"derived,omitempty"`
	Values  []inspectValue `json:"values"`
}

type inspectValue struct {
	Value string `json:"value"`
	N     int64  `json:"n"`
	// MapsTo is the canonical value, "" when unmapped; Guess what the draft
	// proposes for an unmapped one.
	MapsTo string `json:"maps_to,omitempty"`
	Guess  string `json:"guess,omitempty"`
	// Other: unmapped in a column where such a value becomes other (else
	// it is rejected, bad_enum).
	Other bool `json:"other,omitempty"`
}

type inspectMissing struct {
	Column     string   `json:"column"`
	Candidates []string `json:"candidates,omitempty"`
	// Offer says what the draft does about it.
	Offer string `json:"offer,omitempty"`
}

// inspectReason is one reject reason of a file: its count and an example
// (the row's detail; its raw cells, personal columns left out).
type inspectReason struct {
	Reason string `json:"reason"`
	N      int64  `json:"n"`
	Row    int64  `json:"example_row"`
	Detail string `json:"example_detail"`
	Raw    string `json:"example_raw,omitempty"`
}

type inspectLoad struct {
	Read        int64           `json:"read"`
	Clean       int64           `json:"clean"`
	Rejected    int64           `json:"rejected"`
	RejectShare float64         `json:"reject_share"`
	Reasons     []inspectReason `json:"reasons"`
	Error       string          `json:"error,omitempty"`
	OK          bool            `json:"ok"`
}

func (m *Main) inspect(ctx context.Context, paths []string, f inspectFlags) error {
	cfg := config.Default()
	lang := "en"
	if strings.HasPrefix(strings.ToLower(m.Getenv("LANG")), "zh") {
		lang = "zh-CN"
	}
	if f.config != "" {
		var err error
		if cfg, err = config.Load(f.config, m.Log); err != nil {
			return err
		}
		lang = cfg.Report.Lang
	}
	opts := ingestOptions(cfg, rand.Text())
	rep := inspectReport{Config: f.config}
	// Read every file and take it for a kind.
	var communities []string
	for _, p := range paths {
		files, err := ingest.ResolveFiles(civicscore.KindCases, []string{p})
		if err != nil {
			return err
		}
		for _, path := range files {
			kind := civicscore.Kind(f.kind)
			sampleKind := kind
			if sampleKind == "" {
				sampleKind = civicscore.KindCases
			}
			fs, err := ingest.SampleFile(path, sampleKind, opts)
			if err != nil {
				return fmt.Errorf("inspect %s: %w", path, err)
			}
			if kind == "" {
				kind = ingest.GuessKind(fs, opts)
				if kind != sampleKind && fs.Format == "xlsx" && opts.Sheet[string(kind)] != opts.Sheet[string(sampleKind)] {
					if fs, err = ingest.SampleFile(path, kind, opts); err != nil {
						return fmt.Errorf("inspect %s: %w", path, err)
					}
				}
			}
			abs, _ := filepath.Abs(path)
			if kind == civicscore.KindCommunities {
				communities = append(communities, abs)
			}
			rep.Files = append(rep.Files, inspectFile{Path: abs, Kind: string(kind), Format: fs.Format, Encoding: fs.Encoding,
				Delimiter: fs.Delimiter, Sheet: fs.Sheet, Rows: fs.Rows, sample: fs})
		}
	}
	if len(communities) == 0 {
		for _, c := range cfg.Inputs.Communities {
			files, err := ingest.ResolveFiles(civicscore.KindCommunities, []string{c})
			if err != nil {
				return err
			}
			communities = append(communities, files...)
		}
	}
	names, ids := communityKeys(communities, opts)

	// The draft: the config's settings and a guess for what they lack.
	d := newDraft(cfg, communities)
	for i := range rep.Files {
		d.file(&rep.Files[i], opts, names, ids, lang)
	}
	used := cfg
	if f.writeConfig != "" {
		if err := os.WriteFile(f.writeConfig, d.yaml(lang), 0o644); err != nil {
			return fmt.Errorf("--write-config: %w", err)
		}
		var err error
		if used, err = config.Load(f.writeConfig, m.Log); err != nil {
			return fmt.Errorf("the draft %s does not load (a bug of inspect): %w", f.writeConfig, err)
		}
		rep.DraftConfig = f.writeConfig
	}
	uopts := ingestOptions(used, opts.Salt)

	// A real load of each file into a temporary database.
	rep.OK = true
	for i := range rep.Files {
		fi := &rep.Files[i]
		m.inspectLoad(ctx, fi, used, uopts, communities)
		describe(fi, uopts, names)
		if !fi.Load.OK {
			rep.OK = false
		}
		if fi.Kind != string(civicscore.KindCommunities) && len(communities) == 0 {
			fi.Notes = append(fi.Notes, tr(lang, "no_communities"))
		}
	}
	if f.format == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		writeInspectTable(m.Stdout, rep, lang)
	}
	if !rep.OK {
		return errInspectRejects
	}
	return nil
}

// inspectLoad loads the file (with the communities) into a temporary
// database with the settings a run would use, and keeps what happened.
func (m *Main) inspectLoad(ctx context.Context, fi *inspectFile, cfg config.Config, opts ingest.Options, communities []string) {
	dir, err := os.MkdirTemp(cfg.DuckDB.TempDirectory, "civicscore-inspect-")
	if err != nil {
		fi.Load.Error = err.Error()
		return
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "inspect.duckdb"), store.Options{
		MemoryLimit: cfg.DuckDB.MemoryLimit, Threads: cfg.DuckDB.Threads, TempDirectory: dir, TimeZone: cfg.Timezone,
	})
	if err != nil {
		fi.Load.Error = err.Error()
		return
	}
	defer db.Close()
	opts.Inputs = map[civicscore.Kind][]string{civicscore.KindCommunities: communities}
	if fi.Kind != string(civicscore.KindCommunities) {
		opts.Inputs[civicscore.Kind(fi.Kind)] = []string{fi.Path}
	} else {
		opts.Inputs[civicscore.KindCommunities] = []string{fi.Path}
	}
	sum, err := ingest.Load(ctx, db, opts)
	if err != nil {
		fi.Load.Error = err.Error()
		return
	}
	for _, res := range sum.Files {
		if res.Path != fi.Path || string(res.Kind) != fi.Kind {
			continue
		}
		fi.Load.Read, fi.Load.Clean, fi.Load.Rejected = res.Read, res.Clean, res.Rejected
		if res.Read > 0 {
			fi.Load.RejectShare = float64(res.Failing()) / float64(res.Read)
		}
		for _, r := range res.Reasons {
			fi.Load.Reasons = append(fi.Load.Reasons, inspectReason(r))
		}
		fi.Load.OK = ingest.Summary{Files: []ingest.FileResult{res}}.Check(cfg.Thresholds.MaxRejectShare) == nil
		for _, l := range res.Layouts {
			il := inspectLayout{Column: l.Column, Header: l.Header, Layout: l.Layout, Formats: l.Formats, Values: l.Values, Parsed: l.Parsed}
			if l.Values > 0 {
				il.Share = float64(l.Parsed) / float64(l.Values)
			}
			fi.Timestamps = append(fi.Timestamps, il)
		}
		for i := range fi.Headers {
			if why, ok := res.DroppedColumns[fi.Headers[i].Header]; ok && fi.Headers[i].As == "extra_kept" {
				fi.Headers[i].As, fi.Headers[i].Why = "extra_dropped", why
			}
		}
	}
}

// describe fills the header and value tables of a file under opts (the
// settings the load used).
func describe(fi *inspectFile, opts ingest.Options, names map[string]bool) {
	kind := civicscore.Kind(fi.Kind)
	targets, _, err := ingest.PlanColumns(kind, fi.sample, opts)
	if err != nil {
		fi.Notes = append(fi.Notes, err.Error())
		return
	}
	derivedFrom := map[string]string{}
	for col, dv := range opts.Derive[fi.Kind] {
		if dv.From != "" {
			derivedFrom[strings.ToLower(dv.From)] = col
		}
	}
	dropped := map[string]string{}
	for _, h := range fi.Headers {
		dropped[h.Header] = h.Why
	}
	fi.Headers = fi.Headers[:0]
	for i, t := range targets {
		h := inspectHeader{Header: t.Header, Column: t.Column}
		switch {
		case t.Personal:
			h.As, h.Why = "personal_dropped", "personal header"
		case t.Column != "":
			h.As = "canonical"
		default:
			h.As = "extra_kept"
		}
		if col, ok := derivedFrom[strings.ToLower(t.Header)]; ok {
			h.Why = strings.TrimSpace(h.Why + " derive → " + col)
			if h.As == "extra_kept" {
				h.As, h.Column = "derive_from", col
			}
		}
		fi.Headers = append(fi.Headers, h)
		// Values of enum, boolean and Likert columns, unmapped first.
		col := t.Column
		if col == "" || !isEnum(kind, col) {
			continue
		}
		iv := inspectValues{Column: col, Header: t.Header, Distinct: fi.sample.Distinct[i]}
		for _, v := range fi.sample.Values[i] {
			to, ok := ingest.MapValue(kind, col, v.Value, opts)
			x := inspectValue{Value: v.Value, N: v.N, MapsTo: to}
			if !ok {
				x.Guess = ingest.GuessValue(kind, col, v.Value)
				if otherWhenUnknown(kind, col) {
					x.Other = true
				}
			}
			iv.Values = append(iv.Values, x)
		}
		sort.SliceStable(iv.Values, func(a, b int) bool { return iv.Values[a].MapsTo == "" && iv.Values[b].MapsTo != "" })
		fi.Values = append(fi.Values, iv)
	}
	fi.targets = targets
	// The values of each derive's from column, with what the derive makes
	// of them.
	for _, col := range sortedCols(opts.Derive[fi.Kind]) {
		dv := opts.Derive[fi.Kind][col]
		i := slices.IndexFunc(targets, func(t ingest.HeaderTarget) bool { return strings.EqualFold(t.Header, dv.From) })
		if dv.From == "" || i < 0 {
			continue
		}
		iv := inspectValues{Column: col, Header: dv.From, Distinct: fi.sample.Distinct[i], Derived: true}
		for _, v := range fi.sample.Values[i] {
			x := inspectValue{Value: v.Value, N: v.N}
			to, ok := ingest.MatchRules(dv.Rules, v.Value)
			switch {
			case ok:
				x.MapsTo = to
			case dv.Default != "":
				x.MapsTo = dv.Default
			case dv.Lookup == "community_name" && names[ingest.NameKey(v.Value)]:
				x.MapsTo = "(community " + v.Value + ")"
			}
			iv.Values = append(iv.Values, x)
		}
		sort.SliceStable(iv.Values, func(a, b int) bool { return iv.Values[a].MapsTo == "" && iv.Values[b].MapsTo != "" })
		fi.Values = append(fi.Values, iv)
	}
}

// otherWhenUnknown reports whether an unknown value of col becomes other.
func otherWhenUnknown(kind civicscore.Kind, col string) bool {
	for _, c := range ingest.Columns[kind] {
		if c.Name == col {
			return c.OtherWhenUnknown
		}
	}
	return false
}

// isEnum reports whether col of kind holds enum, boolean or Likert values.
func isEnum(kind civicscore.Kind, col string) bool {
	for _, c := range ingest.Columns[kind] {
		if c.Name == col {
			return c.Enum != ""
		}
	}
	return false
}

// communityKeys reads the community names and ids of the communities
// files (lower-cased keys), to tell a column of names from one of codes.
func communityKeys(files []string, opts ingest.Options) (names, ids map[string]bool) {
	names, ids = map[string]bool{}, map[string]bool{}
	for _, path := range files {
		fs, err := ingest.SampleFile(path, civicscore.KindCommunities, opts)
		if err != nil {
			continue
		}
		targets, _, err := ingest.PlanColumns(civicscore.KindCommunities, fs, opts)
		if err != nil {
			continue
		}
		for i, t := range targets {
			for _, v := range fs.Values[i] {
				switch t.Column {
				case "community_id":
					ids[ingest.NameKey(v.Value)] = true
				case "community_name":
					names[ingest.NameKey(v.Value)] = true
				}
			}
		}
	}
	return names, ids
}

// writeInspectTable writes the report as tables for a terminal.
func writeInspectTable(w io.Writer, rep inspectReport, lang string) {
	for _, f := range rep.Files {
		fmt.Fprintf(w, "%s %s\n", tr(lang, "file"), f.Path)
		fmt.Fprintf(w, "  %s: %s   %s: %s", tr(lang, "kind"), f.Kind, tr(lang, "format"), f.Format)
		if f.Encoding != "" {
			fmt.Fprintf(w, "   %s: %s", tr(lang, "encoding"), f.Encoding)
		}
		if f.Delimiter != "" {
			fmt.Fprintf(w, "   %s: %q", tr(lang, "delimiter"), f.Delimiter)
		}
		if f.Sheet != "" {
			fmt.Fprintf(w, "   %s: %s", tr(lang, "sheet"), f.Sheet)
		}
		fmt.Fprintf(w, "   %s: %d\n\n", tr(lang, "rows"), f.Rows)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  %s\t%s\t%s\t\n", tr(lang, "header"), tr(lang, "maps_to"), tr(lang, "why"))
		for _, h := range f.Headers {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t\n", quoteCell(h.Header), tr(lang, h.As)+" "+h.Column, h.Why)
		}
		tw.Flush()
		if len(f.Timestamps) > 0 {
			fmt.Fprintln(w)
			tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t\n", tr(lang, "timestamp"), tr(lang, "layout"), tr(lang, "formats"), tr(lang, "parsed"))
			for _, l := range f.Timestamps {
				fmt.Fprintf(tw, "  %s (%s)\t%s\t%s\t%d/%d (%.1f%%)\t\n", l.Column, quoteCell(l.Header), l.Layout, strings.Join(l.Formats, " | "), l.Parsed, l.Values, 100*l.Share)
			}
			tw.Flush()
		}
		for _, v := range f.Values {
			what := tr(lang, "values_of") + " " + v.Column
			if v.Derived {
				what = fmt.Sprintf(tr(lang, "derive_values"), v.Column)
			}
			fmt.Fprintf(w, "\n  %s (%s), %d %s\n", what, quoteCell(v.Header), v.Distinct, tr(lang, "distinct"))
			tw = tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
			for _, x := range v.Values {
				to := x.MapsTo
				if to == "" {
					to = tr(lang, "unmapped")
					if x.Other {
						to += " → other"
					}
					if x.Guess != "" {
						to += " (" + tr(lang, "guess") + ": " + x.Guess + ")"
					}
				}
				fmt.Fprintf(tw, "    %s\t%d\t→ %s\t\n", quoteCell(x.Value), x.N, to)
			}
			tw.Flush()
		}
		for _, mi := range f.Missing {
			fmt.Fprintf(w, "\n  %s %s: %s %s; %s\n", tr(lang, "missing"), mi.Column, tr(lang, "candidates"), strings.Join(mi.Candidates, ", "), mi.Offer)
		}
		fmt.Fprintf(w, "\n  %s: %d %s, %d %s, %d %s (%.1f%%)\n", tr(lang, "load"), f.Load.Read, tr(lang, "read"), f.Load.Clean, tr(lang, "clean"),
			f.Load.Rejected, tr(lang, "rejected"), 100*f.Load.RejectShare)
		for _, r := range f.Load.Reasons {
			fmt.Fprintf(w, "    %s\t%d\t%s\n", r.Reason, r.N, cut(r.Detail, 100))
		}
		if f.Load.Error != "" {
			fmt.Fprintf(w, "  %s: %s\n", tr(lang, "error"), f.Load.Error)
		}
		for _, n := range f.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
		verdict := tr(lang, "ok")
		if !f.Load.OK {
			verdict = tr(lang, "fails")
		}
		fmt.Fprintf(w, "  => %s\n\n", verdict)
	}
	if rep.DraftConfig != "" {
		fmt.Fprintf(w, "%s: %s\n", tr(lang, "draft"), rep.DraftConfig)
	}
}

// quoteCell shows a data string on a terminal: control characters quoted.
func quoteCell(s string) string {
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Sprintf("%q", s)
		}
	}
	return cut(s, 60)
}

func cut(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// inspectText holds inspect's words in English and Chinese.
var inspectText = map[string][2]string{
	"file":             {"File", "文件"},
	"kind":             {"kind", "类型"},
	"format":           {"format", "格式"},
	"encoding":         {"encoding", "编码"},
	"delimiter":        {"delimiter", "分隔符"},
	"sheet":            {"sheet", "工作表"},
	"rows":             {"rows", "行数"},
	"header":           {"HEADER", "表头"},
	"maps_to":          {"MAPS TO", "对应"},
	"why":              {"NOTE", "说明"},
	"canonical":        {"column", "字段"},
	"derive_from":      {"derive source for", "派生来源"},
	"personal_dropped": {"personal, dropped", "个人信息，丢弃"},
	"extra_kept":       {"extra, kept", "额外列，保留"},
	"extra_dropped":    {"extra, dropped", "额外列，丢弃"},
	"timestamp":        {"TIMESTAMP", "时间列"},
	"layout":           {"LAYOUT", "格式"},
	"formats":          {"FORMATS", "解析式"},
	"parsed":           {"PARSED", "可解析"},
	"values_of":        {"Values of", "取值"},
	"distinct":         {"distinct", "种"},
	"derive_values":    {"derive %s from", "派生 %s 自"},
	"unmapped":         {"UNMAPPED", "未对应"},
	"guess":            {"guess", "猜测"},
	"missing":          {"Missing required column (with the given config)", "缺少必需列（按所给配置）"},
	"candidates":       {"could be filled from", "可取自"},
	"load":             {"A run would give", "运行结果"},
	"read":             {"read", "读入"},
	"clean":            {"clean", "有效"},
	"rejected":         {"rejected", "拒绝"},
	"error":            {"The load stops", "加载中止"},
	"ok":               {"loads within thresholds.max_reject_share", "在 thresholds.max_reject_share 之内，可加载"},
	"fails":            {"a run would FAIL on this file", "运行将因此文件失败"},
	"draft":            {"Draft config written", "已写出配置草稿"},
	"no_communities":   {"No communities file: every case is unknown_community; give one (inputs.communities or a PATH) — the draft cannot fix this without it.", "没有社区表：每行都会是 unknown_community；请提供社区表（inputs.communities 或作为 PATH），否则草稿无法修正。"},
	"offer_derive":     {"the draft derives it", "草稿用 derive 填充"},
	"offer_mapping":    {"the draft maps it", "草稿用 mapping 对应"},
	"offer_none":       {"no candidate: add mapping or derive", "无候选：请加 mapping 或 derive"},
}

// tr returns the text of key in lang (zh-CN or en).
func tr(lang, key string) string {
	t, ok := inspectText[key]
	if !ok {
		return key
	}
	if strings.HasPrefix(lang, "zh") {
		return t[1]
	}
	return t[0]
}

// jsonString writes s as a double-quoted scalar (JSON strings are YAML).
func jsonString(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)
	return strings.TrimSpace(b.String())
}
