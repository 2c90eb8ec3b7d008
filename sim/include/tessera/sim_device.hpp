// The `sim` backend of the driver: the cycle-accurate engine (Verilated tessera_top, 16x16,
// 128-bit AXI) in SystemC behind the same Device interface a board offers - registers over
// AXI4-Lite, memory in the AXI memory model, the interrupt line. SystemC elaborates once per
// process, so a program opens the simulator at most once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tessera/axi_memory.hpp"
#include "tessera/device.hpp"

namespace tessera::sim {

struct SimDeviceOptions {
  std::string trace;                  // FST waveform of every signal ("" = none; 5x slower)
  AxiMemoryConfig memory;             // latency, bandwidth, ...
  uint64_t memory_base = 0x8000'0000; // the engine's DMA window
  uint64_t memory_size = 1ull << 30;
  uint64_t clock_mhz = 250;           // the modelled clock: waits and pauses in device time
};

// Throws tessera::driver::DeviceError if the simulator was already opened in this process.
std::unique_ptr<driver::Device> open_sim_device(const SimDeviceOptions& options);

}  // namespace tessera::sim
