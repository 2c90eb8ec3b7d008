// SPDX-License-Identifier: Apache-2.0
// tessera::fsim - the engine's golden model at the command level (docs/fsim.md).
//
// Model owns what the RTL engine owns: the register map (rtl/tessera_regs.json, through
// the driver's generated regs.hpp), the command ring and its doorbell, the DMA window, the
// scratchpad, accumulator and quantization table, the dependency tokens and unit queues
// (isa::Dataflow, the same order rules), the performance counters that count work (MACs,
// commands retired, DMA bytes) and the interrupt. It executes LOAD, COMPUTE, STORE and
// FENCE with the engine's checks (isa::check) and error codes, and its results are bit for
// bit the engine's (the arithmetic is tessera::ref's). Commands run when the host rings the
// doorbell (or enables the engine), to completion, a stop, or a wait for tokens.
//
// Time is not modelled cycle by cycle: CYCLES and the busy counters hold an estimate
// (docs/fsim.md states its error against the RTL); the stall counters stay zero.
//
// Linking tessera_fsim_backend registers the device `fsim[:mem=BYTES]` with
// open_device(); any number of models may live in one process.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/dataflow.hpp"
#include "tessera/device.hpp"
#include "tessera/isa.hpp"
#include "tessera/regs.hpp"

namespace tessera::fsim {

struct Options {
  isa::BuildConfig config;             // the engine's shape: this tree's default engine
  uint64_t memory_base = 0x8000'0000;  // the device memory, as the sim device's
  uint64_t memory_size = 1ull << 30;
  uint32_t memory_latency = 20;  // cycles, for the time estimate (the sim device's default)
};

class Model {
 public:
  explicit Model(const Options& options = {});
  ~Model();
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  // AXI4-Lite: an unmapped offset throws std::out_of_range (the engine answers SLVERR).
  uint32_t read_reg(uint32_t offset);
  void write_reg(uint32_t offset, uint32_t value);
  bool interrupt() const;
  // The error the model stopped with first, then the others the engine may report first by
  // its timing (isa::Dataflow::other_errors(), and the fetcher's).
  std::vector<isa::Dataflow::Stop> errors() const;

  const Options& options() const { return options_; }
  // Device memory, [memory_base, memory_base + memory_size); zero when created.
  uint8_t* memory(uint64_t addr) { return memory_.get() + (addr - options_.memory_base); }

 private:
  struct Impl;
  Options options_;
  std::unique_ptr<uint8_t, void (*)(void*)> memory_;
  std::unique_ptr<Impl> impl_;
};

// The `fsim` device: a Model behind the driver's Device interface.
class Device : public driver::Device {
 public:
  explicit Device(const Options& options) : model_(options) {}
  Model& model() { return model_; }

  std::string name() const override;
  uint32_t read32(uint32_t offset) override;
  void write32(uint32_t offset, uint32_t value) override;
  uint64_t memory_base() const override { return model_.options().memory_base; }
  uint64_t memory_size() const override { return model_.options().memory_size; }
  void write_memory(uint64_t addr, const void* src, std::size_t bytes) override;
  void read_memory(uint64_t addr, void* dst, std::size_t bytes) override;
  uint8_t* host_pointer(uint64_t addr) override;
  // The model runs at the doorbell, to the end or to a wait only the host can end: an
  // interrupt not raised by now comes only after the host does something.
  bool wait_interrupt(std::chrono::milliseconds timeout) override;
  void pause(std::chrono::microseconds) override {}

 private:
  Model model_;
};
std::unique_ptr<Device> open_fsim_device(const Options& options = {});

}  // namespace tessera::fsim
