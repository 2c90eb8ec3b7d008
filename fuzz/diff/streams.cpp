// SPDX-License-Identifier: Apache-2.0
// StreamGenerator; see streams.hpp.
#include "streams.hpp"

#include <algorithm>
#include <stdexcept>

#include "fused_plan.hpp"  // the driver's, internal (driver/src)
#include "tessera/conv_plan.hpp"
#include "tessera/gemm_plan.hpp"

namespace tessera::fuzz {
namespace {

using namespace isa;

// The arena: inputs, weights, a valid quantization table, outputs.
constexpr uint64_t kArenaBytes = 64 * 1024;
constexpr uint64_t kInputs = 0x0000, kWeights = 0x4000, kTable = 0x8000, kOutputs = 0x9000;
constexpr uint32_t kTableEntries = 256;

class Rng {
 public:
  explicit Rng(uint64_t seed) : g_(seed) {}
  uint64_t bits() { return g_(); }
  // Uniform in [lo, hi].
  uint64_t in(uint64_t lo, uint64_t hi) { return lo + (hi > lo ? g_() % (hi - lo + 1) : 0); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(g_) < p; }

 private:
  std::mt19937_64 g_;
};

uint8_t random_deps(Rng& r, uint8_t allowed) {
  uint8_t d = 0;
  for (uint8_t bit = 1; bit; bit <<= 1)
    if ((allowed & bit) && r.chance(0.25)) d |= bit;
  return d;
}

class Builder {
 public:
  Builder(const BuildConfig& c, const Layout& l, Rng& r) : c_(c), l_(l), r_(r) {}

  // A line range of `count` lines that fits, mostly in the hot region.
  uint32_t line(uint32_t limit, uint32_t hot, uint64_t count) {
    const uint64_t top = (r_.chance(0.85) ? std::min(hot, limit) : limit);
    return uint32_t(r_.in(0, top > count ? top - count : 0));
  }
  uint64_t arena_addr(uint64_t bytes) {
    return l_.arena + r_.in(0, kArenaBytes > bytes ? kArenaBytes - bytes : 0);
  }

  Command load() {
    Load a;
    const double pick = double(r_.in(0, 99)) / 100;
    a.rows = uint32_t(r_.in(1, 6));
    uint32_t lines_per_row = 1;
    if (pick < 0.15) {
      a.dest = Load::Dest::kAccumulator;
      lines_per_row = uint32_t(r_.in(1, 2));
      a.row_bytes = 4 * c_.cols * lines_per_row;
    } else if (pick < 0.3) {
      a.dest = Load::Dest::kQTable;
      lines_per_row = uint32_t(r_.in(1, 4));
      a.row_bytes = 16 * lines_per_row;
    } else if (pick < 0.45) {
      a.fill = true;
      a.fill_value = int8_t(r_.bits());
      a.row_bytes = uint32_t(r_.in(1, 3 * c_.rows));
    } else if (pick < 0.6) {
      a.windows = uint16_t(r_.in(1, 6));
      a.window_bytes = uint16_t(r_.in(1, c_.rows));
      a.byte_offset = uint8_t(r_.in(0, c_.rows - a.window_bytes));
      a.window_step = uint32_t(r_.in(1, 8));
      a.window_line_stride = uint32_t(r_.in(1, 2));
      a.row_bytes = uint32_t((a.windows - 1) * a.window_step + a.window_bytes + r_.in(0, 8));
      lines_per_row = 1 + (a.windows - 1) * a.window_line_stride;
    } else {
      a.row_bytes = uint32_t(r_.in(1, 4 * c_.rows));
    }
    if (a.dest == Load::Dest::kScratchpad && !a.windows)
      lines_per_row = (a.row_bytes + c_.rows - 1) / c_.rows;
    a.sram_stride = uint32_t(lines_per_row + r_.in(0, 2));
    const uint64_t span = uint64_t(a.rows - 1) * a.sram_stride + lines_per_row;
    a.sram_line = a.dest == Load::Dest::kAccumulator
                      ? line(c_.accumulator_lines, l_.hot_acc_lines, span)
                  : a.dest == Load::Dest::kQTable ? line(c_.qtable_entries, l_.hot_entries, span)
                                                  : line(c_.scratchpad_lines, l_.hot_lines, span);
    if (!a.fill) {
      a.dram_stride = a.row_bytes + r_.in(0, 40);
      a.dram_addr = a.dest == Load::Dest::kQTable && r_.chance(0.7)
                        ? l_.arena + kTable + 16 * r_.in(0, kTableEntries - 4 * a.rows)
                        : arena_addr((a.rows - 1) * a.dram_stride + a.row_bytes);
    }
    a.deps = random_deps(r_, load::kDepsAllowed);
    return encode(a);
  }

