// SPDX-License-Identifier: Apache-2.0
// Element-wise addition planning; see add_plan.hpp.
#include "tessera/add_plan.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "panel_schedule.hpp"

namespace tessera::isa {

std::vector<uint8_t> add_table_entry(int32_t out_multiplier, int out_shift) {
  return qtable_entries({0}, {out_multiplier}, {out_shift});
}

void plan_add(CommandStream& s, const AddPlan& p) {
  const BuildConfig& cfg = s.config();
  if (p.elements == 0) throw std::invalid_argument("add: 0 elements; must be >= 1");
  if (cfg.rows > cfg.cols) {
    throw std::invalid_argument("add: the vector path rescales min(NumRows, NumCols) lanes; this " +
                                std::to_string(cfg.rows) + "x" + std::to_string(cfg.cols) +
                                " build has more rows than columns");
  }
  for (const auto* in : {&p.a, &p.b}) {
    if (in->right_shift > 31) {
      throw std::invalid_argument("add: input right shift " + std::to_string(in->right_shift) +
                                  " is out of range [0, 31]");
    }
  }
  const uint32_t lanes = cfg.rows, bank = detail::bank_lines(cfg);
  const uint32_t region = detail::region_lines(cfg);
  const uint64_t block_lines = std::min<uint64_t>({region, bank, kMaxCount});
  const uint64_t lines = (p.elements + lanes - 1) / lanes;
  const uint32_t blocks = uint32_t((lines + block_lines - 1) / block_lines);

  Load table;
  table.dest = Load::Dest::kQTable;
  table.dram_addr = p.qtable_addr;
  table.row_bytes = qtable::kEntryBytes;
  table.rows = 1;
  table.dram_stride = table.row_bytes;
  s.push(table);

  // Block k: elements [k*block_lines*lanes, ...), a in bank 2*(k%2), b in the next bank,
  // results in region k%2. Tokens as the GEMM schedule's with one step per block: the
  // block's last LOAD gives its COMPUTEs one, their last gives the STORE one and (if block
  // k+2 exists) block k+2's first LOAD one (bank reuse); the last STORE gives block k+2's
  // first COMPUTE one (region reuse).
  auto push_loads = [&](uint32_t k) {
    const uint64_t first = uint64_t(k) * block_lines * lanes;
    const uint32_t bytes = uint32_t(std::min<uint64_t>(block_lines * lanes, p.elements - first));
    for (int input = 0; input < 2; ++input) {
      Load l;  // one row filling consecutive lines, the last line's tail zero
      l.dram_addr = (input == 0 ? p.a_addr : p.b_addr) + first;
      l.row_bytes = bytes;
      l.rows = 1;
      l.dram_stride = bytes;
      l.sram_line = (2 * (k % 2) + uint32_t(input)) * bank;
      l.sram_stride = (bytes + lanes - 1) / lanes;
      l.deps =
          uint8_t((input == 0 && k >= 2 ? kDepsPopNext : 0) | (input == 1 ? kDepsPushNext : 0));
      s.push(l);
    }
  };
  push_loads(0);
  for (uint32_t k = 0; k < blocks; ++k) {
    if (k + 1 < blocks) push_loads(k + 1);
    const uint64_t first = uint64_t(k) * block_lines * lanes;
    const uint64_t bytes = std::min<uint64_t>(block_lines * lanes, p.elements - first);
    const uint32_t n_lines = uint32_t((bytes + lanes - 1) / lanes);
    const uint32_t acc_base = (k % 2) * region;
    for (int input = 0; input < 2; ++input) {
      const AddPlan::Input& in = input == 0 ? p.a : p.b;
      Compute c;
      c.rescale = true;
      c.accumulate = input == 1;
      c.act_line = (2 * (k % 2) + uint32_t(input)) * bank;
      c.act_stride = 1;
      c.vectors = n_lines;
      c.acc_line = acc_base;
      c.k_valid = c.n_valid = 1;  // in range; the vector path counts no MACs
      c.rescale_multiplier = in.multiplier;
      c.rescale_right_shift = in.right_shift;
      c.rescale_zero_point = in.zero_point;
      c.deps = input == 0 ? uint8_t(kDepsPopPrev | (k >= 2 ? kDepsPopNext : 0))
                          : uint8_t(kDepsPushNext | (k + 2 < blocks ? kDepsPushPrev : 0));
      s.push(c);
    }
    // Whole lines as contiguous rows, then the last line's elements, if it is partial.
    const uint32_t full = uint32_t(bytes / lanes), tail = uint32_t(bytes % lanes);
    for (int part = 0; part < 2; ++part) {
      const uint32_t rows = part == 0 ? full : (tail ? 1 : 0);
      if (rows == 0) continue;
      Store st;
      st.requantize = true;
      st.dram_addr = p.out_addr + first + (part == 0 ? 0 : uint64_t(full) * lanes);
      st.rows = rows;
      st.acc_line = acc_base + (part == 0 ? 0 : full);
      st.dram_stride = lanes;
      st.cols = uint16_t(part == 0 ? lanes : tail);
      st.zero_point = p.zero_point;
      st.act_min = p.act_min;
      st.act_max = p.act_max;
      st.qparam_entry = 0;
      const bool first_store = part == 0 || full == 0, last_store = part == 1 || tail == 0;
      st.deps = uint8_t((first_store ? kDepsPopPrev : 0) |
                        (last_store && k + 2 < blocks ? kDepsPushPrev : 0));
      s.push(st);
    }
  }
}

}  // namespace tessera::isa
