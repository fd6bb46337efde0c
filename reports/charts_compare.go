package reports

import (
	"math"

	"github.com/go-echarts/go-echarts/v2/opts"
)

// Charts that compare units: whiskers with intervals, the escalation
// split, heat maps and bars.

// whiskerRow is one row of a dot-and-whisker chart: a unit's value and its
// interval.
type whiskerRow struct {
	name string
	p    point
}

// whiskerChart draws one dot per row with its 95% interval as a whisker,
// rows top to bottom in the order given (a ranking). ref, when not nil, is
// drawn as a dashed reference line (the district value; the caption names
// it, since a label on a vertical line would be turned on its side).
func whiskerChart(rows []whiskerRow, unit, color, seriesName string, ref *float64) *chartOption {
	scale := chartScale(unit)
	o := newOption("num")
	if unit == unitFraction {
		o.CSTooltip = "pct"
	}
	o.Tooltip.AxisPointer = &opts.AxisPointer{Type: "shadow"}
	o.Legend = opts.Legend{Show: opts.Bool(false)}
	o.Grid = []opts.Grid{{Left: "4", Right: "24", Top: "12", Bottom: "4", ContainLabel: opts.Bool(true)}}
	n := len(rows)
	names := make([]string, n)
	lo := make([]any, n)
	width := make([]any, n)
	val := make([]any, n)
	meta := seriesMeta{Lo: make([]*float64, n), Hi: make([]*float64, n), Suppressed: make([]int, n)}
	minV, maxV := math.Inf(1), math.Inf(-1)
	for i, r := range rows {
		names[i] = r.name
		lo[i], width[i], val[i] = "-", "-", "-"
		if r.p.suppressed {
			meta.Suppressed[i] = 1
		}
		if !r.p.ok {
			continue
		}
		v := round(r.p.y*scale, 2)
		val[i] = v
		minV, maxV = math.Min(minV, v), math.Max(maxV, v)
		if r.p.ciOK {
			l, h := round(r.p.lo*scale, 2), round(r.p.hi*scale, 2)
			lo[i], width[i] = l, round(h-l, 2)
			meta.Lo[i], meta.Hi[i] = ptr(round(r.p.lo*scale, 1)), ptr(round(r.p.hi*scale, 1))
			minV, maxV = math.Min(minV, l), math.Max(maxV, h)
		}
	}
	if ref != nil {
		minV, maxV = math.Min(minV, *ref*scale), math.Max(maxV, *ref*scale)
	}
	x := chartAxis{YAxis: opts.YAxis{Type: "value", SplitNumber: 4,
		SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}}
	if !math.IsInf(minV, 0) {
		step := 10.0
		if unit != unitFraction && unit != unitScore {
			step = math.Max(math.Pow(10, math.Floor(math.Log10(math.Max(maxV-minV, 1e-9)))), 1e-6)
		}
		lo := math.Max(math.Floor(minV/step)*step, 0)
		top := math.Ceil(maxV/step) * step
		if unit == unitFraction || unit == unitScore {
			top = math.Min(top, 100)
			if top-lo > 60 {
				// Ticks every 20: both ends on a tick.
				lo, top = math.Floor(lo/20)*20, math.Min(math.Ceil(top/20)*20, 100)
				step = 20
			}
			x.Interval = step
		}
		if top <= lo {
			top = lo + step
		}
		x.Min, x.Max = lo, top
	}
	if unit == unitFraction {
		x.AxisLabel = map[string]any{"formatter": "{value}%"}
	}
	o.XAxis = []chartAxis{x}
	o.YAxis = []chartAxis{{YAxis: opts.YAxis{Type: "category", Inverse: opts.Bool(true), Data: names},
		AxisLabel: map[string]any{"width": 120, "overflow": "truncate", "interval": 0}, AxisTick: map[string]any{"show": false}}}
	o.Series = []any{
		map[string]any{"id": "band-lo", "type": "bar", "stack": "ci", "data": lo, "silent": true,
			"itemStyle": map[string]any{"color": "rgba(0,0,0,0)"}, "emphasis": map[string]any{"disabled": true}, "barWidth": 4},
		map[string]any{"id": "band-w", "type": "bar", "stack": "ci", "data": width, "silent": true, "barWidth": 4,
			"itemStyle": map[string]any{"color": "#9db4cf", "borderRadius": 2}, "emphasis": map[string]any{"disabled": true}},
	}
	point := map[string]any{"id": "s0", "name": seriesName, "type": "line", "data": val, "symbol": "circle", "symbolSize": 9,
		"lineStyle": map[string]any{"opacity": 0}, "itemStyle": map[string]any{"color": color}, "z": 3, "connectNulls": false}
	if ref != nil {
		point["markLine"] = map[string]any{"silent": true, "symbol": "none",
			"lineStyle": map[string]any{"type": "dashed", "color": "#d9822b", "width": 1.5},
			"label":     map[string]any{"show": false},
			"data":      []any{map[string]any{"xAxis": round(*ref*scale, 2)}}}
	}
	o.Series = append(o.Series, point)
	o.CSMeta = map[string]seriesMeta{"s0": meta}
	return o
}

// whiskerHeight is the container height for n rows of a whisker chart.
func whiskerHeight(n int) int { return 40 + 22*max(n, 1) }

