// SPDX-License-Identifier: Apache-2.0
// Two GEMM layers chained through the scratchpad, for the engine's and the golden model's
// tests: C1 = requant(A[M x 32] B1[32 x 32]) STOREd TO_SCRATCHPAD as the next layer's
// activations (row m's two K tiles in lines 8192 + 2m, 8192 + 2m + 1); C2 = requant(C1 B2[32 x
// 16]) STOREd to host memory. C1 never goes through host memory; STORE 1's PUSH_PREV token
// orders layer 2's COMPUTEs after its lines. Written for the 16x16 engine.
#pragma once

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <vector>

#include "tessera/isa.hpp"
#include "tessera/ref.hpp"

namespace tessera::test {

// A per-channel output stage with random scales, zero point, clamp (ReLU if asked) and bias;
// multipliers scaled for accumulators of a few thousand.
inline ref::OutputStage random_output_stage(std::mt19937_64& rng, uint32_t channels, bool relu,
                                            std::vector<int32_t>& bias) {
  ref::OutputStage stage;
  stage.zero_point = int32_t(rng() % 256) - 128;
  if (relu) ref::set_activation(stage, ref::Activation::kRelu, 0.05);
  bias.resize(channels);
  for (uint32_t c = 0; c < channels; ++c) {
    int32_t mult = 0;
    int shift = 0;
    ref::quantize_multiplier(std::exp2(-double(6 + rng() % 8)) * (1 + double(rng() % 100) / 100),
                             mult, shift);
    bias[c] = int32_t(rng() % 4001) - 2000;
    stage.multiplier.push_back(mult);
    stage.shift.push_back(shift);
  }
  return stage;
}

struct ChainedLayers {
  static constexpr uint32_t kK1 = 32, kN1 = 32, kN2 = 16;
  uint32_t m = 1;
  std::vector<int8_t> a, b1, b2;
  std::vector<int32_t> bias1, bias2;
  ref::OutputStage stage1, stage2;

  // Random tensors and stages (layer 1 with ReLU if asked).
  static ChainedLayers random(std::mt19937_64& rng, uint32_t m, bool relu) {
    ChainedLayers l;
    l.m = m;
    auto bytes = [&](std::size_t n) {
      std::vector<int8_t> v(n);
      for (auto& x : v) x = int8_t(rng());
      return v;
    };
    l.a = bytes(m * kK1);
    l.b1 = bytes(kK1 * kN1);
    l.b2 = bytes(kN1 * kN2);
    l.stage1 = random_output_stage(rng, kN1, relu, l.bias1);
    l.stage2 = random_output_stage(rng, kN2, false, l.bias2);
    return l;
  }

  // The host bytes: A, B1 (row-major) and B2 at `b` and `b` + 0x1000, the table (C1's
  // entries, then C2's).
  void write(const std::function<void(uint64_t, const void*, std::size_t)>& put, uint64_t a_addr,
             uint64_t b_addr, uint64_t table_addr) const {
    put(a_addr, a.data(), a.size());
    put(b_addr, b1.data(), b1.size());
    put(b_addr + 0x1000, b2.data(), b2.size());
    auto table = isa::qtable_entries(bias1, stage1.multiplier, stage1.shift);
    const auto table2 = isa::qtable_entries(bias2, stage2.multiplier, stage2.shift);
    table.insert(table.end(), table2.begin(), table2.end());
    put(table_addr, table.data(), table.size());
  }

