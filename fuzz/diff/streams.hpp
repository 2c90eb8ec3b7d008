// SPDX-License-Identifier: Apache-2.0
// The differential fuzzer's command streams (docs/fuzzing.md): each from its own seed, so
// that a stream is replayed by its seed alone. A stream comes with the bytes of the memory
// arena it runs on (inputs, weights, a valid quantization table among random bytes).
//
// Kinds: plans (a small GEMM or convolution from the driver's planners: valid streams whose
// results are compared byte for byte), plans with mutations (bit flips, field changes,
// insertions, deletions, duplications, swaps), random commands with random dependency
// flags (most fields in range, so that they run), illegal commands, window violations, and
// token patterns that deadlock or overflow a token counter.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "tessera/isa.hpp"

namespace tessera::fuzz {

// Where a stream lives in device memory.
struct Layout {
  uint64_t memory_base = 0;  // the device memory's first byte
  uint64_t ring = 0;         // the command ring (ring_size commands)
  uint32_t ring_size = 1024;
  uint64_t done = 0;   // the harness's own FENCE record
  uint64_t arena = 0;  // the streams' data
  uint64_t arena_bytes = 0;
  uint64_t window_base = 0, window_limit = 0;  // the DMA window, inclusive: ring to arena
  uint64_t table = 0;                          // valid quantization entries in the arena
  // The buffer regions most generated commands use, so that commands meet each other.
  uint32_t hot_lines = 256, hot_acc_lines = 64, hot_entries = 64;

  static Layout for_memory(uint64_t memory_base);
};

enum class StreamKind { kPlan, kMutatedPlan, kRandom, kIllegal, kWindow, kTokens, kCount };
const char* kind_name(StreamKind k);

struct Stream {
  StreamKind kind = StreamKind::kPlan;
  std::vector<isa::Command> commands;  // without the harness's closing FENCE
  std::vector<uint8_t> arena;          // the arena's bytes before the stream runs
};

class StreamGenerator {
 public:
  StreamGenerator(const isa::BuildConfig& config, const Layout& layout)
      : config_(config), layout_(layout) {}
  Stream generate(uint64_t seed) const;

 private:
  isa::BuildConfig config_;
  Layout layout_;
};

}  // namespace tessera::fuzz
