// SPDX-License-Identifier: Apache-2.0
// The AXI memory model's timing (tessera/axi_memory.hpp), apart from the model itself so
// that code which only configures the simulator (tessera/sim_device.hpp) needs no SystemC.
#pragma once

#include <cstdint>

namespace tessera::sim {

struct AxiMemoryConfig {
  unsigned read_latency = 20;         // cycles from AR handshake to the burst's first beat
  unsigned write_latency = 20;        // cycles from a burst's last W beat to its response
  double read_beats_per_cycle = 1.0;  // R bandwidth, (0, 1]
  unsigned max_reads = 16;            // read bursts accepted and not yet completed
  unsigned max_writes = 16;           // write bursts accepted and not yet answered
  double ready_probability = 1.0;     // ARREADY / AWREADY / WREADY high in a cycle
  double valid_probability = 1.0;     // RVALID / BVALID raised in a cycle when possible
  uint64_t seed = 1;
  // Bursts that touch a byte outside [allowed_base, allowed_limit] are violations (e.g. the
  // engine's DMA window, to prove no burst leaves it).
  uint64_t allowed_base = 0, allowed_limit = ~0ull;
};

}  // namespace tessera::sim
