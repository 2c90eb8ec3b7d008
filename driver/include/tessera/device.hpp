// SPDX-License-Identifier: Apache-2.0
// The device interface every backend implements (sim, xdma, uio; docs/driver.md): 32-bit
// register access, the memory the engine reaches by DMA, and the interrupt. Everything above
// it - command streams, the ring, operations - is the same for every backend, so the same
// stream bytes run on the simulator and on a board.
//
// Errors are exceptions, never prints or exits: DeviceError for a device that cannot be
// opened or used (naming the path and the system's reason), TimeoutError for one that stops
// answering, EngineError for an engine that stopped on a command, CapacityError for a
// request larger than the device memory.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "tessera/isa_fields.hpp"

namespace tessera::driver {

class DeviceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TimeoutError : public DeviceError {
 public:
  using DeviceError::DeviceError;
};

// The engine stopped: its error code and the ring index of the command it stopped on.
class EngineError : public std::runtime_error {
 public:
  EngineError(isa::Error code, uint32_t index, const std::string& message)
      : std::runtime_error(message), code_(code), index_(index) {}
  isa::Error code() const { return code_; }
  uint32_t index() const { return index_; }

 private:
  isa::Error code_;
  uint32_t index_;
};

class CapacityError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Device {
 public:
  virtual ~Device() = default;
  virtual std::string name() const = 0;

  virtual uint32_t read32(uint32_t offset) = 0;
  virtual void write32(uint32_t offset, uint32_t value) = 0;

  // The memory the engine may reach: device addresses [memory_base, memory_base + size).
  virtual uint64_t memory_base() const = 0;
  virtual uint64_t memory_size() const = 0;
  // Copies to and from that memory, including whatever cache maintenance the backend needs
  // for the engine and the host to see the same bytes.
  virtual void write_memory(uint64_t addr, const void* src, std::size_t bytes) = 0;
  virtual void read_memory(uint64_t addr, void* dst, std::size_t bytes) = 0;
  // A host pointer to device memory where the backend maps it; nullptr where it does not
  // (a PCIe card's memory is reached through the DMA channels only).
  virtual uint8_t* host_pointer(uint64_t /*addr*/) { return nullptr; }
  // Throws std::out_of_range, naming the access and the device memory, unless
  // [addr, addr + bytes) lies inside it. Computed without wrap-around, so an access whose
  // end would pass 2^64 is refused rather than folded back into range.
  void require_in_memory(uint64_t addr, uint64_t bytes) const;

  // Waits until the engine raises its interrupt; false on timeout. The timeout is wall-clock
  // time on every backend (the simulator simulates until then). Each call waits for a new
  // interrupt (the backend re-arms it).
  virtual bool wait_interrupt(std::chrono::milliseconds timeout) = 0;
  // Lets the device run for a while (a board: the host sleeps; the simulator: simulates that
  // long at its modelled clock). For polling, e.g. for free ring slots.
  virtual void pause(std::chrono::microseconds duration) { std::this_thread::sleep_for(duration); }
};

// First-fit allocator over a device's memory; 64-byte aligned blocks.
class DeviceMemory {
 public:
  DeviceMemory(uint64_t base, uint64_t size);
  // Throws CapacityError naming the request and the largest free block.
  uint64_t allocate(uint64_t bytes, uint64_t alignment = 64);
  void release(uint64_t addr);

 private:
  uint64_t base_, size_;
  std::map<uint64_t, uint64_t> used_;  // address -> bytes
};

}  // namespace tessera::driver
