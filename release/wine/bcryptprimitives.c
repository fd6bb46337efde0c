// A stand-in for Windows 10's bcryptprimitives.dll, for running the
// Windows release under Wine 8 in `make release-check` only (never
// shipped): Go 1.22 and later take random bytes from its ProcessPrng,
// which Wine 8 lacks. This one asks advapi32's RtlGenRandom.
#include <windows.h>
typedef BOOLEAN (WINAPI *rtlgenrandom_t)(PVOID, ULONG);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
	static rtlgenrandom_t gen;
	if (!gen) gen = (rtlgenrandom_t)GetProcAddress(LoadLibraryA("advapi32.dll"), "SystemFunction036");
	while (len > 0) {
		ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
		if (!gen(data, n)) return FALSE;
		data += n; len -= n;
	}
	return TRUE;
}
