package ingest

import (
	"context"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/civicscore/civicscore"
	"github.com/civicscore/civicscore/store"
)

// TestSurveyColumnsAreTheItems checks that every list of survey answer
// columns is civicscore.SurveyItems (q_overall first): the ingest columns,
// the survey_responses table and the survey_items_long view of the
// migrations.
func TestSurveyColumnsAreTheItems(t *testing.T) {
	want := civicscore.SurveyItemIDs(true)
	if !slices.Equal(SurveyItems, want) {
		t.Errorf("ingest.SurveyItems = %v, want %v", SurveyItems, want)
	}
	var cols []string
	for _, c := range Columns[civicscore.KindSurveys] {
		if strings.HasPrefix(c.Name, "q_") {
			cols = append(cols, c.Name)
		}
	}
	if !slices.Equal(cols, want) {
		t.Errorf("survey columns = %v, want %v", cols, want)
	}

	ctx := context.Background()
	db, err := store.Open(ctx, "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var table []string
	rows, err := db.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_name = 'survey_responses' AND column_name LIKE 'q\_%' ESCAPE '\' ORDER BY ordinal_position`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		table = append(table, c)
	}
	rows.Close()
	if !slices.Equal(table, want) {
		t.Errorf("survey_responses columns = %v, want %v", table, want)
	}
	var viewSQL string
	if err := db.QueryRowContext(ctx, `SELECT sql FROM duckdb_views() WHERE view_name = 'survey_items_long'`).Scan(&viewSQL); err != nil {
		t.Fatal(err)
	}
	// The view lists each item as a string literal 'q_…' in its VALUES.
	var view []string
	for _, m := range regexp.MustCompile(`'(q_[a-z]+)'`).FindAllStringSubmatch(viewSQL, -1) {
		view = append(view, m[1])
	}
	if !slices.Equal(view, want) {
		t.Errorf("survey_items_long items = %v, want %v", view, want)
	}
}
