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
// Measured on MobileNet-v2's pairs on the RTL (docs/performance.md): 35 is the most that
// keeps 28-pixel rows one a group; at 28 the 7x7 pairs (groups of 4 + 3 rows) lose, at 48
// the 28x28 and 14x14 ones gain 2-4 k cycles less.
constexpr uint32_t kGroupVectors = 35;
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
  uint32_t d_regions = 1;               // output rows the accumulator holds at once
  uint32_t e_acc = 0;                   // the first chunk region's line
  uint32_t e_regions = 0;               // chunks the accumulator holds at once
  uint32_t group_rows = 1;              // image rows per expansion group (one COMPUTE)
  uint32_t ring = 0;                    // stride 1: row places of the ring (DwShape::ring)
  // Both layers' tables (2 x C entries) do not fit at once: each pass loads its channels'
  // entries of both, into the half of the table the pass two back used (so that a pass's
  // entries load while the pass before is still storing). The expansion's weights do not
  // fit beside the depthwise layer's: each pass loads its panels' into `slots` places of a
  // panel each, taking turns (a place is loaded again once the COMPUTEs that read it are done).
  bool table_per_pass = false, weights_per_pass = false;
  uint32_t slots = 0;  // the expansion's panel places (= panels when they all fit)
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
  if (f.table_per_pass && e.w < 2) {
    return "both layers' tables (2 x " + std::to_string(d.c) + " of " +
           std::to_string(cfg.qtable_entries) +
           " entries) are reloaded per pass, which needs rows of at least two pixels (W = " +
           std::to_string(e.w) + ")";
  }
  // Blocks per pass: within the line buffer, a bank's strip buffer and pair region (four
  // rows; bank 2 the expansion's two input rows and the zero-point line), an output row and
  // two one-panel chunks in the accumulator, a depthwise output row's two STOREs (the store
  // unit holds the parameters of STORE_PARAM_GROUPS: two for them, the rest for the
  // expansion's chunks), and per pass, its channels' entries of both tables in half the
  // table and its expansion panels beside the depthwise layer's weights in bank 3.
  auto fits = [&](uint32_t g) {
    return uint64_t(columns.vectors) * g <= kDwLineBufferLines &&
           4ull * columns.vectors * g <= bank && 2ull * f.e_row + 1 <= bank &&
           uint64_t(ow) * g <= region_lines(cfg) && 2ull * e.w <= region_lines(cfg) &&
           (!f.table_per_pass || 4ull * g * rows <= cfg.qtable_entries) &&
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
            uint64_t(ring) * columns.vectors * f.blocks + 1 > bank ||
            2ull * r * f.e_row + 1 > bank) {
          continue;
        }
        f.group_rows = r;
        f.group = ceil_div(f.blocks, chunks);
        f.ring = ring;
      }
    }
  }
  // The expansion's panel places: bank 3 (with a ring, the depthwise weights are in bank 1).
  f.slots = f.weights_per_pass ? ((f.ring ? bank : bank - f.d_weights) / f.kp) : f.panels;
  if (f.slots >= f.panels) f.weights_per_pass = false, f.slots = f.panels;  // bank 3 holds all
  if (f.ring) {
    // Two output row regions where bank 0 holds them, so that a strip's rows do not wait
    // for the STOREs of the strip just before.
    f.d_regions = std::min(2u, half / f.d_region);
    f.e_region = f.group * f.group_rows * e.w;
    f.e_acc = half;
    f.e_regions = half / f.e_region;
  } else {
    // Into the strip buffers a row at a time, or at stride 2 a strip's two rows (one
    // COMPUTE of twice the vectors) where four chunks of two panels still fit; the rest of
    // the accumulator after the row region in chunks: at least four where a panel each
    // allows (the array runs ahead of the STOREs; measured on MobileNet-v2's blocks),
    // larger otherwise.
    const uint32_t left = cfg.accumulator_lines - f.d_region;
    f.group_rows = d.stride_h == 2 && left / (kChunksAhead * 2 * e.w) >= 2 ? 2 : 1;
    const uint32_t v = f.group_rows * e.w;
    f.group = std::max(1u, std::min({f.blocks, kMaxExtraPanels + 1, left / (kChunksAhead * v)}));
    f.e_acc = f.d_region;
    f.e_region = f.group * v;
    f.e_regions = left / f.e_region;
  }
  return {};
}

