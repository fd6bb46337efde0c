package ingest

import (
	"context"
	"fmt"
	"testing"

	"github.com/civicscore/civicscore/store"
)

// TestLayoutMay checks the cheap test (may) of each built-in layout family
// against the family's own strptime formats: every value strptime reads
// passes it (else layout detection would undercount the family), and ISO
// timestamps, the common case, fail it (else it would save nothing). The
// expected side is DuckDB's try_strptime itself, run on each value.
func TestLayoutMay(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	values := []string{
		"2025-01-02 03:04:05", "2025-01-02T03:04", "2025-01-02", "2025/1/2 3:04", "2025.01.02",
		"01/02/2025 03:04:05 PM", "1/2/2025 3:04 PM", "13/02/2025 15:04", "1/2/2025",
		"2025年1月2日 3:04:05", "2025年01月02日", "2025年1月2日 3时4分",
		"20250102", "202501020304", "20250102030405", " 20250102 ", "20250102\t", "2025\v0102",
		"2025 0102", "-20250102", "+20250102", "２０２５0102", "20250102Z", "2025,0102", "", "abc",
	}
	for _, b := range builtinLayouts {
		for _, v := range values {
			var reads, may bool
			q := fmt.Sprintf("SELECT try_strptime(v, %s) IS NOT NULL, coalesce(%s, false) FROM (SELECT ?::VARCHAR AS v)", sqlList(b.formats), b.may)
			if err := db.QueryRowContext(ctx, q, v).Scan(&reads, &may); err != nil {
				t.Fatalf("%s %q: %v", b.name, v, err)
			}
			if reads && !may {
				t.Errorf("%s: strptime reads %q but may (%s) is false", b.name, v, b.may)
			}
		}
		for _, v := range values[:3] {
			var may bool
			if err := db.QueryRowContext(ctx, fmt.Sprintf("SELECT coalesce(%s, false) FROM (SELECT ?::VARCHAR AS v)", b.may), v).Scan(&may); err != nil {
				t.Fatal(err)
			}
			if may {
				t.Errorf("%s: may (%s) passes the ISO value %q", b.name, b.may, v)
			}
		}
	}
}
