package ingest

import (
	"encoding/json"
	"testing"
)

// The hand-written JSON of staged rows must read back as what was written,
// for every kind of text a cell may hold.
func TestAppendJSONString(t *testing.T) {
	for _, s := range []string{"", "plain", `quo"te`, `back\slash`, "tab\tnew\nline\r", "\x00\x1f", "中文 社区", "emoji 🏘", "bad \xff utf8", "</script>"} {
		b := appendMember(nil, 0, "k"+s, s)
		b = appendMember(b, 1, "second", "x")
		b = append(b, '}')
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%q: %s is not JSON: %v", s, b, err)
		}
		want := s
		if s == "bad \xff utf8" {
			want = "bad \ufffd utf8"
		}
		if m["k"+want] != want || m["second"] != "x" {
			t.Errorf("%q: read back %v", s, m)
		}
	}
}
