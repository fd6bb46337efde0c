package reports

import (
	"math"
	"sort"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/opts"
)

// Charts of the fair comparison: the funnel plot and the control chart.
// Both draw only what metrics stored: the limits are the stored limits of
// each community (funnel) or month (control chart), never recomputed here.

// Colours of special causes and of points outside a funnel's limits: blue
// for better than expected (improvement), reddish purple for worse
// (concern), grey for common-cause variation. Never red, amber and green:
// a control chart says "look here", not "pass" or "fail". The pair is
// told apart by colour-blind readers and in grey print (it differs in
// lightness), and the two also differ in symbol.
const (
	colorImprovement = "#0072b2"
	colorConcern     = "#cc79a7"
	colorCommon      = "#7f8c8d"
	colorLimit       = "#5a6574"
)

// Symbols of improvement and concern points.
const (
	symbolImprovement = "diamond"
	symbolConcern     = "triangle"
)

// signalStyle returns the colour and symbol of a point by its signal.
func signalStyle(signal string) (color, symbol string, size int) {
	switch signal {
	case SignalImprovement:
		return colorImprovement, symbolImprovement, 11
	case SignalConcern:
		return colorConcern, symbolConcern, 11
	}
	return colorCommon, "circle", 6
}

// funnelDot is one community on a funnel plot.
type funnelDot struct {
	name   string
	n      float64
	y      float64
	signal string   // SignalImprovement, SignalConcern or "" (within)
	lines  []string // the tooltip below the name: value, n, flag in words
}

// funnelLimit is a funnel's stored limits at one denominator.
type funnelLimit struct {
	n                        float64
	lo95, hi95, lo998, hi998 *float64
}

// funnelLabels are the legend names of a funnel plot.
type funnelLabels struct {
	points, target, band95, band998, axisN string
}

