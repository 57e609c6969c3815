// SPIKEFLOW_KERNEL_CLONES: the attribute that compiles a hot loop for the baseline
// (x86-64-v2: 2 doubles per vector) and, chosen at load time, for AVX2 and AVX-512 (4 and
// 8). FP contraction is off (-ffp-contract=off in CMakeLists.txt), so every clone computes
// the same IEEE operations: results do not depend on the machine's vector width.
// Not under the sanitizers: the clones' ifunc resolvers run during relocation, before the
// sanitizer runtime is initialised, and an instrumented resolver crashes there (TSan:
// every test binary died with SIGSEGV before main).
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define SPIKEFLOW_KERNEL_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SPIKEFLOW_KERNEL_CLONES
#endif