  Command compute() {
    Compute a;
    a.vectors = uint32_t(r_.in(1, 20));
    a.act_rows = uint32_t(r_.in(1, 3));
    a.act_stride = uint32_t(r_.in(0, 2));
    a.act_row_stride = uint32_t(r_.in(0, 24));
    a.accumulate = r_.chance(0.5);
    a.k_valid = uint16_t(r_.in(1, c_.rows));
    a.n_valid = uint16_t(r_.in(1, c_.cols));
    if (r_.chance(0.12)) {  // the depthwise unit: an input row of 3 or more pixels
      a.depthwise = true;
      a.vectors = uint32_t(r_.in(kDwKernel, 14));
      a.dw_stride_2 = r_.chance(0.4);
      a.dw_pair = a.dw_stride_2 && r_.chance(0.5);  // a second row, DW_PAIR_OFFSET lines on
      a.dw_output = r_.chance(0.7);
      a.dw_block_pitch = uint16_t(a.dw_output ? r_.in(0, 20) : 0);
      if (r_.chance(0.5)) {  // padding the unit makes itself
        a.dw_pad = uint8_t(r_.in(0, 7));
        a.dw_zero_point = int8_t(r_.in(0, 255));
      }
      const uint64_t span =
          uint64_t(a.act_rows - 1) * a.act_row_stride + uint64_t(a.vectors - 1) * a.act_stride + 1;
      // The second row after the first, or (one in three) before it.
      const uint32_t gap = a.dw_pair ? uint32_t(r_.in(0, 3 * span)) : 0;
      const bool back = gap && r_.chance(1.0 / 3);
      a.act_line = line(c_.scratchpad_lines, l_.hot_lines, span + gap);
      if (back) a.act_line += gap;  // the second row at the first's old place
      a.dw_pair_offset = back ? -int32_t(gap) : int32_t(gap);
      a.wgt_line = line(c_.scratchpad_lines, l_.hot_lines, uint64_t(a.act_rows) * kDwTaps);
      a.acc_line = line(c_.accumulator_lines, l_.hot_acc_lines,
                        uint64_t(a.act_rows - 1) * a.dw_block_pitch + a.vectors);
      a.deps = random_deps(r_, compute::kDepsAllowed);
      return encode(a);
    }
    if (r_.chance(0.15)) {  // the vector path (TFLite ADD's input stage)
      a.rescale = true;
      a.rescale_multiplier = int32_t(r_.in(0, 0x7fffffff));
      a.rescale_right_shift = uint8_t(r_.in(0, 31));
      a.rescale_zero_point = int8_t(r_.in(0, 255));
    } else if (r_.chance(0.3)) {  // several K tiles
      a.extra_tiles = uint16_t(r_.in(1, 4));
      a.act_tile_stride = uint32_t(r_.in(0, 6));
    }
    const uint64_t span = uint64_t(a.act_rows - 1) * a.act_row_stride +
                          uint64_t(a.vectors - 1) * a.act_stride +
                          uint64_t(a.extra_tiles) * a.act_tile_stride + 1;
    a.act_line = line(c_.scratchpad_lines, l_.hot_lines, span);
    a.wgt_line = line(c_.scratchpad_lines, l_.hot_lines, uint64_t(a.extra_tiles + 1) * c_.rows);
    a.acc_line = line(c_.accumulator_lines, l_.hot_acc_lines, uint64_t(a.act_rows) * a.vectors);
    a.deps = random_deps(r_, compute::kDepsAllowed);
    return encode(a);
  }

