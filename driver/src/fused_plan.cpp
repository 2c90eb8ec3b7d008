// SPDX-License-Identifier: Apache-2.0
// The expansion and depthwise layers of an inverted-residual block as one plan; see
// fused_plan.hpp.
#include "fused_plan.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "depthwise_plan.hpp"
#include "panel_schedule.hpp"

namespace tessera::isa::detail {
namespace {

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

constexpr uint32_t kChunksAhead = 4;
// Stride 1: an expansion group's rows, up to this many pixels (a weight tile's vectors); the
// ring holds two groups and this many rows more (the rows the unit reads meanwhile).
constexpr uint32_t kGroupVectors = 48;
constexpr uint32_t kRingSlack = 4;
// The expansion's weight LOADs this many panels ahead of the COMPUTEs that take them.
constexpr std::size_t kWeightsAhead = 3;

// The fused plan's sizes on a build.
struct FusedShape {
  uint32_t kt = 0, kp = 0;  // the expansion's K tiles, and its K rows per panel (kt x NumRows)
  uint32_t panels = 0;      // the expansion's output channel blocks: the depthwise layer's
  uint32_t blocks = 0;      // depthwise channel blocks per pass
  uint32_t group = 0;       // expansion panels per chunk (one group of STOREs)
  uint32_t d_region = 0, e_region = 0;  // accumulator lines: an output row, a chunk
  uint32_t e_acc = 0;                   // the first chunk region's line
  uint32_t e_regions = 0;               // chunks the accumulator holds at once
  uint32_t group_rows = 1;              // image rows per expansion group (one COMPUTE)
  uint32_t ring = 0;                    // stride 1: row places of the ring (DwShape::ring)
  // Both layers' tables (2 x C entries), or both layers' weights, do not fit at once: each
  // pass loads its channels' entries, or expansion weights, after a FENCE.
  bool table_per_pass = false, weights_per_pass = false, per_pass = false;
  // Lines: the depthwise weights and the expansion's (bank 3; with a ring the depthwise
  // weights in bank 1), an input row (an expansion group's group_rows of them: with strip
  // buffers at the end of banks 0 and 1, with a ring (bank 0) two at the end of bank 2, below
  // the zero-point line: the array reads its weights and its activations, and the depthwise
  // unit its rows and its weights, from four different banks).
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
  const uint32_t rows = cfg.rows, bank = bank_lines(cfg), ow = d.out_w();
  f.kt = ceil_div(e.c, rows);
  f.kp = f.kt * rows;
  f.panels = ceil_div(d.c, rows);
  f.d_weights = f.panels * kDwTaps;
  f.e_weights = f.panels * f.kp;
  f.e_row = e.w * f.kt;
  f.table_per_pass = 2ull * d.c > cfg.qtable_entries;
  f.weights_per_pass = uint64_t(f.d_weights) + f.e_weights > bank;
  f.per_pass = f.table_per_pass || f.weights_per_pass;
  if (f.per_pass && !d.barrier_addr) {
    return "both layers' tables (2 x " + std::to_string(d.c) + " of " +
           std::to_string(cfg.qtable_entries) + " entries) or weights (" +
           std::to_string(f.d_weights + f.e_weights) + " of a bank's " + std::to_string(bank) +
           " lines) are reloaded per pass, which needs a barrier address for the FENCEs";
  }
  // Blocks per pass: within the line buffer, a bank's strip buffer and pair region (four
  // rows; bank 2 also the zero-point line), an output row and two one-panel chunks in the
  // accumulator, a depthwise output row's two STOREs (the store unit holds the parameters
  // of STORE_PARAM_GROUPS: two for them, the rest for the expansion's chunks), and per
  // pass, its channels' entries of both tables and its expansion weights beside the
  // depthwise layer's in bank 3.
  auto fits = [&](uint32_t g) {
    return uint64_t(columns.vectors) * g <= kDwLineBufferLines &&
           4ull * columns.vectors * g + 1 + f.e_row <= bank &&
           uint64_t(ow) * g <= region_lines(cfg) && 2ull * e.w <= region_lines(cfg) &&
           (!f.table_per_pass || 2ull * g * rows <= cfg.qtable_entries) &&
           (!f.weights_per_pass || uint64_t(f.d_weights) + uint64_t(g) * f.kp <= bank);
  };
  uint32_t most = std::min(f.panels, 2 * (kMaxExtraPanels + 1));
  while (most > 0 && !fits(most)) --most;
  if (most == 0) {
    return "not one channel block's rows fit the line buffer, a bank and the accumulator (W = " +
           std::to_string(d.w) + "), or its tables and weights beside the depthwise layer's";
  }
  f.blocks = ceil_div(f.panels, ceil_div(f.panels, most));  // as even as they go
  // The accumulator (two banks of region_lines: the compute unit runs the array and the
  // depthwise unit at once only in different banks, and tessera_accumulator refuses a
  // STORE's read of a bank an accumulating COMPUTE reads): the depthwise rows' region at
  // line 0, the expansion's chunks after it.
  f.d_region = ow * f.blocks;
  const uint32_t half = region_lines(cfg);
  // At stride 1, expansion groups of several image rows (a COMPUTE of more vectors per
  // weight tile) into a ring of row places: the most rows up to kGroupVectors pixels whose
  // chunks, with the depthwise rows' STOREs, take turns within the store unit's held
  // parameters. Their regions: at least two in bank 1, so that the array computes a chunk
  // beside the depthwise unit's rows (bank 0) and the chunk before's STOREs.
  if (d.stride_h == 1) {
    const uint32_t d_stores = ceil_div(f.blocks, store_panels_for(cfg, d.c, 1, false, false));
    for (uint32_t r = std::min(e.h, ceil_div(kGroupVectors, e.w)); r > 0 && !f.ring; --r) {
      for (uint32_t chunks = ceil_div(f.blocks, kMaxExtraPanels + 1);
           chunks + d_stores <= kStoreParamGroups && !f.ring; ++chunks) {
        const uint64_t region = uint64_t(ceil_div(f.blocks, chunks)) * r * e.w;
        const uint32_t ring = 2 * r + kRingSlack;
        if (2 * region > half || f.d_region > half ||
            uint64_t(ring) * columns.vectors * f.blocks > bank || 2ull * r * f.e_row + 1 > bank) {
          continue;
        }
        f.group_rows = r;
        f.group = ceil_div(f.blocks, chunks);
        f.ring = ring;
      }
    }
  }
  if (f.ring) {
    f.e_region = f.group * f.group_rows * e.w;
    f.e_acc = half;
    f.e_regions = half / f.e_region;
  } else {
    // A row at a time into the strip buffers; the rest of the accumulator after the row
    // region in chunks: at least four where a panel each allows (the array runs ahead of
    // the STOREs; measured on MobileNet-v2's blocks), larger otherwise.
    const uint32_t left = cfg.accumulator_lines - f.d_region;
    f.group_rows = 1;
    f.group = std::max(1u, std::min({f.blocks, kMaxExtraPanels + 1, left / (kChunksAhead * e.w)}));
    f.e_acc = f.d_region;
    f.e_region = f.group * e.w;
    f.e_regions = left / f.e_region;
  }
  return {};
}

// One unit of the schedule: an expansion chunk (a row's group of panels) or a depthwise
// strip, its COMPUTEs and then its STOREs, with the LOADs before them.
struct Group {
  std::vector<Load> loads;
  std::vector<std::pair<std::size_t, Load>> loads_at;  // LOADs streamed just before COMPUTE i
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

bool expand_depthwise_gains(const ConvPlan& e, const ConvPlan& d, const BuildConfig& cfg) {
  FusedShape f;
  return fused_shape(e, d, cfg, f).empty() && !f.weights_per_pass && (!f.table_per_pass || f.ring);
}

void plan_expand_depthwise(CommandStream& s, const ConvPlan& e, const ConvPlan& d) {
  const BuildConfig& cfg = s.config();
  FusedShape f;
  if (const std::string why = fused_shape(e, d, cfg, f); !why.empty())
    throw std::invalid_argument("expansion + depthwise: " + why);
  const DwLayer layer(d, cfg, dw_shape_of_rows(d, cfg, f.blocks, f.ring));
  const uint32_t rows = cfg.rows, c = d.c;
  // The expansion's weights after the depthwise layer's in bank 3, or with a ring (the
  // depthwise weights in bank 1) at bank 3's start.
  const uint32_t e_weights = f.ring ? 3 * bank_lines(cfg) : layer.weight_line() + f.d_weights;
  const uint32_t bank = bank_lines(cfg);
  const uint32_t e_acc = f.e_acc;
  const uint64_t image_bytes = uint64_t(e.h) * e.w * e.c;
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
  // The span of strips [g0, g1) (all of them, or per pass one image's pass behind a FENCE).
  // Before its first input rows: the depthwise weights and the padding rows' zero-point
  // line (once) and both tables (per pass the span's channels': the expansion's entries
  // from 0, the depthwise layer's from `d_entry`). After them, the expansion's weights a
  // panel per LOAD (per pass the span's panels), those of the span's first pass each with
  // a token for its first COMPUTE, so that the array starts after one panel's weights.
  const uint32_t d_entry = f.table_per_pass ? f.blocks * rows : c;
  auto span = [&](uint32_t g0, uint32_t g1) {
    const DwStrip first = layer.strip(g0);
    const uint32_t c0 = f.table_per_pass ? first.c0 : 0;  // the first table entry's channel
    const uint32_t p0 = f.weights_per_pass ? first.c0 / rows : 0;  // the first panel loaded
    std::vector<Load> constants, e_weight_loads;
    if (g0 == 0) {
      constants.push_back(
          whole(d.weight_addr, f.d_weights * rows, layer.weight_line(), Load::Dest::kScratchpad));
      if (layer.shape().hp > d.h)
        constants.push_back(Load::fill_rows(layer.zero_line(), 1, rows, 1, 1, d.input_zero_point));
    }
    if (g0 == 0 || f.table_per_pass) {
      const uint32_t entries = (f.table_per_pass ? first.c1 - c0 : c) * qtable::kEntryBytes;
      constants.push_back(
          whole(e.qtable_addr + c0 * qtable::kEntryBytes, entries, 0, Load::Dest::kQTable));
      constants.push_back(
          whole(d.qtable_addr + c0 * qtable::kEntryBytes, entries, d_entry, Load::Dest::kQTable));
    }
    if (g0 == 0 || f.weights_per_pass) {
      const uint32_t panels = f.weights_per_pass ? first.blocks : f.panels;
      for (uint32_t j = 0; j < panels; ++j) {
        e_weight_loads.push_back(whole(e.weight_addr + uint64_t(p0 + j) * f.kp * rows, f.kp * rows,
                                       e_weights + j * f.kp, Load::Dest::kScratchpad));
        if (j < first.blocks) e_weight_loads.back().deps = kDepsPushNext;  // the span's pass
      }
    }

    const bool weight_tokens = !e_weight_loads.empty();
    // The first group's COMPUTEs that take a panel's weights' token: (group, COMPUTE).
    std::vector<std::pair<std::size_t, std::size_t>> panel_at;

    // The schedule, group by group: strip g + 1's expansion chunks before strip g's
    // depthwise rows, so that the unit's COMPUTEs never wait for the STOREs just before them.
    std::vector<Group> groups;
    std::vector<uint32_t> input_groups;  // per expansion group: its last chunk's group
    std::vector<int64_t> chunk_group;    // per chunk: its group
    std::vector<int64_t> strip_group;    // per strip: its depthwise group
    // The span's image rows in the order the unit streams them: (strip, padded row); per
    // strip its last row's index (-1: none), per row its expansion group's last chunk.
    std::vector<std::pair<uint32_t, uint32_t>> pending;
    std::vector<int64_t> strip_last_row;
    for (uint32_t g = g0; g < g1; ++g) {
      const DwStrip t = layer.strip(g);
      for (uint32_t iy = t.first; iy <= t.last; ++iy)
        if (layer.inside(iy)) pending.push_back({g, iy});
      strip_last_row.push_back(int64_t(pending.size()) - 1);
    }
    std::vector<int64_t> row_chunk(pending.size(), -1);
    std::size_t next_row = 0;
    // An expansion group: up to group_rows consecutive image rows of one image and pass,
    // loaded as one LOAD; per chunk of its panels the array computes all its pixels (a
    // one-panel chunk in two COMPUTEs) and a STORE per row writes them requantized into the
    // row's place. emit_chunk() emits the open group's next chunk (opening the next group
    // first if none is open); false once every row is expanded.
    struct OpenGroup {
      std::size_t i0 = 0;
      uint32_t n = 0, k = 0, v = 0, buffer = 0, per = 0, q0 = 0;
      DwStrip t{};
      Load in;
    };
    std::optional<OpenGroup> open;
    auto open_group = [&] {
      const std::size_t i0 = next_row;
      const DwStrip t = layer.strip(pending[i0].first);
      const uint32_t iy0 = pending[i0].second;
      uint32_t n = 1;
      while (n < f.group_rows && i0 + n < pending.size() && pending[i0 + n].second == iy0 + n) {
        const DwStrip u = layer.strip(pending[i0 + n].first);
        if (u.image != t.image || u.c0 != t.c0) break;
        ++n;
      }
      const uint32_t k = uint32_t(input_groups.size()), v = n * e.w;  // pixels
      const uint32_t buffer = f.ring ? layer.zero_line() - (k % 2 + 1) * f.group_rows * f.e_row
                                     : (k % 2 + 1) * bank - f.group_rows * f.e_row;
      Load in;
      in.dram_addr = e.input_addr + t.image * image_bytes + uint64_t(iy0 - d.pad_top) * e.w * e.c;
      if (e.c % rows == 0) {  // the rows' pixels are whole lines: one DMA row
        in.row_bytes = v * e.c;
        in.rows = 1;
        in.dram_stride = in.row_bytes;
      } else {  // a DMA row per pixel, each starting a line (the last one's tail zero)
        in.row_bytes = e.c;
        in.rows = v;
        in.dram_stride = e.c;
        in.sram_stride = f.kt;
      }
      in.sram_line = buffer;
      // The first group's token is its weights' (after it); a buffer is the group two back's.
      in.deps = (k > 0 || !weight_tokens ? kDepsPushNext : 0) | (k >= 2 ? kDepsPopNext : 0);
      // The pass's panels in chunks of up to `group`, as even as they go.
      const uint32_t chunks = ceil_div(t.blocks, f.group), per = ceil_div(t.blocks, chunks);
      open = OpenGroup{i0, n, k, v, buffer, per, 0, t, in};
    };
    auto emit_chunk = [&] {
      if (!open) {
        if (next_row >= pending.size()) return false;
        open_group();
      }
      const OpenGroup& o = *open;
      const DwStrip& t = o.t;
      const uint32_t n = o.n, v = o.v, buffer = o.buffer, q0 = o.q0;
      const std::size_t i0 = o.i0;
      const uint32_t q1 = std::min(t.blocks, q0 + o.per);
      const uint32_t chunk = uint32_t(chunk_group.size());
      const uint32_t region = e_acc + chunk % f.e_regions * f.e_region;
      Group grp;
      if (q0 == 0) {
        if (groups.empty()) grp.loads = constants;
        grp.loads.push_back(o.in);
      }
      // A COMPUTE per panel, and a one-panel chunk in two: a group of two COMPUTEs or
      // more can take a token more than it gives (see the tokens below).
      const uint32_t parts = q1 - q0 == 1 && v >= 2 * rows ? 2 : 1;
      for (uint32_t q = q0; q < q1; ++q) {
        const uint32_t panel = t.c0 / rows + q;
        for (uint32_t part = 0; part < parts; ++part) {
          const uint32_t x0 = v * part / parts, x1 = v * (part + 1) / parts;
          Compute cmp;
          cmp.act_line = buffer + x0 * f.kt;
          cmp.act_stride = f.kt;
          cmp.vectors = x1 - x0;
          cmp.extra_tiles = uint16_t(f.kt - 1);
          cmp.act_tile_stride = f.kt > 1 ? 1 : 0;
          cmp.k_valid = uint16_t(e.c - rows * (f.kt - 1));
          cmp.n_valid = uint16_t(std::min(rows, c - panel * rows));
          cmp.wgt_line = e_weights + (panel - p0) * f.kp;
          cmp.acc_line = region + (q - q0) * v + x0;
          if (o.k == 0 && weight_tokens && part == 0) {  // its weights' token
            cmp.deps = kDepsPopPrev;
            panel_at.push_back({groups.size(), grp.computes.size()});
          }
          grp.computes.push_back(cmp);
        }
      }
      if (q0 == 0 && (o.k > 0 || !weight_tokens))
        grp.computes.front().deps |= kDepsPopPrev;  // the input rows
      // Per row, the chunk's panels requantized into the row's place: pixel x's block q
      // at row_line + x*blocks + q. Full panels in one STORE, a last partial one on its
      // own.
      for (uint32_t j = 0; j < n; ++j) {
        const uint32_t g = pending[i0 + j].first, iy = pending[i0 + j].second;
        const uint32_t place = layer.row_line(g, layer.strip(g), iy);
        for (uint32_t q = q0; q < q1;) {
          const uint32_t panel = t.c0 / rows + q;
          const bool partial = c - panel * rows < rows;
          uint32_t count = 1;
          while (!partial && q + count < q1 && c - (panel + count) * rows >= rows) ++count;
          Store st;
          st.requantize = st.per_channel = st.to_scratchpad = true;
          st.rows = e.w;
          st.acc_line = region + (q - q0) * v + j * e.w;
          st.cols = uint16_t(std::min(rows, c - panel * rows));
          st.zero_point = e.zero_point;
          st.act_min = e.act_min;
          st.act_max = e.act_max;
          st.qparam_entry = panel * rows - c0;
          st.extra_panels = uint16_t(count - 1);
          st.panel_pitch = uint16_t(count > 1 ? v : 0);
          st.sram_line = place + q;
          st.sram_stride = t.blocks;
          st.sram_panel_pitch = count > 1 ? 1 : 0;
          grp.stores.push_back(st);
          q += count;
        }
      }
      // Its region: the chunk e_regions back's, read by that chunk's STOREs.
      if (chunk >= f.e_regions) grp.needs = chunk_group[chunk - f.e_regions];
      chunk_group.push_back(int64_t(groups.size()));
      groups.push_back(std::move(grp));
      open->q0 = q1;
      if (q1 == t.blocks) {  // the group's last chunk: its buffer and rows are done
        input_groups.push_back(uint32_t(groups.size() - 1));
        for (uint32_t j = 0; j < n; ++j) row_chunk[i0 + j] = int64_t(groups.size() - 1);
        next_row += n;
        open.reset();
      }
      return true;
    };
    // Every row of strip g expanded.
    auto expansion = [&](uint32_t g) {
      while (next_row < pending.size() && pending[next_row].first <= g) emit_chunk();
    };
    // The strip: its rows' chunks written, its region (strip g - 1's) read.
    auto depthwise = [&](uint32_t g) {
      Group grp;
      grp.computes = layer.computes(g, 0);
      grp.stores = layer.stores(g, 0, d_entry - c0);  // entry d_entry + the channel - c0
      const int64_t last_row = strip_last_row[g - g0];
      grp.needs = std::max(last_row >= 0 ? row_chunk[std::size_t(last_row)] : int64_t(-1),
                           g > g0 ? strip_group[g - g0 - 1] : int64_t(-1));
      strip_group.push_back(int64_t(groups.size()));
      groups.push_back(std::move(grp));
    };
    expansion(g0);
    for (uint32_t g = g0; g < g1; ++g) {
      if (g + 1 < g1) expansion(g + 1);
      depthwise(g);
      // In the ring, an expansion chunk between two strips' rows (the unit's next rows
      // would otherwise wait for the STOREs of these: one depthwise region), of rows no
      // further on than strip g + group_rows + 1's (so that the ring's places it writes,
      // ring >= 2 x group_rows + 1, have been read).
      if (f.ring && (open || (next_row < pending.size() &&
                              pending[next_row].first <= g + f.group_rows + 1))) {
        emit_chunk();
      }
    }

    // The expansion's weights, panel j's just before the first COMPUTE of panel j -
    // kWeightsAhead (the rest, without tokens, with the last): streamed among the COMPUTEs,
    // so that the dispatcher (in order) does not hold the array's first COMPUTEs behind
    // every panel's LOAD.
    for (std::size_t j = 0; j < e_weight_loads.size(); ++j) {
      const auto [gi, ci] =
          panel_at[std::min(j < kWeightsAhead ? 0 : j - kWeightsAhead, panel_at.size() - 1)];
      groups[gi].loads_at.push_back({ci, e_weight_loads[j]});
    }
    // compute -> load: a group's last COMPUTE frees its input buffer for the group two on.
    for (std::size_t k = 0; k + 2 < input_groups.size(); ++k)
      groups[input_groups[k]].computes.back().deps |= kDepsPushPrev;
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
    for (int64_t i = 0; i <= seen.back(); ++i)
      groups[size_t(i)].stores.back().deps |= kDepsPushPrev;

    // The stream, group by group: its LOADs, its COMPUTEs (each after the LOADs streamed
    // just before it), its STOREs.
    for (const Group& grp : groups) {
      for (const Load& l : grp.loads) s.push(l);
      auto next_load = grp.loads_at.begin();  // in COMPUTE order
      for (std::size_t j = 0; j < grp.computes.size(); ++j) {
        for (; next_load != grp.loads_at.end() && next_load->first == j; ++next_load)
          s.push(next_load->second);
        s.push(grp.computes[j]);
      }
      for (const Store& st : grp.stores) s.push(st);
    }
  };
  if (!f.per_pass) {
    span(0, layer.total());
    return;
  }
  // Per pass: the next pass's tables and weights replace this one's once its STOREs are done.
  for (uint32_t g0 = 0; g0 < layer.total(); g0 += layer.strips()) {
    if (g0 > 0) s.push(Fence{false, *d.barrier_addr, g0 / layer.strips()});
    span(g0, g0 + layer.strips());
  }
}

}  // namespace tessera::isa::detail
