// SPDX-License-Identifier: Apache-2.0
// An open Tessera engine on any Device: what it is (the ID, version and configuration
// registers), its counters, and running command streams through its ring. Everything here is
// the same for every backend.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tessera/dataflow.hpp"
#include "tessera/device.hpp"
#include "tessera/isa.hpp"
#include "tessera/regs.hpp"

namespace tessera::driver {

struct DeviceInfo {
  std::string device;  // the backend's name for it
  uint32_t id = 0, version = 0, isa_version = 0;
  uint32_t scratchpad_bytes = 0, accumulator_bytes = 0;
  isa::BuildConfig config;
  uint64_t memory_base = 0, memory_size = 0;
};

// What a run needs to be replayed (`tessera run`): the memory it read, the commands, and
// the memory it wrote with the values it wrote (docs/driver.md has the file format).
struct Recording {
  struct Region {
    uint64_t addr = 0;
    std::vector<uint8_t> bytes;
  };
  std::vector<Region> inputs, outputs;
  std::vector<isa::Command> commands;

  void save(const std::string& path) const;  // throws std::runtime_error
  // Throws tessera::InputError naming the file and what is wrong; no count or size in the
  // file may claim more bytes than it holds (checked before anything is allocated).
  static Recording load(const std::string& path);
  static Recording parse(std::istream& in, const std::string& name);
};

struct Counters {
  uint64_t value[regs::kNumCounters] = {};
  uint64_t operator[](regs::Counter c) const { return value[static_cast<uint32_t>(c)]; }
};

class Engine {
 public:
  // Reads and checks the ID and versions (a device that reads 0xffffffff or another ID, or
  // an ISA this driver does not know, is refused with a DeviceError), soft-resets the engine,
  // sets the DMA window to the device memory and places the command ring there.
  explicit Engine(std::unique_ptr<Device> device,
                  std::chrono::milliseconds timeout = std::chrono::seconds(60));
  ~Engine();

  const DeviceInfo& info() const { return info_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  Device& device() { return *device_; }
  DeviceMemory& memory() { return memory_; }
  isa::CommandStream new_stream() const { return isa::CommandStream(info_.config); }

  Counters counters();
  void clear_counters();

  // Runs the stream and then a fence with its interrupt: writes commands into the ring as
  // the engine frees slots, and waits. First the stream goes through the engine's order
  // rules (isa::Dataflow, with the tokens earlier runs left owed): one that would deadlock
  // or owe more than MAX_TOKENS is refused with isa::InvalidCommand (DEADLOCK or
  // TOKEN_OVERFLOW) saying what waits on what, and nothing runs. On an engine error: soft
  // reset, then EngineError with the code, the index in `stream` and the command's
  // disassembly. TimeoutError if the engine does not finish within the timeout (wall-clock
  // time on every backend), naming how far it got and what its units were doing.
  // progress(done, total) is called as commands complete (the COMMANDS_RETIRED counter).
  void run(const isa::CommandStream& stream);
  std::function<void(std::size_t done, std::size_t total)> progress;
  // Wall-clock seconds spent inside run() so far (submitting and waiting: on the simulator,
  // simulating). An operation's wall time minus this is its host-side overhead.
  double run_seconds() const { return run_seconds_; }

  // Soft reset (also clears the interrupt status); the engine is then idle and usable.
  void reset();

  // Device memory I/O for operations; recorded when a recording is attached.
  void write(uint64_t addr, const void* src, std::size_t bytes);
  void read(uint64_t addr, void* dst, std::size_t bytes);
  void record_to(Recording* recording) { recording_ = recording; }

 private:
  void write_ring(const isa::Command& command);
  void check_stopped(const isa::CommandStream& stream, uint32_t first_index);
  std::string timeout_message(const std::string& what, uint32_t first, std::size_t total);

  std::unique_ptr<Device> device_;
  std::chrono::milliseconds timeout_;
  DeviceInfo info_;
  DeviceMemory memory_;
  uint64_t ring_addr_ = 0, fence_addr_ = 0;
  uint32_t ring_size_ = 1024, tail_ = 0, fence_value_ = 0;
  Recording* recording_ = nullptr;
  double run_seconds_ = 0;
  std::optional<isa::Dataflow> owed_;  // the tokens the engine holds between runs
};

// A block of device memory, released when it goes out of scope; I/O through the engine.
class Buffer {
 public:
  Buffer(Engine& engine, uint64_t bytes);
  ~Buffer() { engine_.memory().release(addr_); }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  uint64_t device_addr() const { return addr_; }
  uint64_t size() const { return size_; }
  uint8_t* host() const { return engine_.device().host_pointer(addr_); }
  void write(const void* src, std::size_t bytes, uint64_t offset = 0);
  void read(void* dst, std::size_t bytes, uint64_t offset = 0) const;

 private:
  Engine& engine_;
  uint64_t addr_, size_;
};

}  // namespace tessera::driver
