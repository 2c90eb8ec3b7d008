// SPDX-License-Identifier: Apache-2.0
// The shared GEMM/convolution schedule; see panel_schedule.hpp.
#include "panel_schedule.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tessera::isa::detail {
namespace {

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

// The load unit's cycles for a LOAD, roughly: a scratchpad line per window, per filled line
// or per line of row data, and a command's fixed cost.
uint64_t load_work(const Load& a, const BuildConfig& cfg) {
  const uint64_t lines_per_row = (uint64_t(a.row_bytes) + cfg.rows - 1) / cfg.rows;
  return 8 + uint64_t(a.rows) * (a.windows > 0 ? a.windows : lines_per_row);
}

// Where `pieces` runs of `loads` of about equal work end: run q is loads [q == 0 ? 0 :
// ends[q - 1], ends[q]), the last run ending with the last load.
std::vector<std::size_t> piece_ends(const std::vector<Load>& loads, uint32_t pieces,
                                    const BuildConfig& cfg) {
  std::vector<uint64_t> done{0};  // work of loads [0, i)
  for (const Load& a : loads) done.push_back(done.back() + load_work(a, cfg));
  std::vector<std::size_t> ends(pieces, loads.size());
  for (uint32_t q = 0, i = 0; q + 1 < pieces; ++q) {
    const uint64_t goal = done.back() * (q + 1) / pieces;
    while (i < loads.size() && done[i] < goal) ++i;  // loads that start before it
    ends[q] = i;
  }
  return ends;
}

// Panels whose results one STORE writes, row by row: up to PanelSchedule::store_panels full
// panels, a last partial panel (fewer columns) on its own.
struct StoreGroup {
  uint32_t first = 0, count = 0;
};
std::vector<StoreGroup> store_groups(const PanelSchedule& p, uint32_t cols, uint32_t first_panel,
                                     uint32_t end_panel) {
  std::vector<StoreGroup> groups;
  const uint32_t full_end = std::min(end_panel, p.n / cols);
  for (uint32_t j = first_panel; j < end_panel;) {
    const uint32_t count = j < full_end ? std::min(p.store_panels, full_end - j) : 1;
    groups.push_back({j, count});
    j += count;
  }
  return groups;
}

// Panels [first_panel, end_panel) of the schedule, every block; their table entries are
// loaded into entries 0 .. of the quantization table.
void emit_group(CommandStream& s, const PanelSchedule& p, uint32_t blocks,
                const std::function<ActivationBlock(uint32_t)>& block, uint32_t first_panel,
                uint32_t end_panel) {
  const BuildConfig& cfg = s.config();
  const uint32_t cols = cfg.cols, bank = bank_lines(cfg), region = region_lines(cfg);
  const uint32_t tiles = uint32_t(p.tile_offset.size());
  // Passes of at most a bank's tiles, as even as they go: a short last pass would compute
  // for less time than the next pass's weights take to load.
  const uint32_t passes = ceil_div(tiles, bank / cfg.rows);
  const uint32_t tiles_per_pass = ceil_div(tiles, passes);
  const uint32_t panels = end_panel - first_panel;
  const uint32_t group_n0 = first_panel * cols;
  const uint32_t steps_per_block = panels * passes;
  const std::vector<StoreGroup> stores = store_groups(p, cols, first_panel, end_panel);
  const uint32_t total_groups = blocks * uint32_t(stores.size());  // G
  const uint32_t panel_pitch = region / p.store_panels;            // a group's panels in its region

  Load table;
  table.dest = Load::Dest::kQTable;
  table.dram_addr = p.qtable_addr + uint64_t(qtable::kEntryBytes) * group_n0;
  table.row_bytes = qtable::kEntryBytes * (std::min(p.n, end_panel * cols) - group_n0);
  table.rows = 1;
  table.dram_stride = table.row_bytes;

  // Commands per step: its loads, then its computes (and, after a panel's last pass, its
  // stores). The stream puts step s+1's loads before step s's computes, and a block's
  // activation loads right after the weight LOAD that makes them safe (panel_schedule.hpp),
  // so that the dispatcher (which queues commands in stream order) hands them to the load
  // unit ahead of their compute.
  const bool one_step = steps_per_block == 1;
  // Resident weights (panel_schedule.hpp): every panel's K rows fit the two weight banks at
  // once, so block 0 loads them, panel j's at line resident_line(j), and the other blocks
  // reuse them.
  const bool resident = p.weights_packed && cfg.rows == cols && passes == 1 && blocks >= 2 &&
                        uint64_t(panels - 1) * p.k + uint64_t(tiles) * cfg.rows <= 2ull * bank;
  auto resident_line = [&](uint32_t j) { return 2 * bank + (j - first_panel) * p.k; };
  // Load groups: one LOAD brings the weights of `per_load` consecutive one-pass steps
  // (panels), one after another (every transfer costs a memory latency). Resident weights of
  // 512 lines or fewer come in one: a LOAD per panel would cost a latency apiece before
  // block 0's last panel computes (112^2x16 -> 96: 79.6 -> 80.0 %), and more lines would
  // hold block 0's first compute back for longer than that saves. Otherwise, where a tile
  // has few vectors (its weights take about as long to load as it computes), up to a bank
  // each, the block keeping two groups or more so that its next block's activations still
  // have a weight LOAD to follow. LG groups per block.
  ActivationBlock blk = block(0), next_blk;
  uint64_t vectors = 0;  // per tile, in the first block
  for (const auto& seg : blk.segments) vectors += uint64_t(seg.vectors) * seg.act_rows;
  const bool weight_bound =
      passes == 1 && p.weights_packed && cfg.rows == cols && vectors <= 2 * cfg.rows;
  // Weight slots: with one block (nothing else shares the banks' turns) a weight-bound plan
  // loads a panel per LOAD into as many slots as banks 2 and 3 hold, so the load unit runs
  // slots - 1 panels ahead of the compute, its LOADs back to back on the bus (the read
  // engine takes the next descriptor early), and only the last panel computes after the
  // last transfer (FC 2048 -> 1000 at M = 1: 138 605 -> 134 845 cycles). Otherwise two slots,
  // a bank each, for load groups.
  const uint32_t panel_lines = tiles * cfg.rows;  // a panel's weight lines, padding included
  const uint32_t deep_slots = 2 * bank / panel_lines;
  const bool deep = !resident && blocks == 1 && weight_bound && deep_slots >= 3;
  const uint32_t slots = deep ? std::min(deep_slots, steps_per_block) : 2;
  const uint32_t per_load =
      resident ? (uint64_t(panels) * p.k <= 512 ? steps_per_block : 1)
      : !weight_bound || deep
          ? 1
          : std::max(1u, std::min(1 + (bank - tiles * cfg.rows) / p.k, steps_per_block / 2));
  const uint32_t loads_per_block = ceil_div(steps_per_block, per_load);  // LG
  // The quantization table is first read by the first STORE. So where block 0's first
  // store group computes from the first weight LOAD alone (in more than one COMPUTE), the
  // table follows that LOAD with a token of its own, taken by the group's last COMPUTE,
  // and the first COMPUTE waits a transfer and a memory latency less (112^2x16 -> 96:
  // 94 140 -> 93 869 cycles). Tokens are counted, so the table's must be the second both
  // ways: the first is that LOAD's, and no other LOAD gives one, nor COMPUTE takes one,
  // before that group's last COMPUTE.
  const uint32_t first_group_steps = stores.front().count * passes;
  const bool table_after_weights =
      !p.raw_int32 && !one_step &&
      (resident ? per_load == steps_per_block : per_load >= first_group_steps) &&
      (first_group_steps >= 2 || blk.segments.size() >= 2);
  if (!p.raw_int32 && !table_after_weights) s.push(table);
  const uint32_t last_load_step = (loads_per_block - 1) * per_load;  // of a block
  const uint32_t total_loads = blocks * loads_per_block;
  // Loads [first, end) of block b's activations.
  auto push_activations = [&](const ActivationBlock& blk, uint32_t b, std::size_t first,
                              std::size_t end) {
    for (std::size_t i = first; i < end; ++i) {
      Load a = blk.loads[i];
      a.sram_line += (b % 2) * bank;
      const bool last = i + 1 == blk.loads.size();
      if (resident) {  // after block b-2's computes; the last gives block b's first one a token
        a.deps =
            uint8_t((i == 0 && b >= 2 ? kDepsPopNext : 0) | (last && b >= 1 ? kDepsPushNext : 0));
      } else {
        a.deps = one_step && last ? kDepsPushNext : 0;
      }
      s.push(a);
    }
  };
  // The next block's activation loads go out in pieces of about equal work (piece_end), so
  // that the in-order dispatcher never holds a weight LOAD or a compute behind all of them:
  // LG - 1 pieces, piece q after the weight LOAD of load group q + 1 of this block; with
  // resident weights SB pieces, piece q after the computes of step q (the last before block
  // b+1's first compute).
  std::vector<std::size_t> piece_end;
  auto push_piece = [&](uint32_t b_next, uint32_t q) {
    push_activations(next_blk, b_next, q == 0 ? 0 : piece_end[q - 1], piece_end[q]);
  };
  std::vector<Command> pending_work;  // step s's computes and stores, not yet pushed
  if (!one_step || resident) push_activations(blk, 0, 0, blk.loads.size());
  for (uint32_t b = 0, g = 0, st = 0, li = 0; b < blocks; ++b) {
    const uint32_t act_base = (b % 2) * bank;
    for (const StoreGroup& group : stores) {
      for (uint32_t j = group.first; j < group.first + group.count; ++j) {
        const uint32_t n0 = j * cols, n_cols = std::min(cols, p.n - n0);
        const uint32_t acc_base = (g % 2) * region + (j - group.first) * panel_pitch;
        const bool group_first = j == group.first, group_last = j + 1 == group.first + group.count;
        for (uint32_t q = 0; q < passes; ++q, ++st) {
          const uint32_t t0 = q * tiles_per_pass, t1 = std::min(tiles, t0 + tiles_per_pass);
          const uint32_t k0 = t0 * cfg.rows, k1 = std::min(p.k, t1 * cfg.rows);
          const uint32_t step = st % steps_per_block;  // of this block
          // This step's load group: li counts them over the plan, lg within the block.
          const uint32_t lg = step / per_load, in_group = step % per_load;
          const bool group_load = in_group == 0;
          const bool group_end = in_group + 1 == per_load || step + 1 == steps_per_block;
          if (group_load && st > 0) ++li;
          const uint32_t group_steps = std::min(per_load, steps_per_block - lg * per_load);
          const uint32_t wgt_base = resident ? resident_line(j)
                                    : deep   ? 2 * bank + (li % slots) * panel_lines
                                             : 2 * bank + (li % 2) * bank + in_group * p.k;
          Load w;                  // the pass's K rows; tile t in lines wgt_base + (t-t0)*NumRows
          if (p.weights_packed) {  // one contiguous transfer: K lines of `cols` bytes per panel
            w.dram_addr = p.weight_addr + (uint64_t(j) * p.k + k0) * cols;
            w.row_bytes = (group_steps - 1) * p.k * cols + (k1 - k0) * cols;  // the group's panels
            w.rows = 1;
            w.dram_stride = w.row_bytes;
          } else {
            w.dram_addr = p.weight_addr + uint64_t(k0) * p.n + n0;
            w.row_bytes = n_cols;
            w.rows = k1 - k0;
            w.dram_stride = p.n;
          }
          w.sram_line = wgt_base;
          w.sram_stride = 1;
          w.deps = uint8_t((li >= slots && !resident ? kDepsPopNext : 0) |
                           (one_step && !resident ? 0 : kDepsPushNext));
          if (group_load && (!resident || b == 0)) s.push(w);
          if (table_after_weights && st == 0) {
            table.deps = kDepsPushNext;
            s.push(table);
          }
          if (resident) {         // its activations go out in pieces after computes, below
          } else if (one_step) {  // after the LOAD that waited for block b-2
            push_activations(blk, b, 0, blk.loads.size());
          } else if (b + 1 < blocks && group_load && lg >= 1) {  // a block ahead, in pieces
            if (lg == 1) {
              next_blk = block(b + 1);
              piece_end = piece_ends(next_blk.loads, loads_per_block - 1, cfg);
            }
            push_piece(b + 1, lg - 1);
          }
          for (const Command& c : pending_work) s.push(c);
          pending_work.clear();
          if (resident && step == 0) {  // after the previous block's last computes
            if (b >= 1) push_piece(b, steps_per_block - 1);  // block b's last piece
            if (b + 1 < blocks) {
              next_blk = block(b + 1);
              piece_end = piece_ends(next_blk.loads, steps_per_block, cfg);
            }
          } else if (resident && b + 1 < blocks && (b > 0 || step > last_load_step)) {
            push_piece(b + 1, step - 1);  // after step `step - 1`'s computes
          } else if (resident && b + 1 < blocks && step == last_load_step) {
            // Block 1's first pieces, behind block 0's last weight LOAD: tokens are counted,
            // so block 1's (pushed by its last load) must come after theirs.
            for (uint32_t q = 0; q < step; ++q) push_piece(1, q);
          }
          // A COMPUTE per run of tiles [t, t_end) evenly spaced in the activations whose
          // tiles but the last are full (EXTRA_TILES; the MAC count takes the last's K_VALID).
          for (uint32_t t = t0, t_end; t < t1; t = t_end) {
            t_end = t + 1;
            const uint32_t run_stride = t + 1 < t1 ? p.tile_offset[t + 1] - p.tile_offset[t] : 0;
            while (t_end < t1 && p.tile_k_valid[t_end - 1] == cfg.rows &&
                   p.tile_offset[t_end] - p.tile_offset[t_end - 1] == run_stride &&
                   t_end - t <= kMaxCount) {
              ++t_end;
            }
            for (std::size_t i = 0; i < blk.segments.size(); ++i) {
              const auto& seg = blk.segments[i];
              Compute c;
              c.extra_tiles = uint16_t(t_end - t - 1);
              c.act_tile_stride = t_end - t > 1 ? run_stride : 0;
              c.accumulate = t > 0;
              c.act_line = act_base + seg.act_line + p.tile_offset[t] +
                           (p.panel_line_offset.empty() ? 0 : p.panel_line_offset[j]);
              c.act_stride = seg.act_stride;
              c.vectors = seg.vectors;
              c.act_rows = seg.act_rows;
              c.act_row_stride = seg.act_row_stride;
              c.wgt_line = wgt_base + (t - t0) * cfg.rows;
              c.acc_line = acc_base + seg.acc_line;
              c.k_valid = p.tile_k_valid[t_end - 1];
              c.n_valid = uint16_t(n_cols);
              uint8_t deps = 0;
              if (t == t0 && i == 0) {
                const bool pops = resident && b > 0 ? step == 0 : group_load;
                deps |= (pops ? kDepsPopPrev : 0) |
                        (group_first && q == 0 && g >= 2 ? kDepsPopNext : 0);
              }
              if (t_end == t1 && i + 1 == blk.segments.size()) {
                const bool frees_bank = resident ? step + 1 == steps_per_block && b + 2 < blocks
                                                 : group_end && li + slots < total_loads;
                deps |=
                    (group_last && q + 1 == passes ? kDepsPushNext : 0) |
                    (frees_bank ? kDepsPushPrev : 0) |
                    (table_after_weights && g == 0 && group_last && q + 1 == passes ? kDepsPopPrev
                                                                                    : 0);
              }
              c.deps = deps;
              pending_work.push_back(encode(c));
            }
          }
        }
      }
      const uint32_t n0 = group.first * cols, n_cols = std::min(cols, p.n - n0);
      for (std::size_t o = 0; o < blk.outputs.size(); ++o) {
        const auto& out = blk.outputs[o];
        Store st_cmd;
        st_cmd.requantize = st_cmd.per_channel = !p.raw_int32;
        st_cmd.dram_addr = out.dram_addr + (p.raw_int32 ? 4ull : 1ull) * n0;
        st_cmd.rows = out.rows;
        st_cmd.acc_line = (g % 2) * region + out.acc_line;
        st_cmd.dram_stride = p.out_stride;
        st_cmd.cols = uint16_t(n_cols);
        st_cmd.extra_panels = uint16_t(group.count - 1);
        st_cmd.panel_pitch = uint16_t(group.count > 1 ? panel_pitch : 0);
        st_cmd.zero_point = p.zero_point;
        st_cmd.act_min = p.act_min;
        st_cmd.act_max = p.act_max;
        st_cmd.qparam_entry = n0 - group_n0;
        st_cmd.pool = out.pool_width > 0;
        st_cmd.pool_width = out.pool_width;
        st_cmd.acc_pitch = out.acc_pitch;
        st_cmd.deps =
            uint8_t((o == 0 ? kDepsPopPrev : 0) |
                    (o + 1 == blk.outputs.size() && g + 2 < total_groups ? kDepsPushPrev : 0));
        pending_work.push_back(encode(st_cmd));
      }
      ++g;
    }
    if (b + 1 < blocks) blk = one_step && !resident ? block(b + 1) : next_blk;
  }
  for (const Command& c : pending_work) s.push(c);
}

}  // namespace

