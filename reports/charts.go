package reports

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Charts are described with go-echarts' option types (opts.*, and
// charts.SingleSeries for series), but never rendered by go-echarts: it
// writes options into <script> without escaping, so a community named
// "</script>..." would run. Instead an option is a plain Go value that
// encoding/json serialises — escaping <, > and & as \u003c, \u003e and
// \u0026 — and the page hands it to assets/civicscore.js, which calls
// echarts.init(el).setOption(option). Options carry no JavaScript: the only
// function (the tooltip formatter) lives in civicscore.js and is chosen by
// name (csTooltip), with its per-point data in csMeta.

// Palette: colour-blind-safe, distinguishable in grey print.
var palette = []string{"#1f5fa8", "#d9822b", "#2e8b57", "#8e44ad", "#c0392b", "#16a2b8", "#7f8c8d", "#b8860b"}

// levelColors colour the escalation split from local (green) to city (red).
var levelColors = []string{"#2e8b57", "#7fb77e", "#f0b429", "#e07b39", "#c0392b"}

const chartFont = `system-ui, -apple-system, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", sans-serif`

// chartOption is one ECharts option. Fields the go-echarts types lack are
// added by embedding: encoding/json lets a shallower field win, so an outer
// field replaces the embedded one of the same JSON name.
type chartOption struct {
	Animation bool           `json:"animation"`
	Color     []string       `json:"color"`
	TextStyle opts.TextStyle `json:"textStyle"`
	Legend    opts.Legend    `json:"legend"`
	Tooltip   chartTooltip   `json:"tooltip"`
	Grid      []opts.Grid    `json:"grid,omitempty"`
	XAxis     []chartAxis    `json:"xAxis,omitempty"`
	YAxis     []chartAxis    `json:"yAxis,omitempty"`
	// Series are chartSeries values or, for the kinds go-echarts' types
	// do not cover well (heat map, map), plain maps.
	Series []any `json:"series"`
	// VisualMap colours heat maps and the choropleth.
	VisualMap []map[string]any `json:"visualMap,omitempty"`
	// CSGeo carries the community boundaries of a choropleth; civicscore.js
	// registers them with echarts.registerMap and removes the key.
	CSGeo *geoMap `json:"csGeo,omitempty"`
	// CSTooltip names the formatter civicscore.js uses: "pct" or "num".
	CSTooltip string `json:"csTooltip"`
	// CSMeta holds, per series id, what the tooltip shows beside a value:
	// interval bounds, and which points are suppressed.
	CSMeta map[string]seriesMeta `json:"csMeta,omitempty"`
}

type chartTooltip struct {
	opts.Tooltip
	Confine            bool   `json:"confine"`
	TransitionDuration int    `json:"transitionDuration"`
	ExtraCSSText       string `json:"extraCssText,omitempty"`
}

// chartAxis is an x or y axis; ECharts takes the same keys for both.
type chartAxis struct {
	opts.YAxis
	BoundaryGap *bool          `json:"boundaryGap,omitempty"`
	Interval    float64        `json:"interval,omitempty"`
	AxisLabel   map[string]any `json:"axisLabel,omitempty"`
	AxisTick    map[string]any `json:"axisTick,omitempty"`
}

type chartSeries struct {
	charts.SingleSeries
	Silent      bool           `json:"silent,omitempty"`
	Z           int            `json:"z,omitempty"`
	BarMaxWidth int            `json:"barMaxWidth,omitempty"`
	Emphasis    map[string]any `json:"emphasis,omitempty"`
}

type seriesMeta struct {
	Lo         []*float64 `json:"lo"`
	Hi         []*float64 `json:"hi"`
	Suppressed []int      `json:"s"`
	// Note is, per point, a line of words the tooltip adds below the value
	// (the control-chart rule that fired); "" for none.
	Note []string `json:"note,omitempty"`
}

