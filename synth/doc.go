// Package synth generates realistic synthetic input data for civicscore, in
// the canonical form (docs/inputs.md): UTF-8 CSV with the English column
// names, timestamps as YYYY-MM-DD HH:MM:SS local time, canonical enum values;
// or, with GenerateExports, in the shapes real exports take.
//
// Generate writes communities.csv, cases.csv, services.csv, surveys.csv and a
// config.yaml that loads them, for one of four scales: Demo (20 communities,
// six months, a few thousand rows: the data embedded in the binary), District,
// City (362 communities, five million cases) and Province (ten times a city).
// It backs `civicscore gen`, the load and performance tests, and the demo.
//
// The data are shaped like the real thing, not uniform noise: case volume
// follows households and the seasons (more in summer, fewer at weekends and
// at night); each community has its own latent quality of governance, which
// drives how fast its cases are closed, how often they are escalated above the
// community, how residents answer callbacks and how they rate the community in
// the survey, so the indicators have something to find. Surveys carry the
// problems the quality filter exists for (speeders, respondents who answer
// twice in a month, bursts from one IP, straight-liners), and a small,
// counted fraction of rows in cases, services and surveys is deliberately bad
// (one defect per row, matching the reject reasons of docs/inputs.md) so
// that ingest has something to reject. Summary reports how many of each.
//
// GenerateExports writes one small district (2 districts, 24 communities,
// four months) as a bureau receives it: a canonical case file with one bad
// row of each kind, a hotline platform's GB18030 export with Chinese headers
// and values, Open311 GeoReport v2 JSON, later versions of open cases, and a
// survey platform's .xlsx with numbered questions, phone numbers, speeders
// and repeat respondents; with a README.md describing each file and
// expected_rejects.yaml, the rejects ingest must file, counted from what was
// put in. The repository's testdata/samples is its output for seed 1.
//
// Output is deterministic: the same Options give byte-identical files. Rows
// are generated and written one at a time through buffered writers, so
// memory stays small at any scale, and the three large files are written
// concurrently.
package synth