// funnelChart draws value against denominator: each community a dot
// labelled on hover, the 95% and 99.8% limits as lines through the
// communities' own stored limits in order of n, and the target θ₀ as a
// horizontal line. unit is the indicator unit (fractions as percentages).
func funnelChart(dots []funnelDot, limits []funnelLimit, target *float64, unit string, lb funnelLabels) *chartOption {
	scale := chartScale(unit)
	o := newOption("lines")
	o.Tooltip.Trigger = "item"
	o.Legend = opts.Legend{Show: opts.Bool(true), Top: "0", Left: "0", Type: "scroll",
		Data: []string{lb.points, lb.target, lb.band95, lb.band998}}
	o.Grid = []opts.Grid{{Left: "4", Right: "22", Top: "36", Bottom: "24", ContainLabel: opts.Bool(true)}}
	sort.SliceStable(limits, func(i, j int) bool { return limits[i].n < limits[j].n })
	maxN := 0.0
	minY, maxY := math.Inf(1), math.Inf(-1)
	see := func(v float64) { minY, maxY = math.Min(minY, v), math.Max(maxY, v) }
	data := make([]any, 0, len(dots))
	for _, d := range dots {
		color, symbol, size := signalStyle(d.signal)
		y := round(d.y*scale, 2)
		see(y)
		maxN = math.Max(maxN, d.n)
		data = append(data, map[string]any{"value": []float64{d.n, y}, "csName": d.name, "csLines": d.lines,
			"symbol": symbol, "symbolSize": size + 2, "itemStyle": map[string]any{"color": color}})
	}
	line := func(id, name string, pick func(funnelLimit) *float64, dashed bool) any {
		pts := make([]any, 0, len(limits))
		for _, l := range limits {
			if v := pick(l); v != nil {
				y := round(*v*scale, 2)
				pts = append(pts, []float64{l.n, y})
				see(y)
				maxN = math.Max(maxN, l.n)
			}
		}
		style := map[string]any{"color": colorLimit, "width": 1.2}
		if dashed {
			style["type"] = "dashed"
		}
		return map[string]any{"id": id, "name": name, "type": "line", "data": pts, "symbol": "none", "silent": true,
			"lineStyle": style, "itemStyle": map[string]any{"color": colorLimit}, "tooltip": map[string]any{"show": false},
			"emphasis": map[string]any{"disabled": true}, "z": 1}
	}
	o.Series = []any{
		map[string]any{"id": "s0", "name": lb.points, "type": "scatter", "data": data, "z": 3,
			"itemStyle": map[string]any{"color": colorCommon}},
		line("band-lo95", lb.band95, func(l funnelLimit) *float64 { return l.lo95 }, true),
		line("band-hi95", lb.band95, func(l funnelLimit) *float64 { return l.hi95 }, true),
		line("band-lo998", lb.band998, func(l funnelLimit) *float64 { return l.lo998 }, false),
		line("band-hi998", lb.band998, func(l funnelLimit) *float64 { return l.hi998 }, false),
	}
	if target != nil {
		t := round(*target*scale, 2)
		see(t)
		o.Series = append(o.Series, map[string]any{"id": "band-target", "name": lb.target, "type": "line",
			"data": []any{[]float64{0, t}, []float64{math.Max(maxN, 1) * 1.05, t}}, "symbol": "none", "silent": true,
			"lineStyle": map[string]any{"color": "#1c2530", "width": 1.5}, "itemStyle": map[string]any{"color": "#1c2530"},
			"tooltip": map[string]any{"show": false}, "emphasis": map[string]any{"disabled": true}, "z": 2})
	}
	o.XAxis = []chartAxis{{YAxis: opts.YAxis{Type: "value", Name: lb.axisN, NameLocation: "middle", NameGap: 22, Min: 0,
		SplitLine: &opts.SplitLine{Show: opts.Bool(false)}}}}
	y := chartAxis{YAxis: opts.YAxis{Type: "value", SplitNumber: 4,
		SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}}
	if unit == unitFraction {
		y.AxisLabel = map[string]any{"formatter": "{value}%"}
		if !math.IsInf(minY, 0) {
			step := 10.0
			if maxY-minY > 60 {
				step = 20
			}
			y.Min = math.Max(0, math.Floor(minY/step)*step)
			y.Max = math.Min(100, math.Ceil(maxY/step)*step)
			if y.Max.(float64) <= y.Min.(float64) {
				y.Min, y.Max = math.Max(0, y.Min.(float64)-step), math.Min(100, y.Max.(float64)+step)
			}
			y.Interval = step
			y.SplitNumber = 0
		}
	}
	o.YAxis = []chartAxis{y}
	return o
}

// controlMonth is one month of a control chart as drawn.
type controlMonth struct {
	ok                   bool // a value to draw
	suppressed           bool // the page hides the value: too few responses
	y                    float64
	centre, lower, upper *float64
	lower2s, upper2s     *float64
	signal               string
	note                 string // the rule that fired, in words; "" for none
}

// controlLabels are the series names of a control chart.
type controlLabels struct {
	value, centre, upper, lower string
}

