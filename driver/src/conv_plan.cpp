// SPDX-License-Identifier: Apache-2.0
// Convolution planning; see conv_plan.hpp.
#include "tessera/conv_plan.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "depthwise_plan.hpp"
#include "panel_schedule.hpp"
#include "tessera/gemm_plan.hpp"

namespace tessera::isa {
namespace {

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }
uint64_t ceil_div64(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

void require_positive(const char* name, uint64_t v) {
  if (v == 0) throw std::invalid_argument(std::string("conv2d ") + name + " = 0; must be >= 1");
}

uint32_t out_extent(const char* axis, uint32_t in, uint32_t pad_a, uint32_t pad_b, uint32_t kernel,
                    uint32_t stride, uint32_t dilation) {
  const uint64_t padded = uint64_t(in) + pad_a + pad_b,
                 window = uint64_t(dilation) * (kernel - 1) + 1;
  if (window > padded) {
    throw std::invalid_argument(std::string("conv2d ") + axis + ": the dilated kernel spans " +
                                std::to_string(window) + " pixels, above the padded input's " +
                                std::to_string(padded));
  }
  return uint32_t((padded - window) / stride + 1);
}

// The checks every layout shares; returns the computed output height (before pooling drops
// an odd last row).
void validate(const ConvPlan& p) {
  const char* names[] = {
      "batch",        "H",        "W",        "C",          "kernel_h",  "kernel_w",
      "out_channels", "stride_h", "stride_w", "dilation_h", "dilation_w"};
  const uint32_t values[] = {
      p.batch,        p.h,        p.w,        p.c,          p.kernel_h,  p.kernel_w,
      p.out_channels, p.stride_h, p.stride_w, p.dilation_h, p.dilation_w};
  for (std::size_t i = 0; i < std::size(values); ++i) require_positive(names[i], values[i]);
  require_positive("groups", p.groups);
  if (p.c % p.groups != 0 || p.out_channels % p.groups != 0) {
    throw std::invalid_argument("conv2d groups = " + std::to_string(p.groups) +
                                " must divide C = " + std::to_string(p.c) +
                                " and out_channels = " + std::to_string(p.out_channels));
  }
  const uint32_t conv_h = p.out_h(), ow = p.out_w();
  if (p.max_pool && (conv_h < 2 || ow < 2)) {
    throw std::invalid_argument("conv2d max_pool needs an output of at least 2x2; it is " +
                                std::to_string(conv_h) + "x" + std::to_string(ow));
  }
  if (p.max_pool && p.raw_int32) {
    throw std::invalid_argument(
        "conv2d max_pool needs requantized int8 outputs; it cannot pool "
        "raw int32 accumulators");
  }
}

// Taps whose bytes lie side by side in an input row: with dilation 1 along x, a whole
// kernel row (KW x C bytes); otherwise each tap's C bytes alone.
struct TapGroup {
  uint32_t ky, kx0, taps;
};
std::vector<TapGroup> tap_groups(const ConvPlan& p) {
  std::vector<TapGroup> groups;
  for (uint32_t ky = 0; ky < p.kernel_h; ++ky) {
    if (p.dilation_w == 1) {
      groups.push_back({ky, 0, p.kernel_w});
    } else {
      for (uint32_t kx = 0; kx < p.kernel_w; ++kx) groups.push_back({ky, kx, 1});
    }
  }
  return groups;
}

// The channel blocks (NumRows channels, a pixel's lines in the padded image) each panel of
// output channels reads: `count` blocks from `first[panel]`. Without groups every panel
// reads all of them; grouped, the blocks holding its groups' input channels, `count` the
// most any panel needs (a panel's window is shifted to stay inside the pixel).
struct PanelBlocks {
  uint32_t count = 0;
  std::vector<uint32_t> first;
};
PanelBlocks panel_blocks(const ConvPlan& p, const BuildConfig& cfg) {
  const uint32_t blocks = ceil_div(p.c, cfg.rows), panels = ceil_div(p.out_channels, cfg.cols);
  PanelBlocks b;
  if (p.groups <= 1) {
    b.count = blocks;
    b.first.assign(panels, 0);
    return b;
  }
  const uint32_t cg = p.c / p.groups, og = p.out_channels / p.groups;
  std::vector<uint32_t> lo(panels);
  for (uint32_t j = 0; j < panels; ++j) {
    const uint32_t oc0 = j * cfg.cols, oc1 = std::min(p.out_channels, oc0 + cfg.cols);
    const uint32_t c0 = oc0 / og * cg, c1 = ((oc1 - 1) / og + 1) * cg;  // input channels
    lo[j] = c0 / cfg.rows;
    b.count = std::max(b.count, ceil_div(c1, cfg.rows) - lo[j]);
  }
  for (uint32_t j = 0; j < panels; ++j) b.first.push_back(std::min(lo[j], blocks - b.count));
  return b;
}

// The packed layout's K vector: the taps in (ky, kx, c) order, KH*KW*C bytes over L lines.
uint32_t packed_bytes(const ConvPlan& p) { return p.kernel_h * p.kernel_w * p.c; }
uint32_t packed_lines(const ConvPlan& p, const BuildConfig& cfg) {
  return ceil_div(packed_bytes(p), cfg.rows);
}

// Scratchpad writes per output pixel of the packed layout: a window piece per tap group and
// line it touches.
uint32_t packed_writes_per_pixel(const ConvPlan& p, const BuildConfig& cfg) {
  uint32_t writes = 0;
  for (const TapGroup& g : tap_groups(p)) {
    const uint32_t first = (g.ky * p.kernel_w + g.kx0) * p.c, last = first + g.taps * p.c - 1;
    writes += last / cfg.rows - first / cfg.rows + 1;
  }
  return writes;
}

bool packed_taps_fit(const ConvPlan& p, const BuildConfig& cfg) {
  const uint64_t lines = packed_lines(p, cfg);
  return uint64_t(p.out_w()) * lines <= detail::bank_lines(cfg) &&
         p.out_w() <= detail::region_lines(cfg);
}

// Emits the plan for either layout: the schedule (weights, tiles, outputs) and one block of
// output rows at a time.
void emit(CommandStream& s, const ConvPlan& p, bool packed) {
  const BuildConfig& cfg = s.config();
  const uint32_t conv_h = p.out_h(), ow = p.out_w();
  const uint32_t oh = p.max_pool ? conv_h & ~1u : conv_h;  // pooling drops an odd last row
  const uint32_t rows = cfg.rows, bank = detail::bank_lines(cfg);
  const uint32_t cl = ceil_div(p.c, rows);                       // padded image: lines per pixel
  const uint64_t wp = uint64_t(p.pad_left) + p.w + p.pad_right;  // padded image: pixels per row
  const uint32_t pl = packed_lines(p, cfg);                      // packed: lines per output pixel
  const PanelBlocks reads = panel_blocks(p, cfg);                // padded image, per panel
  const uint32_t tiles = packed ? pl : p.kernel_h * p.kernel_w * reads.count;
  // A 1x1 convolution without padding is a GEMM over the output pixels: its blocks are runs
  // of them across rows and images, each pixel's C bytes in ceil(C / NumRows) lines (with a
  // stride, only the input pixels it reads are loaded).
  const bool pixel_blocks = !packed && p.kernel_h == 1 && p.kernel_w == 1 && !p.pad_top &&
                            !p.pad_bottom && !p.pad_left && !p.pad_right && p.groups == 1 &&
                            !p.max_pool;
  // Results per panel: a region shared by the panels one STORE writes (in row blocks, at
  // least an output row each).
  const uint32_t store_panels = std::max(
      1u, std::min(detail::store_panels_for(cfg, p.out_channels, tiles, p.max_pool, p.raw_int32),
                   pixel_blocks ? ~0u : detail::region_lines(cfg) / std::max(ow, 1u)));
  const uint32_t region = detail::region_lines(cfg) / store_panels;

  // A block: `r` output rows. Padded image: the input rows they read, whole; packed: the
  // output pixels' K vectors. Its results: r*OW consecutive accumulator lines.
  auto in_rows = [&](uint64_t r) {
    return (r - 1) * p.stride_h + uint64_t(p.dilation_h) * (p.kernel_h - 1) + 1;
  };
  auto block_lines = [&](uint64_t r) { return packed ? r * ow * pl : in_rows(r) * wp * cl; };
  auto fits = [&](uint64_t r) {
    return block_lines(r) <= bank && r * ow <= region && r * ow <= kMaxCount;
  };
  if (!pixel_blocks && !fits(1)) {
    throw std::invalid_argument(
        "conv2d padded width " + std::to_string(wp) + " x " + std::to_string(cl) +
        " lines per pixel (C = " + std::to_string(p.c) + ") x " + std::to_string(in_rows(1)) +
        " input rows needs more than a scratchpad bank (" + std::to_string(bank) +
        " lines), or output width " + std::to_string(ow) + " is above " + std::to_string(region) +
        ", an accumulator region");
  }
  uint32_t rb = 1;  // output rows per block: even when pooling, so windows stay in a block
  while (!pixel_blocks && rb < oh && fits(rb + 1)) ++rb;
  // One image whose input fits both activation banks is one block (there is no next block
  // to load beside it), so that the weights stream once.
  if (!pixel_blocks && p.batch == 1 && rb < oh && block_lines(oh) <= 2ull * bank &&
      uint64_t(oh) * ow <= std::min<uint64_t>(region, kMaxCount)) {
    rb = oh;
  }
  if (p.max_pool) {
    rb &= ~1u;
    if (rb == 0) {
      throw std::invalid_argument(
          "conv2d max_pool needs two output rows per block; a row of "
          "width " +
          std::to_string(wp) + " x " + std::to_string(cl) +
          " lines per pixel already fills the buffers");
    }
  }
  const uint32_t blocks_per_image = ceil_div(oh, rb);

  detail::PanelSchedule sched;
  sched.n = p.out_channels;
  sched.k = tiles * rows;
  if (packed) {  // tile t: line t of every pixel's K vector
    for (uint32_t t = 0; t < pl; ++t) {
      sched.tile_offset.push_back(t);
      sched.tile_k_valid.push_back(uint16_t(std::min(rows, packed_bytes(p) - t * rows)));
    }
  } else {  // tile (ky, kx, channel block): that tap's lines in the padded image
    for (uint32_t ky = 0; ky < p.kernel_h; ++ky) {
      for (uint32_t kx = 0; kx < p.kernel_w; ++kx) {
        for (uint32_t cb = 0; cb < reads.count; ++cb) {
          sched.tile_offset.push_back(
              uint32_t((uint64_t(ky) * p.dilation_h * wp + uint64_t(kx) * p.dilation_w) * cl + cb));
          // The MAC counter's rows: each output channel's own inputs (C / groups).
          sched.tile_k_valid.push_back(uint16_t(p.groups > 1 ? std::min(rows, p.c / p.groups)
                                                             : std::min(rows, p.c - cb * rows)));
        }
      }
    }
    if (p.groups > 1) sched.panel_line_offset = reads.first;
  }
  sched.weight_addr = p.weight_addr;
  sched.weights_packed = true;
  sched.qtable_addr = p.qtable_addr;
  sched.barrier_addr = p.barrier_addr;
  sched.raw_int32 = p.raw_int32;
  sched.store_panels = store_panels;
  sched.out_stride = uint64_t(p.out_channels) * (p.raw_int32 ? 4 : 1);
  sched.zero_point = p.zero_point;
  sched.act_min = p.act_min;
  sched.act_max = p.act_max;

  if (pixel_blocks) {
    const uint64_t pixels = uint64_t(p.batch) * conv_h * ow;
    const uint32_t mb = uint32_t(std::min<uint64_t>({bank / cl, region, kMaxCount, pixels}));
    const bool dense = p.stride_h == 1 && p.stride_w == 1;  // output pixel m reads input pixel m
    detail::emit_panel_schedule(s, sched, uint32_t(ceil_div64(pixels, mb)), [&](uint32_t b) {
      const uint64_t m0 = uint64_t(b) * mb;
      const uint32_t m_rows = uint32_t(std::min<uint64_t>(mb, pixels - m0));
      detail::ActivationBlock blk;
      // Pixels [m, m + count) of one output row (all of them when dense), from input pixel
      // `first` on, stride_w pixels apart; a pixel per row unless they fill whole lines.
      auto load_run = [&](uint64_t m, uint32_t count, uint64_t first) {
        Load a;
        a.dram_addr = p.input_addr + first * p.c;
        if (dense && p.c % rows == 0) {
          a.row_bytes = count * p.c;
          a.rows = 1;
          a.dram_stride = a.row_bytes;
        } else {
          a.row_bytes = p.c;
          a.rows = count;
          a.dram_stride = uint64_t(p.stride_w) * p.c;
        }
        a.sram_line = uint32_t(m - m0) * cl;
        a.sram_stride = cl;
        blk.loads.push_back(a);
      };
      if (dense) {
        load_run(m0, m_rows, m0);
      } else {
        for (uint64_t m = m0; m < m0 + m_rows;) {
          const uint64_t image = m / (uint64_t(conv_h) * ow), oy = m / ow % conv_h, ox = m % ow;
          const uint32_t count = uint32_t(std::min<uint64_t>(ow - ox, m0 + m_rows - m));
          load_run(m, count, (image * p.h + oy * p.stride_h) * p.w + ox * p.stride_w);
          m += count;
        }
      }
      blk.segments.push_back({0, cl, m_rows, 0});
      blk.outputs.push_back({p.output_addr + m0 * sched.out_stride, m_rows, 0});
      return blk;
    });
    return;
  }
  const uint64_t row_bytes = uint64_t(p.w) * p.c, image_bytes = uint64_t(p.h) * row_bytes;
  const uint64_t out_image_bytes = p.max_pool ? uint64_t(oh / 2) * (ow / 2) * p.out_channels
                                              : uint64_t(oh) * ow * sched.out_stride;
  const uint32_t pixel_lines = cl, row_lines = uint32_t(wp) * cl;
  const bool padding = p.pad_top || p.pad_bottom || p.pad_left || p.pad_right;
  detail::emit_panel_schedule(s, sched, p.batch * blocks_per_image, [&](uint32_t b) {
    const uint32_t image = b / blocks_per_image, oy0 = (b % blocks_per_image) * rb;
    const uint32_t r_count = std::min(rb, oh - oy0);
    const uint64_t image_addr = p.input_addr + image * image_bytes;
    detail::ActivationBlock blk;
    if (packed) {
      // The K vector of output pixel (r, x) in lines (r*OW + x)*L .. +L-1, taps (ky, kx, c)
      // in order. Padding taps keep the zero point from a FILL; every other tap byte comes
      // from one input row through a LOAD WINDOWS: per tap group and line piece, one LOAD
      // for the output pixels whose group lies inside the row, and one per edge pixel with
      // the group clipped.
      if (padding) {  // the pixels with a padding tap: whole rows at the top and bottom
        auto fill_lines = [&](uint32_t line, uint32_t lines, uint32_t count, uint32_t stride) {
          blk.loads.push_back(
              Load::fill_rows(line, lines, rows, count, stride, p.input_zero_point));
        };
        const int64_t span_h = int64_t(p.dilation_h) * (p.kernel_h - 1) + 1;
        const int64_t span_w = int64_t(p.dilation_w) * (p.kernel_w - 1) + 1;
        auto row_padded = [&](uint32_t r) {
          const int64_t y0 = int64_t(oy0 + r) * p.stride_h - p.pad_top;
          return y0 < 0 || y0 + span_h > int64_t(p.h);
        };
        uint32_t r_lo = 0, r_hi = r_count;  // rows without vertical padding: [r_lo, r_hi)
        while (r_lo < r_hi && row_padded(r_lo)) ++r_lo;
        while (r_hi > r_lo && row_padded(r_hi - 1)) --r_hi;
        if (r_lo > 0) fill_lines(0, r_lo * ow * pl, 1, 0);
        if (r_hi < r_count) fill_lines(r_hi * ow * pl, (r_count - r_hi) * ow * pl, 1, 0);
        // ... and in the rows between, the pixels at the left and right edges.
        uint32_t x_lo = 0, x_hi = ow;  // pixels without horizontal padding: [x_lo, x_hi)
        while (x_lo < x_hi && int64_t(x_lo) * p.stride_w < int64_t(p.pad_left)) ++x_lo;
        while (x_hi > x_lo && int64_t(x_hi - 1) * p.stride_w - p.pad_left + span_w > int64_t(p.w)) {
          --x_hi;
        }
        if (r_lo < r_hi && x_lo > 0) fill_lines(r_lo * ow * pl, x_lo * pl, r_hi - r_lo, ow * pl);
        if (r_lo < r_hi && x_hi < ow) {
          fill_lines((r_lo * ow + x_hi) * pl, (ow - x_hi) * pl, r_hi - r_lo, ow * pl);
        }
      }
      for (const TapGroup& g : tap_groups(p)) {
        // Output rows whose input row for this ky exists: [r0, r1).
        auto iy = [&](uint32_t r) {
          return int64_t(oy0 + r) * p.stride_h - p.pad_top + int64_t(g.ky) * p.dilation_h;
        };
        uint32_t r0 = 0, r1 = r_count;
        while (r0 < r1 && iy(r0) < 0) ++r0;
        while (r1 > r0 && iy(r1 - 1) >= int64_t(p.h)) --r1;
        if (r0 == r1) continue;
        // Output pixel x's group covers input pixels [x0(x), x0(x) + span).
        const uint32_t k0 = (g.ky * p.kernel_w + g.kx0) * p.c;  // its place in the K vector
        auto x0 = [&](uint32_t x) {
          return int64_t(x) * p.stride_w - p.pad_left + int64_t(g.kx0) * p.dilation_w;
        };
        const int64_t span = g.taps;  // pixels (dilation 1 within a group)
        uint32_t xa = 0, xb = ow;     // pixels whose whole group is inside the row
        while (xa < xb && x0(xa) < 0) ++xa;
        while (xb > xa && x0(xb - 1) + span > int64_t(p.w)) --xb;
        auto emit_windows = [&](uint32_t x_first, uint32_t count, int64_t px_lo, int64_t px_hi) {
          // The group's bytes of input pixels [px_lo, px_hi) of output pixel x_first (and the
          // count - 1 after it, stride apart), cut at line boundaries of the K vector.
          const uint32_t b_lo = k0 + uint32_t((px_lo - x0(x_first)) * p.c);
          const uint32_t b_hi = k0 + uint32_t((px_hi - x0(x_first)) * p.c);
          for (uint32_t q0 = b_lo; q0 < b_hi;) {
            const uint32_t q1 = std::min(b_hi, (q0 / rows + 1) * rows);
            Load w;
            w.dram_addr =
                image_addr + uint64_t(iy(r0)) * row_bytes + uint64_t(px_lo) * p.c + (q0 - b_lo);
            w.rows = r1 - r0;
            w.dram_stride = uint64_t(p.stride_h) * row_bytes;
            w.windows = uint16_t(count);
            w.window_bytes = uint16_t(q1 - q0);
            w.window_step = p.stride_w * p.c;
            w.byte_offset = uint8_t(q0 % rows);
            w.row_bytes = (count - 1) * w.window_step + w.window_bytes;
            w.sram_line = (r0 * ow + x_first) * pl + q0 / rows;
            w.sram_stride = ow * pl;
            w.window_line_stride = pl;
            blk.loads.push_back(w);
            q0 = q1;
          }
        };
        if (xa < xb) emit_windows(xa, xb - xa, x0(xa), x0(xa) + span);
        for (uint32_t x = 0; x < ow; ++x) {  // edge pixels: the group clipped to the row
          if (x >= xa && x < xb) continue;
          const int64_t lo = std::max<int64_t>(0, x0(x));
          const int64_t hi = std::min<int64_t>(p.w, x0(x) + span);
          if (lo < hi) emit_windows(x, 1, lo, hi);
        }
      }
      // One COMPUTE per tile: the block's pixels are consecutive, L lines apart.
      detail::ActivationBlock::Segment seg;
      seg.act_stride = pl;
      seg.vectors = r_count * ow;
      blk.segments.push_back(seg);
    } else {
      // The padded image: a block of input rows loaded once, padding by FILL.
      const uint32_t n_in = uint32_t(in_rows(r_count));
      const int64_t iy0 = int64_t(oy0) * p.stride_h - p.pad_top;  // input row of stored row 0
      const uint32_t first = uint32_t(std::max<int64_t>(0, -iy0));
      const uint32_t last = uint32_t(std::min<int64_t>(n_in, int64_t(p.h) - iy0));  // exclusive
      if (p.pad_left || p.pad_right || first > 0 || last < n_in) {
        // The whole block at the zero point; the image rows overwrite it.
        blk.loads.push_back(
            Load::fill_rows(0, n_in * row_lines, rows, 1, n_in * row_lines, p.input_zero_point));
      }
      if (first < last && p.c % rows == 0) {  // pixels fill whole lines: one transfer per row
        Load a;
        a.dram_addr = image_addr + uint64_t(iy0 + first) * row_bytes;
        a.row_bytes = uint32_t(row_bytes);
        a.rows = last - first;
        a.dram_stride = a.row_bytes;
        a.sram_line = first * row_lines + p.pad_left * pixel_lines;
        a.sram_stride = row_lines;
        blk.loads.push_back(a);
      } else {  // a pixel per row, so every pixel starts a line (its tail is zero-filled)
        for (uint32_t i = first; i < last; ++i) {
          Load a;
          a.dram_addr = image_addr + uint64_t(iy0 + i) * row_bytes;
          a.row_bytes = p.c;
          a.rows = p.w;
          a.dram_stride = p.c;
          a.sram_line = i * row_lines + p.pad_left * pixel_lines;
          a.sram_stride = pixel_lines;
          blk.loads.push_back(a);
        }
      }
      // Results: pixel (r, x) of the block in accumulator line r*OW + x.
      detail::ActivationBlock::Segment seg;
      seg.act_stride = p.stride_w * pixel_lines;
      seg.vectors = ow;
      seg.act_rows = r_count;
      seg.act_row_stride = p.stride_h * row_lines;
      blk.segments.push_back(seg);
    }
    const uint64_t out_addr = p.output_addr + image * out_image_bytes;
    detail::ActivationBlock::Output out;
    if (p.max_pool) {
      out.dram_addr = out_addr + uint64_t(oy0 / 2) * (ow / 2) * p.out_channels;
      out.rows = r_count / 2;
      out.pool_width = uint16_t(ow / 2);
      out.acc_pitch = uint16_t(ow);
    } else {
      out.dram_addr = out_addr + uint64_t(oy0) * ow * sched.out_stride;
      out.rows = r_count * ow;
    }
    blk.outputs.push_back(out);
    return blk;
  });
}

}  // namespace

uint32_t ConvPlan::out_h() const {
  return out_extent("height", h, pad_top, pad_bottom, kernel_h, stride_h, dilation_h);
}
uint32_t ConvPlan::out_w() const {
  return out_extent("width", w, pad_left, pad_right, kernel_w, stride_w, dilation_w);
}

const char* layout_name(ConvLayout layout) {
  switch (layout) {
    case ConvLayout::kAuto:
      return "auto";
    case ConvLayout::kPaddedImage:
      return "padded image";
    case ConvLayout::kPackedTaps:
      return "packed taps";
    case ConvLayout::kDepthwiseUnit:
      return "depthwise unit";
  }
  return "?";
}

ConvLayout conv_layout(const ConvPlan& p, const BuildConfig& cfg) {
  validate(p);
  if (p.layout != ConvLayout::kAuto) return p.layout;
  if (p.groups > 1) {
    return detail::depthwise_unit_fits(p, cfg) ? ConvLayout::kDepthwiseUnit
                                               : ConvLayout::kPaddedImage;
  }
  if (!packed_taps_fit(p, cfg)) return ConvLayout::kPaddedImage;
  // Cycles per output pixel and weight panel: the padded image computes a tile per tap and
  // channel block; the packed taps a tile per line of the K vector, but its loads write a
  // window piece per tap group and line (once per pixel, for all panels) and, with padding,
  // fill every line first. Packed wins where channels are few (the first layer's C = 1 or 3).
  const uint64_t panels = ceil_div(p.out_channels, cfg.cols);
  const uint64_t image = uint64_t(p.kernel_h) * p.kernel_w * ceil_div(p.c, cfg.rows) * panels;
  const bool padding = p.pad_top || p.pad_bottom || p.pad_left || p.pad_right;
  const uint64_t loads = packed_writes_per_pixel(p, cfg) + (padding ? packed_lines(p, cfg) : 0);
  const uint64_t packed = std::max<uint64_t>(packed_lines(p, cfg) * panels, loads);
  return 10 * packed < 9 * image ? ConvLayout::kPackedTaps : ConvLayout::kPaddedImage;
}

void plan_conv2d(CommandStream& s, const ConvPlan& p) {
  const ConvLayout layout = conv_layout(p, s.config());
  if (layout == ConvLayout::kDepthwiseUnit) return detail::plan_depthwise(s, p);
  if (layout == ConvLayout::kPackedTaps && p.groups > 1) {
    throw std::invalid_argument("conv2d: the packed-taps layout has no grouped form (groups = " +
                                std::to_string(p.groups) + "); use the padded image");
  }
  if (layout == ConvLayout::kPackedTaps && !packed_taps_fit(p, s.config())) {
    throw std::invalid_argument(
        "conv2d: the packed-taps layout needs " + std::to_string(packed_lines(p, s.config())) +
        " lines per output pixel and output width " + std::to_string(p.out_w()) +
        " within a scratchpad bank and an accumulator region");
  }
  emit(s, p, layout == ConvLayout::kPackedTaps);
}

std::vector<int8_t> pack_conv_weights(const std::vector<int8_t>& weights, const ConvPlan& p,
                                      const BuildConfig& cfg) {
  const std::size_t taps = std::size_t(p.kernel_h) * p.kernel_w;
  const ConvLayout layout = conv_layout(p, cfg);  // validates p
  if (layout == ConvLayout::kDepthwiseUnit) return detail::pack_depthwise_weights(weights, p, cfg);
  const bool packed = layout == ConvLayout::kPackedTaps;
  const uint32_t cg = p.c / p.groups;
  if (weights.size() != taps * cg * p.out_channels) {
    throw std::invalid_argument("pack_conv_weights: " + std::to_string(weights.size()) +
                                " weights; expected KH x KW x C/groups x OC = " +
                                std::to_string(taps * cg * p.out_channels));
  }
  if (p.groups > 1) {  // per panel: its channel blocks per tap, zero outside each column's group
    const PanelBlocks reads = panel_blocks(p, cfg);
    const uint32_t og = p.out_channels / p.groups, cols = cfg.cols;
    const std::size_t k = taps * reads.count * cfg.rows;
    const uint32_t panels = ceil_div(p.out_channels, cols);
    std::vector<int8_t> out(std::size_t(panels) * k * cols, 0);
    for (uint32_t j = 0; j < panels; ++j)
      for (std::size_t t = 0; t < taps; ++t)
        for (uint32_t r = 0; r < reads.count * cfg.rows; ++r) {
          const uint32_t ci = reads.first[j] * cfg.rows + r;  // input channel of this row
          for (uint32_t col = 0; col < cols && j * cols + col < p.out_channels; ++col) {
            const uint32_t oc = j * cols + col, c0 = oc / og * cg;
            if (ci < c0 || ci >= c0 + cg) continue;
            out[((j * k) + t * reads.count * cfg.rows + r) * cols + col] =
                weights[(t * cg + (ci - c0)) * p.out_channels + oc];
          }
        }
    return out;
  }
  // K rows in tile order: packed, the taps' C rows back to back; padded image, each tap's
  // C rows padded to whole tiles. Then zero rows up to whole tiles, so that the lanes of a
  // last line past the K vector (which hold a fill value) meet zero weights.
  const uint32_t c_padded = packed ? p.c : ceil_div(p.c, cfg.rows) * cfg.rows;
  const uint32_t k = ceil_div(uint32_t(taps * c_padded), cfg.rows) * cfg.rows;
  std::vector<int8_t> k_by_n(std::size_t(k) * p.out_channels, 0);
  for (std::size_t t = 0; t < taps; ++t)
    for (uint32_t ch = 0; ch < p.c; ++ch)
      std::copy_n(&weights[(t * p.c + ch) * p.out_channels], p.out_channels,
                  &k_by_n[(t * c_padded + ch) * p.out_channels]);
  return pack_weights(k_by_n, k, p.out_channels, cfg.cols);
}

std::vector<int32_t> conv_bias(const std::vector<int32_t>& bias, const std::vector<int8_t>& weights,
                               uint32_t kernel_h, uint32_t kernel_w, uint32_t c,
                               uint32_t out_channels, int8_t input_zero_point) {
  return zero_point_bias(bias, weights, kernel_h * kernel_w * c, out_channels, input_zero_point);
}

}  // namespace tessera::isa