  std::vector<isa::Command> commands(uint64_t a_addr, uint64_t b_addr, uint64_t table_addr,
                                     uint64_t c_addr) const {
    using namespace isa;
    CommandStream s;
    Load la;  // A: row m's two K tiles in lines 2m, 2m + 1
    la.dram_addr = a_addr;
    la.row_bytes = kK1;
    la.rows = m;
    la.dram_stride = kK1;
    la.sram_stride = 2;
    s.push(la);
    for (uint32_t p = 0; p < kN1 / 16; ++p) {  // B1's panel p: K1 lines from 4096 + p K1
      Load lb;
      lb.dram_addr = b_addr + 16 * p;
      lb.row_bytes = 16;
      lb.rows = kK1;
      lb.dram_stride = kN1;
      lb.sram_line = 4096 + p * kK1;
      lb.sram_stride = 1;
      s.push(lb);
    }
    Load lb2;  // B2: N1 lines from 12288 (bank 3)
    lb2.dram_addr = b_addr + 0x1000;
    lb2.row_bytes = kN2;
    lb2.rows = kN1;
    lb2.dram_stride = kN2;
    lb2.sram_line = 12288;
    lb2.sram_stride = 1;
    s.push(lb2);
    Load lt;
    lt.dest = Load::Dest::kQTable;
    lt.dram_addr = table_addr;
    lt.row_bytes = (kN1 + kN2) * qtable::kEntryBytes;
    lt.rows = 1;
    lt.deps = kDepsPushNext;  // loads run in order: everything is in
    s.push(lt);
    // Layer 1: panel p's results in accumulator lines 64p .. 64p + M - 1.
    for (uint32_t p = 0; p < kN1 / 16; ++p) {
      for (uint32_t t = 0; t < kK1 / 16; ++t) {
        Compute c;
        c.accumulate = t > 0;
        c.act_line = t;
        c.act_stride = 2;
        c.vectors = m;
        c.wgt_line = 4096 + p * kK1 + 16 * t;
        c.acc_line = 64 * p;
        c.k_valid = c.n_valid = 16;
        const bool first = p == 0 && t == 0, last = p == kN1 / 16 - 1 && t == kK1 / 16 - 1;
        c.deps = uint8_t((first ? kDepsPopPrev : 0) | (last ? kDepsPushNext : 0));
        s.push(c);
      }
    }
    Store s1;  // C1 row m, panel p -> scratchpad line 8192 + 2m + p: layer 2's K tile p
    s1.requantize = s1.per_channel = s1.to_scratchpad = true;
    s1.rows = m;
    s1.cols = 16;
    s1.extra_panels = kN1 / 16 - 1;
    s1.panel_pitch = 64;
    s1.zero_point = int8_t(stage1.zero_point);
    s1.act_min = int8_t(stage1.act_min);
    s1.act_max = int8_t(stage1.act_max);
    s1.sram_line = 8192;
    s1.sram_stride = 2;
    s1.sram_panel_pitch = 1;
    s1.deps = kDepsPopPrev | kDepsPushPrev;
    s.push(s1);
    for (uint32_t t = 0; t < kN1 / 16; ++t) {  // layer 2, after STORE 1's token
      Compute c;
      c.accumulate = t > 0;
      c.act_line = 8192 + t;
      c.act_stride = 2;
      c.vectors = m;
      c.wgt_line = 12288 + 16 * t;
      c.acc_line = 256;
      c.k_valid = c.n_valid = 16;
      c.deps = uint8_t((t == 0 ? kDepsPopNext : 0) | (t == kN1 / 16 - 1 ? kDepsPushNext : 0));
      s.push(c);
    }
    Store s2;
    s2.requantize = s2.per_channel = true;
    s2.dram_addr = c_addr;
    s2.rows = m;
    s2.acc_line = 256;
    s2.dram_stride = kN2;
    s2.cols = kN2;
    s2.zero_point = int8_t(stage2.zero_point);
    s2.act_min = int8_t(stage2.act_min);
    s2.act_max = int8_t(stage2.act_max);
    s2.qparam_entry = kN1;
    s2.deps = kDepsPopPrev;
    s.push(s2);
    return s.commands();
  }

  // C2 by the reference model.
  std::vector<int8_t> want() const {
    const auto c1 = ref::requantize(ref::gemm(a, b1, bias1, m, kK1, kN1), m, kN1, stage1);
    return ref::requantize(ref::gemm(c1, b2, bias2, m, kN1, kN2), m, kN2, stage2);
  }
};

}  // namespace tessera::test
