// SPDX-License-Identifier: Apache-2.0
// Engine; see engine.hpp.
#include "tessera/engine.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>

#include "messages.hpp"
#include "tessera/atomic_file.hpp"
#include "tessera/checks.hpp"

namespace tessera::driver {

using detail::hex;

Engine::Engine(std::unique_ptr<Device> device, std::chrono::milliseconds timeout)
    : device_(std::move(device)),
      timeout_(timeout),
      memory_(device_->memory_base(), device_->memory_size()) {
  Device& d = *device_;
  info_.device = d.name();
  info_.id = d.read32(regs::kId);
  if (info_.id != regs::kExpectedId) {
    throw DeviceError(d.name() + ": ID register reads " + hex(info_.id) + ", not Tessera's " +
                      hex(regs::kExpectedId) +
                      (info_.id == 0xffffffffu ? " (the device does not answer)" : ""));
  }
  info_.version = d.read32(regs::kVersion);
  info_.isa_version = d.read32(regs::kIsaVersion);
  if (info_.isa_version != isa::kVersion) {
    throw DeviceError(d.name() + ": the engine executes ISA version " +
                      std::to_string(info_.isa_version) + "; this driver knows version " +
                      std::to_string(isa::kVersion));
  }
  const uint32_t shape = d.read32(regs::kConfigArray);
  info_.config.rows = regs::kConfigArrayRows.get(shape);
  info_.config.cols = regs::kConfigArrayCols.get(shape);
  info_.scratchpad_bytes = d.read32(regs::kConfigScratchpad);
  info_.accumulator_bytes = d.read32(regs::kConfigAccumulator);
  info_.config.bus_bytes = d.read32(regs::kConfigBus) / 8;
  info_.config.qtable_entries = d.read32(regs::kConfigQtable);
  if (info_.config.rows == 0 || info_.config.cols == 0) {
    throw DeviceError(d.name() + ": CONFIG_ARRAY reads " + hex(shape) + ", an empty array");
  }
  info_.config.scratchpad_lines = info_.scratchpad_bytes / info_.config.rows;
  info_.config.accumulator_lines = info_.accumulator_bytes / (4 * info_.config.cols);
  info_.memory_base = d.memory_base();
  info_.memory_size = d.memory_size();

  owed_.emplace(info_.config, /*check_commands=*/false);  // CommandStream checked them
  reset();
  ring_addr_ = memory_.allocate(uint64_t(64) * ring_size_, 4096);
  fence_addr_ = memory_.allocate(64);
  const uint64_t limit = info_.memory_base + info_.memory_size - 1;
  d.write32(regs::kWindowBaseLo, uint32_t(info_.memory_base));
  d.write32(regs::kWindowBaseHi, uint32_t(info_.memory_base >> 32));
  d.write32(regs::kWindowLimitLo, uint32_t(limit));
  d.write32(regs::kWindowLimitHi, uint32_t(limit >> 32));
  d.write32(regs::kRingBaseLo, uint32_t(ring_addr_));
  d.write32(regs::kRingBaseHi, uint32_t(ring_addr_ >> 32));
  d.write32(regs::kRingSize, ring_size_);
  d.write32(regs::kIntrEnable, regs::kIntrEnableFence.mask() | regs::kIntrEnableError.mask());
  tail_ = d.read32(regs::kRingHead);
  d.write32(regs::kRingTail, tail_);
  d.write32(regs::kCtrl, regs::kCtrlEnable.mask());
}

Engine::~Engine() = default;

void Engine::reset() {
  Device& d = *device_;
  d.write32(regs::kSoftReset, regs::kSoftResetGo.mask());
  // The engine drains its bus transfers before it resets (the AXI protocol is never cut):
  // wait until it is neither busy nor stopped, then start from its (moved) ring head.
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  while (true) {
    const uint32_t status = d.read32(regs::kStatus);
    if (!regs::kStatusBusy.get(status) && !regs::kStatusError.get(status)) break;
    if (std::chrono::steady_clock::now() > deadline) {
      throw TimeoutError(d.name() + ": the soft reset did not complete within " +
                         std::to_string(timeout_.count()) + " ms (STATUS reads " + hex(status) +
                         ")");
    }
    d.pause(std::chrono::microseconds(1));
  }
  d.write32(regs::kIntrStatus, regs::kIntrStatusFence.mask() | regs::kIntrStatusError.mask());
  tail_ = d.read32(regs::kRingHead);
  owed_->reset();  // the soft reset dropped every token
}

Counters Engine::counters() {
  Counters c;
  for (uint32_t i = 0; i < regs::kNumCounters; ++i) {
    const auto which = static_cast<regs::Counter>(i);
    const uint64_t lo = device_->read32(regs::counter_lo(which));  // latches the high word
    c.value[i] = lo | uint64_t(device_->read32(regs::counter_hi(which))) << 32;
  }
  return c;
}

void Engine::clear_counters() { device_->write32(regs::kPerfCtrl, regs::kPerfCtrlClear.mask()); }

void Engine::write_ring(const isa::Command& command) {
  device_->write_memory(ring_addr_ + 64ull * (tail_ % ring_size_), command.bytes().data(),
                        isa::kCommandBytes);
  ++tail_;
}

void Engine::check_stopped(const isa::CommandStream& stream, uint32_t first_index) {
  const uint32_t status = device_->read32(regs::kStatus);
  if (!regs::kStatusError.get(status)) return;
  const auto code = static_cast<isa::Error>(regs::kStatusErrorCode.get(status));
  const uint32_t index = device_->read32(regs::kErrorIndex) - first_index;
  std::string what = "the engine stopped with " + std::string(isa::error_name(code)) + " (" +
                     std::to_string(static_cast<int>(code)) + ") at command " +
                     std::to_string(index);
  if (index < stream.size()) what += ": " + isa::disassemble(stream.commands()[index]);
  if (code == isa::Error::kBusTimeout) {
    what +=
        " (the bus stopped answering; every transfer will fail until the engine's "
        "hardware reset)";
  }
  reset();
  throw EngineError(code, index, what);
}

void Engine::write(uint64_t addr, const void* src, std::size_t bytes) {
  device_->write_memory(addr, src, bytes);
  if (recording_) {
    const auto* p = static_cast<const uint8_t*>(src);
    recording_->inputs.push_back({addr, std::vector<uint8_t>(p, p + bytes)});
  }
}

void Engine::read(uint64_t addr, void* dst, std::size_t bytes) {
  device_->read_memory(addr, dst, bytes);
  if (recording_) {
    const auto* p = static_cast<const uint8_t*>(dst);
    recording_->outputs.push_back({addr, std::vector<uint8_t>(p, p + bytes)});
  }
}

void Engine::run(const isa::CommandStream& stream) {
  const auto started = std::chrono::steady_clock::now();
  struct Clock {  // adds the time spent here to run_seconds_, however run() ends
    double& total;
    std::chrono::steady_clock::time_point start;
    ~Clock() {
      total += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
  } clock{run_seconds_, started};
  Device& d = *device_;
  if (recording_) {
    recording_->commands.insert(recording_->commands.end(), stream.commands().begin(),
                                stream.commands().end());
  }
  const uint32_t first = tail_;
  const uint32_t value = ++fence_value_;
  const std::size_t total = stream.size() + 1;
  const isa::Command fence = isa::encode(isa::Fence{true, fence_addr_, value});
  // Before anything is written: every host row inside the device memory and none written
  // into the ring or the fence record (the engine would stop, or run altered commands), and
  // the order rules (it would stop on these streams).
  const isa::HostRange memory{info_.memory_base, info_.memory_size, "the device memory"};
  const std::vector<isa::HostRange> protect{{ring_addr_, 64ull * ring_size_, "the command ring"},
                                            {fence_addr_, 64, "the driver's fence record"}};
  for (std::size_t i = 0; i < stream.size(); ++i) {
    if (const isa::CheckResult r = isa::check_host_access(stream.commands()[i], memory, protect);
        !r) {
      throw isa::InvalidCommand(r.error, "command " + std::to_string(i) + " (" +
                                             isa::disassemble(stream.commands()[i]) +
                                             "): " + r.message);
    }
  }
  isa::Dataflow flow = *owed_;
  for (std::size_t i = 0; i < stream.size(); ++i) flow.fetched(stream.commands()[i], uint32_t(i));
  flow.fetched(fence, uint32_t(stream.size()));
  flow.run([](const isa::Command&, uint32_t) { return isa::Error::kNone; });
  if (flow.stopped()) {
    const isa::Dataflow::Stop& stop = flow.stop();
    throw isa::InvalidCommand(
        stop.error, "the engine would stop with " + std::string(isa::error_name(stop.error)) +
                        " at command " + std::to_string(stop.index) + ": " + stop.message);
  }
  d.write32(regs::kIntrStatus, regs::kIntrStatusFence.mask());
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  // Progress counts commands completed (COMMANDS_RETIRED), not commands fetched: the fetcher
  // runs up to a ring ahead of the units. Read only when someone watches.
  auto retired = [&] {
    const uint32_t lo = d.read32(regs::counter_lo(regs::Counter::kCommandsRetired));
    return lo | uint64_t(d.read32(regs::counter_hi(regs::Counter::kCommandsRetired))) << 32;
  };
  const uint64_t retired_before = progress ? retired() : 0;
  auto report = [&] {
    if (progress) progress(std::min<std::size_t>(total, retired() - retired_before), total);
  };
  std::size_t written = 0;
  while (written < total) {
    const uint32_t head = d.read32(regs::kRingHead);
    uint32_t free = ring_size_ - (tail_ - head);
    if (free == 0) {
      check_stopped(stream, first);
      if (std::chrono::steady_clock::now() > deadline) {
        throw TimeoutError(timeout_message("did not free a ring slot", first, total));
      }
      // The ring is full of work: look again shortly (a full ring is thousands of cycles).
      d.pause(std::chrono::microseconds(20));
      continue;
    }
    for (; free > 0 && written < total; --free, ++written) {
      write_ring(written < stream.size() ? stream.commands()[written] : fence);
    }
    d.write32(regs::kRingTail, tail_);
    report();
  }
  while (true) {
    d.wait_interrupt(std::chrono::milliseconds(100));
    check_stopped(stream, first);
    uint32_t done = 0;
    d.read_memory(fence_addr_, &done, 4);
    if (regs::kIntrStatusFence.get(d.read32(regs::kIntrStatus)) && done == value) break;
    report();
    if (std::chrono::steady_clock::now() > deadline)
      throw TimeoutError(timeout_message("did not finish", first, total));
  }
  d.write32(regs::kIntrStatus, regs::kIntrStatusFence.mask());
  if (progress) progress(total, total);
  *owed_ = std::move(flow);
}

// "sim ...: the engine did not finish within 1000 ms: 310 of 2049 commands fetched, STATUS
// 0x1 (busy); since the counters were cleared, ..." - where it is and what its units were
// doing, from its ring head, status and counters (read only now: reading them at the start
// of every run would cost its cycles).
std::string Engine::timeout_message(const std::string& what, uint32_t first, std::size_t total) {
  Device& d = *device_;
  const uint32_t status = d.read32(regs::kStatus);
  const Counters now = counters();
  auto count = [&](regs::Counter c) { return std::to_string(now[c]); };
  using C = regs::Counter;
  return d.name() + ": the engine " + what + " within " + std::to_string(timeout_.count()) +
         " ms: " + std::to_string(d.read32(regs::kRingHead) - first) + " of " +
         std::to_string(total) + " commands fetched, STATUS " + hex(status) +
         (regs::kStatusBusy.get(status) ? " (busy)" : " (idle: its interrupt did not arrive)") +
         "; since the counters were cleared, of " + count(C::kCycles) +
         " cycles the fetcher was busy " + count(C::kFetchBusy) +
         ", the load, compute and store units " + count(C::kLoadBusy) + ", " +
         count(C::kComputeBusy) + " and " + count(C::kStoreBusy) + ", units waited for tokens " +
         count(C::kStallDependency) + " and for the bus " + count(C::kStallMemory) + ", " +
         count(C::kCommandsRetired) + " commands retired";
}

Buffer::Buffer(Engine& engine, uint64_t bytes)
    : engine_(engine), addr_(engine.memory().allocate(bytes)), size_(bytes) {}

void Buffer::write(const void* src, std::size_t bytes, uint64_t offset) {
  if (offset + bytes > size_) {
    throw std::out_of_range("buffer write of " + std::to_string(bytes) + " bytes at offset " +
                            std::to_string(offset) + " runs past its " + std::to_string(size_) +
                            " bytes");
  }
  engine_.write(addr_ + offset, src, bytes);
}

void Buffer::read(void* dst, std::size_t bytes, uint64_t offset) const {
  if (offset + bytes > size_) {
    throw std::out_of_range("buffer read of " + std::to_string(bytes) + " bytes at offset " +
                            std::to_string(offset) + " runs past its " + std::to_string(size_) +
                            " bytes");
  }
  engine_.read(addr_ + offset, dst, bytes);
}

// ---- Recording file: "TSRA", format 1, ISA version, inputs, outputs, commands ------------
namespace {

constexpr char kMagic[4] = {'T', 'S', 'R', 'A'};
constexpr uint32_t kFormat = 1;

void put64(std::ostream& o, uint64_t v) {
  for (int i = 0; i < 8; ++i) o.put(char(v >> (8 * i)));
}
uint64_t get64(std::istream& in, const std::string& path) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    const int c = in.get();
    if (c == EOF) throw InputError(path + ": truncated recording");
    v |= uint64_t(uint8_t(c)) << (8 * i);
  }
  return v;
}

}  // namespace

