// Command gen rewrites the demo data set (./data, or the folder given as the
// only argument) from package synth. `go generate ./demo/` runs it in the
// demo folder. It does not import package demo, so it works even when the
// data folder is missing; the demo tests fail if its options and demo.Seed
// disagree.
package main

import (
	"fmt"
	"os"

	"github.com/civicscore/civicscore/synth"
)

// The options of the embedded data set; keep in step with demo.Scale and
// demo.Seed.
var opts = synth.Options{Scale: synth.Demo, Seed: 20250101}

func main() {
	dir := "data"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	sum, err := synth.Generate(dir, opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	for _, f := range []synth.FileSummary{sum.Communities, sum.Cases, sum.Services, sum.Surveys, sum.Strata, sum.Config} {
		fmt.Printf("%s/%s: %d rows (%d bad), %d bytes\n", dir, f.Name, f.Rows, f.Bad, f.Bytes)
	}
}
