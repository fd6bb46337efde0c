package reports

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Charts are built with go-echarts, but never rendered by it: go-echarts
// writes options into <script> without escaping, so a community named
// "</script>..." would run. Instead the option is taken as data
// (BaseConfiguration.JSON), turned into a plain map, and serialised with
// encoding/json, which escapes <, > and & as \u003c, \u003e and \u0026.
// The page hands the map to assets/civicscore.js, which calls
// echarts.init(el).setOption(option). Options carry no JavaScript: the only
// functions (tooltip formatters) live in civicscore.js and are chosen by name.

// Palette: colour-blind-safe, distinguishable in grey print.
var palette = []string{"#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a2b8", "#7f8c8d", "#b8860b"}

// levelColors colour the escalation split from local (green) to city (red).
var levelColors = []string{"#2e8b57", "#7fb77e", "#f0b429", "#e07b39", "#c0392b"}

const chartFont = `system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif`

// chartSet collects the charts of one page by container id.
type chartSet map[string]map[string]any

// add stores option under the container id.
func (c chartSet) add(id string, option map[string]any) { c[id] = option }

// jsonJS serialises v for a page's inline script. encoding/json escapes <,
// >, &, U+2028 and U+2029, so the result cannot end the <script> element or
// inject markup, whatever names the data holds.
func jsonJS(v any) (template.JS, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("serialise chart options: %w", err)
	}
	return template.JS(b), nil
}

// point is one value on a trend line.
type point struct {
	ok         bool // a value to draw
	suppressed bool // too few rows: a gap labelled "too few responses"
	y          float64
	ciOK       bool
	lo, hi     float64
}

// lineSeries is one line of a trend chart.
type lineSeries struct {
	name   string
	color  string
	dashed bool
	band   bool // draw the Wilson interval as a shaded band
	points []point
}

// toMap turns a go-echarts option into a plain JSON-shaped map, so that it
// can be adjusted and serialised safely.
func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("marshal chart option: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("unmarshal chart option: %w", err)
	}
	return m, nil
}

// finish applies the settings shared by every chart: fonts, no animation
// (pages are read, not watched, and static charts print well), no toolbox.
func finish(m map[string]any, tooltipUnit string, meta map[string]any) map[string]any {
	delete(m, "toolbox")
	m["animation"] = false
	m["textStyle"] = map[string]any{"fontFamily": chartFont}
	m["color"] = palette
	if meta != nil {
		m["csMeta"] = meta
	}
	m["csTooltip"] = tooltipUnit
	if t, ok := m["tooltip"].(map[string]any); ok {
		// Keep the tooltip inside the chart and let long names wrap, so a
		// tooltip never widens a phone screen.
		t["confine"] = true
		t["transitionDuration"] = 0
		t["extraCssText"] = "max-width: min(320px, 86vw); white-space: normal; overflow-wrap: anywhere;"
	}
	return m
}

