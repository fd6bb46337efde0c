// UCRT entry points that DuckDB's Windows libraries need and the msvcrt
// that Debian's mingw-w64 links lacks. Built only for windows (the file
// name's suffix); see crt_windows.go.

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <wchar.h>

// __stdio_common_vsnprintf_s: _vsnprintf_s. With count _TRUNCATE
// ((size_t)-1) the output is cut to the buffer and -1 returned when it
// did not fit; otherwise it must fit (as the UCRT requires).
int __cdecl __stdio_common_vsnprintf_s(unsigned long long options, char *buf, size_t size,
                                       size_t count, const char *format, void *locale, va_list args) {
	(void)options;
	(void)locale;
	if (buf == NULL || size == 0) {
		return -1;
	}
	size_t limit = size;
	if (count != (size_t)-1 && count + 1 < limit) {
		limit = count + 1;
	}
	int n = vsnprintf(buf, limit, format, args);
	if (n < 0 || (size_t)n >= limit) {
		buf[limit - 1] = '\0';
		return -1;
	}
	return n;
}

// __stdio_common_vswprintf: the standard vswprintf / _vscwprintf. With no
// buffer it returns the length the output needs.
int __cdecl __stdio_common_vswprintf(unsigned long long options, wchar_t *buf, size_t size,
                                     const wchar_t *format, void *locale, va_list args) {
	(void)options;
	(void)locale;
	if (buf == NULL) {
		return _vscwprintf(format, args);
	}
	int n = _vsnwprintf(buf, size, format, args);
	if (size > 0 && (n < 0 || (size_t)n >= size)) {
		buf[size - 1] = L'\0';
		return -1;
	}
	return n;
}

// The UCRT reaches _timezone and _tzname through functions, which code
// compiled against it calls through these import pointers.
static long *__cdecl civicscore_timezone(void) { return &_timezone; }
static char **__cdecl civicscore_tzname(void) { return _tzname; }
void *__imp___timezone = (void *)civicscore_timezone;
void *__imp___tzname = (void *)civicscore_tzname;

// std::basic_streambuf<char>::seekpos for the UCRT's mbstate type: in the
// vtable of a stream of DuckDB's HTTP client, which civicscore never
// seeks (it makes no network connection). Called all the same, it stops
// the program rather than return a position into memory it cannot know.
void civicscore_seekpos(void) __asm__("_ZNSt15basic_streambufIcSt11char_traitsIcEE7seekposESt4fposI9_MbstatetESt13_Ios_Openmode");
void civicscore_seekpos(void) {
	fputs("civicscore: unsupported stream seek in the HTTP client\n", stderr);
	abort();
}
