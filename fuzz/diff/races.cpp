// SPDX-License-Identifier: Apache-2.0
// find_races; see races.hpp.
#include "races.hpp"

#include <algorithm>
#include <array>
#include <deque>

#include "tessera/dataflow.hpp"

namespace tessera::fuzz {
namespace {

using namespace isa;
using Clock = std::array<uint32_t, kNumUnits>;

Clock join(Clock a, const Clock& b) {
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = std::max(a[i], b[i]);
  return a;
}

// The last write and the latest read per unit of one location.
struct Shadow {
  bool defined = false;    // its contents are the same on both (a full write, or read before)
  bool undefined = false;  // read before any write: the harness defines it
  uint32_t write_clock = 0, write_index = 0;
  uint8_t write_unit = 0;
  std::array<uint32_t, kNumUnits> read_clock{}, read_index{};
};

class Checker {
 public:
  Checker(const BuildConfig& c, const Layout& l)
      : c_(c),
        l_(l),
        spad_(c.scratchpad_lines),
        acc_(c.accumulator_lines),
        table_(c.qtable_entries),
        host_(l.arena_bytes) {
    for (Shadow& s : host_) s.defined = true;  // the harness writes the whole arena
  }

  Error execute(const Command& cmd, uint32_t index) {
    if (cmd.opcode() == Opcode::kFence) {
      for (const Clock& u : unit_) fence_ = join(fence_, u);
      if (cmd.mode() & kFenceModeTimestamp)
        report_.timestamps.push_back(cmd.get(fence::kDramAddr) + 4);
      return Error::kNone;
    }
    const std::size_t u = cmd.opcode() == Opcode::kLoad      ? 0
                          : cmd.opcode() == Opcode::kCompute ? 1
                                                             : 2;
    Clock vc = join(unit_[u], fence_);
    const uint8_t deps = cmd.deps();
    if (deps & kDepsPopPrev) vc = join(vc, take(forward_[u - 1]));
    if (deps & kDepsPopNext) vc = join(vc, take(backward_[u]));
    ++vc[u];
    unit_[u] = vc;
    u_ = u;
    vc_ = vc;
    index_ = index;
    accesses(cmd);
    if (deps & kDepsPushPrev) backward_[u - 1].push_back(vc);
    if (deps & kDepsPushNext) forward_[u].push_back(vc);
    return Error::kNone;
  }
  RaceReport report() {
    using Space = RaceReport::Space;
    for (auto [space, shadow] :
         {std::pair{Space::kScratchpad, &spad_}, std::pair{Space::kAccumulator, &acc_},
          std::pair{Space::kTable, &table_}}) {
      for (uint32_t i = 0; i < shadow->size();) {
        if (!(*shadow)[i].undefined) {
          ++i;
          continue;
        }
        uint32_t n = 0;
        while (i + n < shadow->size() && (*shadow)[i + n].undefined) ++n;
        report_.undefined.push_back({space, i, n});
        i += n;
      }
    }
    return std::move(report_);
  }

 private:
  static Clock take(std::deque<Clock>& q) {
    if (q.empty()) return {};
    Clock c = q.front();
    q.pop_front();
    return c;
  }

