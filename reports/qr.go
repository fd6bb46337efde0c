package reports

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"rsc.io/qr"

	"github.com/civicscore/civicscore"
)

// qrCode is a QR code drawn as one SVG path, made offline from the survey
// link so the printed poster invites the next evaluation.
type qrCode struct {
	// Size is the side of the symbol in modules, quiet zone included.
	Size int
	// Path is the SVG path of the dark modules (digits and M h v z only).
	Path string
	// URL is the encoded link, printed under the code.
	URL string
}

// qrQuiet is the quiet zone around the symbol, in modules (the standard's 4).
const qrQuiet = 4

// newQR encodes link as a QR code. Only http and https links are encoded:
// anything else (a javascript: URL, a bare word) gets no code.
func newQR(link string) (*qrCode, error) {
	link = strings.TrimSpace(link)
	if link == "" {
		return nil, fmt.Errorf("no survey link")
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("survey link %q is not an http(s) URL", link)
	}
	c, err := qr.Encode(link, qr.M)
	if err != nil {
		return nil, fmt.Errorf("QR code of %q: %w", link, err)
	}
	var b strings.Builder
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if !c.Black(x, y) {
				continue
			}
			// Merge runs of dark modules on a row into one rectangle.
			run := 1
			for x+run < c.Size && c.Black(x+run, y) {
				run++
			}
			b.WriteString("M" + strconv.Itoa(x+qrQuiet) + " " + strconv.Itoa(y+qrQuiet) + "h" + strconv.Itoa(run) + "v1h-" + strconv.Itoa(run) + "z")
			x += run - 1
		}
	}
	return &qrCode{Size: c.Size + 2*qrQuiet, Path: b.String(), URL: link}, nil
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

// formatChange writes a change over the previous period with its sign:
// percentage points for fractions, points for scores.
func formatChange(unit string, d float64, lang string) string {
	sign := "+"
	if d < 0 {
		sign = "−"
	}
	a := d
	if a < 0 {
		a = -a
	}
	switch unit {
	case unitFraction:
		return tr(lang, "pp", sign+formatNumber(a*100, 1))
	case unitScore:
		return tr(lang, "points", sign+formatNumber(a, 1))
	case unitHours, unitHoursOnly:
		return tr(lang, "hours", sign+formatNumber(a, 1))
	}
	return sign + formatNumber(a, 1)
}
