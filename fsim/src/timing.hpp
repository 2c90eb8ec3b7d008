// SPDX-License-Identifier: Apache-2.0
// The golden model's estimate of the engine's time (CYCLES, the busy counters, FENCE
// TIMESTAMP): each unit runs its commands one after another (the load unit takes a LOAD
// while the one before moves its data, so that one's memory latency is hidden); a command
// starts when its
// unit is free, when it has been fetched and when the tokens it takes were given; it keeps
// its unit busy for the cycles its data takes through the unit's narrowest step (bus beats,
// buffer lines, activation vectors) and gives its tokens when its results are in place
// (plus the pipeline's latency and the bus's). A FENCE waits for every unit. The figures
// are the RTL's throughputs and latencies (the header comments of tessera_cmd_fetch,
// tessera_load_unit, tessera_compute_unit, tessera_store_unit); stalls between units that
// share a bus or a bank are not modelled. docs/fsim.md gives the error against the RTL.
#pragma once

#include <array>
#include <cstdint>
#include <deque>

#include "tessera/isa.hpp"
#include "tessera/regs.hpp"

namespace tessera::fsim {

class Timing {
 public:
  Timing(const isa::BuildConfig& config, uint32_t memory_latency);
  void doorbell();  // the host gave new commands: the fetcher starts now if it was idle
  void fetched();
  // A command that ran (a unit's command, taking and giving its tokens, or a FENCE).
  void executed(const isa::Command& c, uint32_t index);
  // The cycle every command executed so far has finished.
  uint64_t barrier() const;
  uint64_t now() const { return barrier() - base_; }
  uint64_t busy(regs::Counter unit) const;
  void reset();  // soft reset: tokens dropped, nothing waits
  void clear();  // PERF_CTRL.CLEAR: the counters start again from zero

 private:
  // `params_held`: a requantizing STORE's table entries are those the store unit already
  // holds (tessera_store_params skips their fetch).
  uint64_t duration(const isa::Command& c, bool params_held, uint64_t& latency) const;

  isa::BuildConfig config_;
  uint32_t bus_bytes_, latency_;
  uint64_t fetch_time_ = 0, fetched_at_ = 0, base_ = 0, fence_done_ = 0, batch_ = 0;
  uint64_t free_[isa::kNumUnits] = {}, done_[isa::kNumUnits] = {}, busy_[isa::kNumUnits] = {};
  uint64_t depthwise_busy_ = 0;  // DEPTHWISE_BUSY: the DEPTHWISE COMPUTEs' cycles
  // The compute unit's two sides (0 the array and the vector path, 1 the depthwise unit):
  // each takes commands in order with the other, holds one beside the one it runs, and runs
  // beside the other. When the last command was taken, when each side's last command
  // started and when it is free; done in command order.
  uint64_t compute_taken_ = 0, compute_done_ = 0;
  uint64_t side_started_[2] = {}, side_free_[2] = {};
  // When the load unit's last command began to move data: the next LOAD is taken no earlier.
  uint64_t load_data_start_ = 0;
  std::deque<uint64_t> forward_[isa::kNumUnits - 1], backward_[isa::kNumUnits - 1];
  // The entries tessera_store_params' groups hold {first, per channel, cols, panels} (valid
  // while no LOAD has written the table since), the most recently used first: a miss
  // refills the last.
  struct HeldParams {
    bool held = false;
    std::array<uint64_t, 4> params{};
  };
  std::array<HeldParams, isa::kStoreParamGroups> held_params_{};
};

}  // namespace tessera::fsim
