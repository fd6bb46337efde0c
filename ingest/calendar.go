package ingest

import (
	"sort"
	"strings"
)

// China's statutory holidays and make-up workdays (调休), from the State
// Council General Office's annual notices on holiday arrangements. Dates not
// listed follow the week: Monday to Friday work, weekends off. Config
// sla.holidays and sla.workdays amend this table.
var (
	builtinHolidays = map[int][]string{
		2023: {"2023-01-01", "2023-01-02", "2023-01-21", "2023-01-22", "2023-01-23", "2023-01-24", "2023-01-25", "2023-01-26", "2023-01-27",
			"2023-04-05", "2023-04-29", "2023-04-30", "2023-05-01", "2023-05-02", "2023-05-03", "2023-06-22", "2023-06-23", "2023-06-24",
			"2023-09-29", "2023-09-30", "2023-10-01", "2023-10-02", "2023-10-03", "2023-10-04", "2023-10-05", "2023-10-06"},
		2024: {"2024-01-01", "2024-02-10", "2024-02-11", "2024-02-12", "2024-02-13", "2024-02-14", "2024-02-15", "2024-02-16", "2024-02-17",
			"2024-04-04", "2024-04-05", "2024-04-06", "2024-05-01", "2024-05-02", "2024-05-03", "2024-05-04", "2024-05-05", "2024-06-10",
			"2024-09-15", "2024-09-16", "2024-09-17", "2024-10-01", "2024-10-02", "2024-10-03", "2024-10-04", "2024-10-05", "2024-10-06", "2024-10-07"},
		2025: {"2025-01-01", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31", "2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04",
			"2025-04-04", "2025-04-05", "2025-04-06", "2025-05-01", "2025-05-02", "2025-05-03", "2025-05-04", "2025-05-05",
			"2025-05-31", "2025-06-01", "2025-06-02", "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04", "2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08"},
		2026: {"2026-01-01", "2026-01-02", "2026-01-03", "2026-02-15", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-21", "2026-02-22", "2026-02-23",
			"2026-04-04", "2026-04-05", "2026-04-06", "2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05",
			"2026-06-19", "2026-06-20", "2026-06-21", "2026-09-25", "2026-09-26", "2026-09-27",
			"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"},
	}
	builtinWorkdays = map[int][]string{
		2023: {"2023-01-28", "2023-01-29", "2023-04-23", "2023-05-06", "2023-06-25", "2023-10-07", "2023-10-08"},
		2024: {"2024-02-04", "2024-02-18", "2024-04-07", "2024-04-28", "2024-05-11", "2024-09-14", "2024-09-29", "2024-10-12"},
		2025: {"2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"},
		2026: {"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"},
	}
)

// CalendarYears lists the years the built-in holiday table covers.
func CalendarYears() []int {
	var ys []int
	for y := range builtinHolidays {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	return ys
}

// fillCalendar builds the temp table calendar (day, workday, ordinal) for
// 2000–2099: the built-in holidays and make-up workdays plus config's, then
// weekends. ordinal counts working days up to and including day.
func (s *session) fillCalendar(sla SLA) error {
	var holidays, workdays []string
	for _, y := range CalendarYears() {
		holidays = append(holidays, builtinHolidays[y]...)
		workdays = append(workdays, builtinWorkdays[y]...)
	}
	holidays = append(holidays, sla.Holidays...)
	workdays = append(workdays, sla.Workdays...)
	return s.exec(`CREATE OR REPLACE TEMP TABLE calendar AS
		WITH days AS (
			SELECT d::DATE AS day FROM range(DATE '2000-01-01', DATE '2100-01-01', INTERVAL 1 DAY) t(d)
		), marked AS (
			SELECT day,
				CASE WHEN list_contains(string_split(?, ','), strftime(day, '%Y-%m-%d')) THEN true
				     WHEN list_contains(string_split(?, ','), strftime(day, '%Y-%m-%d')) THEN false
				     ELSE isodow(day) <= 5 END AS workday
			FROM days
		)
		SELECT day, workday, sum(workday::INTEGER) OVER (ORDER BY day) AS ordinal FROM marked`,
		strings.Join(workdays, ","), strings.Join(holidays, ","))
}