// lineChart builds a trend chart over the category labels. unit is the
// indicator unit; fractions are drawn as percentages.
func lineChart(categories []string, unit string, series []lineSeries) (map[string]any, error) {
	scale := chartScale(unit)
	digits := 1
	pct := unit == unitFraction
	line := charts.NewLine()
	names := make([]string, 0, len(series))
	for _, s := range series {
		names = append(names, s.name)
	}
	yAxis := opts.YAxis{Type: "value", Scale: opts.Bool(true), SplitNumber: 4,
		SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}
	if pct {
		yAxis.Max = 100
		yAxis.AxisLabel = &opts.AxisLabel{Formatter: "{value}%"}
	}
	line.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0", Left: "0", Type: "scroll", Data: names}),
		charts.WithGridOpts(opts.Grid{Left: "4", Right: "12", Top: "36", Bottom: "4", ContainLabel: opts.Bool(true)}),
		charts.WithYAxisOpts(yAxis),
		charts.WithXAxisOpts(opts.XAxis{Type: "category"}),
		charts.WithAnimation(false),
	)
	line.SetXAxis(categories)
	meta := map[string]any{}
	for i, s := range series {
		id := "s" + strconv.Itoa(i)
		data := make([]opts.LineData, len(s.points))
		lo := make([]any, len(s.points))
		hi := make([]any, len(s.points))
		sup := make([]int, len(s.points))
		bandLo := make([]opts.LineData, len(s.points))
		bandW := make([]opts.LineData, len(s.points))
		hasBand := false
		for j, p := range s.points {
			data[j] = opts.LineData{Value: "-"}
			bandLo[j] = opts.LineData{Value: "-"}
			bandW[j] = opts.LineData{Value: "-"}
			if p.suppressed {
				sup[j] = 1
			}
			if !p.ok {
				continue
			}
			data[j].Value = round(p.y*scale, digits+1)
			if p.ciOK {
				lo[j], hi[j] = round(p.lo*scale, digits), round(p.hi*scale, digits)
				if s.band {
					hasBand = true
					bandLo[j].Value = round(p.lo*scale, 2)
					bandW[j].Value = round((p.hi-p.lo)*scale, 2)
				}
			}
		}
		lineStyle := opts.LineStyle{Color: s.color, Width: 2}
		if s.dashed {
			lineStyle.Type = "dashed"
		}
		line.AddSeries(s.name, data,
			charts.WithSeriesId(id),
			charts.WithLineStyleOpts(lineStyle),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: s.color}),
			charts.WithLineChartOpts(opts.LineChart{Symbol: "circle", SymbolSize: 5, ConnectNulls: opts.Bool(false)}),
		)
		meta[id] = map[string]any{"lo": lo, "hi": hi, "s": sup}
		if hasBand {
			stack := "band" + strconv.Itoa(i)
			line.AddSeries(s.name, bandLo,
				charts.WithSeriesId("band-lo-"+strconv.Itoa(i)),
				charts.WithLineChartOpts(opts.LineChart{Stack: stack, Symbol: "none", ShowSymbol: opts.Bool(false)}),
				charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}),
			)
			line.AddSeries(s.name, bandW,
				charts.WithSeriesId("band-w-"+strconv.Itoa(i)),
				charts.WithLineChartOpts(opts.LineChart{Stack: stack, Symbol: "none", ShowSymbol: opts.Bool(false)}),
				charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}),
				charts.WithAreaStyleOpts(opts.AreaStyle{Color: s.color, Opacity: opts.Float(0.14)}),
			)
		}
	}
	line.Validate()
	m, err := toMap(line.JSON())
	if err != nil {
		return nil, err
	}
	// Series styles the go-echarts option types lack.
	if ss, ok := m["series"].([]any); ok {
		for _, x := range ss {
			if s, ok := x.(map[string]any); ok {
				if id, _ := s["id"].(string); len(id) > 5 && id[:5] == "band-" {
					s["silent"] = true
					s["z"] = 1
					s["emphasis"] = map[string]any{"disabled": true}
				}
			}
		}
	}
	if xs, ok := m["xAxis"].([]any); ok && len(xs) > 0 {
		if x, ok := xs[0].(map[string]any); ok {
			x["boundaryGap"] = false
		}
	}
	tip := "num"
	if pct {
		tip = "pct"
	}
	return finish(m, tip, meta), nil
}

// shareRow is one bar of a stacked share chart: the shares of one unit.
type shareRow struct {
	name   string
	shares []point // one per stack part; ok=false for no value
}

// stackedShareChart builds a horizontal 100% stacked bar chart: one bar per
// row, one stack part per name in parts.
func stackedShareChart(rows []shareRow, parts []string) (map[string]any, error) {
	bar := charts.NewBar()
	cats := make([]string, len(rows))
	for i, r := range rows {
		cats[i] = r.name
	}
	bar.SetGlobalOptions(
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis",
			AxisPointer: &opts.AxisPointer{Type: "shadow"}}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Top: "0", Left: "0", Data: parts}),
		charts.WithGridOpts(opts.Grid{Left: "4", Right: "16", Top: "36", Bottom: "4", ContainLabel: opts.Bool(true)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Max: 100, AxisLabel: &opts.AxisLabel{Formatter: "{value}%"}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Inverse: opts.Bool(true)}),
		charts.WithAnimation(false),
	)
	bar.SetXAxis(cats)
	for k, part := range parts {
		data := make([]opts.BarData, len(rows))
		for i, r := range rows {
			data[i] = opts.BarData{Value: "-"}
			if k < len(r.shares) && r.shares[k].ok {
				data[i].Value = round(r.shares[k].y*100, 2)
			}
		}
		bar.AddSeries(part, data,
			charts.WithSeriesId("s"+strconv.Itoa(k)),
			charts.WithBarChartOpts(opts.BarChart{Stack: "share", BarCategoryGap: "35%"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: levelColors[k%len(levelColors)]}),
		)
	}
	bar.XYReversal()
	bar.Validate()
	m, err := toMap(bar.JSON())
	if err != nil {
		return nil, err
	}
	if ss, ok := m["series"].([]any); ok {
		for _, x := range ss {
			if s, ok := x.(map[string]any); ok {
				s["barMaxWidth"] = 26
			}
		}
	}
	return finish(m, "pct", nil), nil
}
