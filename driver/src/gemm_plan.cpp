// GEMM planning; see gemm_plan.hpp.
#include "tessera/gemm_plan.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tessera::isa {
namespace {

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

}  // namespace

void plan_gemm(CommandStream& s, const GemmPlan& p) {
  const BuildConfig& cfg = s.config();
  const uint32_t rows = cfg.rows, cols = cfg.cols;
  if (p.m == 0 || p.k == 0 || p.n == 0) {
    throw std::invalid_argument("GEMM M, K, N = " + std::to_string(p.m) + ", " +
                                std::to_string(p.k) + ", " + std::to_string(p.n) +
                                "; each must be >= 1");
  }
  const uint32_t kt = ceil_div(p.k, rows);         // K tiles
  const uint32_t nt = ceil_div(p.n, cols);         // N tiles (panels)
  const uint32_t bank = cfg.scratchpad_lines / 4;  // lines per scratchpad bank
  const uint32_t acc_region = cfg.accumulator_lines / 2;
  if (kt * rows > bank) {
    throw std::invalid_argument("GEMM K = " + std::to_string(p.k) + " is above " +
                                std::to_string(bank) + ", the weight panel one bank holds");
  }
  if (p.n > cfg.qtable_entries) {
    throw std::invalid_argument("GEMM N = " + std::to_string(p.n) + " is above " +
                                std::to_string(cfg.qtable_entries) +
                                ", the quantization table's entries");
  }
  // Rows of A per block: the two banks 0-1 hold the block, an accumulator region its results.
  const uint32_t mb = std::min({2 * bank / kt, acc_region, p.m, uint32_t(kMaxRows)});

  Load table;
  table.dest = Load::Dest::kQTable;
  table.dram_addr = p.qtable_addr;
  table.row_bytes = kQTableEntryBytes * p.n;
  table.rows = 1;
  table.dram_stride = table.row_bytes;
  s.push(table);

  uint32_t panel = 0;  // global panel count: the tokens that recycle buffers
  for (uint32_t m0 = 0; m0 < p.m; m0 += mb) {
    const uint32_t m_rows = std::min(mb, p.m - m0);
    if (m0 > 0) s.push(Fence{false, p.scratch_addr, m0});  // the A block's lines are reused
    Load a;  // row i of the block in lines i*kt .. i*kt + kt - 1
    a.dram_addr = p.a_addr + uint64_t(m0) * p.k;
    a.row_bytes = p.k;
    a.rows = m_rows;
    a.dram_stride = p.k;
    a.sram_line = 0;
    a.sram_stride = kt;
    s.push(a);
    for (uint32_t j = 0; j < nt; ++j, ++panel) {
      const uint32_t n0 = j * cols, n_cols = std::min(cols, p.n - n0);
      const uint32_t wgt_base = 2 * bank + (panel % 2) * bank;
      const uint32_t acc_base = (panel % 2) * acc_region;
      Load b;            // the panel's K rows; tile t in lines wgt_base + t*rows ..
      if (p.b_packed) {  // one contiguous transfer: K lines of `cols` bytes
        b.dram_addr = p.b_addr + uint64_t(j) * p.k * cols;
        b.row_bytes = p.k * cols;
        b.rows = 1;
        b.dram_stride = b.row_bytes;
      } else {
        b.dram_addr = p.b_addr + n0;
        b.row_bytes = n_cols;
        b.rows = p.k;
        b.dram_stride = p.n;
      }
      b.sram_line = wgt_base;
      b.sram_stride = 1;
      b.deps = uint8_t(kDepsPushNext | (panel >= 2 ? kDepsPopNext : 0));
      s.push(b);
      for (uint32_t t = 0; t < kt; ++t) {
        Compute c;
        c.accumulate = t > 0;
        c.act_line = t;
        c.act_stride = kt;
        c.vectors = m_rows;
        c.wgt_line = wgt_base + t * rows;
        c.acc_line = acc_base;
        c.k_valid = uint16_t(std::min(rows, p.k - t * rows));
        c.n_valid = uint16_t(n_cols);
        uint8_t deps = 0;
        if (t == 0) deps |= kDepsPopPrev | (panel >= 2 ? kDepsPopNext : 0);
        if (t == kt - 1) deps |= kDepsPushPrev | kDepsPushNext;
        c.deps = deps;
        s.push(c);
      }
      Store st;
      st.requantize = st.per_channel = true;
      st.dram_addr = p.c_addr + uint64_t(m0) * p.n + n0;
      st.rows = m_rows;
      st.acc_line = acc_base;
      st.dram_stride = p.n;
      st.cols = uint16_t(n_cols);
      st.zero_point = p.zero_point;
      st.act_min = p.act_min;
      st.act_max = p.act_max;
      st.qparam_entry = n0;
      st.deps = kDepsPopPrev | kDepsPushPrev;
      s.push(st);
    }
  }
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

}  // namespace tessera::isa
