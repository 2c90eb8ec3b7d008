// SPDX-License-Identifier: Apache-2.0
// GEMM planning; see gemm_plan.hpp.
#include "tessera/gemm_plan.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "panel_schedule.hpp"

namespace tessera::isa {
namespace {

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

}  // namespace

uint32_t max_gemm_k(const BuildConfig& cfg) { return detail::bank_lines(cfg) * cfg.rows; }

void plan_gemm(CommandStream& s, const GemmPlan& p) {
  const BuildConfig& cfg = s.config();
  if (p.m == 0 || p.k == 0 || p.n == 0) {
    throw std::invalid_argument("GEMM M, K, N = " + std::to_string(p.m) + ", " +
                                std::to_string(p.k) + ", " + std::to_string(p.n) +
                                "; each must be >= 1");
  }
  const uint32_t kt = ceil_div(p.k, cfg.rows);  // K tiles: loaded in passes of a bank each
  const uint32_t bank = detail::bank_lines(cfg);
  if (p.k > max_gemm_k(cfg)) {
    throw std::invalid_argument("GEMM K = " + std::to_string(p.k) + " is above " +
                                std::to_string(max_gemm_k(cfg)) +
                                ", the longest row of A a scratchpad bank holds");
  }
  detail::PanelSchedule sched;
  sched.n = p.n;
  sched.k = p.k;
  for (uint32_t t = 0; t < kt; ++t) {
    sched.tile_offset.push_back(t);
    sched.tile_k_valid.push_back(uint16_t(std::min(cfg.rows, p.k - t * cfg.rows)));
  }
  sched.weight_addr = p.b_addr;
  sched.weights_packed = p.b_packed;
  sched.qtable_addr = p.qtable_addr;
  sched.barrier_addr = p.barrier_addr;
  sched.raw_int32 = p.raw_int32;
  sched.store_panels = detail::store_panels_for(cfg, p.n, kt, false, p.raw_int32);
  sched.out_stride = p.raw_int32 ? 4ull * p.n : p.n;
  sched.zero_point = p.zero_point;
  sched.act_min = p.act_min;
  sched.act_max = p.act_max;

  // Rows of A per block: one bank holds them (row i in lines i*kt ..), a region the results.
  const uint32_t mb = std::min(
      {bank / kt, detail::region_lines(cfg) / sched.store_panels, p.m, uint32_t(kMaxCount)});
  const uint32_t blocks = ceil_div(p.m, mb);
  detail::emit_panel_schedule(s, sched, blocks, [&](uint32_t b) {
    const uint32_t m0 = b * mb, m_rows = std::min(mb, p.m - m0);
    detail::ActivationBlock blk;
    Load a;
    a.dram_addr = p.a_addr + uint64_t(m0) * p.k;
    a.row_bytes = p.k;
    a.rows = m_rows;
    a.dram_stride = p.k;
    a.sram_line = 0;
    a.sram_stride = kt;
    blk.loads.push_back(a);
    blk.segments.push_back({0, kt, m_rows, 0});
    blk.outputs.push_back({p.c_addr + sched.out_stride * m0, m_rows, 0});
    return blk;
  });
}

std::vector<int8_t> pack_weights(const std::vector<int8_t>& b, uint32_t k, uint32_t n,
                                 uint32_t cols) {
  if (b.size() != std::size_t(k) * n) {
    throw std::invalid_argument(
        "pack_weights: B has " + std::to_string(b.size()) +
        " elements; expected K x N = " + std::to_string(std::size_t(k) * n));
  }
  const uint32_t panels = ceil_div(n, cols);
  std::vector<int8_t> packed(std::size_t(panels) * k * cols, 0);
  for (uint32_t j = 0; j < panels; ++j)
    for (uint32_t r = 0; r < k; ++r)
      for (uint32_t c = 0; c < cols && j * cols + c < n; ++c)
        packed[(std::size_t(j) * k + r) * cols + c] = b[std::size_t(r) * n + j * cols + c];
  return packed;
}

std::vector<int32_t> zero_point_bias(const std::vector<int32_t>& bias, const std::vector<int8_t>& b,
                                     uint32_t k, uint32_t n, int8_t a_zero_point) {
  if (b.size() != std::size_t(k) * n || (!bias.empty() && bias.size() != n)) {
    throw std::invalid_argument("zero_point_bias: " + std::to_string(b.size()) + " weights and " +
                                std::to_string(bias.size()) +
                                " biases; expected K x N = " + std::to_string(std::size_t(k) * n) +
                                " and 0 or N = " + std::to_string(n));
  }
  std::vector<int32_t> out(n);
  for (uint32_t j = 0; j < n; ++j) {
    int64_t sum = 0;
    for (std::size_t i = 0; i < k; ++i) sum += b[i * n + j];
    // Wrapping int32, as the engine's accumulator and the reference model wrap.
    out[j] = int32_t(uint32_t(bias.empty() ? 0 : bias[j]) - uint32_t(int64_t(a_zero_point) * sum));
  }
  return out;
}

}  // namespace tessera::isa