void Recording::save(const std::string& path) const {
  write_file_atomically(path, [&](std::ostream& o) {
    o.write(kMagic, 4);
    put64(o, kFormat);
    put64(o, isa::kVersion);
    for (const auto* regions : {&inputs, &outputs}) {
      put64(o, regions->size());
      for (const Region& r : *regions) {
        put64(o, r.addr);
        put64(o, r.bytes.size());
        o.write(reinterpret_cast<const char*>(r.bytes.data()), std::streamsize(r.bytes.size()));
      }
    }
    put64(o, commands.size());
    for (const isa::Command& c : commands)
      o.write(reinterpret_cast<const char*>(c.bytes().data()), isa::kCommandBytes);
  });
}

Recording Recording::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  return parse(in, path);
}

Recording Recording::parse(std::istream& in, const std::string& path) {
  // What the stream still holds: no count or size read from it may claim more.
  const auto start = in.tellg();
  in.seekg(0, std::ios::end);
  const uint64_t size = in.tellg() < start ? 0 : uint64_t(in.tellg() - start);
  in.seekg(start);
  auto left = [&] { return size - uint64_t(in.tellg() - start); };
  auto too_big = [&](uint64_t count, uint64_t each, const char* what) {
    if (each && count > left() / each) {
      throw InputError(path + ": truncated recording (" + what + " of " + std::to_string(count) +
                       (each > 1 ? " x " + std::to_string(each) : "") + " bytes; " +
                       std::to_string(left()) + " bytes left in the file)");
    }
  };
  char magic[4] = {};
  in.read(magic, 4);
  if (!in || std::memcmp(magic, kMagic, 4) != 0)
    throw InputError(path + " is not a Tessera recording (no TSRA header)");
  const uint64_t format = get64(in, path), isa_version = get64(in, path);
  if (format != kFormat) {
    throw InputError(path + ": recording format " + std::to_string(format) +
                     "; this tool reads format " + std::to_string(kFormat));
  }
  if (isa_version != isa::kVersion) {
    throw InputError(path + ": recorded for ISA version " + std::to_string(isa_version) +
                     "; this tool speaks version " + std::to_string(isa::kVersion));
  }
  Recording r;
  for (auto* regions : {&r.inputs, &r.outputs}) {
    const uint64_t count = get64(in, path);
    too_big(count, 16, "a region list");
    for (uint64_t i = 0; i < count; ++i) {
      Region reg;
      reg.addr = get64(in, path);
      const uint64_t bytes = get64(in, path);
      too_big(bytes, 1, "a region");
      reg.bytes.resize(bytes);
      in.read(reinterpret_cast<char*>(reg.bytes.data()), std::streamsize(bytes));
      if (!in) throw InputError(path + ": truncated recording");
      regions->push_back(std::move(reg));
    }
  }
  const uint64_t commands = get64(in, path);
  too_big(commands, isa::kCommandBytes, "a command list");
  for (uint64_t i = 0; i < commands; ++i) {
    uint8_t bytes[isa::kCommandBytes];
    in.read(reinterpret_cast<char*>(bytes), isa::kCommandBytes);
    if (!in) throw InputError(path + ": truncated recording");
    r.commands.push_back(isa::Command::from_bytes(bytes));
  }
  return r;
}

}  // namespace tessera::driver
