// SPDX-License-Identifier: Apache-2.0
// Whether a stream's results are fixed by its order rules alone: every two commands on
// different units that touch the same scratchpad line, accumulator line, table entry or
// host byte, one of them writing, are ordered by dependency tokens or a FENCE (docs/isa.md).
// Only then must the engine and the golden model agree on memory: in a racy stream the
// engine's timing decides. The order is found with vector clocks over the execution order
// isa::Dataflow gives (one clock per unit; a token carries its giver's clock; a FENCE joins
// them all). Host bytes outside the arena that a command writes (the ring) make a stream
// racy too: the engine may or may not have fetched those commands.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "streams.hpp"

namespace tessera::fuzz {

struct RaceReport {
  bool race_free = true;
  std::string first_race;  // the two commands and what they share
  // Host bytes that are a FENCE TIMESTAMP's DW_BUSY and CYCLES (estimates in the golden
  // model): [addr, addr + kTimestampEstimateBytes), left out of the comparison.
  static constexpr uint64_t kTimestampEstimateBytes = 12;
  std::vector<uint64_t> timestamps;
  // Buffer locations the stream reads before it writes them: what an earlier stream left
  // there differs between the engine and the model, so the harness writes them first.
  enum class Space { kScratchpad, kAccumulator, kTable };
  struct Range {
    Space space;
    uint32_t first, count;
  };
  std::vector<Range> undefined;
  // A DEPTHWISE COMPUTE writes outputs from the depthwise unit's line buffer, which the
  // stream may not have filled: the harness fills it with zeros first.
  bool reads_line_buffer = false;
};

// `commands` includes the harness's closing FENCE.
RaceReport find_races(const std::vector<isa::Command>& commands, const isa::BuildConfig& config,
                      const Layout& layout);

}  // namespace tessera::fuzz
