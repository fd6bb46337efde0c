package metrics

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/civicscore/civicscore/store"
)

func TestScratch(t *testing.T) {
	q := os.Getenv("SCRATCH_SQL")
	if q == "" {
		t.Skip()
	}
	ctx := context.Background()
	db, err := store.Open(ctx, "", store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, s := range strings.Split(q, ";;") {
		rows, err := db.QueryContext(ctx, s)
		if err != nil {
			fmt.Println("ERR:", err)
			continue
		}
		cols, _ := rows.Columns()
		fmt.Println(cols)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			fmt.Println(vals...)
		}
		rows.Close()
	}
}