uint32_t store_panels_for(const BuildConfig& c, uint32_t n, uint32_t tiles, bool pooled, bool raw) {
  if (pooled || raw || c.cols % c.bus_bytes != 0) return 1;
  // 16 / tiles: a memory that takes 16 bursts at once answers them a latency later, so
  // rows of P lines keep up with a line per `tiles` cycles up to a latency of 256 P / tiles.
  const uint32_t want = ceil_div(16, std::max(tiles, 1u));
  return std::max(1u, std::min({want, kMaxExtraPanels + 1, n / c.cols}));
}

void emit_panel_schedule(CommandStream& s, const PanelSchedule& p, uint32_t blocks,
                         const std::function<ActivationBlock(uint32_t)>& block) {
  const BuildConfig& cfg = s.config();
  const uint32_t panels = ceil_div(p.n, cfg.cols);
  if (p.raw_int32 || p.n <= cfg.qtable_entries) {
    emit_group(s, p, blocks, block, 0, panels);
    return;
  }
  // Groups of whole panels that fit the table, as even as whole panels allow.
  const uint32_t most = cfg.qtable_entries / cfg.cols;
  if (most == 0 || !p.barrier_addr) {
    throw std::invalid_argument(
        std::to_string(p.n) + " output channels are above " + std::to_string(cfg.qtable_entries) +
        ", the quantization table's entries" +
        (most == 0 ? std::string(", and the table holds less than one panel of ") +
                         std::to_string(cfg.cols) + " columns"
                   : std::string(": the plan reloads the table per group of channels and needs "
                                 "a barrier address for the FENCE between groups")));
  }
  const uint32_t groups = ceil_div(panels, most), per_group = ceil_div(panels, groups);
  for (uint32_t h = 0; h < groups; ++h) {
    if (h > 0) {  // the previous group's stores have read the table entries this one replaces
      Fence f;
      f.dram_addr = *p.barrier_addr;
      f.value = h;
      s.push(f);
    }
    emit_group(s, p, blocks, block, h * per_group, std::min(panels, (h + 1) * per_group));
  }
}

}  // namespace tessera::isa::detail