  // `whole`: a write of the whole location (a window's bytes leave the rest of its line).
  void touch(std::vector<Shadow>& space, const char* what, uint64_t at, bool write,
             bool whole = true) {
    if (at >= space.size()) return;  // out of range: the command fails, nothing to order
    Shadow& s = space[at];
    auto race = [&](uint32_t other_index) {
      if (!report_.race_free) return;
      report_.race_free = false;
      report_.first_race = "commands " + std::to_string(other_index) + " and " +
                           std::to_string(index_) + " both touch " + what + " " +
                           std::to_string(at) + " unordered";
    };
    if (!s.defined && !write) s.undefined = true;  // the harness will write it first
    if (write && whole) s.defined = true;
    if (!write) s.defined = true;
    if (s.write_clock && s.write_unit != u_ && vc_[s.write_unit] < s.write_clock)
      race(s.write_index);
    if (write) {
      for (std::size_t v = 0; v < kNumUnits; ++v)
        if (v != u_ && s.read_clock[v] > vc_[v]) race(s.read_index[v]);
      s.write_clock = vc_[u_];
      s.write_unit = uint8_t(u_);
      s.write_index = index_;
    } else if (vc_[u_] > s.read_clock[u_]) {
      s.read_clock[u_] = vc_[u_];
      s.read_index[u_] = index_;
    }
  }
  void lines(std::vector<Shadow>& space, const char* what, uint64_t first, uint64_t count,
             bool write) {
    for (uint64_t i = 0; i < count; ++i) touch(space, what, first + i, write);
  }
  void host(uint64_t addr, uint64_t bytes, bool write) {
    for (uint64_t i = 0; i < bytes; ++i) {
      const uint64_t a = addr + i;
      if (a >= l_.arena && a - l_.arena < l_.arena_bytes) {
        touch(host_, "host byte", a - l_.arena, write);
        if (!write) {
          for (uint64_t t : report_.timestamps)
            if (a >= t && a < t + RaceReport::kTimestampEstimateBytes && report_.race_free) {
              report_.race_free = false;
              report_.first_race = "command " + std::to_string(index_) + " reads a FENCE timestamp";
            }
        }
      } else if (a >= l_.window_base && a <= l_.window_limit && report_.race_free) {
        // The ring and the harness's record: written by the engine as it runs (a write there
        // may land before or after the fetch), and not the same bytes on both devices.
        report_.race_free = false;
        report_.first_race = "command " + std::to_string(index_) +
                             (write ? " writes the command ring" : " reads outside the arena");
      }
    }
  }

