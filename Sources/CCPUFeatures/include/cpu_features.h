#ifndef CHARNN_CPU_FEATURES_H
#define CHARNN_CPU_FEATURES_H

#include <stdint.h>

/// One bit per instruction-set extension that charnn's kernel choice looks at. A bit is set only when the CPU has
/// the extension and the operating system saves the registers it uses (XCR0 for AVX and AVX-512), since a kernel
/// that uses registers the OS does not save corrupts them on every context switch or faults outright.
enum {
    // x86-64 (CPUID leaves 1 and 7)
    CHARNN_CPU_SSE3 = 1ull << 0,
    CHARNN_CPU_SSSE3 = 1ull << 1,
    CHARNN_CPU_SSE41 = 1ull << 2,
    CHARNN_CPU_SSE42 = 1ull << 3,
    CHARNN_CPU_AVX = 1ull << 4,
    CHARNN_CPU_FMA = 1ull << 5,
    CHARNN_CPU_AVX2 = 1ull << 6,
    CHARNN_CPU_AVX512F = 1ull << 7,
    CHARNN_CPU_AVX512CD = 1ull << 8,
    CHARNN_CPU_AVX512BW = 1ull << 9,
    CHARNN_CPU_AVX512DQ = 1ull << 10,
    CHARNN_CPU_AVX512VL = 1ull << 11,
    CHARNN_CPU_AVX512BF16 = 1ull << 12,
    CHARNN_CPU_AVX512FP16 = 1ull << 13,
    // AArch64 (Linux's hardware capability words; macOS's sysctl names)
    CHARNN_CPU_NEON = 1ull << 32,
    CHARNN_CPU_DOTPROD = 1ull << 33,
    CHARNN_CPU_SVE = 1ull << 34,
    CHARNN_CPU_SVE2 = 1ull << 35,
    CHARNN_CPU_ARM_BF16 = 1ull << 36,
    CHARNN_CPU_I8MM = 1ull << 37,
};

/// The extensions this CPU and operating system support, as an OR of the CHARNN_CPU_ bits.
uint64_t charnn_cpu_features(void);

#endif
