// Package demo holds the small synthetic data set that `civicscore demo`
// runs the whole pipeline on, embedded in the binary so the demo needs no
// other file and no network.
//
// The files under data/ are what synth.Generate writes at scale Demo with
// seed Seed: 20 communities in three streets of one district, January to June
// 2025, about 3,000 cases, 1,500 service records and 1,500 survey responses,
// with a few deliberately bad rows for ingest to reject, and a config.yaml
// that loads them. They are committed, not generated at build time; a test
// fails if they drift from the generator, and `go generate ./demo/`
// rewrites them.
package demo
