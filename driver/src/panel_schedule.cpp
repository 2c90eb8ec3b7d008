// SPDX-License-Identifier: Apache-2.0
// The shared GEMM/convolution schedule; see panel_schedule.hpp.
#include "panel_schedule.hpp"

#include <algorithm>

namespace tessera::isa::detail {

void emit_panel_schedule(CommandStream& s, const PanelSchedule& p, uint32_t blocks,
                         const std::function<ActivationBlock(uint32_t)>& block) {
  const BuildConfig& cfg = s.config();
  const uint32_t cols = cfg.cols, bank = bank_lines(cfg), region = region_lines(cfg);
  const uint32_t tiles = uint32_t(p.tile_offset.size());
  const uint32_t panels = (p.n + cols - 1) / cols;
  const uint32_t total = blocks * panels;  // G

  if (!p.raw_int32) {
    Load table;
    table.dest = Load::Dest::kQTable;
    table.dram_addr = p.qtable_addr;
    table.row_bytes = qtable::kEntryBytes * p.n;
    table.rows = 1;
    table.dram_stride = table.row_bytes;
    s.push(table);
  }

  // Commands per panel: its loads, then its computes and stores. The stream puts panel
  // g+1's loads before panel g's computes, and a block's activation loads right after the
  // weight LOAD that makes them safe (panel_schedule.hpp), so that the dispatcher (which
  // queues commands in stream order) hands them to the load unit ahead of their compute.
  const bool one_panel = panels == 1;
  auto push_activations = [&](const ActivationBlock& blk, uint32_t b) {
    for (std::size_t i = 0; i < blk.loads.size(); ++i) {
      Load a = blk.loads[i];
      a.sram_line += (b % 2) * bank;
      a.deps = one_panel && i + 1 == blk.loads.size() ? kDepsPushNext : 0;
      s.push(a);
    }
  };
  std::vector<Command> pending_work;  // panel g's computes and stores, not yet pushed
  ActivationBlock blk = block(0), next_blk;
  if (!one_panel) push_activations(blk, 0);
  for (uint32_t b = 0, g = 0; b < blocks; ++b) {
    const uint32_t act_base = (b % 2) * bank;
    for (uint32_t j = 0; j < panels; ++j, ++g) {
      const uint32_t n0 = j * cols, n_cols = std::min(cols, p.n - n0);
      const uint32_t wgt_base = 2 * bank + (g % 2) * bank, acc_base = (g % 2) * region;
      Load w;                  // the panel's K rows; tile t in lines wgt_base + t*NumRows ..
      if (p.weights_packed) {  // one contiguous transfer: K lines of `cols` bytes
        w.dram_addr = p.weight_addr + uint64_t(j) * p.k * cols;
        w.row_bytes = p.k * cols;
        w.rows = 1;
        w.dram_stride = w.row_bytes;
      } else {
        w.dram_addr = p.weight_addr + n0;
        w.row_bytes = n_cols;
        w.rows = p.k;
        w.dram_stride = p.n;
      }
      w.sram_line = wgt_base;
      w.sram_stride = 1;
      w.deps = uint8_t((g >= 2 ? kDepsPopNext : 0) | (one_panel ? 0 : kDepsPushNext));
      s.push(w);
      if (one_panel) push_activations(blk, b);       // after the LOAD that waited for block b-2
      if (!one_panel && j == 1 && b + 1 < blocks) {  // the next block, a block ahead
        next_blk = block(b + 1);
        push_activations(next_blk, b + 1);
      }
      for (const Command& c : pending_work) s.push(c);
      pending_work.clear();
      for (uint32_t t = 0; t < tiles; ++t) {
        for (std::size_t q = 0; q < blk.segments.size(); ++q) {
          const auto& seg = blk.segments[q];
          Compute c;
          c.accumulate = t > 0;
          c.act_line = act_base + seg.act_line + p.tile_offset[t];
          c.act_stride = seg.act_stride;
          c.vectors = seg.vectors;
          c.act_rows = seg.act_rows;
          c.act_row_stride = seg.act_row_stride;
          c.wgt_line = wgt_base + t * cfg.rows;
          c.acc_line = acc_base + seg.acc_line;
          c.k_valid = p.tile_k_valid[t];
          c.n_valid = uint16_t(n_cols);
          uint8_t deps = 0;
          if (t == 0 && q == 0) deps |= kDepsPopPrev | (g >= 2 ? kDepsPopNext : 0);
          if (t == tiles - 1 && q + 1 == blk.segments.size())
            deps |= kDepsPushNext | (g + 2 < total ? kDepsPushPrev : 0);
          c.deps = deps;
          pending_work.push_back(encode(c));
        }
      }
      for (std::size_t o = 0; o < blk.outputs.size(); ++o) {
        const auto& out = blk.outputs[o];
        Store st;
        st.requantize = st.per_channel = !p.raw_int32;
        st.dram_addr = out.dram_addr + (p.raw_int32 ? 4ull : 1ull) * n0;
        st.rows = out.rows;
        st.acc_line = acc_base + out.acc_line;
        st.dram_stride = p.out_stride;
        st.cols = uint16_t(n_cols);
        st.zero_point = p.zero_point;
        st.act_min = p.act_min;
        st.act_max = p.act_max;
        st.qparam_entry = n0;
        st.pool = out.pool_width > 0;
        st.pool_width = out.pool_width;
        st.acc_pitch = out.acc_pitch;
        st.deps = uint8_t((o == 0 ? kDepsPopPrev : 0) |
                          (o + 1 == blk.outputs.size() && g + 2 < total ? kDepsPushPrev : 0));
        pending_work.push_back(encode(st));
      }
    }
    if (b + 1 < blocks) blk = one_panel ? block(b + 1) : next_blk;
  }
  for (const Command& c : pending_work) s.push(c);
}

}  // namespace tessera::isa::detail