  Command store() {
    Store a;
    a.cols = uint16_t(r_.in(1, c_.cols));
    a.requantize = r_.chance(0.6);
    a.per_channel = a.requantize && r_.chance(0.5);
    a.pool = a.requantize && r_.chance(0.2);
    a.zero_point = int8_t(r_.bits());
    a.act_min = int8_t(r_.in(0, 255) - 128);
    a.act_max = int8_t(r_.in(uint64_t(a.act_min + 128), 255) - 128);
    a.rows = uint32_t(r_.in(1, 6));
    uint64_t lines = a.rows;
    if (a.pool) {
      a.pool_width = uint16_t(r_.in(1, 4));
      a.acc_pitch = uint16_t(2 * a.pool_width + r_.in(0, 2));
      lines = uint64_t(2 * a.rows - 1) * a.acc_pitch + 2 * a.pool_width;
    } else if (r_.chance(0.3)) {  // several panels per row: lines of whole bus beats
      const uint32_t beat_lanes = a.requantize ? c_.bus_bytes : c_.bus_bytes / 4;
      if (beat_lanes >= 1 && beat_lanes <= c_.cols) {
        a.cols = uint16_t(beat_lanes * r_.in(1, c_.cols / beat_lanes));
        a.extra_panels = uint16_t(r_.in(1, kMaxExtraPanels));
        a.panel_pitch = uint16_t(r_.in(0, 12));
        lines = uint64_t(a.extra_panels) * a.panel_pitch + a.rows;
      }
    }
    a.acc_line = line(c_.accumulator_lines, l_.hot_acc_lines, lines);
    a.qparam_entry = line(c_.qtable_entries, l_.hot_entries,
                          a.per_channel ? uint64_t(a.extra_panels + 1) * a.cols : 1);
    const uint64_t row_bytes = (a.requantize ? a.cols : 4 * a.cols) * (a.extra_panels + 1u);
    const uint64_t out_rows = a.pool ? uint64_t(a.rows) * a.pool_width : a.rows;
    if (a.requantize && r_.chance(0.25)) {  // into the scratchpad, where COMPUTEs read
      a.to_scratchpad = true;
      a.cols = uint16_t(r_.in(1, std::min(c_.cols, c_.rows)));
      a.sram_stride = uint32_t(r_.in(0, a.extra_panels + 2u));
      a.sram_panel_pitch = a.extra_panels ? uint32_t(r_.in(0, out_rows + 1)) : 0;
      a.sram_line = line(c_.scratchpad_lines, l_.hot_lines,
                         (out_rows - 1) * a.sram_stride + a.extra_panels * a.sram_panel_pitch + 1);
      a.deps = random_deps(r_, store::kDepsAllowed);
      return encode(a);
    }
    a.dram_stride = row_bytes + r_.in(0, 24);
    a.dram_addr = arena_addr((out_rows - 1) * a.dram_stride + row_bytes);
    a.deps = random_deps(r_, store::kDepsAllowed);
    return encode(a);
  }

  Command fence() {
    Fence f;
    f.timestamp = r_.chance(0.2);
    f.dram_addr = arena_addr(16) & ~uint64_t(f.timestamp ? 15 : 3);
    f.value = uint32_t(r_.bits());
    f.interrupt = r_.chance(0.3);
    return encode(f);
  }

  Command any() {
    const uint64_t pick = r_.in(0, 99);
    return pick < 35 ? load() : pick < 65 ? compute() : pick < 92 ? store() : fence();
  }

