// SPDX-License-Identifier: Apache-2.0
// The `sim` backend of the driver (library tessera_sim_backend): the cycle-accurate engine
// (Verilated tessera_top) in SystemC behind the same Device interface a board offers -
// registers over AXI4-Lite, memory in the AXI memory model, the interrupt line. A build
// holds one or more engine shapes (CMake's TESSERA_ENGINE and TESSERA_EXTRA_ENGINES); the
// first is the default. SystemC elaborates once per process, so a program opens the
// simulator at most once.
//
// Linking the library registers the backend with open_device():
//   sim[:latency=CYCLES][,trace=FILE.fst][,trace_start=C][,trace_end=C][,clock_mhz=MHZ]
//      [,engine=ROWSxCOLSxBUS]
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/axi_memory_config.hpp"
#include "tessera/device.hpp"

namespace tessera::sim {

struct SimDeviceOptions {
  std::string engine;  // ROWSxCOLSxBUS, one of sim_engines(); "" = the default
  std::string trace;   // FST waveform ("" = none): see trace_* below
  // The waveform's cycle window [trace_start, trace_end) (trace_end 0: to the end); time in
  // the file is the modelled clock's (clock_mhz), in picoseconds. Every signal: Verilator
  // 5.006's run-time selection (dumpvars) crashes this model and its trace levels are
  // ignored, so a scope or depth would need a model built with --trace-depth.
  uint64_t trace_start = 0, trace_end = 0;
  AxiMemoryConfig memory;              // latency, bandwidth, ...
  uint64_t memory_base = 0x8000'0000;  // the engine's DMA window
  uint64_t memory_size = 1ull << 30;
  uint64_t clock_mhz = 250;  // the modelled clock: waits and pauses in device time
};

struct SimEngine {
  std::string name;  // ROWSxCOLSxBUS
  uint32_t rows = 0, cols = 0, bus_bits = 0;
  bool traceable = false;  // built with a waveform model too
};
// The engines of this build, the default first.
std::vector<SimEngine> sim_engines();

// Throws tessera::driver::DeviceError if the simulator was already opened in this process,
// std::invalid_argument for an engine this build does not have.
std::unique_ptr<driver::Device> open_sim_device(const SimDeviceOptions& options);

// The AXI memory model of the simulator this process opened (for tests and the
// differential fuzzer): new timing, and the protocol violations it saw since the last call
// (bursts outside AxiMemoryConfig's allowed range included), which it then forgets. Throw
// std::logic_error before open_sim_device().
void configure_sim_memory(const AxiMemoryConfig& config);
std::vector<std::string> take_sim_bus_violations();

}  // namespace tessera::sim
