//go:build windows

package main

import "golang.org/x/sys/windows"

// utf8CodePage is the Windows code page number of UTF-8.
const utf8CodePage = 65001

// setupConsole switches the console to UTF-8 (code page 65001) for output
// and input, so that the Chinese text civicscore writes reads right in a
// console that starts in code page 936 (GBK), as Chinese Windows does.
// It restores the previous code pages when the program ends; without a
// console (output redirected to a file or a pipe) there is nothing to do.
func setupConsole() (restore func()) {
	outCP, err := windows.GetConsoleOutputCP()
	if err != nil || outCP == 0 {
		return func() {}
	}
	inCP, _ := windows.GetConsoleCP()
	windows.SetConsoleOutputCP(utf8CodePage)
	if inCP != 0 {
		windows.SetConsoleCP(utf8CodePage)
	}
	return func() {
		windows.SetConsoleOutputCP(outCP)
		if inCP != 0 {
			windows.SetConsoleCP(inCP)
		}
	}
}
