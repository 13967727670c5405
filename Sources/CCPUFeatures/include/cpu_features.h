#ifndef CHARNN_CPU_FEATURES_H
#define CHARNN_CPU_FEATURES_H

#include <stdint.h>

/// One bit per instruction-set extension that charnn's kernel choice looks at. A bit is set only when the CPU has
/// the extension and the operating system saves the registers it uses (XCR0 for AVX and AVX-512), since a kernel
/// that uses registers the OS does not save corrupts them on every context switch or faults outright.
// x86-64 (CPUID leaves 1 and 7)
static const uint64_t CHARNN_CPU_SSE3 = 1ull << 0;
static const uint64_t CHARNN_CPU_SSSE3 = 1ull << 1;
static const uint64_t CHARNN_CPU_SSE41 = 1ull << 2;
static const uint64_t CHARNN_CPU_SSE42 = 1ull << 3;
static const uint64_t CHARNN_CPU_AVX = 1ull << 4;
static const uint64_t CHARNN_CPU_FMA = 1ull << 5;
static const uint64_t CHARNN_CPU_AVX2 = 1ull << 6;
static const uint64_t CHARNN_CPU_AVX512F = 1ull << 7;
static const uint64_t CHARNN_CPU_AVX512CD = 1ull << 8;
static const uint64_t CHARNN_CPU_AVX512BW = 1ull << 9;
static const uint64_t CHARNN_CPU_AVX512DQ = 1ull << 10;
static const uint64_t CHARNN_CPU_AVX512VL = 1ull << 11;
static const uint64_t CHARNN_CPU_AVX512BF16 = 1ull << 12;
// AArch64 (Linux's hardware capability words; macOS's sysctl names)
static const uint64_t CHARNN_CPU_NEON = 1ull << 32;
static const uint64_t CHARNN_CPU_DOTPROD = 1ull << 33;
static const uint64_t CHARNN_CPU_SVE = 1ull << 34;
static const uint64_t CHARNN_CPU_SVE2 = 1ull << 35;
static const uint64_t CHARNN_CPU_ARM_BF16 = 1ull << 36;

/// The extensions this CPU and operating system support, as an OR of the CHARNN_CPU_ bits.
uint64_t charnn_cpu_features(void);

#endif