  void accesses(const Command& c) {
    const uint32_t R = c_.rows;
    switch (c.opcode()) {
      case Opcode::kLoad: {
        const uint64_t rows = c.get(load::kRows), bytes = c.get(load::kRowBytes);
        const uint64_t line = c.get(load::kSramLine), stride = c.get(load::kSramStride);
        const uint8_t mode = c.mode();
        for (uint64_t r = 0; r < rows; ++r) {
          if (!(mode & kLoadModeFill))
            host(c.get(load::kDramAddr) + r * c.get(load::kDramStride), bytes, false);
          const uint64_t first = line + r * stride;
          if (mode & kLoadModeToAccumulator) {
            lines(acc_, "accumulator line", first, bytes / (4 * c_.cols), true);
          } else if (mode & kLoadModeToQtable) {
            lines(table_, "table entry", first, bytes / 16, true);
          } else if (mode & kLoadModeWindows) {
            for (uint64_t i = 0; i < c.get(load::kWindows); ++i)
              touch(spad_, "scratchpad line", first + i * c.get(load::kWindowLineStride), true,
                    false);
          } else {
            lines(spad_, "scratchpad line", first, (bytes + R - 1) / R, true);
          }
        }
        return;
      }
      case Opcode::kCompute: {
        const uint64_t tiles = c.get(compute::kExtraTiles) + 1;
        const uint64_t vectors = c.get(compute::kVectors), rows = c.get(compute::kActRows);
        const bool depthwise = c.mode() & kComputeModeDepthwise;
        if (depthwise) {  // DW_TAPS weight lines per block
          lines(spad_, "scratchpad line", c.get(compute::kWgtLine), rows * kDwTaps, false);
        } else if (!(c.mode() & kComputeModeRescale)) {  // the vector path reads no weights
          lines(spad_, "scratchpad line", c.get(compute::kWgtLine), R * tiles, false);
        }
        // The activations; with DW_PAIR the second row too, DW_PAIR_OFFSET lines on.
        const uint64_t copies = c.mode() & kComputeModeDwPair ? 2 : 1;
        for (uint64_t copy = 0; copy < copies; ++copy) {
          const uint64_t first =
              c.get(compute::kActLine) + uint64_t(int64_t(copy) * dw_pair_offset(c));
          for (uint64_t t = 0; t < tiles; ++t) {
            for (uint64_t r = 0; r < rows; ++r) {
              for (uint64_t m = 0; m < vectors; ++m) {
                touch(spad_, "scratchpad line",
                      first + t * c.get(compute::kActTileStride) +
                          r * c.get(compute::kActRowStride) + m * c.get(compute::kActStride),
                      false);
              }
            }
          }
        }
        // The results; with ACCUMULATE each line is read before it is written (the sum
        // starts from what the line held).
        auto results = [&](uint64_t first, uint64_t count) {
          if (c.mode() & kComputeModeAccumulate)
            lines(acc_, "accumulator line", first, count, false);
          lines(acc_, "accumulator line", first, count, true);
        };
        if (!depthwise) {
          results(c.get(compute::kAccLine), rows * vectors);
        } else if (c.mode() & kComputeModeDwOutput) {  // block b's outputs, a pitch apart
          report_.reads_line_buffer = true;
          for (uint64_t b = 0; b < rows; ++b)
            results(c.get(compute::kAccLine) + b * c.get(compute::kDwBlockPitch), dw_outputs(c));
        }
        return;
      }
      case Opcode::kStore: {
        const uint8_t mode = c.mode();
        const bool requant = mode & kStoreModeRequantize, pool = mode & kStoreModePool2x2;
        const uint64_t rows = c.get(store::kRows), cols = c.get(store::kCols);
        const uint64_t panels = c.get(store::kExtraPanels) + 1;
        const uint64_t panel_pitch = c.get(store::kPanelPitch);
        if (requant)
          lines(table_, "table entry", c.get(store::kQparamEntry),
                (mode & kStoreModePerChannel) ? panels * cols : 1, false);
        const uint64_t width = pool ? c.get(store::kPoolWidth) : 1, pitch = c.get(store::kAccPitch);
        const uint64_t out_rows = pool ? rows * width : rows;
        const bool to_spad = mode & kStoreModeToScratchpad;
        for (uint64_t i = 0; i < out_rows; ++i) {
          const uint64_t line = c.get(store::kAccLine);
          if (pool) {
            const uint64_t top = line + (i / width) * 2 * pitch + 2 * (i % width);
            for (uint64_t d : {uint64_t(0), uint64_t(1), pitch, pitch + 1})
              touch(acc_, "accumulator line", top + d, false);
          } else {
            for (uint64_t p = 0; p < panels; ++p)
              touch(acc_, "accumulator line", line + p * panel_pitch + i, false);
          }
          if (to_spad) {  // COLS bytes of each line: a whole write only when COLS = a line
            for (uint64_t p = 0; p < panels; ++p)
              touch(spad_, "scratchpad line",
                    c.get(store::kSramLine) + i * c.get(store::kSramStride) +
                        p * c.get(store::kSramPanelPitch),
                    true, cols == R);
          } else {
            host(c.get(store::kDramAddr) + i * c.get(store::kDramStride),
                 panels * (requant ? cols : 4 * cols), true);
          }
        }
        return;
      }
      case Opcode::kFence:
        return;
    }
  }

  const BuildConfig& c_;
  const Layout& l_;
  std::vector<Shadow> spad_, acc_, table_, host_;
  Clock unit_[kNumUnits] = {}, fence_ = {}, vc_ = {};
  std::size_t u_ = 0;
  uint32_t index_ = 0;
  std::deque<Clock> forward_[kNumUnits - 1], backward_[kNumUnits - 1];
  RaceReport report_;
};

}  // namespace

RaceReport find_races(const std::vector<Command>& commands, const BuildConfig& config,
                      const Layout& layout) {
  Checker checker(config, layout);
  Dataflow flow(config);
  for (uint32_t i = 0; i < commands.size(); ++i) flow.fetched(commands[i], i);
  flow.run([&](const Command& c, uint32_t index) { return checker.execute(c, index); });
  return checker.report();
}

}  // namespace tessera::fuzz
