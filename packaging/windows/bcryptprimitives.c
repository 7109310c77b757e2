/*
 * For running mailprobe.exe under Wine only; never shipped (scripts/package windows).
 *
 * Rust's standard library (1.78 and newer) takes its random numbers from ProcessPrng in
 * bcryptprimitives.dll, which Windows 10 and 11 have and Wine before 9.0 (Debian 12 ships
 * 8.0) does not: the program then fails to load (status c0000135). This DLL, put beside the
 * .exe, gives ProcessPrng through RtlGenRandom (SystemFunction036), which Wine 8 has.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        /* RtlGenRandom takes a ULONG length */
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n))
            return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