  // Two GEMM layers chained on chip: layer 1's results STOREd TO_SCRATCHPAD as layer 2's
  // activations (row m's K tiles at lines S/2 + m x P1 + p), its token ordering layer 2's
  // COMPUTEs; layer 2 to host memory. Random M, K tiles and panels (an engine whose lines
  // hold a panel: COLS <= ROWS).
  std::vector<Command> chained() {
    const uint32_t R = c_.rows, C = c_.cols, S = c_.scratchpad_lines;
    const uint32_t m = uint32_t(r_.in(1, 16)), t1 = uint32_t(r_.in(1, 2));
    const uint32_t p1 = uint32_t(r_.in(1, 2));
    CommandStream s(c_);
    Load la;  // A: row m's t1 K tiles in lines m t1 .. m t1 + t1 - 1
    la.dram_addr = l_.arena + kInputs;
    la.row_bytes = t1 * R;
    la.rows = m;
    la.dram_stride = t1 * R;
    la.sram_stride = t1;
    s.push(la);
    Load lw;  // B1's p1 x t1 tiles from S/4, then B2's p1 tiles from 3S/4
    lw.dram_addr = l_.arena + kWeights;
    lw.row_bytes = R;
    lw.rows = p1 * t1 * R;
    lw.dram_stride = R;
    lw.sram_line = S / 4;
    lw.sram_stride = 1;
    s.push(lw);
    lw.dram_addr += uint64_t(p1) * t1 * R * R;
    lw.rows = p1 * R;
    lw.sram_line = 3 * (S / 4);
    s.push(lw);
    Load lt;
    lt.dest = Load::Dest::kQTable;
    lt.dram_addr = l_.table;
    lt.row_bytes = (p1 + 1) * C * qtable::kEntryBytes;
    lt.rows = 1;
    lt.deps = kDepsPushNext;
    s.push(lt);
    for (uint32_t p = 0; p < p1; ++p) {
      for (uint32_t t = 0; t < t1; ++t) {
        Compute c;
        c.accumulate = t > 0;
        c.act_line = t;
        c.act_stride = t1;
        c.vectors = m;
        c.wgt_line = S / 4 + (p * t1 + t) * R;
        c.acc_line = 16 * p;
        c.k_valid = uint16_t(R);
        c.n_valid = uint16_t(C);
        c.deps = uint8_t((p == 0 && t == 0 ? kDepsPopPrev : 0) |
                         (p == p1 - 1 && t == t1 - 1 ? kDepsPushNext : 0));
        s.push(c);
      }
    }
    Store s1;
    s1.requantize = s1.to_scratchpad = true;
    s1.per_channel = r_.chance(0.5);
    s1.rows = m;
    s1.cols = uint16_t(C);
    s1.extra_panels = uint16_t(p1 - 1);
    s1.panel_pitch = p1 > 1 ? 16 : 0;
    s1.zero_point = int8_t(r_.bits());
    s1.sram_line = S / 2;
    s1.sram_stride = p1;
    s1.sram_panel_pitch = p1 > 1 ? 1 : 0;
    s1.deps = kDepsPopPrev | kDepsPushPrev;
    s.push(s1);
    for (uint32_t t = 0; t < p1; ++t) {
      Compute c;
      c.accumulate = t > 0;
      c.act_line = S / 2 + t;
      c.act_stride = p1;
      c.vectors = m;
      c.wgt_line = 3 * (S / 4) + t * R;
      c.acc_line = 48;
      c.k_valid = uint16_t(C);  // a line's first C bytes are layer 1's
      c.n_valid = uint16_t(C);
      c.deps = uint8_t((t == 0 ? kDepsPopNext : 0) | (t == p1 - 1 ? kDepsPushNext : 0));
      s.push(c);
    }
    Store s2;
    s2.requantize = s2.per_channel = true;
    s2.dram_addr = l_.arena + kOutputs;
    s2.rows = m;
    s2.acc_line = 48;
    s2.dram_stride = C;
    s2.cols = uint16_t(C);
    s2.qparam_entry = p1 * C;
    s2.deps = kDepsPopPrev;
    s.push(s2);
    return s.commands();
  }

  // The driver's plans, on random bytes (results are compared between the two models,
  // not against the reference), and now and then two layers chained through the scratchpad.
  std::vector<Command> plan() {
    if (c_.cols <= c_.rows && c_.accumulator_lines >= 64 && r_.chance(0.2)) return chained();
    for (int attempt = 0; attempt < 20; ++attempt) {
      CommandStream s(c_);
      try {
        if (r_.chance(0.15)) {  // an expansion 1x1 and its depthwise layer, fused
          ConvPlan e, d;
          e.h = d.h = uint32_t(r_.in(3, 8));
          e.w = d.w = uint32_t(r_.in(3, 8));
          e.c = uint32_t(r_.in(1, 20));
          e.out_channels = d.c = d.out_channels = d.groups = uint32_t(r_.in(1, 40));
          d.kernel_h = d.kernel_w = 3;
          d.stride_h = d.stride_w = uint32_t(r_.in(1, 2));
          d.pad_top = d.pad_bottom = d.pad_left = d.pad_right = 1;
          e.input_zero_point = int8_t(r_.bits());
          e.zero_point = d.input_zero_point = int8_t(r_.bits());
          e.act_min = e.zero_point;  // a ReLU between, as the blocks have
          d.zero_point = int8_t(r_.bits());
          e.input_addr = l_.arena + kInputs;
          e.weight_addr = l_.arena + kWeights;
          d.weight_addr = l_.arena + kWeights + 0x2000;
          e.qtable_addr = l_.arena + kTable;
          d.qtable_addr = l_.arena + kTable + 0x400;
          d.output_addr = l_.arena + kOutputs;
          detail::plan_expand_depthwise(s, e, d);
        } else if (r_.chance(0.5)) {
          GemmPlan p;
          p.m = uint32_t(r_.in(1, 64));
          p.k = uint32_t(r_.in(1, 64));
          p.n = uint32_t(r_.in(1, 48));
          p.a_addr = l_.arena + kInputs;
          p.b_addr = l_.arena + kWeights;
          p.b_packed = r_.chance(0.5);
          p.c_addr = l_.arena + kOutputs;
          p.qtable_addr = l_.arena + kTable;
          p.raw_int32 = r_.chance(0.2);
          p.zero_point = int8_t(r_.bits());
          plan_gemm(s, p);
        } else {
          ConvPlan p;
          p.h = uint32_t(r_.in(1, 10));
          p.w = uint32_t(r_.in(1, 10));
          p.c = uint32_t(r_.in(1, 20));
          p.kernel_h = p.kernel_w = uint32_t(r_.in(1, 3));
          if (r_.chance(0.25)) p.groups = p.c;  // depthwise: 3x3 on the depthwise unit
          p.stride_h = p.stride_w = uint32_t(r_.in(1, 2));
          p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = uint32_t(r_.in(0, 1));
          p.out_channels = p.groups > 1 ? p.c : uint32_t(r_.in(1, 24));
          p.input_zero_point = int8_t(r_.bits());
          p.input_addr = l_.arena + kInputs;
          p.weight_addr = l_.arena + kWeights;
          p.output_addr = l_.arena + kOutputs;
          p.qtable_addr = l_.arena + kTable;
          p.raw_int32 = r_.chance(0.2);
          p.max_pool = !p.raw_int32 && r_.chance(0.3);
          plan_conv2d(s, p);
        }
      } catch (const std::invalid_argument&) {
        continue;  // a shape this build cannot place: another one
      }
      if (s.size() + 8 < l_.ring_size) return s.commands();
    }
    return {fence()};
  }

