// SPDX-License-Identifier: Apache-2.0
// GEMM, convolution and pooling; see ref.hpp for the semantics.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "tessera/ref.hpp"

namespace tessera::ref {
namespace {

void check_size(const char* what, std::size_t got, std::size_t expected) {
  if (got != expected) {
    throw std::invalid_argument(std::string(what) + " has " + std::to_string(got) +
                                " elements; expected " + std::to_string(expected));
  }
}

void check_positive(const char* what, std::size_t value) {
  if (value == 0) throw std::invalid_argument(std::string(what) + " = 0; must be >= 1");
}

void check_zero_point(const char* what, int32_t zp) {
  if (zp < -128 || zp > 127) {
    throw std::invalid_argument(std::string(what) + " = " + std::to_string(zp) +
                                " is out of range [-128, 127]");
  }
}

}  // namespace

std::vector<int32_t> gemm(const std::vector<int8_t>& a, const std::vector<int8_t>& b,
                          const std::vector<int32_t>& bias, std::size_t m, std::size_t k,
                          std::size_t n, int32_t a_zero_point) {
  check_positive("M", m);
  check_positive("K", k);
  check_positive("N", n);
  check_size("A", a.size(), m * k);
  check_size("B", b.size(), k * n);
  if (!bias.empty()) check_size("bias", bias.size(), n);
  check_zero_point("A zero point", a_zero_point);

  // Accumulate in uint32 so that overflow wraps (defined) exactly like the int32 hardware.
  std::vector<uint32_t> acc(m * n, 0);
  for (std::size_t i = 0; i < m; ++i) {
    uint32_t* row = &acc[i * n];
    if (!bias.empty()) {
      for (std::size_t j = 0; j < n; ++j) row[j] = static_cast<uint32_t>(bias[j]);
    }
    for (std::size_t p = 0; p < k; ++p) {
      const auto av = static_cast<int32_t>(a[i * k + p]) - a_zero_point;
      if (av == 0) continue;
      const int8_t* brow = &b[p * n];
      for (std::size_t j = 0; j < n; ++j) {
        row[j] += static_cast<uint32_t>(av * static_cast<int32_t>(brow[j]));
      }
    }
  }
  return {acc.begin(), acc.end()};
}

Nhwc Conv2dParams::output_shape(const Nhwc& in, std::size_t out_channels) const {
  check_positive("batch", in.n);
  check_positive("input height", in.h);
  check_positive("input width", in.w);
  check_positive("input channels", in.c);
  check_positive("output channels", out_channels);
  check_positive("kernel height", kernel_h);
  check_positive("kernel width", kernel_w);
  check_positive("stride height", stride_h);
  check_positive("stride width", stride_w);
  check_positive("dilation height", dilation_h);
  check_positive("dilation width", dilation_w);
  check_zero_point("input zero point", input_zero_point);
  const std::size_t span_h = dilation_h * (kernel_h - 1) + 1;
  const std::size_t span_w = dilation_w * (kernel_w - 1) + 1;
  const std::size_t padded_h = in.h + pad_top + pad_bottom;
  const std::size_t padded_w = in.w + pad_left + pad_right;
  if (span_h > padded_h || span_w > padded_w) {
    throw std::invalid_argument("dilated kernel " + std::to_string(span_h) + "x" +
                                std::to_string(span_w) + " exceeds the padded input " +
                                std::to_string(padded_h) + "x" + std::to_string(padded_w));
  }
  return {in.n, (padded_h - span_h) / stride_h + 1, (padded_w - span_w) / stride_w + 1,
          out_channels};
}

template <typename T>
std::vector<T> im2col(const std::vector<T>& input, const Nhwc& s, const Conv2dParams& p) {
  const Nhwc o = p.output_shape(s, 1);
  check_size("input", input.size(), s.elements());
  const std::size_t cols = p.kernel_h * p.kernel_w * s.c;
  std::vector<T> out(o.n * o.h * o.w * cols, static_cast<T>(p.input_zero_point));
  std::size_t row = 0;
  for (std::size_t b = 0; b < o.n; ++b) {
    for (std::size_t oy = 0; oy < o.h; ++oy) {
      for (std::size_t ox = 0; ox < o.w; ++ox, ++row) {
        T* dst = &out[row * cols];
        for (std::size_t ky = 0; ky < p.kernel_h; ++ky) {
          // Signed arithmetic: taps above/left of the input land in the padding.
          const auto iy = static_cast<long long>(oy * p.stride_h + ky * p.dilation_h) -
                          static_cast<long long>(p.pad_top);
          for (std::size_t kx = 0; kx < p.kernel_w; ++kx) {
            const auto ix = static_cast<long long>(ox * p.stride_w + kx * p.dilation_w) -
                            static_cast<long long>(p.pad_left);
            T* tap = dst + (ky * p.kernel_w + kx) * s.c;
            if (iy < 0 || ix < 0 || iy >= static_cast<long long>(s.h) ||
                ix >= static_cast<long long>(s.w)) {
              continue;  // stays at the zero point
            }
            const T* src = &input[((b * s.h + static_cast<std::size_t>(iy)) * s.w +
                                   static_cast<std::size_t>(ix)) *
                                  s.c];
            std::copy(src, src + s.c, tap);
          }
        }
      }
    }
  }
  return out;
}

template std::vector<int8_t> im2col(const std::vector<int8_t>&, const Nhwc&, const Conv2dParams&);
template std::vector<float> im2col(const std::vector<float>&, const Nhwc&, const Conv2dParams&);

std::vector<int32_t> conv2d(const std::vector<int8_t>& input, const Nhwc& shape,
                            const std::vector<int8_t>& weights, std::size_t out_channels,
                            const std::vector<int32_t>& bias, const Conv2dParams& p) {
  const Nhwc o = p.output_shape(shape, out_channels);
  const std::size_t taps = p.kernel_h * p.kernel_w, k = taps * shape.c;
  check_positive("groups", p.groups);
  if (p.groups == 1) {
    check_size("weights", weights.size(), k * out_channels);
    const std::vector<int8_t> patches = im2col(input, shape, p);
    return gemm(patches, weights, bias, o.n * o.h * o.w, k, out_channels, p.input_zero_point);
  }
  if (shape.c % p.groups != 0 || out_channels % p.groups != 0) {
    throw std::invalid_argument("groups = " + std::to_string(p.groups) + " must divide the " +
                                std::to_string(shape.c) + " input and " +
                                std::to_string(out_channels) + " output channels");
  }
  const std::size_t cg = shape.c / p.groups, og = out_channels / p.groups;
  check_size("weights", weights.size(), taps * cg * out_channels);
  if (!bias.empty()) check_size("bias", bias.size(), out_channels);
  const std::vector<int8_t> patches = im2col(input, shape, p);
  const std::size_t pixels = o.n * o.h * o.w;
  std::vector<int32_t> out(pixels * out_channels);
  for (std::size_t px = 0; px < pixels; ++px) {
    const int8_t* patch = &patches[px * k];
    for (std::size_t oc = 0; oc < out_channels; ++oc) {
      const std::size_t c0 = oc / og * cg;                    // the group's first input channel
      uint32_t acc = bias.empty() ? 0u : uint32_t(bias[oc]);  // int32, wrapping
      for (std::size_t t = 0; t < taps; ++t)
        for (std::size_t ci = 0; ci < cg; ++ci) {
          const int32_t x = int32_t(patch[t * shape.c + c0 + ci]) - p.input_zero_point;
          acc += uint32_t(x * int32_t(weights[(t * cg + ci) * out_channels + oc]));
        }
      out[px * out_channels + oc] = int32_t(acc);
    }
  }
  return out;
}

std::vector<int8_t> max_pool_2x2(const std::vector<int8_t>& input, Nhwc& shape) {
  check_size("input", input.size(), shape.elements());
  if (shape.h < 2 || shape.w < 2) {
    throw std::invalid_argument("max_pool_2x2 input " + std::to_string(shape.h) + "x" +
                                std::to_string(shape.w) + " must be at least 2x2");
  }
  const Nhwc o{shape.n, shape.h / 2, shape.w / 2, shape.c};
  std::vector<int8_t> out(o.elements());
  auto at = [&](std::size_t b, std::size_t y, std::size_t x, std::size_t c) {
    return input[((b * shape.h + y) * shape.w + x) * shape.c + c];
  };
  for (std::size_t b = 0; b < o.n; ++b)
    for (std::size_t y = 0; y < o.h; ++y)
      for (std::size_t x = 0; x < o.w; ++x)
        for (std::size_t c = 0; c < o.c; ++c) {
          const int8_t top = std::max(at(b, 2 * y, 2 * x, c), at(b, 2 * y, 2 * x + 1, c));
          const int8_t bottom =
              std::max(at(b, 2 * y + 1, 2 * x, c), at(b, 2 * y + 1, 2 * x + 1, c));
          out[((b * o.h + y) * o.w + x) * o.c + c] = std::max(top, bottom);
        }
  shape = o;
  return out;
}

}  // namespace tessera::ref
