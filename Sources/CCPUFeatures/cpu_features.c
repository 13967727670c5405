#include "cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/// XCR0, the register states the OS saves on a context switch. Read with the raw opcode so that the file builds
/// without -mxsave; only called once CPUID says OSXSAVE is on, as XGETBV faults otherwise.
static uint64_t xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

uint64_t charnn_cpu_features(void) {
    unsigned int eax, ebx, ecx, edx;
    uint64_t features = 0;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    if (ecx & bit_SSE3) features |= CHARNN_CPU_SSE3;
    if (ecx & bit_SSSE3) features |= CHARNN_CPU_SSSE3;
    if (ecx & bit_SSE4_1) features |= CHARNN_CPU_SSE41;
    if (ecx & bit_SSE4_2) features |= CHARNN_CPU_SSE42;
    int osxsave = (ecx & bit_OSXSAVE) != 0;
    uint64_t saved = osxsave ? xcr0() : 0;
    int avxState = (saved & 0x6) == 0x6;         // SSE and AVX (YMM) state
    int avx512State = (saved & 0xe6) == 0xe6;    // and opmask, ZMM0-15 upper halves, ZMM16-31
    if (!avxState) return features;
    if (ecx & bit_AVX) features |= CHARNN_CPU_AVX;
    if (ecx & bit_FMA) features |= CHARNN_CPU_FMA;

    unsigned int maxLeaf = __get_cpuid_max(0, 0);
    if (maxLeaf < 7) return features;
    __cpuid_count(7, 0, eax, ebx, ecx, edx);  // EBX: AVX2, AVX-512 F/DQ/CD/BW/VL
    unsigned int subleaves = eax;
    if (ebx & bit_AVX2) features |= CHARNN_CPU_AVX2;
    if (!avx512State) return features;
    if (ebx & bit_AVX512F) features |= CHARNN_CPU_AVX512F;
    if (ebx & bit_AVX512CD) features |= CHARNN_CPU_AVX512CD;
    if (ebx & bit_AVX512BW) features |= CHARNN_CPU_AVX512BW;
    if (ebx & bit_AVX512DQ) features |= CHARNN_CPU_AVX512DQ;
    if (ebx & bit_AVX512VL) features |= CHARNN_CPU_AVX512VL;
    if (subleaves >= 1) {
        __cpuid_count(7, 1, eax, ebx, ecx, edx);  // EAX bit 5: AVX512_BF16
        if (eax & (1u << 5)) features |= CHARNN_CPU_AVX512BF16;
    }
    return features;
}

#elif defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>

// The hardware-capability bits of Linux's arm64 ABI (asm/hwcap.h), spelled out for older headers.
#define HWCAP_ASIMD_BIT (1ul << 1)
#define HWCAP_ASIMDDP_BIT (1ul << 20)
#define HWCAP_SVE_BIT (1ul << 22)
#define HWCAP2_SVE2_BIT (1ul << 1)
#define HWCAP2_BF16_BIT (1ul << 14)

uint64_t charnn_cpu_features(void) {
    unsigned long hwcap = getauxval(AT_HWCAP), hwcap2 = getauxval(AT_HWCAP2);
    uint64_t features = 0;
    if (hwcap & HWCAP_ASIMD_BIT) features |= CHARNN_CPU_NEON;
    if (hwcap & HWCAP_ASIMDDP_BIT) features |= CHARNN_CPU_DOTPROD;
    if (hwcap & HWCAP_SVE_BIT) features |= CHARNN_CPU_SVE;
    if (hwcap2 & HWCAP2_SVE2_BIT) features |= CHARNN_CPU_SVE2;
    if (hwcap2 & HWCAP2_BF16_BIT) features |= CHARNN_CPU_ARM_BF16;
    return features;
}

#elif defined(__aarch64__) && defined(__APPLE__)
#include <sys/sysctl.h>

static int has(const char *name) {
    int value = 0;
    size_t size = sizeof value;
    return sysctlbyname(name, &value, &size, 0, 0) == 0 && value != 0;
}

uint64_t charnn_cpu_features(void) {
    uint64_t features = CHARNN_CPU_NEON;  // every Apple arm64 CPU
    if (has("hw.optional.arm.FEAT_DotProd")) features |= CHARNN_CPU_DOTPROD;
    if (has("hw.optional.arm.FEAT_BF16")) features |= CHARNN_CPU_ARM_BF16;
    return features;
}

#else
uint64_t charnn_cpu_features(void) { return 0; }
#endif