// controlChart draws a Laney p′ control chart over the category labels:
// the values joined by a grey line, special-cause points coloured and
// shaped by improvement or concern, the centre line, the 3σ limits as
// lines and the 2σ band shaded. The tooltip lists value, centre and limits
// and names the rule that fired.
func controlChart(categories []string, unit string, months []controlMonth, lb controlLabels) *chartOption {
	scale := chartScale(unit)
	o := newOption("num")
	if unit == unitFraction {
		o.CSTooltip = "pct"
	}
	o.Legend = opts.Legend{Show: opts.Bool(true), Top: "0", Left: "0", Type: "scroll",
		Data: []string{lb.value, lb.centre, lb.upper, lb.lower}}
	o.Grid = []opts.Grid{{Left: "4", Right: "22", Top: "36", Bottom: "4", ContainLabel: opts.Bool(true)}}
	noGap := false
	o.XAxis = []chartAxis{{YAxis: opts.YAxis{Type: "category", Data: categories}, BoundaryGap: &noGap}}
	n := len(months)
	val := make([]any, n)
	centre, upper, lower := make([]any, n), make([]any, n), make([]any, n)
	bandLo, bandW := make([]any, n), make([]any, n)
	meta := seriesMeta{Lo: make([]*float64, n), Hi: make([]*float64, n), Suppressed: make([]int, n), Note: make([]string, n)}
	minY, maxY := math.Inf(1), math.Inf(-1)
	see := func(v float64) { minY, maxY = math.Min(minY, v), math.Max(maxY, v) }
	at := func(p *float64) any {
		if p == nil {
			return "-"
		}
		v := round(*p*scale, 2)
		see(v)
		return v
	}
	hasBand := false
	for i, m := range months {
		val[i], centre[i], upper[i], lower[i], bandLo[i], bandW[i] = "-", "-", "-", "-", "-", "-"
		if m.suppressed {
			meta.Suppressed[i] = 1
		}
		centre[i], upper[i], lower[i] = at(m.centre), at(m.upper), at(m.lower)
		if m.lower2s != nil && m.upper2s != nil {
			hasBand = true
			bandLo[i] = round(*m.lower2s*scale, 2)
			bandW[i] = round((*m.upper2s-*m.lower2s)*scale, 2)
		}
		if !m.ok {
			continue
		}
		y := round(m.y*scale, 2)
		see(y)
		color, symbol, size := signalStyle(m.signal)
		val[i] = map[string]any{"value": y, "symbol": symbol, "symbolSize": size, "itemStyle": map[string]any{"color": color}}
		meta.Note[i] = m.note
	}
	limit := func(id, name string, data []any, dashed bool) any {
		style := map[string]any{"color": colorLimit, "width": 1.2}
		if dashed {
			style["type"] = "dashed"
		}
		return map[string]any{"id": id, "name": name, "type": "line", "data": data, "symbol": "none", "silent": true,
			"lineStyle": style, "itemStyle": map[string]any{"color": colorLimit}, "connectNulls": false,
			"emphasis": map[string]any{"disabled": true}, "z": 2}
	}
	o.Series = []any{
		map[string]any{"id": "s0", "name": lb.value, "type": "line", "data": val, "symbol": "circle", "connectNulls": false,
			"lineStyle": map[string]any{"color": colorCommon, "width": 1.5}, "itemStyle": map[string]any{"color": colorCommon}, "z": 3},
		limit("centre", lb.centre, centre, true),
		limit("upper", lb.upper, upper, false),
		limit("lower", lb.lower, lower, false),
	}
	if hasBand {
		for k, part := range [][]any{bandLo, bandW} {
			s := map[string]any{"id": "band-2s-" + strconv.Itoa(k), "type": "line", "data": part, "stack": "band2s", "symbol": "none",
				"silent": true, "lineStyle": map[string]any{"opacity": 0}, "emphasis": map[string]any{"disabled": true}, "z": 1}
			if k == 1 {
				s["areaStyle"] = map[string]any{"color": colorImprovement, "opacity": 0.08}
			}
			o.Series = append(o.Series, s)
		}
	}
	o.CSMeta = map[string]seriesMeta{"s0": meta}
	y := chartAxis{YAxis: opts.YAxis{Type: "value", Scale: opts.Bool(true), SplitNumber: 4,
		SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}}
	if unit == unitFraction {
		y.AxisLabel = map[string]any{"formatter": "{value}%"}
		if !math.IsInf(minY, 0) {
			step := 5.0
			if maxY-minY > 30 {
				step = 10
			}
			if maxY-minY > 60 {
				step = 20
			}
			lo, hi := math.Max(0, math.Floor(minY/step)*step), math.Min(100, math.Ceil(maxY/step)*step)
			if hi <= lo {
				lo, hi = math.Max(0, lo-step), math.Min(100, hi+step)
			}
			y.Min, y.Max, y.Interval, y.SplitNumber = lo, hi, step, 0
		}
	}
	o.YAxis = []chartAxis{y}
	return o
}
