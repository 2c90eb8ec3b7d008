// SPDX-License-Identifier: Apache-2.0
// Depthwise convolution on the depthwise unit; see depthwise_plan.hpp.
#include "depthwise_plan.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "panel_schedule.hpp"

namespace tessera::isa::detail {
namespace {

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

// Channel blocks per pass: a STORE's two held groups of panels (tessera_store_params), so
// that the STOREs of a pass never fetch their parameters again.
constexpr uint32_t kPassBlocks = 2 * (kMaxExtraPanels + 1);
// Strip buffers: one in each of banks 0, 1 and 3 (measured on MobileNet-v2's depthwise
// layers: 2.5 % fewer cycles than two; more, or loads pushed further ahead in the stream,
// gained nothing), and the loads one strip ahead of the computes in the stream.
constexpr uint32_t kSlots = 3, kLoadsAhead = 1;

// The plan's shape on this build: the image in passes of `blocks` channel blocks (the last
// may have fewer), each pass in strips of output rows.
struct DwShape {
  uint32_t blocks = 0;  // lines per pixel of a pass
  uint32_t passes = 0;
  uint32_t wp = 0, hp = 0;  // the padded image
  uint32_t oh = 0, ow = 0, stride = 1;
  uint32_t strip_out = 0;  // output rows per strip (and accumulator region)
  // Strip g's buffer: in bank 0, 1 or 3 (g % kSlots; bank 2 holds the weights, which the
  // other read port reads). Its outputs: in accumulator half g % 2 (the halves are banks, so
  // a STORE reads one while the unit writes the other).
  static uint32_t slot_line(uint32_t g, uint32_t bank) {
    const uint32_t banks[kSlots] = {0, 1, 3};
    return banks[g % kSlots] * bank;
  }
};

// The most blocks a pass may have on this build (0: none fits).
uint32_t max_pass_blocks(const ConvPlan& p, const BuildConfig& cfg, uint32_t wp, uint32_t ow) {
  uint32_t g = std::min(ceil_div(p.c, cfg.rows), kPassBlocks);
  while (g > 0 && (uint64_t(wp) * g > kDwLineBufferLines || uint64_t(ow) * g > region_lines(cfg) ||
                   uint64_t(p.stride_h + 3) * wp * g > bank_lines(cfg)))
    --g;
  return g;
}

DwShape shape_of(const ConvPlan& p, const BuildConfig& cfg) {
  DwShape d;
  d.wp = p.pad_left + p.w + p.pad_right;
  d.hp = p.pad_top + p.h + p.pad_bottom;
  d.oh = p.out_h();
  d.ow = p.out_w();
  d.stride = p.stride_h;
  const uint32_t total = ceil_div(p.c, cfg.rows), most = max_pass_blocks(p, cfg, d.wp, d.ow);
  d.passes = ceil_div(total, most);
  d.blocks = ceil_div(total, d.passes);  // as even as they go
  // As many output rows as an accumulator region and a bank (a strip's padded rows, the
  // first strip's two more, and in bank 3 the zero-point row) hold, and a STORE's rows
  // allow.
  const uint32_t row_lines = d.wp * d.blocks;
  const uint32_t by_region = region_lines(cfg) / (d.ow * d.blocks);
  const uint32_t by_bank = (bank_lines(cfg) / row_lines - 3) / d.stride;
  const uint32_t by_store = kMaxCount / (d.ow * (kMaxExtraPanels + 1));
  d.strip_out = std::min({by_region, by_bank, by_store, d.oh});
  return d;
}

}  // namespace

bool depthwise_unit_fits(const ConvPlan& p, const BuildConfig& cfg) {
  if (p.groups != p.c || p.out_channels != p.c || p.kernel_h != kDwKernel ||
      p.kernel_w != kDwKernel || p.dilation_h != 1 || p.dilation_w != 1 ||
      p.stride_h != p.stride_w || p.stride_h > 2 || p.max_pool || cfg.rows != cfg.cols) {
    return false;
  }
  if (!p.raw_int32 && p.c > cfg.qtable_entries) return false;
  if (uint64_t(ceil_div(p.c, cfg.rows)) * kDwTaps > bank_lines(cfg)) return false;  // weights
  return max_pass_blocks(p, cfg, p.pad_left + p.w + p.pad_right, p.out_w()) > 0 &&
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
  const DwShape d = shape_of(p, cfg);
  const uint32_t rows = cfg.rows, bank = bank_lines(cfg);
  const uint32_t pitch = d.strip_out * d.ow;
  const uint32_t strips = ceil_div(d.oh, d.strip_out), per_image = d.passes * strips;
  const uint32_t total = p.batch * per_image;
  const uint32_t elem = p.raw_int32 ? 4 : 1;
  const uint64_t image_bytes = uint64_t(p.h) * p.w * p.c;
  const uint64_t out_image_bytes = uint64_t(d.oh) * d.ow * p.c * elem;

  // Once: the weights; the table after the first strip's rows (only its STOREs need it):
  // its token goes to that strip's last COMPUTE, the first STORE's token with it.
  Load weights;
  weights.dram_addr = p.weight_addr;
  weights.row_bytes = ceil_div(p.c, rows) * kDwTaps * rows;
  weights.rows = 1;
  weights.dram_stride = weights.row_bytes;
  weights.sram_line = 2 * bank;
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
  // A padded row of the zero point at the end of bank 3 (after strip buffer 2), read by
  // the padding rows' COMPUTEs of every strip: no strip loads or fills its padding rows.
  const uint32_t zero_row = 4 * bank - d.wp * d.blocks;
  if (d.hp > p.h) s.push(fill(zero_row, d.wp * d.blocks, 1, 1));

  // Strip g: of an image and a pass (channels [c0, c1), `blocks` lines per pixel), output
  // rows [o0, o1), padded rows [first, last] (each streamed once: the rows before first
  // are in the line buffer).
  struct Strip {
    uint32_t image, index, c0, c1, blocks, o0, o1, first, last;
  };
  auto strip = [&](uint32_t g) {
    Strip t;
    t.image = g / per_image;
    const uint32_t pass = g % per_image / strips;
    t.index = g % strips;
    t.c0 = pass * d.blocks * rows;
    t.c1 = std::min(p.c, t.c0 + d.blocks * rows);
    t.blocks = ceil_div(t.c1 - t.c0, rows);
    t.o0 = t.index * d.strip_out;
    t.o1 = std::min(d.oh, t.o0 + d.strip_out);
    t.first = t.o0 == 0 ? 0 : (t.o0 - 1) * d.stride + kDwKernel;
    t.last = (t.o1 - 1) * d.stride + kDwKernel - 1;
    return t;
  };
  auto push_loads = [&](uint32_t g) {
    const Strip t = strip(g);
    const uint32_t base = DwShape::slot_line(g, bank), row_lines = d.wp * t.blocks;
    std::vector<Load> loads;
    // A slot's padding columns are filled by its first strip, and again when a strip has
    // another layout than the slot's last (the strips' rows never write them).
    if (g < kSlots || strip(g - kSlots).blocks != t.blocks) {
      const uint32_t strip_rows = std::min(d.hp, d.strip_out * d.stride + 2);
      if (p.pad_left) loads.push_back(fill(base, p.pad_left * t.blocks, strip_rows, row_lines));
      if (p.pad_right) {
        loads.push_back(fill(base + (p.pad_left + p.w) * t.blocks, p.pad_right * t.blocks,
                             strip_rows, row_lines));
      }
    }
    const bool whole_lines = t.c0 == 0 && t.c1 == p.c && p.c % rows == 0;
    for (uint32_t iy = t.first; iy <= t.last;) {
      const uint32_t line = base + (iy - t.first) * row_lines;
      const bool inside = iy >= p.pad_top && iy < p.pad_top + p.h;
      uint32_t run = 1;  // consecutive rows of the same kind
      while (iy + run <= t.last && (iy + run >= p.pad_top && iy + run < p.pad_top + p.h) == inside)
        ++run;
      const uint64_t row_addr =
          p.input_addr + t.image * image_bytes + uint64_t(iy - p.pad_top) * p.w * p.c + t.c0;
      if (!inside) {
        // Padding rows: their COMPUTEs read the zero-point row.
      } else if (whole_lines) {  // a pixel is whole lines: an image row is one DMA row
        Load l;
        l.dram_addr = row_addr;
        l.row_bytes = p.w * p.c;
        l.rows = run;
        l.dram_stride = l.row_bytes;
        l.sram_line = line + p.pad_left * t.blocks;
        l.sram_stride = row_lines;
        loads.push_back(l);
      } else {  // a DMA row per pixel (the pass's channels), each starting a line
        for (uint32_t r = 0; r < run; ++r) {
          Load l;
          l.dram_addr = row_addr + uint64_t(r) * p.w * p.c;
          l.row_bytes = t.c1 - t.c0;
          l.rows = p.w;
          l.dram_stride = p.c;
          l.sram_line = line + r * row_lines + p.pad_left * t.blocks;
          l.sram_stride = t.blocks;
          loads.push_back(l);
        }
      }
      iy += run;
    }
    // A strip of padding rows only still carries its tokens: one line of its slot.
    if (loads.empty()) loads.push_back(fill(base, 1, 1, 1));
    // The slot's last reader: strip g - kSlots.
    loads.front().deps |= g >= kSlots ? kDepsPopNext : 0;
    loads.back().deps |= kDepsPushNext;
    for (const Load& l : loads) s.push(l);
  };

  // The loads of strip g + ahead before strip g's computes (the slot they wait for is
  // released by an earlier strip's, so the order cannot deadlock).
  for (uint32_t g = 0; g < std::min(kLoadsAhead, total); ++g) {
    push_loads(g);
    if (g == 0 && !p.raw_int32) s.push(table);
  }
  for (uint32_t g = 0; g < total; ++g) {
    if (g + kLoadsAhead < total) push_loads(g + kLoadsAhead);
    const Strip t = strip(g);
    const uint32_t base = DwShape::slot_line(g, bank), acc_base = g % 2 * region_lines(cfg);
    const uint32_t row_lines = d.wp * t.blocks;
    for (uint32_t iy = t.first; iy <= t.last; ++iy) {
      Compute c;
      c.depthwise = true;
      c.dw_stride_2 = d.stride == 2;
      const bool inside = iy >= p.pad_top && iy < p.pad_top + p.h;
      c.act_line = inside ? base + (iy - t.first) * row_lines : zero_row;
      c.act_stride = t.blocks;
      c.vectors = d.wp;
      c.act_rows = t.blocks;
      c.act_row_stride = 1;
      c.wgt_line = 2 * bank + t.c0 / rows * kDwTaps;
      c.k_valid = 1;  // in range; the depthwise unit counts DW_TAPS per output
      c.n_valid = uint16_t(std::min(rows, t.c1 - t.c0));
      if (iy >= kDwKernel - 1 && (iy - (kDwKernel - 1)) % d.stride == 0) {
        c.dw_output = true;
        c.acc_line = acc_base + ((iy - (kDwKernel - 1)) / d.stride - t.o0) * d.ow;
        c.dw_block_pitch = uint16_t(pitch);
      }
      if (iy == t.first) c.deps |= kDepsPopPrev | (g >= 2 ? kDepsPopNext : 0);
      // The table's token (the first strip streams at least its three window rows).
      if (g == 0 && iy == t.last && !p.raw_int32) c.deps |= kDepsPopPrev;
      if (iy == t.last) c.deps |= kDepsPushNext | (g + kSlots < total ? kDepsPushPrev : 0);
      s.push(c);
    }
    // A pixel's blocks in as few STOREs as 1 + MAX_EXTRA_PANELS panels allow, as even as
    // they go (each row one burst, PANEL_PITCH = pitch); a last partial block on its own.
    const uint32_t full = (t.c1 - t.c0) / rows;
    const uint32_t most = store_panels_for(cfg, p.c, 1, false, p.raw_int32);
    const uint32_t panels = full ? ceil_div(full, ceil_div(full, most)) : 1;
    std::vector<Store> stores;
    for (uint32_t b0 = 0; b0 < t.blocks;) {
      const uint32_t count = b0 < full ? std::min(panels, full - b0) : 1;
      Store st;
      st.requantize = !p.raw_int32;
      st.per_channel = !p.raw_int32;
      st.rows = (t.o1 - t.o0) * d.ow;
      st.acc_line = acc_base + b0 * pitch;
      st.dram_addr = p.output_addr + t.image * out_image_bytes +
                     (uint64_t(t.o0) * d.ow * p.c + t.c0 + b0 * rows) * elem;
      st.dram_stride = uint64_t(p.c) * elem;
      st.cols = uint16_t(b0 < full ? rows : (t.c1 - t.c0) % rows);
      st.zero_point = p.zero_point;
      st.act_min = p.act_min;
      st.act_max = p.act_max;
      st.qparam_entry = t.c0 + b0 * rows;
      st.extra_panels = uint16_t(count - 1);
      st.panel_pitch = uint16_t(count > 1 ? pitch : 0);
      stores.push_back(st);
      b0 += count;
    }
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
