// Function multi-versioning for the engine's hot loops (the same rule as the neuron
// kernels of models/lif_common.hpp).
//
// A function marked SPIKEFLOW_CLONES is compiled for the baseline (x86-64-v2) and for AVX2
// and AVX-512, and the loader picks the widest one the machine has. Only functions whose
// result cannot depend on the vector width may be marked: integer arithmetic, comparisons
// and exactly rounded IEEE operations (FP contraction is off, -ffp-contract=off).
// Not under the sanitizers: the clones' ifunc resolvers run during relocation, before the
// sanitizer runtime is initialised, and an instrumented resolver crashes there.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
    !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
#define SPIKEFLOW_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SPIKEFLOW_CLONES
#endif
