package reports

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/civicscore/civicscore"
)

// formatNumber formats f with the given decimals and thousands separators.
func formatNumber(f float64, decimals int) string {
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	return b.String()
}

// formatValue formats an indicator value in its unit for page text.
func formatValue(unit string, f float64, lang string) string {
	switch unit {
	case unitFraction:
		return formatNumber(f*100, 1) + "%"
	case unitHours:
		if math.Abs(f) >= 48 {
			return tr(lang, "days", formatNumber(f/24, 1))
		}
		return tr(lang, "hours", formatNumber(f, 1))
	case unitHoursOnly:
		return tr(lang, "hours", formatNumber(f, 1))
	case unitCount:
		return formatNumber(math.Round(f), 0)
	case unitPer1000, unitPer100, unitScore, unitBare:
		return formatNumber(f, 1)
	default:
		return formatNumber(f, 3)
	}
}

// formatInterval formats the bounds of an interval in unit, without the
// unit repeated on the lower bound for percentages ("80.1 – 92.3%").
func formatInterval(unit string, lo, hi float64, lang string) string {
	if unit == unitFraction {
		return tr(lang, "interval", formatNumber(lo*100, 1), formatNumber(hi*100, 1)+"%")
	}
	return tr(lang, "interval", formatValue(unit, lo, lang), formatValue(unit, hi, lang))
}

// formatRange formats an interval compactly: "80.1–92.3%".
func formatRange(unit string, lo, hi float64, lang string) string {
	if unit == unitFraction {
		return formatNumber(lo*100, 1) + "–" + formatNumber(hi*100, 1) + "%"
	}
	return formatValue(unit, lo, lang) + " – " + formatValue(unit, hi, lang)
}

// chartScale is the factor a value is multiplied by on a chart axis:
// fractions are drawn as percentages.
func chartScale(unit string) float64 {
	if unit == unitFraction {
		return 100
	}
	return 1
}

// round rounds f to d decimals, for compact chart JSON.
func round(f float64, d int) float64 {
	p := math.Pow(10, float64(d))
	return math.Round(f*p) / p
}

var monthsEN = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}

// periodName returns a period label ("2025-03", "2025-Q1", "2025") in words.
// A label in another shape is returned as it is.
func periodName(p civicscore.Period, lang string) string {
	l := p.Label
	switch p.Type {
	case civicscore.Month:
		y, m, ok := splitInts(l, "-")
		if !ok || m < 1 || m > 12 {
			return l
		}
		if lang == LangEN {
			return tr(lang, "period_month", monthsEN[m-1], y)
		}
		return tr(lang, "period_month", y, m)
	case civicscore.Quarter:
		y, q, ok := splitInts(l, "-Q")
		if !ok {
			return l
		}
		if lang == LangEN {
			return tr(lang, "period_quarter", q, y)
		}
		return tr(lang, "period_quarter", y, q)
	case civicscore.Year:
		y, err := strconv.Atoi(l)
		if err != nil {
			return l
		}
		return tr(lang, "period_year", y)
	}
	return l
}

func splitInts(s, sep string) (int, int, bool) {
	a, b, ok := strings.Cut(s, sep)
	if !ok {
		return 0, 0, false
	}
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	return x, y, err1 == nil && err2 == nil
}

// quarterOfMonth returns the quarter label containing month label m and
// whether m is the last month of that quarter.
func quarterOfMonth(m string) (string, bool, bool) {
	y, mo, ok := splitInts(m, "-")
	if !ok || mo < 1 || mo > 12 {
		return "", false, false
	}
	q := (mo-1)/3 + 1
	return strconv.Itoa(y) + "-Q" + strconv.Itoa(q), mo%3 == 0, true
}

// formatAsOf formats the data cut-off for the footer.
func formatAsOf(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Format("2006-01-02")
	}
	return t.Format("2006-01-02 15:04")
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

// targetText says how a value stands against its goal from the stored
// ratio (indicator_targets.target_ratio: 1 = on target): "on target" or
// "93% of target", and the same with the goal in unit. A ratio just below
// 1 is rounded down, so "100% of target" never stands for a miss.
func targetText(unit string, target, ratio float64, lang string) (short, long string) {
	goal := formatValue(unit, target, lang)
	if ratio >= 1 {
		return tr(lang, "target_met"), tr(lang, "target_met_long", goal)
	}
	pct := formatNumber(math.Floor(ratio*100), 0) + "%"
	return tr(lang, "target_share", pct), tr(lang, "target_share_long", pct, goal)
}