  void mutate(std::vector<Command>& cs) {
    const uint64_t how = r_.in(0, 5);
    const std::size_t at = cs.empty() ? 0 : std::size_t(r_.in(0, cs.size() - 1));
    if (cs.empty() || how == 2) {
      cs.insert(cs.begin() + std::ptrdiff_t(std::min(at, cs.size())), any());
    } else if (how == 0) {  // a bit flip anywhere in the command
      auto bytes = cs[at].bytes();
      bytes[r_.in(0, kCommandBytes - 1)] ^= uint8_t(1u << r_.in(0, 7));
      cs[at] = Command::from_bytes(bytes.data());
    } else if (how == 1) {  // a field to a random or boundary value
      const OpcodeInfo* op = nullptr;
      for (const OpcodeInfo& o : kOpcodes)
        if (o.opcode == cs[at].opcode()) op = &o;
      if (!op) return;
      const FieldInfo& f = op->fields[r_.in(0, op->field_count - 1)];
      const uint64_t max = f.field.bytes >= 8 ? ~0ull : (1ull << (8 * f.field.bytes)) - 1;
      const uint64_t values[] = {0, 1, max, max - 1, r_.bits() & max, r_.in(0, 70)};
      cs[at].set(f.field, values[r_.in(0, 5)]);
    } else if (how == 3) {
      cs.erase(cs.begin() + std::ptrdiff_t(at));
    } else if (how == 4) {
      cs.insert(cs.begin() + std::ptrdiff_t(at), cs[at]);
    } else if (at + 1 < cs.size()) {
      std::swap(cs[at], cs[at + 1]);
    }
  }

  Command illegal() {
    std::array<uint8_t, kCommandBytes> b{};
    for (auto& x : b) x = uint8_t(r_.bits());
    if (r_.chance(0.5)) b[0] = uint8_t(r_.in(0, 6));  // often a real opcode with bad fields
    return Command::from_bytes(b.data());
  }

  // A command that runs past the window, or starts outside it.
  Command window_violation() {
    Command c = r_.chance(0.5) ? load() : store();
    while (c.opcode() == Opcode::kLoad && (c.mode() & kLoadModeFill)) c = load();  // no address
    const uint64_t edges[] = {l_.window_limit + 1 - r_.in(0, 64), l_.window_base - r_.in(1, 64),
                              ~0ull - r_.in(0, 64), r_.bits()};
    const Field addr = c.opcode() == Opcode::kLoad ? load::kDramAddr : store::kDramAddr;
    c.set(addr, edges[r_.in(0, 3)]);
    if (r_.chance(0.3))
      c.set(c.opcode() == Opcode::kLoad ? load::kDramStride : store::kDramStride, r_.bits());
    return c;
  }

