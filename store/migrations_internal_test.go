package store

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestMigrationNumbersAreUnique: two migrations with one number (two
// branches that each added "their" next one) are refused, since migrate
// would apply only the first and skip the other for ever.
func TestMigrationNumbersAreUnique(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		err   string
	}{
		{"distinct", []string{"001_a.sql", "002_b.sql"}, ""},
		{"same number", []string{"001_a.sql", "007_b.sql", "007_c.sql"}, "007_b.sql and 007_c.sql have the same number"},
		{"no number", []string{"x_a.sql"}, "must start with a number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fsys := fstest.MapFS{}
			for _, f := range tt.files {
				fsys["migrations/"+f] = &fstest.MapFile{Data: []byte("SELECT 1;")}
			}
			ms, err := migrationsIn(fsys)
			if tt.err == "" {
				if err != nil || len(ms) != len(tt.files) {
					t.Fatalf("got %d migrations, %v; want %d", len(ms), err, len(tt.files))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("error %v, want one containing %q", err, tt.err)
			}
		})
	}
	if _, err := migrations(); err != nil {
		t.Fatalf("the embedded migrations: %v", err)
	}
}
