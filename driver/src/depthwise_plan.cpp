// SPDX-License-Identifier: Apache-2.0
// Depthwise convolution on the depthwise unit; see depthwise_plan.hpp.
#include "depthwise_plan.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "panel_schedule.hpp"

namespace tessera::isa::detail {
namespace {

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

// Channel blocks per pass: two of the store unit's held groups of panels
// (tessera_store_params), so that the STOREs of a pass never fetch their parameters again.
// Passes of up to all STORE_PARAM_GROUPS measured slower where they took a layer in one
// pass (7 x 7 x 960: 7 981 -> 8 445 cycles; 14 x 14 x 576: 11 757 -> 11 933; at stride 2
// 10 093 -> 9 661): a pass's first rows then take longer to load.
constexpr uint32_t kPassBlocks = 2 * (kMaxExtraPanels + 1);
static_assert(kPassBlocks <= kStoreParamGroups * (kMaxExtraPanels + 1));
// Strip buffers: one in each of banks 0, 1 and 2 (measured on MobileNet-v2's depthwise
// layers: 2.5 % fewer cycles than two; more, or loads pushed further ahead in the stream,
// gained nothing), and the loads one strip ahead of the computes in the stream.
constexpr uint32_t kLoadsAhead = 1;

// The most blocks a pass may have on this build (0: none fits), with rows of `vectors`
// streamed pixels.
uint32_t max_pass_blocks(const ConvPlan& p, const BuildConfig& cfg, uint32_t vectors, uint32_t ow) {
  uint32_t g = std::min(ceil_div(p.c, cfg.rows), kPassBlocks);
  while (g > 0 &&
         (uint64_t(vectors) * g > kDwLineBufferLines || uint64_t(ow) * g > region_lines(cfg) ||
          uint64_t(p.stride_h + 2) * vectors * g + 1 > bank_lines(cfg)))
    --g;
  return g;
}

// The shape's parts that do not depend on the passes and strips.
DwShape dw_rows_and_columns(const ConvPlan& p) {
  DwShape d;
  d.columns = dw_columns(p);
  d.vectors = d.columns.vectors;
  d.hp = p.pad_top + p.h + p.pad_bottom;
  d.first_row = std::min(p.pad_top, kDwKernel - 1);
  d.oh = p.out_h();
  d.ow = p.out_w();
  d.stride = p.stride_h;
  return d;
}

}  // namespace

DwColumns dw_columns(const ConvPlan& p) {
  const uint32_t wp = p.pad_left + p.w + p.pad_right;
  const uint32_t reach = kDwKernel - 1 + (p.out_w() - 1) * p.stride_w;  // the last column used
  DwColumns k;
  k.left = p.pad_left > 0;
  k.right = p.pad_right > 0 && reach == wp - 1;
  // The streamed columns: from the unit's left one on, to the last used (or the last pixel).
  const uint32_t first = k.left ? 1 : 0;
  const uint32_t last = std::max(reach - (k.right ? 1 : 0), p.pad_left + p.w - 1);
  k.vectors = last - first + 1;
  if (k.vectors < kDwKernel) {  // too narrow a row for the unit (its line buffer's timing)
    k = DwColumns{};
    k.vectors = std::max(reach + 1, p.pad_left + p.w);
  }
  k.fill_left = p.pad_left - (k.left ? 1 : 0);
  k.fill_right = k.vectors - k.fill_left - p.w;
  return k;
}

DwShape dw_shape(const ConvPlan& p, const BuildConfig& cfg) {
  DwShape d = dw_rows_and_columns(p);
  const uint32_t total = ceil_div(p.c, cfg.rows), most = max_pass_blocks(p, cfg, d.vectors, d.ow);
  d.passes = ceil_div(total, most);
  d.blocks = ceil_div(total, d.passes);  // as even as they go
  // As many output rows as an accumulator region and a bank (a strip's padded rows, the
  // first strip's two more, and in bank 2 the zero-point line) hold, and a STORE's rows
  // allow.
  const uint32_t row_lines = d.vectors * d.blocks, bank_rows = (bank_lines(cfg) - 1) / row_lines;
  const uint32_t by_region = region_lines(cfg) / (d.ow * d.blocks);
  const uint32_t by_store = kMaxCount / (d.ow * (kMaxExtraPanels + 1));
  d.strip_out = std::min({by_region, (bank_rows - 2) / d.stride, by_store, d.oh});
  d.buffer_rows = d.strip_out * d.stride + 2;
  // Pairs (with at most one padding row on top, so that every strip's pairs are whole): a
  // buffer holds a strip's first rows and its unpaired rows (row 0, an odd height's last
  // two), at most strip_out + 2, and a bank one buffer and one pair region.
  const uint32_t by_bank_pairs = bank_rows >= 4 ? (bank_rows - 2) / 2 : 0;
  const uint32_t pair_strip = std::min({by_region, by_bank_pairs, by_store, d.oh});
  if (d.stride == 2 && p.pad_top <= 1 && pair_strip > 0) {
    d.pairs = true;
    d.strip_out = pair_strip;
    d.buffer_rows = pair_strip + 2;
  }
  return d;
}

DwShape dw_shape_of_rows(const ConvPlan& p, const BuildConfig& cfg, uint32_t blocks,
                         uint32_t ring) {
  DwShape d = dw_rows_and_columns(p);
  d.ring = p.stride_h == 1 ? ring : 0;
  d.passes = ceil_div(ceil_div(p.c, cfg.rows), blocks);
  d.blocks = blocks;
  d.strip_out = 1;
  d.slots = 2;
  d.buffer_rows = d.stride + 2;
  if (d.stride == 2 && p.pad_top <= 1) {
    d.pairs = true;
    d.buffer_rows = 3;
  }
  return d;
}

DwLayer::DwLayer(const ConvPlan& p, const BuildConfig& cfg, const DwShape& shape)
    : p_(p), cfg_(cfg), d_(shape), bank_(bank_lines(cfg)), strip_first_{0} {
  // A pass's strips of output rows: strip_out each, but the first and the last one row,
  // so that a pass starts after fewer rows' loads and ends with fewer rows' STOREs.
  for (uint32_t o = 1; o < d_.oh;) {
    strip_first_.push_back(o);
    o += d_.oh - o > 1 ? std::min(d_.strip_out, d_.oh - o - 1) : 1;
  }
}

DwStrip DwLayer::strip(uint32_t g) const {
  const uint32_t per_image = d_.passes * strips(), rows = cfg_.rows;
  DwStrip t;
  t.image = g / per_image;
  const uint32_t pass = g % per_image / strips();
  t.index = g % strips();
  t.c0 = pass * d_.blocks * rows;
  t.c1 = std::min(p_.c, t.c0 + d_.blocks * rows);
  t.blocks = ceil_div(t.c1 - t.c0, rows);
  t.o0 = strip_first_[t.index];
  t.o1 = t.index + 1 < strips() ? strip_first_[t.index + 1] : d_.oh;
  t.first = t.o0 == 0 ? d_.first_row : (t.o0 - 1) * d_.stride + kDwKernel;
  t.last = (t.o1 - 1) * d_.stride + kDwKernel - 1;
  return t;
}

// With pairs: padded row iy is the second row of output row iy / 2 - 1's pair, or the
// first (odd iy: output row (iy - 1) / 2); a pair is two rows inside the image.
bool DwLayer::second_of_pair(uint32_t iy) const {
  const uint32_t o = iy / 2 - 1;
  return d_.pairs && iy >= 2 && iy % 2 == 0 && inside(2 * o + 1) && inside(2 * o + 2);
}

uint32_t DwLayer::pair_region(uint32_t g) const {
  return slot_line(g + 1) + d_.buffer_rows * d_.vectors * d_.blocks;
}

// Its pair region's row iy / 2 - 1 - o0, or its buffer's next row (the rows before it in
// the strip that are not second rows).
uint32_t DwLayer::row_line(uint32_t g, const DwStrip& t, uint32_t iy) const {
  if (d_.ring) {  // rows counted on across passes and images; places a full pass's row apart
    const uint32_t pass = t.c0 / (d_.blocks * cfg_.rows);
    const uint64_t row = (uint64_t(t.image) * d_.passes + pass) * p_.h + (iy - p_.pad_top);
    return uint32_t(row % d_.ring) * d_.vectors * d_.blocks;  // bank 0
  }
  if (second_of_pair(iy)) return pair_region(g) + (iy / 2 - 1 - t.o0) * d_.vectors * t.blocks;
  uint32_t row = 0;
  for (uint32_t r = t.first; r < iy; ++r) row += !second_of_pair(r);
  return slot_line(g) + row * d_.vectors * t.blocks;
}

std::vector<Compute> DwLayer::computes(uint32_t g, uint32_t acc_base) const {
  const DwStrip t = strip(g);
  const uint32_t rows = cfg_.rows;
  std::vector<Compute> computes;
  for (uint32_t iy = t.first; iy <= t.last; ++iy) {
    if (second_of_pair(iy)) continue;  // in its first row's command
    Compute c;
    c.depthwise = true;
    c.dw_stride_2 = d_.stride == 2;
    const bool row = inside(iy);
    c.act_line = row ? row_line(g, t, iy) : zero_line();
    c.act_stride = row ? t.blocks : 0;
    c.vectors = d_.vectors;
    c.act_rows = t.blocks;
    c.act_row_stride = row ? 1 : 0;
    c.wgt_line = weight_line() + t.c0 / rows * kDwTaps;
    c.k_valid = 1;  // in range; the depthwise unit counts DW_TAPS per output
    c.n_valid = uint16_t(std::min(rows, t.c1 - t.c0));
    c.dw_pad = uint8_t((d_.columns.left ? kDwPadLeft : 0) | (d_.columns.right ? kDwPadRight : 0) |
                       (t.o0 == 0 && iy == d_.first_row && p_.pad_top > 0 ? kDwPadTop : 0));
    c.dw_zero_point = p_.input_zero_point;
    c.dw_pair = iy + 1 <= t.last && second_of_pair(iy + 1);
    if (c.dw_pair) c.dw_pair_offset = int32_t(int64_t(row_line(g, t, iy + 1)) - c.act_line);
    const uint32_t last = c.dw_pair ? iy + 1 : iy;  // the command's last row
    if (last >= kDwKernel - 1 && (last - (kDwKernel - 1)) % d_.stride == 0) {
      c.dw_output = true;
      c.acc_line = acc_base + ((last - (kDwKernel - 1)) / d_.stride - t.o0) * d_.ow;
      c.dw_block_pitch = uint16_t(d_.strip_out * d_.ow);
    }
    computes.push_back(c);
  }
  return computes;
}

// A pixel's blocks in as few STOREs as 1 + MAX_EXTRA_PANELS panels allow, as even as they
// go (each row one burst, PANEL_PITCH = the strip's outputs); a last partial block on its
// own.
std::vector<Store> DwLayer::stores(uint32_t g, uint32_t acc_base, uint32_t entry_base) const {
  const DwStrip t = strip(g);
  const uint32_t rows = cfg_.rows, pitch = d_.strip_out * d_.ow, elem = p_.raw_int32 ? 4 : 1;
  const uint64_t out_image_bytes = uint64_t(d_.oh) * d_.ow * p_.c * elem;
  const uint32_t full = (t.c1 - t.c0) / rows;
  const uint32_t most = store_panels_for(cfg_, p_.c, 1, false, p_.raw_int32);
  const uint32_t panels = full ? ceil_div(full, ceil_div(full, most)) : 1;
  std::vector<Store> stores;
  for (uint32_t b0 = 0; b0 < t.blocks;) {
    const uint32_t count = b0 < full ? std::min(panels, full - b0) : 1;
    Store st;
    st.requantize = !p_.raw_int32;
    st.per_channel = !p_.raw_int32;
    st.rows = (t.o1 - t.o0) * d_.ow;
    st.acc_line = acc_base + b0 * pitch;
    st.dram_addr = p_.output_addr + t.image * out_image_bytes +
                   (uint64_t(t.o0) * d_.ow * p_.c + t.c0 + b0 * rows) * elem;
    st.dram_stride = uint64_t(p_.c) * elem;
    st.cols = uint16_t(b0 < full ? rows : (t.c1 - t.c0) % rows);
    st.zero_point = p_.zero_point;
    st.act_min = p_.act_min;
    st.act_max = p_.act_max;
    st.qparam_entry = entry_base + t.c0 + b0 * rows;
    st.extra_panels = uint16_t(count - 1);
    st.panel_pitch = uint16_t(count > 1 ? pitch : 0);
    stores.push_back(st);
    b0 += count;
  }
  return stores;
}

bool depthwise_unit_fits(const ConvPlan& p, const BuildConfig& cfg) {
  if (p.groups != p.c || p.out_channels != p.c || p.kernel_h != kDwKernel ||
      p.kernel_w != kDwKernel || p.dilation_h != 1 || p.dilation_w != 1 ||
      p.stride_h != p.stride_w || p.stride_h > 2 || p.max_pool || cfg.rows != cfg.cols) {
    return false;
  }
  if (!p.raw_int32 && p.c > cfg.qtable_entries) return false;
  if (uint64_t(ceil_div(p.c, cfg.rows)) * kDwTaps > bank_lines(cfg)) return false;  // weights
  return max_pass_blocks(p, cfg, dw_columns(p).vectors, p.out_w()) > 0 &&
         uint64_t(p.out_w()) * (kMaxExtraPanels + 1) <= kMaxCount;
}

void plan_depthwise(CommandStream& s, const ConvPlan& p) {
  const BuildConfig& cfg = s.config();
  if (!depthwise_unit_fits(p, cfg)) {
    throw std::invalid_argument(
        "conv2d: the depthwise unit takes groups = C = OC, a 3x3 kernel, dilation 1, stride 1 "
        "or 2 on both axes and no pooling, with a padded row of at most " +
        std::to_string(kDwLineBufferLines) + " pixels, C within the quantization table (" +
        std::to_string(cfg.qtable_entries) + ") and its weights within a scratchpad bank (" +
        std::to_string(bank_lines(cfg) / kDwTaps * cfg.rows) +
        " channels); this layer: C = " + std::to_string(p.c) +
        ", groups = " + std::to_string(p.groups) + ", kernel " + std::to_string(p.kernel_h) + "x" +
        std::to_string(p.kernel_w) + ", stride " + std::to_string(p.stride_h) + "x" +
        std::to_string(p.stride_w) + "; use the padded image on the array");
  }
  const DwLayer layer(p, cfg, dw_shape(p, cfg));
  const DwShape& d = layer.shape();
  const uint32_t rows = cfg.rows, total = layer.total(), slots = layer.shape().slots;
  const uint64_t image_bytes = uint64_t(p.h) * p.w * p.c;

  // Once: the weights; the table after the first strip's rows (only its STOREs need it):
  // its token goes to that strip's last COMPUTE, the first STORE's token with it (or, where
  // the strip is one COMPUTE, a pair with the padding above made by the unit, its rows'
  // token is the table's: the table comes after them).
  Load weights;
  weights.dram_addr = p.weight_addr;
  weights.row_bytes = ceil_div(p.c, rows) * kDwTaps * rows;
  weights.rows = 1;
  weights.dram_stride = weights.row_bytes;
  weights.sram_line = layer.weight_line();
  s.push(weights);
  Load table;
  table.dest = Load::Dest::kQTable;
  table.dram_addr = p.qtable_addr;
  table.row_bytes = p.c * qtable::kEntryBytes;
  table.rows = 1;
  table.dram_stride = table.row_bytes;
  table.deps = kDepsPushNext;
  auto fill = [&](uint32_t line, uint32_t lines, uint32_t count, uint32_t stride) {
    return Load::fill_rows(line, lines, rows, count, stride, p.input_zero_point);
  };
  // One line of the zero point at the end of bank 2 (after strip buffer 2): the padding
  // rows' COMPUTEs read it for every pixel of every block (strides 0), so no strip loads or
  // fills its padding rows and the fill is one line, not a padded row.
  if (d.hp > p.h) s.push(fill(layer.zero_line(), 1, 1, 1));

  auto push_loads = [&](uint32_t g, bool token) {
    const DwStrip t = layer.strip(g);
    const uint32_t row_lines = d.vectors * t.blocks;
    std::vector<Load> loads;
    // A slot's padding columns (and its pair region's) are filled by its first strip, and
    // again when a strip has another layout than the slot's last (the rows never write
    // them).
    const DwColumns& k = d.columns;
    if (g < slots || layer.strip(g - slots).blocks != t.blocks) {
      auto fill_columns = [&](uint32_t first_line, uint32_t count) {
        if (k.fill_left)
          loads.push_back(fill(first_line, k.fill_left * t.blocks, count, row_lines));
        if (k.fill_right) {
          loads.push_back(fill(first_line + (k.fill_left + p.w) * t.blocks, k.fill_right * t.blocks,
                               count, row_lines));
        }
      };
      fill_columns(layer.slot_line(g), std::min(d.hp, d.buffer_rows));
      if (d.pairs) fill_columns(layer.pair_region(g), d.strip_out);
    }
    // The image rows, each a DMA row (or with a pass's channels a DMA row per pixel): the
    // buffer's rows, then the pair region's; rows evenly spaced in both the image and the
    // scratchpad share a LOAD.
    const bool whole_lines = t.c0 == 0 && t.c1 == p.c && p.c % rows == 0;
    std::vector<uint32_t> order;
    for (int second = 0; second < 2; ++second)
      for (uint32_t iy = t.first; iy <= t.last; ++iy)
        if (layer.inside(iy) && layer.second_of_pair(iy) == bool(second)) order.push_back(iy);
    auto line_of = [&](uint32_t iy) { return layer.row_line(g, t, iy); };
    for (std::size_t i = 0; i < order.size();) {
      const uint32_t iy = order[i];
      const uint64_t row_addr =
          p.input_addr + t.image * image_bytes + uint64_t(iy - p.pad_top) * p.w * p.c + t.c0;
      const uint32_t line = line_of(iy) + k.fill_left * t.blocks;
      if (!whole_lines) {  // a DMA row per pixel (the pass's channels), each starting a line
        Load l;
        l.dram_addr = row_addr;
        l.row_bytes = t.c1 - t.c0;
        l.rows = p.w;
        l.dram_stride = p.c;
        l.sram_line = line;
        l.sram_stride = t.blocks;
        loads.push_back(l);
        ++i;
        continue;
      }
      // A pixel is whole lines: an image row is one DMA row; the rows after it that keep
      // its steps forward in the image and the scratchpad come in the same LOAD.
      auto steps = [&](std::size_t j) {  // from order[j - 1] to order[j]; {0, 0}: backwards
        if (order[j] < order[j - 1] || line_of(order[j]) < line_of(order[j - 1]))
          return std::pair<uint32_t, uint32_t>{0, 0};
        return std::pair<uint32_t, uint32_t>{order[j] - order[j - 1],
                                             line_of(order[j]) - line_of(order[j - 1])};
      };
      std::size_t n = 1;
      const auto step = i + 1 < order.size() ? steps(i + 1) : std::pair<uint32_t, uint32_t>{0, 0};
      while (step.first && i + n < order.size() && steps(i + n) == step) ++n;
      Load l;
      l.dram_addr = row_addr;
      l.row_bytes = p.w * p.c;
      l.rows = uint32_t(n);
      l.dram_stride = n > 1 ? uint64_t(step.first) * l.row_bytes : l.row_bytes;
      l.sram_line = line;
      l.sram_stride = n > 1 ? step.second : row_lines;
      loads.push_back(l);
      i += n;
    }
    // A strip of padding rows only still carries its tokens: one line of its slot.
    if (loads.empty()) loads.push_back(fill(layer.slot_line(g), 1, 1, 1));
    // The slot's last reader: strip g - slots.
    loads.front().deps |= g >= slots ? kDepsPopNext : 0;
    if (token) loads.back().deps |= kDepsPushNext;
    for (const Load& l : loads) s.push(l);
  };
  const bool table_token = !p.raw_int32 && layer.computes(0, 0).size() > 1;

  // The loads of strip g + ahead before strip g's computes (the slot they wait for is
  // released by an earlier strip's, so the order cannot deadlock).
  for (uint32_t g = 0; g < std::min(kLoadsAhead, total); ++g) {
    push_loads(g, g > 0 || p.raw_int32 || table_token);
    if (g == 0 && !p.raw_int32) s.push(table);
  }
  for (uint32_t g = 0; g < total; ++g) {
    if (g + kLoadsAhead < total) push_loads(g + kLoadsAhead, true);
    // Outputs in accumulator half g % 2 (the halves are banks, so a STORE reads one while
    // the unit writes the other).
    const uint32_t acc_base = g % 2 * region_lines(cfg);
    std::vector<Compute> computes = layer.computes(g, acc_base);
    computes.front().deps |= kDepsPopPrev | (g >= 2 ? kDepsPopNext : 0);
    if (g == 0 && table_token) computes.back().deps |= kDepsPopPrev;
    computes.back().deps |= kDepsPushNext | (g + slots < total ? kDepsPushPrev : 0);
    for (const Compute& c : computes) s.push(c);
    std::vector<Store> stores = layer.stores(g, acc_base, 0);
    stores.front().deps |= kDepsPopPrev;
    // The region, for strip g + 2.
    if (g + 2 < total) stores.back().deps |= kDepsPushPrev;
    for (const Store& st : stores) s.push(st);
  }
}

std::vector<int8_t> pack_depthwise_weights(const std::vector<int8_t>& weights, const ConvPlan& p,
                                           const BuildConfig& cfg) {
  if (weights.size() != std::size_t(kDwTaps) * p.c) {
    throw std::invalid_argument(
        "pack_conv_weights: " + std::to_string(weights.size()) +
        " depthwise weights; expected 3 x 3 x C = " + std::to_string(kDwTaps * p.c));
  }
  const uint32_t rows = cfg.rows, blocks = ceil_div(p.c, rows);
  std::vector<int8_t> out(std::size_t(blocks) * kDwTaps * rows, 0);
  for (uint32_t b = 0; b < blocks; ++b)
    for (uint32_t t = 0; t < kDwTaps; ++t)
      for (uint32_t l = 0; l < rows && b * rows + l < p.c; ++l)
        out[(std::size_t(b) * kDwTaps + t) * rows + l] =
            weights[std::size_t(t) * p.c + b * rows + l];
  return out;
}

}  // namespace tessera::isa::detail
