//go:build windows

package store

// The DuckDB static libraries for Windows were built against the Universal
// C Runtime (UCRT); Debian's mingw-w64 links the older msvcrt. The five
// UCRT entry points the libraries use and msvcrt lacks are supplied by
// crt_windows.c, which is compiled only for this target.

import "C"
