// SPDX-License-Identifier: Apache-2.0
// Running one fuzzed stream on a device and comparing two devices' outcomes (docs/fuzzing.md).
// The harness drives the device by its registers and ring only, as any host would, so the
// engine and the golden model run the very same bytes: soft reset, the DMA window around the
// ring and the arena, the arena's bytes, the commands and a closing FENCE in the ring, one
// doorbell; then it waits for the FENCE's record or a stop, with a bound on the simulated
// cycles so that a hang is a finding and not a hung fuzzer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "races.hpp"
#include "streams.hpp"
#include "tessera/dataflow.hpp"
#include "tessera/device.hpp"

namespace tessera::fuzz {

struct Outcome {
  bool finished = false;  // the closing FENCE wrote its record, no error
  bool hang = false;      // neither finished nor stopped within the bound
  isa::Error error = isa::Error::kNone;
  uint32_t index = 0;  // ERROR_INDEX, from the stream's first command
  uint32_t first = 0;  // the ring index of the stream's first command
  // The golden model only: every error it met (the engine reports one of them).
  std::vector<isa::Dataflow::Stop> possible;
  std::vector<uint8_t> arena;
  uint64_t macs = 0, retired = 0, read_bytes = 0, write_bytes = 0;
  std::vector<std::string> bus_violations;  // the simulator only
};

class Harness {
 public:
  // `simulated`: the device simulates time (pause() advances it), so waits are bounded in
  // simulated cycles (at 250 MHz).
  Harness(driver::Device& device, const Layout& layout, bool simulated);
  // Runs `preamble` (preamble()), then the stream; the error index counts from the stream.
  Outcome run(const Stream& stream, const std::vector<isa::Command>& preamble,
              uint64_t max_cycles = 4'000'000);

 private:
  void soft_reset();

  driver::Device& d_;
  Layout layout_;
  bool simulated_;
  uint32_t runs_ = 0;
};

// The commands that give every buffer location the stream reads before writing the same
// contents on every device (zeros, the arena's bytes, its valid table), then a FENCE.
std::vector<isa::Command> preamble(const RaceReport& races, const isa::BuildConfig& config,
                                   const Layout& layout);

struct Verdict {
  enum Kind { kCompared, kErrorsAgree, kDeadlockBoth, kRacy, kMismatch } kind = kCompared;
  std::string why;  // for a mismatch: what differs
};
// The engine's outcome against the golden model's, for a stream with `races`.
Verdict compare(const Outcome& rtl, const Outcome& fsim, const RaceReport& races,
                const Layout& layout);

}  // namespace tessera::fuzz