// levelChart draws the escalation split of one unit: for each resolution
// level (stages, lowest first), the stored share of cases handled there.
func levelChart(stages []string, shares []float64, seriesName string) *chartOption {
	o := newOption("pct")
	o.Tooltip.AxisPointer = &opts.AxisPointer{Type: "shadow"}
	o.Legend = opts.Legend{Show: opts.Bool(false)}
	o.Grid = []opts.Grid{{Left: "4", Right: "48", Top: "8", Bottom: "4", ContainLabel: opts.Bool(true)}}
	o.XAxis = []chartAxis{{YAxis: opts.YAxis{Type: "value", Min: 0, Max: 100, SplitNumber: 4,
		SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}},
		AxisLabel: map[string]any{"formatter": "{value}%"}}}
	o.YAxis = []chartAxis{{YAxis: opts.YAxis{Type: "category", Inverse: opts.Bool(true), Data: stages},
		AxisLabel: map[string]any{"interval": 0}, AxisTick: map[string]any{"show": false}}}
	data := make([]any, len(stages))
	for i := range stages {
		data[i] = map[string]any{"value": round(shares[i]*100, 1),
			"itemStyle": map[string]any{"color": levelColors[i%len(levelColors)]}}
	}
	o.Series = []any{map[string]any{"id": "s0", "name": seriesName, "type": "bar", "data": data, "barMaxWidth": 22,
		"itemStyle": map[string]any{"borderRadius": []int{0, 3, 3, 0}},
		"label":     map[string]any{"show": true, "position": "right", "formatter": "{c}%", "color": "#5a6574"}}}
	return o
}

// heatRow is one row of a heat map: a unit's values by month.
type heatRow struct {
	name   string
	points []point
}

// heatmapChart draws units (rows) × months (columns), coloured by value;
// suppressed cells are grey, missing ones blank.
func heatmapChart(months []string, rows []heatRow, unit string, lowLabel, highLabel string) *chartOption {
	scale := chartScale(unit)
	o := newOption("heat")
	o.Tooltip.Trigger = "item"
	o.Legend = opts.Legend{Show: opts.Bool(false)}
	o.Grid = []opts.Grid{{Left: "4", Right: "12", Top: "8", Bottom: "44", ContainLabel: opts.Bool(true)}}
	names := make([]string, len(rows))
	var vals, sup []any
	lo, hi := math.Inf(1), math.Inf(-1)
	for y, r := range rows {
		names[y] = r.name
		for x, p := range r.points {
			switch {
			case p.ok:
				v := round(p.y*scale, 1)
				vals = append(vals, []any{x, y, v})
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			case p.suppressed:
				sup = append(sup, []any{x, y, 0})
			}
		}
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	if hi-lo < 1 {
		hi = lo + 1
	}
	o.XAxis = []chartAxis{{YAxis: opts.YAxis{Type: "category", Data: months, SplitArea: &opts.SplitArea{Show: opts.Bool(false)}},
		AxisTick: map[string]any{"show": false}}}
	o.YAxis = []chartAxis{{YAxis: opts.YAxis{Type: "category", Data: names, Inverse: opts.Bool(true)},
		AxisLabel: map[string]any{"width": 120, "overflow": "truncate", "interval": 0}, AxisTick: map[string]any{"show": false}}}
	o.VisualMap = []map[string]any{{"type": "continuous", "min": math.Floor(lo), "max": math.Ceil(hi), "seriesIndex": 0,
		"orient": "horizontal", "left": "center", "bottom": 0, "itemHeight": 160, "itemWidth": 12, "calculable": false,
		"text": []string{highLabel, lowLabel}, "inRange": map[string]any{"color": []string{"#c0392b", "#f3e3c3", "#2e8b57"}}}}
	o.Series = []any{
		map[string]any{"id": "s0", "type": "heatmap", "data": vals, "itemStyle": map[string]any{"borderColor": "#fff", "borderWidth": 1},
			"emphasis": map[string]any{"itemStyle": map[string]any{"borderColor": "#1c2530", "borderWidth": 1}}},
		map[string]any{"id": "sup", "type": "heatmap", "data": sup, "itemStyle": map[string]any{"color": "#e3e7ed", "borderColor": "#fff", "borderWidth": 1}},
	}
	return o
}

// heatHeight is the container height for n rows of a heat map.
func heatHeight(n int) int { return 80 + 20*max(n, 1) }

// barChart draws one horizontal bar per name, in the order given, for
// counts and per-capita values (labels rounded to one decimal).
func barChart(names []string, values []float64, color string) *chartOption {
	o := newOption("num")
	o.Tooltip.AxisPointer = &opts.AxisPointer{Type: "shadow"}
	o.Legend = opts.Legend{Show: opts.Bool(false)}
	o.Grid = []opts.Grid{{Left: "4", Right: "40", Top: "8", Bottom: "4", ContainLabel: opts.Bool(true)}}
	o.XAxis = []chartAxis{{YAxis: opts.YAxis{Type: "value", SplitNumber: 4,
		SplitLine: &opts.SplitLine{Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: "#e6e9ef"}}}}}
	o.YAxis = []chartAxis{{YAxis: opts.YAxis{Type: "category", Inverse: opts.Bool(true), Data: names},
		AxisLabel: map[string]any{"width": 110, "overflow": "truncate", "interval": 0}, AxisTick: map[string]any{"show": false}}}
	data := make([]any, len(values))
	for i, v := range values {
		data[i] = round(v, 1)
	}
	o.Series = []any{map[string]any{"id": "s0", "name": "n", "type": "bar", "data": data, "barMaxWidth": 18,
		"itemStyle": map[string]any{"color": color, "borderRadius": []int{0, 3, 3, 0}},
		"label":     map[string]any{"show": true, "position": "right", "color": "#5a6574"}}}
	return o
}