// newOption returns an option with the settings every chart shares: fonts,
// no animation (pages are read, not watched, and static charts print
// well), and a tooltip that stays inside the chart and wraps long names so
// that it never widens a phone screen.
func newOption(tooltipKind string) *chartOption {
	return &chartOption{
		Color:     palette,
		TextStyle: opts.TextStyle{FontFamily: chartFont},
		Tooltip: chartTooltip{
			Tooltip:      opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"},
			Confine:      true,
			ExtraCSSText: "white-space: normal; overflow-wrap: anywhere;",
		},
		CSTooltip: tooltipKind,
	}
}

// chartSet collects the charts of one page by container id.
type chartSet map[string]*chartOption

// add stores option under the container id.
func (c chartSet) add(id string, option *chartOption) { c[id] = option }

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

func ptr(f float64) *float64 { return &f }

// lineChart builds a trend chart over the category labels. unit is the
// indicator unit; fractions are drawn as percentages.
func lineChart(categories []string, unit string, series []lineSeries) *chartOption {
	scale := chartScale(unit)
	pct := unit == unitFraction
	o := newOption("num")
	if pct {
		o.CSTooltip = "pct"
	}
	names := make([]string, 0, len(series))
	for _, s := range series {
		names = append(names, s.name)
	}
	o.Legend = opts.Legend{Show: opts.Bool(true), Top: "0", Left: "0", Type: "scroll", Data: names}
	o.Grid = []opts.Grid{{Left: "4", Right: "22", Top: "36", Bottom: "4", ContainLabel: opts.Bool(true)}}
	noGap := false
	o.XAxis = []chartAxis{{YAxis: opts.YAxis{Type: "category", Data: categories}, BoundaryGap: &noGap}}
	y := chartAxis{YAxis: opts.YAxis{Type: "value", Scale: opts.Bool(true), SplitNumber: 4,
		SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}}
	if pct {
		y.AxisLabel = map[string]any{"formatter": "{value}%"}
		if lo, hi, step, ok := pctRange(series); ok {
			y.Min, y.Max, y.Interval = lo, hi, step
			y.SplitNumber = 0
		} else {
			y.Max = 100
		}
	}
	o.YAxis = []chartAxis{y}
	o.CSMeta = map[string]seriesMeta{}
	for i, s := range series {
		id := "s" + strconv.Itoa(i)
		n := len(s.points)
		data := make([]opts.LineData, n)
		bandLo := make([]opts.LineData, n)
		bandW := make([]opts.LineData, n)
		meta := seriesMeta{Lo: make([]*float64, n), Hi: make([]*float64, n), Suppressed: make([]int, n)}
		hasBand := false
		for j, p := range s.points {
			data[j] = opts.LineData{Value: "-"}
			bandLo[j] = opts.LineData{Value: "-"}
			bandW[j] = opts.LineData{Value: "-"}
			if p.suppressed {
				meta.Suppressed[j] = 1
			}
			if !p.ok {
				continue
			}
			data[j].Value = round(p.y*scale, 2)
			if p.ciOK {
				meta.Lo[j], meta.Hi[j] = ptr(round(p.lo*scale, 1)), ptr(round(p.hi*scale, 1))
				if s.band {
					hasBand = true
					bandLo[j].Value = round(p.lo*scale, 2)
					bandW[j].Value = round((p.hi-p.lo)*scale, 2)
				}
			}
		}
		o.CSMeta[id] = meta
		line := chartSeries{SingleSeries: charts.SingleSeries{Name: s.name, Type: "line", Id: id, Data: data,
			Symbol: "circle", SymbolSize: 5, ConnectNulls: opts.Bool(false)}}
		style := opts.LineStyle{Color: s.color, Width: 2}
		if s.dashed {
			style.Type = "dashed"
		}
		line.ConfigureSeriesOpts(charts.WithLineStyleOpts(style), charts.WithItemStyleOpts(opts.ItemStyle{Color: s.color}))
		o.Series = append(o.Series, line)
		if hasBand {
			// The band: an invisible line at the lower bound and, stacked
			// on it, the interval's width filled.
			stack := "band" + strconv.Itoa(i)
			for k, part := range [][]opts.LineData{bandLo, bandW} {
				b := chartSeries{SingleSeries: charts.SingleSeries{Name: s.name, Type: "line", Id: fmt.Sprintf("band-%d-%d", i, k),
					Data: part, Stack: stack, Symbol: "none", ShowSymbol: opts.Bool(false)},
					Silent: true, Z: 1, Emphasis: map[string]any{"disabled": true}}
				b.ConfigureSeriesOpts(charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}))
				if k == 1 {
					b.ConfigureSeriesOpts(charts.WithAreaStyleOpts(opts.AreaStyle{Color: s.color, Opacity: opts.Float(0.14)}))
				}
				o.Series = append(o.Series, b)
			}
		}
	}
	return o
}

