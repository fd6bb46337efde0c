//go:build musl

package store

// A static Linux build against musl (the linux-arm64 release, see
// release/build.sh): DuckDB's static libraries and GCC's libstdc++ were
// built against glibc, and the few glibc-only symbols they use are
// supplied by crt_musl.c, compiled only with the musl build tag.

import "C"
