//go:build !windows

package main

// setupConsole has nothing to do where terminals take UTF-8 as they are
// (see console_windows.go).
func setupConsole() (restore func()) { return func() {} }