// shareRow is one bar of a stacked share chart: the shares of one unit.
type shareRow struct {
	name   string
	shares []point // one per stack part; ok=false for no value
}

// stackedShareChart builds a horizontal 100% stacked bar chart: one bar per
// row, one stack part per name in parts.
func stackedShareChart(rows []shareRow, parts []string) *chartOption {
	o := newOption("pct")
	o.Tooltip.AxisPointer = &opts.AxisPointer{Type: "shadow"}
	o.Legend = opts.Legend{Show: opts.Bool(true), Top: "0", Left: "0", Data: parts}
	o.Grid = []opts.Grid{{Left: "4", Right: "16", Top: "36", Bottom: "4", ContainLabel: opts.Bool(true)}}
	cats := make([]string, len(rows))
	for i, r := range rows {
		cats[i] = r.name
	}
	o.XAxis = []chartAxis{{YAxis: opts.YAxis{Type: "value", Max: 100}, AxisLabel: map[string]any{"formatter": "{value}%"}}}
	// Long unit names are cut with an ellipsis, not clipped at the edge.
	o.YAxis = []chartAxis{{YAxis: opts.YAxis{Type: "category", Inverse: opts.Bool(true), Data: cats},
		AxisLabel: map[string]any{"width": 150, "overflow": "truncate"}, AxisTick: map[string]any{"show": false}}}
	for k, part := range parts {
		data := make([]opts.BarData, len(rows))
		for i, r := range rows {
			data[i] = opts.BarData{Value: "-"}
			if k < len(r.shares) && r.shares[k].ok {
				data[i].Value = round(r.shares[k].y*100, 2)
			}
		}
		s := chartSeries{SingleSeries: charts.SingleSeries{Name: part, Type: "bar", Id: "s" + strconv.Itoa(k),
			Data: data, Stack: "share", BarCategoryGap: "35%"}, BarMaxWidth: 26}
		s.ConfigureSeriesOpts(charts.WithItemStyleOpts(opts.ItemStyle{Color: levelColors[k%len(levelColors)]}))
		o.Series = append(o.Series, s)
	}
	return o
}

// pctRange picks a percentage axis for the trend series: round bounds on a
// tick of 5, 10 or 20 points that hold every value and interval, never
// past 0 or 100, with at most six steps.
func pctRange(series []lineSeries) (lo, hi, step float64, ok bool) {
	minV, maxV := 101.0, -1.0
	for _, s := range series {
		for _, p := range s.points {
			if !p.ok {
				continue
			}
			minV, maxV = min(minV, p.y*100), max(maxV, p.y*100)
			if p.ciOK && s.band {
				minV, maxV = min(minV, p.lo*100), max(maxV, p.hi*100)
			}
		}
	}
	if maxV < 0 {
		return 0, 0, 0, false
	}
	for _, step = range []float64{5, 10, 20, 25} {
		lo = max(0, float64(int(minV/step))*step)
		hi = min(100, float64(int((maxV+step-1e-9)/step))*step)
		if hi <= lo {
			hi = min(100, lo+step)
			if hi <= lo {
				lo = hi - step
			}
		}
		if (hi-lo)/step <= 6 {
			return lo, hi, step, true
		}
	}
	return 0, 100, 25, true
}
