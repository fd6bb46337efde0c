// Package civicscore holds the domain vocabulary of the civicscore engine:
// the records residents' committees and street offices leave behind (cases,
// service records, survey responses), the indicators computed from them, the
// periods and levels they are reported for, and the sentinel errors every
// package wraps.
//
// civicscore turns a district's grid-management and 12345 hotline cases,
// community service logs and resident surveys into an evaluation in which
// residents are the evaluators. The pipeline is config → ingest → store →
// metrics → reports; see the packages of the same names.
package civicscore
