package ingest

import (
	"crypto/sha256"
	"io"
	"os"
	"testing"
	"time"
)

func TestZZScanTiming(t *testing.T) {
	p := "/work/main/.cache/bench/city/cases.csv"
	t0 := time.Now()
	f, _ := os.Open(p)
	h := sha256.New()
	io.CopyBuffer(h, f, make([]byte, 1<<20))
	f.Close()
	t.Logf("sha256 only %v", time.Since(t0))
	t0 = time.Now()
	f, _ = os.Open(p)
	io.CopyBuffer(io.Discard, f, make([]byte, 1<<20))
	f.Close()
	t.Logf("read only %v", time.Since(t0))
	t0 = time.Now()
	s, err := scanFile(p)
	t.Logf("scanFile %v %v %+v", time.Since(t0), err, s.utf8)
}
