// Convolution planning; see conv_plan.hpp.
#include "tessera/conv_plan.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "panel_schedule.hpp"
#include "tessera/gemm_plan.hpp"

namespace tessera::isa {
namespace {

uint32_t ceil_div(uint32_t a, uint32_t b) { return (a + b - 1) / b; }

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

}  // namespace

uint32_t ConvPlan::out_h() const {
  return out_extent("height", h, pad_top, pad_bottom, kernel_h, stride_h, dilation_h);
}
uint32_t ConvPlan::out_w() const {
  return out_extent("width", w, pad_left, pad_right, kernel_w, stride_w, dilation_w);
}

void plan_conv2d(CommandStream& s, const ConvPlan& p) {
  const BuildConfig& cfg = s.config();
  const char* names[] = {
      "batch",        "H",        "W",        "C",          "kernel_h",  "kernel_w",
      "out_channels", "stride_h", "stride_w", "dilation_h", "dilation_w"};
  const uint32_t values[] = {
      p.batch,        p.h,        p.w,        p.c,          p.kernel_h,  p.kernel_w,
      p.out_channels, p.stride_h, p.stride_w, p.dilation_h, p.dilation_w};
  for (std::size_t i = 0; i < std::size(values); ++i) require_positive(names[i], values[i]);
  const uint32_t conv_h = p.out_h(), ow = p.out_w();
  if (p.max_pool && (conv_h < 2 || ow < 2)) {
    throw std::invalid_argument("conv2d max_pool needs an output of at least 2x2; it is " +
                                std::to_string(conv_h) + "x" + std::to_string(ow));
  }
  // Pooling drops an odd last row (floor), so it is not computed at all.
  const uint32_t oh = p.max_pool ? conv_h & ~1u : conv_h;
  if (p.out_channels > cfg.qtable_entries) {
    throw std::invalid_argument("conv2d out_channels = " + std::to_string(p.out_channels) +
                                " is above " + std::to_string(cfg.qtable_entries) +
                                ", the quantization table's entries");
  }
  const uint32_t rows = cfg.rows, bank = detail::bank_lines(cfg);
  const uint32_t region = detail::region_lines(cfg);
  const uint32_t cl = ceil_div(p.c, rows);  // lines per pixel
  const uint64_t wp = uint64_t(p.pad_left) + p.w + p.pad_right;
  const uint32_t tiles = p.kernel_h * p.kernel_w * cl;
  if (uint64_t(tiles) * rows > bank) {
    throw std::invalid_argument("conv2d kernel " + std::to_string(p.kernel_h) + "x" +
                                std::to_string(p.kernel_w) + " over C = " + std::to_string(p.c) +
                                " needs " + std::to_string(uint64_t(tiles) * rows) +
                                " weight rows per panel; one bank holds " + std::to_string(bank));
  }

  // One COMPUTE per K tile and block: ACT_ROWS = the block's output rows, each of OW
  // vectors; the results land in consecutive accumulator lines, row-major.
  auto in_rows = [&](uint64_t r) {
    return (r - 1) * p.stride_h + uint64_t(p.dilation_h) * (p.kernel_h - 1) + 1;
  };
  auto fits = [&](uint64_t r) {
    return in_rows(r) * wp * cl <= bank && r * ow <= region && r * ow <= kMaxCount;
  };
  if (!fits(1)) {
    throw std::invalid_argument(
        "conv2d padded width " + std::to_string(wp) + " x " + std::to_string(cl) +
        " lines per pixel (C = " + std::to_string(p.c) + ") x " + std::to_string(in_rows(1)) +
        " input rows needs more than a scratchpad bank (" + std::to_string(bank) +
        " lines), or output width " + std::to_string(ow) + " is above " + std::to_string(region) +
        ", an accumulator region");
  }
  uint32_t rb = 1;  // output rows per block: even when pooling, so windows stay in a block
  while (rb < oh && fits(rb + 1)) ++rb;
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
  for (uint32_t ky = 0; ky < p.kernel_h; ++ky) {
    for (uint32_t kx = 0; kx < p.kernel_w; ++kx) {
      for (uint32_t cb = 0; cb < cl; ++cb) {
        sched.tile_offset.push_back(
            uint32_t((uint64_t(ky) * p.dilation_h * wp + uint64_t(kx) * p.dilation_w) * cl + cb));
        sched.tile_k_valid.push_back(uint16_t(std::min(rows, p.c - cb * rows)));
      }
    }
  }
  sched.weight_addr = p.weight_addr;
  sched.weights_packed = true;
  sched.qtable_addr = p.qtable_addr;
  sched.out_stride = p.out_channels;
  sched.zero_point = p.zero_point;
  sched.act_min = p.act_min;
  sched.act_max = p.act_max;

  const uint64_t image_bytes = uint64_t(p.h) * p.w * p.c;
  const uint64_t out_image_bytes = p.max_pool ? uint64_t(oh / 2) * (ow / 2) * p.out_channels
                                              : uint64_t(oh) * ow * p.out_channels;
  const uint32_t pixel_lines = cl, row_lines = uint32_t(wp) * cl;
  detail::emit_panel_schedule(s, sched, p.batch * blocks_per_image, [&](uint32_t b) {
    const uint32_t image = b / blocks_per_image, oy0 = (b % blocks_per_image) * rb;
    const uint32_t r_count = std::min(rb, oh - oy0);
    const uint32_t n_in = uint32_t(in_rows(r_count));
    const int64_t iy0 = int64_t(oy0) * p.stride_h - p.pad_top;  // input row of stored row 0
    const uint32_t first = uint32_t(std::max<int64_t>(0, -iy0));
    const uint32_t last = uint32_t(std::min<int64_t>(n_in, int64_t(p.h) - iy0));  // exclusive
    detail::ActivationBlock blk;
    const bool padded = p.pad_left || p.pad_right || first > 0 || last < n_in;
    if (padded) {  // the whole block at the zero point; the image rows overwrite it
      Load fill;
      fill.fill = true;
      fill.fill_value = p.input_zero_point;
      fill.row_bytes = n_in * row_lines * rows;
      fill.rows = 1;
      fill.sram_line = 0;
      fill.sram_stride = n_in * row_lines;
      blk.loads.push_back(fill);
    }
    const uint64_t image_addr = p.input_addr + image * image_bytes;
    if (first < last && p.c % rows == 0) {  // pixels fill whole lines: one transfer per row
      Load a;
      a.dram_addr = image_addr + uint64_t(iy0 + first) * p.w * p.c;
      a.row_bytes = p.w * p.c;
      a.rows = last - first;
      a.dram_stride = a.row_bytes;
      a.sram_line = first * row_lines + p.pad_left * pixel_lines;
      a.sram_stride = row_lines;
      blk.loads.push_back(a);
    } else {  // a pixel per row, so every pixel starts a line (its tail is zero-filled)
      for (uint32_t i = first; i < last; ++i) {
        Load a;
        a.dram_addr = image_addr + uint64_t(iy0 + i) * p.w * p.c;
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
    const uint64_t out_addr = p.output_addr + image * out_image_bytes;
    detail::ActivationBlock::Output out;
    if (p.max_pool) {
      out.dram_addr = out_addr + uint64_t(oy0 / 2) * (ow / 2) * p.out_channels;
      out.rows = r_count / 2;
      out.pool_width = uint16_t(ow / 2);
      out.acc_pitch = uint16_t(ow);
    } else {
      out.dram_addr = out_addr + uint64_t(oy0) * ow * p.out_channels;
      out.rows = r_count * ow;
    }
    blk.outputs.push_back(out);
    return blk;
  });
}

std::vector<int8_t> pack_conv_weights(const std::vector<int8_t>& weights, uint32_t kernel_h,
                                      uint32_t kernel_w, uint32_t c, uint32_t out_channels,
                                      uint32_t rows, uint32_t cols) {
  const std::size_t taps = std::size_t(kernel_h) * kernel_w;
  if (weights.size() != taps * c * out_channels) {
    throw std::invalid_argument(
        "pack_conv_weights: " + std::to_string(weights.size()) +
        " weights; expected KH x KW x C x OC = " + std::to_string(taps * c * out_channels));
  }
  const uint32_t c_padded = ceil_div(c, rows) * rows;
  std::vector<int8_t> k_by_n(taps * c_padded * out_channels, 0);
  for (std::size_t t = 0; t < taps; ++t)
    for (uint32_t ch = 0; ch < c; ++ch)
      std::copy_n(&weights[(t * c + ch) * out_channels], out_channels,
                  &k_by_n[(t * c_padded + ch) * out_channels]);
  return pack_weights(k_by_n, uint32_t(taps * c_padded), out_channels, cols);
}

std::vector<int32_t> conv_bias(const std::vector<int32_t>& bias, const std::vector<int8_t>& weights,
                               uint32_t kernel_h, uint32_t kernel_w, uint32_t c,
                               uint32_t out_channels, int8_t input_zero_point) {
  const std::size_t k = std::size_t(kernel_h) * kernel_w * c;
  if (weights.size() != k * out_channels || (!bias.empty() && bias.size() != out_channels)) {
    throw std::invalid_argument("conv_bias: " + std::to_string(weights.size()) + " weights and " +
                                std::to_string(bias.size()) + " biases; expected " +
                                std::to_string(k * out_channels) + " and 0 or " +
                                std::to_string(out_channels));
  }
  std::vector<int32_t> out(out_channels);
  for (uint32_t o = 0; o < out_channels; ++o) {
    int64_t sum = 0;
    for (std::size_t i = 0; i < k; ++i) sum += weights[i * out_channels + o];
    // Wrapping int32, as the engine's accumulator and the reference model wrap.
    out[o] =
        int32_t(uint32_t(bias.empty() ? 0 : bias[o]) - uint32_t(int64_t(input_zero_point) * sum));
  }
  return out;
}

}  // namespace tessera::isa
