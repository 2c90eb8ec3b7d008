// SPDX-License-Identifier: Apache-2.0
// The schedule GEMM and convolution plans share (internal to the driver library).
//
// Scratchpad: banks 0 and 1 hold activation blocks (block b in bank b % 2; a plan of one
// block may fill both), banks 2 and 3 weights (step s in bank 2 + s % 2). A panel is
// NumCols output channels. Its K tiles are loaded in passes of at most a bank's worth
// (bank_lines / NumRows tiles), one LOAD each: a *step* is one pass of one panel of one
// block, and a panel with K tiles beyond a bank is several steps whose COMPUTEs accumulate
// in place into the same lines. A step's COMPUTEs are runs of evenly spaced K tiles, one
// command each (EXTRA_TILES). The accumulator holds two regions; the panels of a *store
// group* (up to store_panels full panels, PanelSchedule::store_panels) share one, region
// g % 2 for group g, panel i of the group at line i * region_lines / store_panels, and one
// STORE per output writes the group's panels row by row (EXTRA_PANELS). For each block,
// for each group, for each panel, for each pass: LOAD the pass's weights, run its
// COMPUTEs; after the group's last panel STORE the region. Everything is double-buffered,
// so the next step's load and the previous group's store overlap the compute.
//
// Resident weights: where every panel's K rows fit banks 2 and 3 at once (one pass per
// panel, packed weights, two blocks or more), panel j's weights are loaded once, by block
// 0, at a line of their own, and the other blocks reuse them.
//
// Output channels beyond the quantization table are planned in groups of whole panels that
// fit it, one after another, each loading its part of the table; a FENCE between groups
// (on PanelSchedule::barrier_addr) keeps a group's table load behind the previous group's
// stores.
//
// Dependency tokens (docs/isa.md), within a table group; s counts steps, S in all, g store
// groups, G in all; SB steps per block:
//   load -> compute  the LOAD that completes a step's inputs pushes one; the step's first
//                    COMPUTE pops it: the step's weight LOAD, or with SB = 1 its block's last
//                    activation LOAD (queued after it; loads run in order).
//   compute -> load  step s's last COMPUTE pushes one if a step s+2 will pop it: s+2's
//                    weight LOAD, whose bank step s read. A block's activation LOADs pop
//                    nothing: they are queued after the weight LOAD that waits for the last
//                    step of the block two back (their bank's last reader) - with SB >= 2,
//                    the previous block's second step's, so activations load a whole block
//                    ahead of their compute, in pieces of about equal work after the weight
//                    LOADs of steps 1 .. SB-1 (no weight load waits behind all of them);
//                    with SB = 1, their own step's.
//   resident         block 0's weight LOAD of panel j pushes one, popped by block 0's first
//                    COMPUTE of panel j (with 512 weight lines or fewer, one LOAD brings every
//                    panel's, popped by block 0's first COMPUTE, and block 1's pieces go out
//                    as any later block's); block b >= 1's last activation LOAD pushes one,
//                    popped by block b's first COMPUTE; block b's last COMPUTE pushes one
//                    back if block b+2 exists, popped by block b+2's first activation LOAD.
//                    Block b+1's loads go out in SB pieces, piece q after step q's
//                    COMPUTEs of block b (block 1's all after block 0's last weight LOAD:
//                    tokens are counts, so its push must follow theirs).
//   compute -> store group g's last COMPUTE pushes one; its first STORE pops it.
//   store -> compute group g's last STORE pushes one if group g+2's first COMPUTE will pop it.
// Every token pushed is popped, so a plan leaves the token counters as it found them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "tessera/isa.hpp"

namespace tessera::isa::detail {

// One block of activations and what its results are.
struct ActivationBlock {
  // Fill the block's bank; sram_line relative to the bank's first line. No deps (set here).
  std::vector<Load> loads;
  // The COMPUTEs of K tile t: act_line (relative to the bank) + tile_offset[t]; act_rows
  // rows of `vectors`, act_row_stride lines apart (COMPUTE's ACT_ROWS).
  struct Segment {
    uint32_t act_line = 0, act_stride = 1, vectors = 0, acc_line = 0;
    uint32_t act_rows = 1, act_row_stride = 0;
  };
  std::vector<Segment> segments;
  // STOREs per panel: dram_addr + the panel's first column (in bytes), acc_line relative to
  // the region; pool_width > 0 for a 2x2 max-pooled store (rows are pooled rows then).
  struct Output {
    uint64_t dram_addr = 0;
    uint32_t rows = 0, acc_line = 0;
    uint16_t pool_width = 0, acc_pitch = 0;
  };
  std::vector<Output> outputs;
};

struct PanelSchedule {
  uint32_t n = 0;                      // output channels
  std::vector<uint32_t> tile_offset;   // per K tile, see ActivationBlock::Segment
  std::vector<uint16_t> tile_k_valid;  // per K tile: weight rows that are not padding
  // Per panel (empty: none): added to every tile's activation line - the first channel block
  // a grouped convolution's panel reads.
  std::vector<uint32_t> panel_line_offset;
  // Weights: K x N, packed (pack_weights layout) or row-major, at weight_addr. K <= the
  // tiles' rows; rows past K are left as they were, which is harmless where the activation
  // lanes they meet are zero (a LOAD zero-fills the tail of a row's last line).
  uint32_t k = 0;
  uint64_t weight_addr = 0;
  bool weights_packed = true;
  uint64_t qtable_addr = 0;  // n entries
  // A 4-byte host word the FENCEs between groups of output channels write; needed when n is
  // above the quantization table's entries (requantized outputs only).
  std::optional<uint64_t> barrier_addr;
  bool raw_int32 = false;  // store raw int32 accumulators (no table, no clamp)
  // Full panels one STORE writes per row (store_panels_for); a block's results then take
  // region_lines / store_panels lines per panel.
  uint32_t store_panels = 1;
  uint64_t out_stride = 0;  // bytes between output rows (pixels)
  int8_t zero_point = 0, act_min = -128, act_max = 127;
};

// Lines per scratchpad bank and per accumulator region in this schedule.
inline uint32_t bank_lines(const BuildConfig& c) { return c.scratchpad_lines / 4; }
inline uint32_t region_lines(const BuildConfig& c) { return c.accumulator_lines / 2; }

// The panels a STORE should write per row for results of `tiles` K tiles per line: enough
// that the store's bursts keep up with the compute (a line per `tiles` cycles, a burst per
// row) at a memory latency of a few hundred cycles, at most what the layer has full panels
// for and the command set allows. 1 for pooled or raw int32 results (raw lines are already
// several beats) and where a line is not whole bus beats.
uint32_t store_panels_for(const BuildConfig& c, uint32_t n, uint32_t tiles, bool pooled, bool raw);

// Appends the plan; `block(b)` describes block b of `blocks`.
void emit_panel_schedule(CommandStream& stream, const PanelSchedule& schedule, uint32_t blocks,
                         const std::function<ActivationBlock(uint32_t)>& block);

}  // namespace tessera::isa::detail
