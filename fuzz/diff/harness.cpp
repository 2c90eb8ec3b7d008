// SPDX-License-Identifier: Apache-2.0
// Harness and compare; see harness.hpp.
#include "harness.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "tessera/regs.hpp"

namespace tessera::fuzz {
namespace {

constexpr uint64_t kCyclesPerMicrosecond = 250;  // the simulator's modelled clock
constexpr uint64_t kPollCycles = 1000;

std::string error_text(isa::Error e, uint32_t index) {
  return std::string(isa::error_name(e)) + " at command " + std::to_string(index);
}

}  // namespace

Harness::Harness(driver::Device& device, const Layout& layout, bool simulated)
    : d_(device), layout_(layout), simulated_(simulated) {}

void Harness::soft_reset() {
  d_.write32(regs::kSoftReset, regs::kSoftResetGo.mask());
  for (int i = 0; i < 100000; ++i) {
    const uint32_t s = d_.read32(regs::kStatus);
    if (!regs::kStatusBusy.get(s) && !regs::kStatusError.get(s)) return;
    d_.pause(std::chrono::microseconds(1));
  }
  throw std::runtime_error(d_.name() + ": the soft reset did not complete");
}

std::vector<isa::Command> preamble(const RaceReport& races, const isa::BuildConfig& config,
                                   const Layout& layout) {
  std::vector<isa::Command> out;
  using Space = RaceReport::Space;
  for (const RaceReport::Range& r : races.undefined) {
    // Each range in pieces the sources hold: the arena for accumulator lines, its valid
    // entries for the table; the scratchpad is filled with zeros.
    const uint32_t per_line = r.space == Space::kScratchpad    ? config.rows
                              : r.space == Space::kAccumulator ? 4 * config.cols
                                                               : isa::qtable::kEntryBytes;
    const uint64_t source_bytes = r.space == Space::kTable
                                      ? layout.arena + layout.arena_bytes - layout.table
                                      : layout.arena_bytes;
    const uint32_t chunk =
        r.space == Space::kScratchpad ? r.count : uint32_t(source_bytes / per_line);
    for (uint32_t first = r.first; first < r.first + r.count; first += chunk) {
      isa::Load l;
      l.rows = 1;
      l.sram_line = first;
      l.sram_stride = 1;
      l.row_bytes = std::min(chunk, r.first + r.count - first) * per_line;
      l.fill = r.space == Space::kScratchpad;
      l.dest = r.space == Space::kScratchpad    ? isa::Load::Dest::kScratchpad
               : r.space == Space::kAccumulator ? isa::Load::Dest::kAccumulator
                                                : isa::Load::Dest::kQTable;
      if (!l.fill) l.dram_addr = r.space == Space::kTable ? layout.table : layout.arena;
      out.push_back(isa::encode(l));
    }
  }
  if (races.reads_line_buffer) {
    // Both rows of every line-buffer line from a zero scratchpad line: two rows of
    // DW_LINE_BUFFER_LINES pixels, after the FILL (a token from the load unit).
    isa::Load zero;
    zero.fill = true;
    zero.rows = 1;
    zero.row_bytes = config.rows;
    zero.deps = isa::kDepsPushNext;
    out.push_back(isa::encode(zero));
    for (int row = 0; row < 2; ++row) {
      isa::Compute c;
      c.depthwise = true;
      c.act_stride = 0;
      c.vectors = isa::kDwLineBufferLines;
      c.k_valid = c.n_valid = 1;
      c.deps = row == 0 ? isa::kDepsPopPrev : 0;
      out.push_back(isa::encode(c));
    }
  }
  out.push_back(isa::encode(isa::Fence{false, layout.done + 16, 0}));
  return out;
}

Outcome Harness::run(const Stream& stream, const std::vector<isa::Command>& preamble,
                     uint64_t max_cycles) {
  const Layout& l = layout_;
  soft_reset();
  d_.write32(regs::kIntrStatus, regs::kIntrStatusFence.mask() | regs::kIntrStatusError.mask());
  d_.write32(regs::kPerfCtrl, regs::kPerfCtrlClear.mask());
  d_.write32(regs::kWindowBaseLo, uint32_t(l.window_base));
  d_.write32(regs::kWindowBaseHi, uint32_t(l.window_base >> 32));
  d_.write32(regs::kWindowLimitLo, uint32_t(l.window_limit));
  d_.write32(regs::kWindowLimitHi, uint32_t(l.window_limit >> 32));
  d_.write32(regs::kRingBaseLo, uint32_t(l.ring));
  d_.write32(regs::kRingBaseHi, uint32_t(l.ring >> 32));
  d_.write32(regs::kRingSize, l.ring_size);
  d_.write32(regs::kIntrEnable, regs::kIntrEnableFence.mask() | regs::kIntrEnableError.mask());
  d_.write32(regs::kCtrl, regs::kCtrlEnable.mask());
  d_.write_memory(l.arena, stream.arena.data(), stream.arena.size());
  const uint32_t zero = 0, done = 0xd0e00000u + (++runs_ & 0xfffff);
  d_.write_memory(l.done, &zero, 4);

  const uint32_t head = d_.read32(regs::kRingHead);
  std::vector<isa::Command> commands = preamble;
  const uint32_t first = head + uint32_t(commands.size());
  commands.insert(commands.end(), stream.commands.begin(), stream.commands.end());
  commands.push_back(isa::encode(isa::Fence{true, l.done, done}));
  if (commands.size() > l.ring_size)
    throw std::invalid_argument("fuzz: stream longer than the ring");
  for (uint32_t i = 0; i < commands.size(); ++i) {
    d_.write_memory(l.ring + 64ull * ((head + i) % l.ring_size), commands[i].bytes().data(),
                    isa::kCommandBytes);
  }
  d_.write32(regs::kRingTail, head + uint32_t(commands.size()));

  Outcome o;
  o.first = first;
  for (uint64_t waited = 0;; waited += kPollCycles) {
    const uint32_t status = d_.read32(regs::kStatus);
    if (regs::kStatusError.get(status)) {
      o.error = static_cast<isa::Error>(regs::kStatusErrorCode.get(status));
      o.index = d_.read32(regs::kErrorIndex) - first;
      break;
    }
    uint32_t record = 0;
    d_.read_memory(l.done, &record, 4);
    if (record == done && !regs::kStatusBusy.get(status)) {
      o.finished = true;
      break;
    }
    if (!simulated_ || waited >= max_cycles) {
      o.hang = true;
      break;
    }
    d_.pause(std::chrono::microseconds(kPollCycles / kCyclesPerMicrosecond));
  }
  o.arena.resize(l.arena_bytes);
  d_.read_memory(l.arena, o.arena.data(), o.arena.size());
  auto counter = [&](regs::Counter c) {
    const uint64_t lo = d_.read32(regs::counter_lo(c));
    return lo | uint64_t(d_.read32(regs::counter_hi(c))) << 32;
  };
  o.macs = counter(regs::Counter::kMacs);
  o.retired = counter(regs::Counter::kCommandsRetired);
  o.read_bytes = counter(regs::Counter::kDmaReadBytes);
  o.write_bytes = counter(regs::Counter::kDmaWriteBytes);
  return o;
}

Verdict compare(const Outcome& rtl, const Outcome& fsim, const RaceReport& races,
                const Layout& layout) {
  auto mismatch = [](std::string why) { return Verdict{Verdict::kMismatch, std::move(why)}; };
  if (rtl.hang) return mismatch("the engine hangs (no error, no FENCE record)");
  if (!rtl.bus_violations.empty()) return mismatch("AXI: " + rtl.bus_violations.front());
  if (fsim.hang) return mismatch("the golden model hangs (no error, no FENCE record)");
  if (!races.race_free) return {Verdict::kRacy, races.first_race};
  if (rtl.error != isa::Error::kNone) {
    for (const auto& e : fsim.possible) {
      if (e.error == rtl.error && e.index == rtl.index) {
        return {rtl.error == isa::Error::kDeadlock ? Verdict::kDeadlockBoth : Verdict::kErrorsAgree,
                ""};
      }
    }
    std::string model = fsim.possible.empty() ? "no error" : "";
    for (const auto& e : fsim.possible)
      model += (model.empty() ? "" : " or ") + error_text(e.error, e.index);
    return mismatch("the engine stops with " + error_text(rtl.error, rtl.index) +
                    ", the golden model with " + model);
  }
  if (fsim.error != isa::Error::kNone)
    return mismatch("the engine finishes, the golden model stops with " +
                    error_text(fsim.error, fsim.index));
  auto counts = [&](const char* what, uint64_t a, uint64_t b) -> std::string {
    return a == b ? ""
                  : std::string(what) + ": engine " + std::to_string(a) + ", golden model " +
                        std::to_string(b);
  };
  for (const std::string& d :
       {counts("MACS", rtl.macs, fsim.macs), counts("COMMANDS_RETIRED", rtl.retired, fsim.retired),
        counts("DMA_READ_BYTES", rtl.read_bytes, fsim.read_bytes),
        counts("DMA_WRITE_BYTES", rtl.write_bytes, fsim.write_bytes)}) {
    if (!d.empty()) return mismatch(d);
  }
  for (std::size_t i = 0; i < rtl.arena.size(); ++i) {
    if (rtl.arena[i] == fsim.arena[i]) continue;
    const uint64_t addr = layout.arena + i;
    bool timestamp = false;
    for (uint64_t t : races.timestamps)
      timestamp = timestamp || (addr >= t && addr < t + RaceReport::kTimestampEstimateBytes);
    if (timestamp) continue;
    char buf[120];
    std::snprintf(buf, sizeof buf, "memory at arena + 0x%zx: engine 0x%02x, golden model 0x%02x", i,
                  rtl.arena[i], fsim.arena[i]);
    return mismatch(buf);
  }
  return {Verdict::kCompared, ""};
}

}  // namespace tessera::fuzz
