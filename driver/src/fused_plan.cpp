// SPDX-License-Identifier: Apache-2.0
// The expansion and depthwise layers of an inverted-residual block as one plan; see
// fused_plan.hpp.
#include "fused_plan.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "depthwise_plan.hpp"
#include "panel_schedule.hpp"

namespace tessera::isa::detail {
namespace {

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

constexpr uint32_t kChunksAhead = 4;

// The fused plan's sizes on a build.
struct FusedShape {
  uint32_t kt = 0, kp = 0;  // the expansion's K tiles, and its K rows per panel (kt x NumRows)
  uint32_t panels = 0;      // the expansion's output channel blocks: the depthwise layer's
  uint32_t blocks = 0;      // depthwise channel blocks per pass
  uint32_t group = 0;       // expansion panels per chunk (one group of STOREs)
  uint32_t d_region = 0, e_region = 0;  // accumulator lines: an output row, a chunk
  uint32_t e_regions = 0;               // chunks the accumulator holds at once
  // Lines: the depthwise weights and the expansion's (bank 3), an input row (at the end of
  // banks 0 and 1, after the strip buffers: the array reads its weights and its activations
  // from different banks).
  uint32_t d_weights = 0, e_weights = 0, e_row = 0;
};

// Fills `f`; or returns why the pair cannot run fused.
std::string fused_shape(const ConvPlan& e, const ConvPlan& d, const BuildConfig& cfg,
                        FusedShape& f) {
  if (e.kernel_h != 1 || e.kernel_w != 1 || e.stride_h != 1 || e.stride_w != 1 ||
      e.dilation_h != 1 || e.dilation_w != 1 || e.pad_top || e.pad_bottom || e.pad_left ||
      e.pad_right || e.groups != 1 || e.raw_int32 || e.max_pool) {
    return "the expansion is not a requantized 1x1 convolution of stride 1 without padding, "
           "groups or pooling";
  }
  if (e.out_channels != d.c || e.h != d.h || e.w != d.w || e.batch != d.batch) {
    return "the expansion's output (" + std::to_string(e.batch) + " x " + std::to_string(e.h) +
           " x " + std::to_string(e.w) + " x " + std::to_string(e.out_channels) +
           ") is not the depthwise layer's input (" + std::to_string(d.batch) + " x " +
           std::to_string(d.h) + " x " + std::to_string(d.w) + " x " + std::to_string(d.c) + ")";
  }
  if (d.raw_int32 || !depthwise_unit_fits(d, cfg))
    return "the depthwise layer does not run requantized on the depthwise unit";
  if (e.zero_point != d.input_zero_point) {
    return "the expansion's output zero point " + std::to_string(e.zero_point) +
           " is not the depthwise layer's input zero point " + std::to_string(d.input_zero_point);
  }
  const DwColumns columns = dw_columns(d);
  if (std::max({d.pad_top, d.pad_bottom, d.pad_left, d.pad_right}) > 1 || columns.fill_left ||
      columns.fill_right) {
    return "the depthwise layer's padding is more than the pixel a side the unit makes";
  }
  if (2ull * d.c > cfg.qtable_entries) {
    return "both layers' tables, 2 x " + std::to_string(d.c) + " entries, exceed the " +
           std::to_string(cfg.qtable_entries) + " of the quantization table";
  }
  const uint32_t rows = cfg.rows, bank = bank_lines(cfg), ow = d.out_w();
  f.kt = ceil_div(e.c, rows);
  f.kp = f.kt * rows;
  f.panels = ceil_div(d.c, rows);
  f.d_weights = f.panels * kDwTaps;
  f.e_weights = f.panels * f.kp;
  f.e_row = e.w * f.kt;
  if (uint64_t(f.d_weights) + f.e_weights > bank) {
    return "bank 3 holds " + std::to_string(bank) + " lines, not both layers' weights (" +
           std::to_string(f.d_weights + f.e_weights) + ")";
  }
  // Blocks per pass: within the line buffer, a bank's strip buffer and pair region (four
  // rows; bank 2 also the zero-point line), an output row and two one-panel chunks in the
  // accumulator, and the store unit's two held groups of parameters.
  auto fits = [&](uint32_t g) {
    return uint64_t(columns.vectors) * g <= kDwLineBufferLines &&
           4ull * columns.vectors * g + 1 + f.e_row <= bank &&
           uint64_t(ow) * g + 2ull * e.w <= cfg.accumulator_lines;
  };
  uint32_t most = std::min(f.panels, 2 * (kMaxExtraPanels + 1));
  while (most > 0 && !fits(most)) --most;
  if (most == 0) {
    return "not one channel block's rows fit the line buffer, a bank and the accumulator (W = " +
           std::to_string(d.w) + ")";
  }
  f.blocks = ceil_div(f.panels, ceil_div(f.panels, most));  // as even as they go
  // The rest of the accumulator in chunks: at least four where a panel each allows (the
  // array runs ahead of the STOREs; measured on MobileNet-v2's blocks), larger otherwise.
  f.d_region = ow * f.blocks;
  const uint32_t rest = cfg.accumulator_lines - f.d_region;
  f.group = std::max(1u, std::min({f.blocks, kMaxExtraPanels + 1, rest / (kChunksAhead * e.w)}));
  f.e_region = f.group * e.w;
  f.e_regions = rest / f.e_region;
  return {};
}

// One unit of the schedule: an expansion chunk (a row's group of panels) or a depthwise
// strip, its COMPUTEs and then its STOREs, with the LOADs before them.
struct Group {
  std::vector<Load> loads;
  std::vector<Compute> computes;
  std::vector<Store> stores;
  int64_t needs = -1;  // the last store group its first COMPUTE must see done (-1: none)
};

}  // namespace

bool expand_depthwise_fits(const ConvPlan& e, const ConvPlan& d, const BuildConfig& cfg,
                           std::string* why) {
  FusedShape f;
  const std::string reason = fused_shape(e, d, cfg, f);
  if (why) *why = reason;
  return reason.empty();
}

void plan_expand_depthwise(CommandStream& s, const ConvPlan& e, const ConvPlan& d) {
  const BuildConfig& cfg = s.config();
  FusedShape f;
  if (const std::string why = fused_shape(e, d, cfg, f); !why.empty())
    throw std::invalid_argument("expansion + depthwise: " + why);
  const DwLayer layer(d, cfg, dw_shape_of_rows(d, cfg, f.blocks));
  const uint32_t rows = cfg.rows, c = d.c;
  const uint32_t e_weights = layer.weight_line() + f.d_weights;
  const uint32_t bank = bank_lines(cfg);
  const uint32_t e_acc = f.d_region;
  const uint64_t image_bytes = uint64_t(e.h) * e.w * e.c;

  // Once, before the first input row (whose token covers them): both layers' weights and
  // tables, and the zero-point line of the padding rows below the image.
  std::vector<Load> constants;
  auto whole = [](uint64_t addr, uint32_t bytes, uint32_t line, Load::Dest dest) {
    Load l;
    l.dest = dest;
    l.dram_addr = addr;
    l.row_bytes = bytes;
    l.rows = 1;
    l.dram_stride = bytes;
    l.sram_line = line;
    return l;
  };
  constants.push_back(
      whole(d.weight_addr, f.d_weights * rows, layer.weight_line(), Load::Dest::kScratchpad));
  constants.push_back(whole(e.weight_addr, f.e_weights * rows, e_weights, Load::Dest::kScratchpad));
  constants.push_back(whole(e.qtable_addr, c * qtable::kEntryBytes, 0, Load::Dest::kQTable));
  constants.push_back(whole(d.qtable_addr, c * qtable::kEntryBytes, c, Load::Dest::kQTable));
  if (layer.shape().hp > d.h)
    constants.push_back(Load::fill_rows(layer.zero_line(), 1, rows, 1, 1, d.input_zero_point));

  // The schedule, group by group: strip g + 1's expansion chunks before strip g's
  // depthwise rows, so that the unit's COMPUTEs never wait for the STOREs just before them.
  std::vector<Group> groups;
  std::vector<uint32_t> row_groups;  // per input row: its last group (it frees the row's buffer)
  std::vector<int64_t> chunk_group;  // per chunk: its group
  std::vector<int64_t> last_chunk;   // per strip: its last chunk's group (-1: none)
  std::vector<int64_t> strip_group;  // per strip: its depthwise group
  auto expansion = [&](uint32_t g) {
    const DwStrip t = layer.strip(g);
    last_chunk.push_back(-1);
    for (uint32_t iy = t.first; iy <= t.last; ++iy) {
      if (!layer.inside(iy)) continue;
      const uint32_t row = uint32_t(row_groups.size());
      const uint32_t buffer = (row % 2 + 1) * bank - f.e_row;  // banks 0 and 1's ends
      Load in;
      in.dram_addr = e.input_addr + t.image * image_bytes + uint64_t(iy - d.pad_top) * e.w * e.c;
      if (e.c % rows == 0) {  // the row's pixels are whole lines: one DMA row
        in.row_bytes = e.w * e.c;
        in.rows = 1;
        in.dram_stride = in.row_bytes;
      } else {  // a DMA row per pixel, each starting a line (the last one's tail zero)
        in.row_bytes = e.c;
        in.rows = e.w;
        in.dram_stride = e.c;
        in.sram_stride = f.kt;
      }
      in.sram_line = buffer;
      in.deps = kDepsPushNext | (row >= 2 ? kDepsPopNext : 0);  // the row two back's buffer
      // The pass's panels in chunks of up to `group`, as even as they go.
      const uint32_t chunks = ceil_div(t.blocks, f.group), per = ceil_div(t.blocks, chunks);
      for (uint32_t q0 = 0; q0 < t.blocks; q0 += per) {
        const uint32_t q1 = std::min(t.blocks, q0 + per);
        const uint32_t chunk = uint32_t(chunk_group.size());
        const uint32_t region = e_acc + chunk % f.e_regions * f.e_region;
        Group grp;
        if (q0 == 0) {
          if (groups.empty()) grp.loads = constants;
          grp.loads.push_back(in);
        }
        // A COMPUTE per panel, and a one-panel chunk's row in two: a group of two COMPUTEs
        // or more can take a token more than it gives (see the tokens below).
        const uint32_t parts = q1 - q0 == 1 && e.w >= 2 * rows ? 2 : 1;
        for (uint32_t q = q0; q < q1; ++q) {
          const uint32_t panel = t.c0 / rows + q;
          for (uint32_t part = 0; part < parts; ++part) {
            const uint32_t x0 = e.w * part / parts, x1 = e.w * (part + 1) / parts;
            Compute k;
            k.act_line = buffer + x0 * f.kt;
            k.act_stride = f.kt;
            k.vectors = x1 - x0;
            k.extra_tiles = uint16_t(f.kt - 1);
            k.act_tile_stride = f.kt > 1 ? 1 : 0;
            k.k_valid = uint16_t(e.c - rows * (f.kt - 1));
            k.n_valid = uint16_t(std::min(rows, c - panel * rows));
            k.wgt_line = e_weights + panel * f.kp;
            k.acc_line = region + (q - q0) * e.w + x0;
            grp.computes.push_back(k);
          }
        }
        if (q0 == 0) grp.computes.front().deps |= kDepsPopPrev;  // the input row
        // The chunk's panels, requantized, into the row's place in the strip buffer: pixel
        // x's block q at row_line + x*blocks + q. Full panels in one STORE, a last partial
        // one on its own.
        for (uint32_t q = q0; q < q1;) {
          const uint32_t panel = t.c0 / rows + q;
          const bool partial = c - panel * rows < rows;
          uint32_t count = 1;
          while (!partial && q + count < q1 && c - (panel + count) * rows >= rows) ++count;
          Store st;
          st.requantize = st.per_channel = st.to_scratchpad = true;
          st.rows = e.w;
          st.acc_line = region + (q - q0) * e.w;
          st.cols = uint16_t(std::min(rows, c - panel * rows));
          st.zero_point = e.zero_point;
          st.act_min = e.act_min;
          st.act_max = e.act_max;
          st.qparam_entry = panel * rows;
          st.extra_panels = uint16_t(count - 1);
          st.panel_pitch = uint16_t(count > 1 ? e.w : 0);
          st.sram_line = layer.row_line(g, t, iy) + q;
          st.sram_stride = t.blocks;
          st.sram_panel_pitch = count > 1 ? 1 : 0;
          grp.stores.push_back(st);
          q += count;
        }
        // Its region: the chunk e_regions back's, read by that chunk's STOREs.
        if (chunk >= f.e_regions) grp.needs = chunk_group[chunk - f.e_regions];
        chunk_group.push_back(int64_t(groups.size()));
        last_chunk.back() = int64_t(groups.size());
        groups.push_back(std::move(grp));
      }
      row_groups.push_back(uint32_t(groups.size() - 1));
    }
  };
  // The strip: its rows' chunks written, its region (strip g - 1's) read.
  auto depthwise = [&](uint32_t g) {
    Group grp;
    grp.computes = layer.computes(g, 0);
    grp.stores = layer.stores(g, 0, c);
    grp.needs = std::max(last_chunk[g], g >= 1 ? strip_group[g - 1] : int64_t(-1));
    strip_group.push_back(int64_t(groups.size()));
    groups.push_back(std::move(grp));
  };
  expansion(0);
  for (uint32_t g = 0; g < layer.total(); ++g) {
    if (g + 1 < layer.total()) expansion(g + 1);
    depthwise(g);
  }

  // compute -> load: a row's last COMPUTE frees its buffer for the row two on.
  for (std::size_t r = 0; r + 2 < row_groups.size(); ++r)
    groups[row_groups[r]].computes.back().deps |= kDepsPushPrev;
  // compute -> store: each group's last COMPUTE for its first STORE.
  for (Group& grp : groups) {
    grp.computes.back().deps |= kDepsPushNext;
    grp.stores.front().deps |= kDepsPopPrev;
  }
  // store -> compute: the store groups done so far, `seen`, rises by at most one a COMPUTE
  // (a token each); where a group needs more, the COMPUTEs before it wait earlier (so a
  // group of one COMPUTE cannot catch up: the lag behind the stores it keeps is the least
  // any later group needs). No COMPUTE may wait for its own group's STOREs or later ones
  // (they wait for it).
  std::vector<std::pair<uint32_t, uint32_t>> at;  // (group, compute) in stream order
  std::vector<int64_t> seen;
  for (uint32_t i = 0; i < groups.size(); ++i) {
    for (uint32_t j = 0; j < groups[i].computes.size(); ++j) {
      at.push_back({i, j});
      const int64_t before = seen.empty() ? -1 : seen.back();
      seen.push_back(std::max(before, j == 0 ? groups[i].needs : int64_t(-1)));
    }
  }
  for (std::size_t n = seen.size() - 1; n > 0; --n)
    seen[n - 1] = std::max(seen[n - 1], seen[n] - 1);
  for (std::size_t n = 0; n < seen.size(); ++n) {
    if (seen[n] >= int64_t(at[n].first)) {
      throw std::logic_error("plan_expand_depthwise: group " + std::to_string(at[n].first) +
                             " would wait for store group " + std::to_string(seen[n]));
    }
    if (seen[n] > (n ? seen[n - 1] : -1))
      groups[at[n].first].computes[at[n].second].deps |= kDepsPopNext;
  }
  for (int64_t i = 0; i <= seen.back(); ++i) groups[size_t(i)].stores.back().deps |= kDepsPushPrev;

  for (const Group& grp : groups) {
    for (const Load& l : grp.loads) s.push(l);
    for (const Compute& k : grp.computes) s.push(k);
    for (const Store& st : grp.stores) s.push(st);
  }
}

}  // namespace tessera::isa::detail
