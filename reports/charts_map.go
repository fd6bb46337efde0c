package reports

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"

	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/civicscore/civicscore"
)

// The choropleth of the district report and its GeoJSON boundaries.

// geoMap is a choropleth's boundaries: the name they are registered under
// and the GeoJSON, already reduced to geometry and community_id.
type geoMap struct {
	Name string          `json:"name"`
	JSON json.RawMessage `json:"json"`
}

// mapItem is one community on the choropleth.
type mapItem struct {
	ID    string
	Name  string
	Value point
}

// choropleth draws the communities' values on their boundaries.
func choropleth(geo json.RawMessage, items []mapItem, unit, seriesName, lowLabel, highLabel string) *chartOption {
	scale := chartScale(unit)
	o := newOption("map")
	if unit == unitFraction {
		o.CSTooltip = "mappct"
	}
	o.Tooltip.Trigger = "item"
	o.Legend = opts.Legend{Show: opts.Bool(false)}
	o.CSGeo = &geoMap{Name: "civicscore-communities", JSON: geo}
	data := make([]any, 0, len(items))
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, it := range items {
		m := map[string]any{"name": it.ID, "csName": it.Name}
		if it.Value.ok {
			v := round(it.Value.y*scale, 1)
			m["value"] = v
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		} else if it.Value.suppressed {
			m["csSuppressed"] = 1
		}
		data = append(data, m)
	}
	if math.IsInf(lo, 0) {
		lo, hi = 0, 1
	}
	o.VisualMap = []map[string]any{{"type": "continuous", "min": math.Floor(lo), "max": math.Ceil(hi), "seriesIndex": 0,
		"orient": "horizontal", "left": "center", "bottom": 0, "itemHeight": 160, "itemWidth": 12, "calculable": false,
		"text": []string{highLabel, lowLabel}, "inRange": map[string]any{"color": []string{"#c0392b", "#f3e3c3", "#2e8b57"}}}}
	o.Series = []any{map[string]any{"id": "s0", "name": seriesName, "type": "map", "map": "civicscore-communities",
		"nameProperty": "community_id", "roam": false, "showLegendSymbol": false, "top": 8, "bottom": 48, "data": data,
		"itemStyle": map[string]any{"areaColor": "#e3e7ed", "borderColor": "#fff", "borderWidth": 1},
		"emphasis":  map[string]any{"label": map[string]any{"show": false}, "itemStyle": map[string]any{"areaColor": "#f0b429"}},
		"select":    map[string]any{"disabled": true},
		"label":     map[string]any{"show": false}}}
	return o
}

// readGeoJSON reads the community boundaries at path and keeps only what
// the choropleth needs: each feature's geometry and its community_id, so no
// other property of the file reaches the page. The result is JSON.
func readGeoJSON(path string) ([]byte, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("report.geojson: %w: %w", err, civicscore.ErrConfig)
	}
	var in struct {
		Type     string `json:"type"`
		Features []struct {
			Type       string          `json:"type"`
			Geometry   json.RawMessage `json:"geometry"`
			Properties map[string]any  `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("report.geojson %s: not GeoJSON: %v: %w", path, err, civicscore.ErrConfig)
	}
	if in.Type != "FeatureCollection" {
		return nil, fmt.Errorf("report.geojson %s: want a FeatureCollection, got %q: %w", path, in.Type, civicscore.ErrConfig)
	}
	type feature struct {
		Type       string            `json:"type"`
		Geometry   json.RawMessage   `json:"geometry"`
		Properties map[string]string `json:"properties"`
	}
	out := struct {
		Type     string    `json:"type"`
		Features []feature `json:"features"`
	}{Type: "FeatureCollection"}
	for i, f := range in.Features {
		id, ok := f.Properties["community_id"]
		if !ok || len(f.Geometry) == 0 || string(f.Geometry) == "null" {
			continue
		}
		var sid string
		switch v := id.(type) {
		case string:
			sid = v
		case float64:
			sid = strconv.FormatFloat(v, 'f', -1, 64)
		default:
			return nil, fmt.Errorf("report.geojson %s: feature %d: community_id is not a string or number: %w", path, i, civicscore.ErrConfig)
		}
		var g struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(f.Geometry, &g); err != nil || (g.Type != "Polygon" && g.Type != "MultiPolygon") {
			continue // points and lines cannot be coloured
		}
		out.Features = append(out.Features, feature{Type: "Feature", Geometry: f.Geometry,
			Properties: map[string]string{"community_id": sid}})
	}
	if len(out.Features) == 0 {
		return nil, fmt.Errorf("report.geojson %s: no Polygon or MultiPolygon feature with a community_id property: %w", path, civicscore.ErrConfig)
	}
	return json.Marshal(out)
}