  // Token patterns: commands whose flags may not balance (deadlocks), or MAX_TOKENS + 1 owed.
  std::vector<Command> tokens() {
    std::vector<Command> cs;
    if (r_.chance(0.1)) {
      Load a;
      a.fill = true;
      a.row_bytes = 1;
      a.rows = 1;
      a.sram_stride = 1;
      a.deps = kDepsPushNext;
      for (uint32_t i = 0; i < kMaxTokens + r_.in(0, 3); ++i) {
        a.sram_line = i % l_.hot_lines;
        cs.push_back(encode(a));
      }
      return cs;
    }
    const uint64_t n = r_.in(2, 16);
    for (uint64_t i = 0; i < n; ++i) {
      Command c = r_.chance(0.5) ? load() : r_.chance(0.5) ? compute() : store();
      c.set(kHdrDeps, random_deps(r_, c.opcode() == Opcode::kLoad      ? load::kDepsAllowed
                                      : c.opcode() == Opcode::kCompute ? compute::kDepsAllowed
                                                                       : store::kDepsAllowed));
      cs.push_back(c);
    }
    return cs;
  }

 private:
  const BuildConfig& c_;
  const Layout& l_;
  Rng& r_;
};

}  // namespace

Layout Layout::for_memory(uint64_t memory_base) {
  Layout l;
  l.memory_base = memory_base;
  l.ring = memory_base;
  l.done = memory_base + 64ull * l.ring_size;
  l.arena = l.done + 4096;
  l.arena_bytes = kArenaBytes;
  l.window_base = l.ring;
  l.window_limit = l.arena + kArenaBytes - 1;
  l.table = l.arena + kTable;
  return l;
}

const char* kind_name(StreamKind k) {
  switch (k) {
    case StreamKind::kPlan:
      return "plan";
    case StreamKind::kMutatedPlan:
      return "mutated plan";
    case StreamKind::kRandom:
      return "random";
    case StreamKind::kIllegal:
      return "illegal";
    case StreamKind::kWindow:
      return "window";
    case StreamKind::kTokens:
      return "tokens";
    case StreamKind::kCount:
      break;
  }
  return "?";
}

Stream StreamGenerator::generate(uint64_t seed) const {
  Rng r(seed);
  Builder b(config_, layout_, r);
  Stream s;
  s.arena.resize(kArenaBytes);
  for (auto& x : s.arena) x = uint8_t(r.bits());
  // A valid table: multipliers in [0, 2^31), shifts in [-31, 30] (a few bad ones elsewhere).
  for (uint32_t e = 0; e < kTableEntries; ++e) {
    uint8_t* p = &s.arena[kTable + 16 * e];
    const uint32_t mult = uint32_t(r.bits() >> 33), shift = uint32_t(int32_t(r.in(0, 61)) - 31);
    for (int i = 0; i < 4; ++i) {
      p[4 + i] = uint8_t(mult >> (8 * i));
      p[8 + i] = uint8_t(shift >> (8 * i));
      p[12 + i] = 0;
    }
  }
  const uint64_t pick = r.in(0, 99);
  s.kind = pick < 20   ? StreamKind::kPlan
           : pick < 45 ? StreamKind::kMutatedPlan
           : pick < 75 ? StreamKind::kRandom
           : pick < 83 ? StreamKind::kIllegal
           : pick < 91 ? StreamKind::kWindow
                       : StreamKind::kTokens;
  switch (s.kind) {
    case StreamKind::kPlan:
      s.commands = b.plan();
      break;
    case StreamKind::kMutatedPlan:
      s.commands = b.plan();
      for (uint64_t i = r.in(1, 3); i > 0; --i) b.mutate(s.commands);
      break;
    case StreamKind::kRandom:
      for (uint64_t i = r.in(1, 40); i > 0; --i) s.commands.push_back(b.any());
      break;
    case StreamKind::kIllegal:
      for (uint64_t i = r.in(0, 8); i > 0; --i) s.commands.push_back(b.any());
      s.commands.insert(s.commands.begin() + std::ptrdiff_t(r.in(0, s.commands.size())),
                        b.illegal());
      break;
    case StreamKind::kWindow:
      for (uint64_t i = r.in(0, 8); i > 0; --i) s.commands.push_back(b.any());
      s.commands.insert(s.commands.begin() + std::ptrdiff_t(r.in(0, s.commands.size())),
                        b.window_violation());
      break;
    case StreamKind::kTokens:
      s.commands = b.tokens();
      break;
    case StreamKind::kCount:
      break;
  }
  return s;
}

}  // namespace tessera::fuzz