// One unit of the schedule: an expansion chunk (a row's group of panels) or a depthwise
// strip: its COMPUTEs and then its STOREs.
struct Group {
  std::vector<Compute> computes;
  std::vector<Store> stores;
  int64_t needs = -1;  // the last store group its first COMPUTE must see done (-1: none)
};

// A LOAD of the plan: the COMPUTE it goes just before in the stream (`at`, an index of the
// stream's COMPUTEs; LOADs at the same one in the order they were made) and the last
// COMPUTE that reads what it overwrites (-1: none).
struct PlannedLoad {
  Load load;
  int64_t at = 0;
  int64_t after = -1;
};

// The tokens between the load and the compute unit, from what each command needs: COMPUTE
// i reads what the LOADs needs[i] write; a LOAD overwrites what COMPUTEs up to its `after`
// read. Both units run in order and a LOAD's data is in once the LOADs before it are
// (tessera_load_unit finishes in order), so a token goes only where a need reaches beyond
// the ones before it: a COMPUTE waits for the last LOAD it needs past those, a LOAD for the
// last COMPUTE past those. Returns the LOADs in stream order. Throws std::logic_error if a
// LOAD comes after a COMPUTE that needs it or before the one it waits for, or a wait closes
// a cycle.
std::vector<std::size_t> load_compute_tokens(std::vector<PlannedLoad>& loads,
                                             const std::vector<Compute*>& computes,
                                             const std::vector<std::vector<std::size_t>>& needs) {
  std::vector<std::size_t> order(loads.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return loads[a].at < loads[b].at; });
  std::vector<int64_t> rank(loads.size());
  for (std::size_t k = 0; k < order.size(); ++k) rank[order[k]] = int64_t(k);
  auto fail = [](const std::string& what) {
    throw std::logic_error("plan_expand_depthwise: " + what);
  };
  // Per COMPUTE the last LOAD (in stream order) it needs, and the most any COMPUTE up to it needs.
  std::vector<int64_t> last_load(computes.size(), -1), most_load(computes.size(), -1);
  for (std::size_t i = 0; i < computes.size(); ++i) {
    for (std::size_t id : needs[i]) {
      if (loads[id].at > int64_t(i))
        fail("COMPUTE " + std::to_string(i) + " comes before a LOAD it reads");
      last_load[i] = std::max(last_load[i], rank[id]);
    }
    most_load[i] = std::max(last_load[i], i ? most_load[i - 1] : int64_t(-1));
  }
  // Per LOAD (stream order) the most any LOAD up to it waits for.
  std::vector<int64_t> most_after(order.size(), -1);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const PlannedLoad& l = loads[order[k]];
    if (l.after >= l.at) fail("a LOAD comes before the COMPUTE it waits for");
    most_after[k] = std::max(l.after, k ? most_after[k - 1] : int64_t(-1));
  }
  int64_t given = -1;
  for (std::size_t i = 0; i < computes.size(); ++i) {
    if (last_load[i] <= given) continue;
    given = last_load[i];
    if (most_after[std::size_t(given)] >= int64_t(i))
      fail("COMPUTE " + std::to_string(i) + " waits for a LOAD that waits for it");
    computes[i]->deps |= kDepsPopPrev;
    loads[order[std::size_t(given)]].load.deps |= kDepsPushNext;
  }
  given = -1;
  for (std::size_t k = 0; k < order.size(); ++k) {
    PlannedLoad& l = loads[order[k]];
    if (l.after <= given) continue;
    given = l.after;
    if (most_load[std::size_t(given)] >= int64_t(k))
      fail("a LOAD waits for COMPUTE " + std::to_string(given) + ", which waits for it");
    l.load.deps |= kDepsPopNext;
    computes[std::size_t(given)]->deps |= kDepsPushPrev;
  }
  return order;
}

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
  const DwLayer layer(d, cfg, dw_shape_of_rows(d, cfg, f.blocks, f.ring));
  const uint32_t rows = cfg.rows, c = d.c, strips = layer.strips();
  // The expansion's panel places after the depthwise layer's weights in bank 3, or with a
  // ring (the depthwise weights in bank 1) from bank 3's start.
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
  // The table: every channel's entries, the expansion's from 0 and the depthwise layer's
  // from C; per pass (table_per_pass) pass q's channels' in half q % 2, the expansion's
  // from its start and the depthwise layer's from blocks x NumRows on.
  const uint32_t half_entries = 2 * f.blocks * rows;
  auto pass_of = [&](uint32_t g) { return g / strips; };  // over images and passes
  auto half_of = [&](uint32_t q) { return f.table_per_pass ? q % 2 : 0; };
  auto e_entry = [&](const DwStrip& t, uint32_t g, uint32_t channel) {
    return f.table_per_pass ? pass_of(g) % 2 * half_entries + channel - t.c0 : channel;
  };
  const uint32_t d_entries_from = f.table_per_pass ? f.blocks * rows : c;

  std::vector<PlannedLoad> loads;
  std::vector<std::vector<std::size_t>> needs;  // per COMPUTE in stream order: the LOADs it reads
  std::vector<Group> groups;
  uint32_t computes = 0;  // made so far: the next one's index
  auto add_load = [&](const Load& l, int64_t at, int64_t after = -1) {
    loads.push_back({l, at, after});
    return loads.size() - 1;
  };
  // What the LOADs wrote and the COMPUTEs read last: the depthwise weights and the
  // zero-point line, each half of the table, the two expansion input buffers and the
  // expansion's panel places.
  std::vector<std::size_t> dw_constants, table_loads[2];
  std::size_t input_load[2] = {0, 0};
  int64_t input_read[2] = {-1, -1};
  std::vector<std::size_t> slot_load(f.slots), slot_weight(f.slots);  // its LOAD (of weight_loads)
  std::vector<int64_t> slot_read(f.slots, -1);
  std::vector<uint32_t> slot_of_panel(f.panels, 0);
  uint32_t slots_used = 0;
  // The expansion's weight LOADs in order, each with the first COMPUTE that reads it.
  std::vector<std::pair<std::size_t, int64_t>> weight_loads;
  std::vector<int64_t> pass_last_group;  // per pass: its last group (chunks and strips)
  auto in_pass = [&](uint32_t q) {
    if (pass_last_group.size() <= q) pass_last_group.resize(q + 1, -1);
    pass_last_group[q] = int64_t(groups.size());
  };

  // The strips' image rows in the order the unit streams them: (strip, padded row); per
  // strip its last row's index (-1: none), per row its expansion group's last chunk.
  std::vector<std::pair<uint32_t, uint32_t>> pending;
  std::vector<int64_t> strip_last_row, strip_group;
  for (uint32_t g = 0; g < layer.total(); ++g) {
    const DwStrip t = layer.strip(g);
    for (uint32_t iy = t.first; iy <= t.last; ++iy)
      if (layer.inside(iy)) pending.push_back({g, iy});
    strip_last_row.push_back(int64_t(pending.size()) - 1);
  }
  std::vector<int64_t> row_chunk(pending.size(), -1), chunk_group;
  uint32_t input_groups = 0;
  std::size_t next_row = 0;
  // An expansion group: up to group_rows consecutive image rows of one image and pass,
  // loaded as one LOAD; per chunk of its panels the array computes all its pixels (a
  // one-panel chunk in two COMPUTEs) and a STORE per row writes them requantized into the
  // row's place. A pass's first group also loads the pass's tables (per pass) and the
  // expansion's weights (the first pass, or per pass). emit_chunk() emits the open group's
  // next chunk (opening the next group first if none is open); false once every row is
  // expanded.
  struct OpenGroup {
    std::size_t i0 = 0, input = 0;
    uint32_t g = 0, n = 0, k = 0, v = 0, buffer = 0, per = 0, q0 = 0;
    DwStrip t{};
    std::vector<std::size_t> later_tables;  // the pass's table LOADs after its first COMPUTE
    int64_t needs = -1;                     // the store group its first COMPUTE waits for
  };
  std::optional<OpenGroup> open;
  auto open_group = [&] {
    OpenGroup o;
    o.i0 = next_row;
    o.g = pending[o.i0].first;
    o.t = layer.strip(o.g);
    const uint32_t iy0 = pending[o.i0].second, q = pass_of(o.g);
    o.n = 1;
    while (o.n < f.group_rows && o.i0 + o.n < pending.size() &&
           pending[o.i0 + o.n].second == iy0 + o.n && pass_of(pending[o.i0 + o.n].first) == q &&
           (f.ring || pending[o.i0 + o.n].first == o.g)) {  // strip buffers: one strip's
      ++o.n;
    }
    o.k = input_groups++;
    o.v = o.n * e.w;  // pixels
    const DwStrip& t = o.t;
    const bool first_of_pass = o.i0 == 0 || pass_of(pending[o.i0 - 1].first) != q;
    const int64_t at = computes;
    if (o.i0 == 0) {  // once: the depthwise weights and the padding rows' zero-point line
      dw_constants.push_back(add_load(
          whole(d.weight_addr, f.d_weights * rows, layer.weight_line(), Load::Dest::kScratchpad),
          at));
      if (layer.shape().hp > d.h) {
        dw_constants.push_back(
            add_load(Load::fill_rows(layer.zero_line(), 1, rows, 1, 1, d.input_zero_point), at));
      }
    }
    if (first_of_pass && (q == 0 || f.table_per_pass)) {
      // The pass's tables: into the half the pass two back used once its STOREs are done
      // (the first COMPUTE waits for them and the LOADs for it, so they go after it).
      const uint32_t tc0 = f.table_per_pass ? t.c0 : 0;
      const uint32_t bytes = (f.table_per_pass ? t.c1 - t.c0 : c) * qtable::kEntryBytes;
      const uint32_t entry = e_entry(t, o.g, tc0);
      auto& half = table_loads[half_of(q)];
      half.clear();
      const bool later = q >= 2;
      for (const auto& [addr, from] :
           {std::pair{e.qtable_addr, entry}, std::pair{d.qtable_addr, entry + d_entries_from}}) {
        half.push_back(
            add_load(whole(addr + tc0 * qtable::kEntryBytes, bytes, from, Load::Dest::kQTable),
                     later ? at + 1 : at, later ? at : -1));
        if (later) o.later_tables.push_back(half.back());
      }
      if (later) o.needs = pass_last_group[q - 2];
    }
    o.buffer = 3 * bank - 1 - (o.k % 2 + 1) * f.group_rows * f.e_row;  // bank 2
    Load in;
    in.dram_addr = e.input_addr + t.image * image_bytes + uint64_t(iy0 - d.pad_top) * e.w * e.c;
    if (e.c % rows == 0) {  // the rows' pixels are whole lines: one DMA row
      in.row_bytes = o.v * e.c;
      in.rows = 1;
      in.dram_stride = in.row_bytes;
    } else {  // a DMA row per pixel, each starting a line (the last one's tail zero)
      in.row_bytes = e.c;
      in.rows = o.v;
      in.dram_stride = e.c;
      in.sram_stride = f.kt;
    }
    in.sram_line = o.buffer;
    o.input = input_load[o.k % 2] = add_load(in, at, input_read[o.k % 2]);
    if (first_of_pass && (q == 0 || f.weights_per_pass)) {
      // The pass's panels (or every panel, once) into places of their own, each once the
      // COMPUTEs that read the place before are done; placed in the stream below.
      const uint32_t p0 = f.weights_per_pass ? t.c0 / rows : 0;
      const uint32_t panels = f.weights_per_pass ? t.blocks : f.panels;
      for (uint32_t j = 0; j < panels; ++j) {
        const uint32_t slot = slots_used++ % f.slots, panel = p0 + j;
        slot_of_panel[panel] = slot;
        slot_load[slot] = add_load(whole(e.weight_addr + uint64_t(panel) * f.kp * rows, f.kp * rows,
                                         e_weights + slot * f.kp, Load::Dest::kScratchpad),
                                   at, slot_read[slot]);
        slot_weight[slot] = weight_loads.size();
        weight_loads.push_back({slot_load[slot], -1});
      }
    }
    // The pass's panels in chunks of up to `group`, as even as they go.
    const uint32_t chunks = ceil_div(t.blocks, f.group);
    o.per = ceil_div(t.blocks, chunks);
    open = std::move(o);
  };
  auto emit_chunk = [&] {
    if (!open) {
      if (next_row >= pending.size()) return false;
      open_group();
    }
    OpenGroup& o = *open;
    const DwStrip& t = o.t;
    const uint32_t q1 = std::min(t.blocks, o.q0 + o.per);
    const uint32_t chunk = uint32_t(chunk_group.size());
    const uint32_t region = e_acc + chunk % f.e_regions * f.e_region;
    Group grp;
    // Its region: the chunk e_regions back's, read by that chunk's STOREs; and the pass's
    // table half, read by the pass two back's.
    if (chunk >= f.e_regions) grp.needs = chunk_group[chunk - f.e_regions];
    grp.needs = std::max(grp.needs, o.needs);
    // A COMPUTE per panel; a one-panel chunk in two where it has two tiles' vectors
    // (measured: MobileNet-v2's 112²×16 → 96 pair 1.1k cycles faster than in one), and a
    // pass's first chunk of one panel always (the pass's later table LOADs go between its
    // first COMPUTE and its last).
    const bool tables_between = !o.later_tables.empty();
    const uint32_t parts =
        q1 - o.q0 == 1 && (o.v >= 2 * rows || (tables_between && o.v >= 2)) ? 2 : 1;
    for (uint32_t b = o.q0; b < q1; ++b) {
      const uint32_t panel = t.c0 / rows + b, slot = slot_of_panel[panel];
      for (uint32_t part = 0; part < parts; ++part) {
        const uint32_t x0 = o.v * part / parts, x1 = o.v * (part + 1) / parts;
        Compute cmp;
        cmp.act_line = o.buffer + x0 * f.kt;
        cmp.act_stride = f.kt;
        cmp.vectors = x1 - x0;
        cmp.extra_tiles = uint16_t(f.kt - 1);
        cmp.act_tile_stride = f.kt > 1 ? 1 : 0;
        cmp.k_valid = uint16_t(e.c - rows * (f.kt - 1));
        cmp.n_valid = uint16_t(std::min(rows, c - panel * rows));
        cmp.wgt_line = e_weights + slot * f.kp;
        cmp.acc_line = region + (b - o.q0) * o.v + x0;
        grp.computes.push_back(cmp);
        needs.push_back({o.input, slot_load[slot]});
        int64_t& first_read = weight_loads[slot_weight[slot]].second;
        if (first_read < 0) first_read = computes;
        slot_read[slot] = input_read[o.k % 2] = computes++;
      }
    }
    if (tables_between) {
      if (grp.computes.size() < 2)
        throw std::logic_error("plan_expand_depthwise: a pass's first chunk of one COMPUTE");
      o.later_tables.clear();
      o.needs = -1;
    }
    // Its STOREs read the pass's table half: its last COMPUTE (which gives them their
    // token) waits for the half's LOADs.
    const uint32_t q = pass_of(o.g);
    for (std::size_t id : table_loads[half_of(q)]) needs.back().push_back(id);
    // Per row, the chunk's panels requantized into the row's place: pixel x's block q
    // at row_line + x*blocks + q. Full panels in one STORE, a last partial one on its
    // own.
    for (uint32_t j = 0; j < o.n; ++j) {
      const uint32_t g = pending[o.i0 + j].first, iy = pending[o.i0 + j].second;
      const uint32_t place = layer.row_line(g, layer.strip(g), iy);
      for (uint32_t b = o.q0; b < q1;) {
        const uint32_t panel = t.c0 / rows + b;
        const bool partial = c - panel * rows < rows;
        uint32_t count = 1;
        while (!partial && b + count < q1 && c - (panel + count) * rows >= rows) ++count;
        Store st;
        st.requantize = st.per_channel = st.to_scratchpad = true;
        st.rows = e.w;
        st.acc_line = region + (b - o.q0) * o.v + j * e.w;
        st.cols = uint16_t(std::min(rows, c - panel * rows));
        st.zero_point = e.zero_point;
        st.act_min = e.act_min;
        st.act_max = e.act_max;
        st.qparam_entry = e_entry(t, o.g, panel * rows);
        st.extra_panels = uint16_t(count - 1);
        st.panel_pitch = uint16_t(count > 1 ? o.v : 0);
        st.sram_line = place + b;
        st.sram_stride = t.blocks;
        st.sram_panel_pitch = count > 1 ? 1 : 0;
        grp.stores.push_back(st);
        b += count;
      }
    }
    chunk_group.push_back(int64_t(groups.size()));
    in_pass(q);
    groups.push_back(std::move(grp));
    o.q0 = q1;
    if (q1 == t.blocks) {  // the group's last chunk: its buffer and rows are done
      for (uint32_t j = 0; j < o.n; ++j) row_chunk[o.i0 + j] = int64_t(groups.size() - 1);
      next_row += o.n;
      open.reset();
    }
    return true;
  };
  // Every row of strip g expanded.
  auto expansion = [&](uint32_t g) {
    while (next_row < pending.size() && pending[next_row].first <= g) emit_chunk();
  };
  // The strip: its rows' chunks written, its region (strip g - d_regions's) read.
  auto depthwise = [&](uint32_t g) {
    const DwStrip t = layer.strip(g);
    const uint32_t acc = g % f.d_regions * f.d_region;
    Group grp;
    grp.computes = layer.computes(g, acc);
    grp.stores = layer.stores(g, acc, e_entry(t, g, 0) + d_entries_from);
    const int64_t last_row = strip_last_row[g];
    grp.needs = std::max(last_row >= 0 ? row_chunk[std::size_t(last_row)] : int64_t(-1),
                         g >= f.d_regions ? strip_group[g - f.d_regions] : int64_t(-1));
    for (std::size_t j = 0; j < grp.computes.size(); ++j, ++computes) needs.push_back(dw_constants);
    for (std::size_t id : table_loads[half_of(pass_of(g))]) needs.back().push_back(id);
    strip_group.push_back(int64_t(groups.size()));
    in_pass(pass_of(g));
    groups.push_back(std::move(grp));
  };
  expansion(0);
  for (uint32_t g = 0; g < layer.total(); ++g) {
    if (g + 1 < layer.total()) expansion(g + 1);
    depthwise(g);
    // In the ring, an expansion chunk between two strips' rows (the unit's next rows
    // would otherwise wait for the STOREs of these: one depthwise region), of rows no
    // further on than strip g + group_rows + 1's (so that the ring's places it writes,
    // ring >= 2 x group_rows + 1, have been read) and of the next pass at most (so that
    // the pass two back's strips are in the stream before it: its table half).
    if (f.ring &&
        (open || (next_row < pending.size() && pending[next_row].first <= g + f.group_rows + 1 &&
                  pass_of(pending[next_row].first) <= pass_of(g) + 1))) {
      emit_chunk();
    }
  }

  // The expansion's weights, each LOAD just before the COMPUTE kWeightsAhead LOADs back's
  // first reader (the first ones with their group's LOADs), but after the last reader of
  // the place it overwrites: streamed among the COMPUTEs, so that the dispatcher (in order)
  // does not hold the array's first COMPUTEs behind every panel's LOAD.
  for (std::size_t j = 0; j < weight_loads.size(); ++j) {
    PlannedLoad& l = loads[weight_loads[j].first];
    const int64_t ahead = weight_loads[j < kWeightsAhead ? 0 : j - kWeightsAhead].second;
    l.at = std::max(ahead, l.after + 1);
  }
  std::vector<Compute*> all;
  for (Group& grp : groups)
    for (Compute& cmp : grp.computes) all.push_back(&cmp);
  const std::vector<std::size_t> order = load_compute_tokens(loads, all, needs);
  // compute -> store: each group's last COMPUTE for its first STORE.
  for (Group& grp : groups) {
    grp.computes.back().deps |= kDepsPushNext;
    grp.stores.front().deps |= kDepsPopPrev;
  }
  // store -> compute: STOREs finish their reads in order, so a COMPUTE waits (a token) only
  // where the store group it needs is past the ones waited for before it, and that group's
  // last STORE gives it. No COMPUTE may wait for its own group's STOREs or later ones
  // (they wait for it).
  int64_t waited = -1;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const int64_t need = groups[i].needs;
    if (need <= waited) continue;
    if (need >= int64_t(i)) {
      throw std::logic_error("plan_expand_depthwise: group " + std::to_string(i) +
                             " would wait for store group " + std::to_string(need));
    }
    groups[i].computes.front().deps |= kDepsPopNext;
    groups[std::size_t(need)].stores.back().deps |= kDepsPushPrev;
    waited = need;
  }

  // The stream: per COMPUTE the LOADs just before it, then it; after a group's last
  // COMPUTE its STOREs.
  std::size_t next_load = 0;
  uint32_t index = 0;
  for (const Group& grp : groups) {
    for (const Compute& cmp : grp.computes) {
      for (; next_load < order.size() && loads[order[next_load]].at <= index; ++next_load)
        s.push(loads[order[next_load]].load);
      s.push(cmp);
      ++index;
    }
    for (const Store& st : grp.stores) s.push(st);
  }
}

}  // namespace tessera::isa::detail
