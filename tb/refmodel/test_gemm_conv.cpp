// SPDX-License-Identifier: Apache-2.0
// Reference GEMM, convolution, requantization and pooling against direct formulations
// written independently here (plain loops, no im2col), plus the argument checks.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "tessera/ref.hpp"
#include "test_seed.hpp"

namespace ref = tessera::ref;

namespace {

std::vector<int8_t> random_bytes(std::mt19937_64& rng, std::size_t count) {
  std::uniform_int_distribution<int> byte(-128, 127);
  std::vector<int8_t> v(count);
  for (auto& x : v) x = static_cast<int8_t>(byte(rng));
  return v;
}

// Direct NHWC convolution: every output pixel sums its taps, skipping padded ones, which
// contribute (zero_point - zero_point) * w = 0.
std::vector<int32_t> direct_conv(const std::vector<int8_t>& in, const ref::Nhwc& s,
                                 const std::vector<int8_t>& w, std::size_t oc,
                                 const std::vector<int32_t>& bias, const ref::Conv2dParams& p) {
  const ref::Nhwc o = p.output_shape(s, oc);
  std::vector<int32_t> out(o.elements());
  for (std::size_t b = 0; b < o.n; ++b)
    for (std::size_t oy = 0; oy < o.h; ++oy)
      for (std::size_t ox = 0; ox < o.w; ++ox)
        for (std::size_t f = 0; f < oc; ++f) {
          int64_t acc = bias.empty() ? 0 : bias[f];
          for (std::size_t ky = 0; ky < p.kernel_h; ++ky)
            for (std::size_t kx = 0; kx < p.kernel_w; ++kx) {
              const long long iy = static_cast<long long>(oy * p.stride_h + ky * p.dilation_h) -
                                   static_cast<long long>(p.pad_top);
              const long long ix = static_cast<long long>(ox * p.stride_w + kx * p.dilation_w) -
                                   static_cast<long long>(p.pad_left);
              if (iy < 0 || ix < 0 || iy >= static_cast<long long>(s.h) ||
                  ix >= static_cast<long long>(s.w))
                continue;
              for (std::size_t c = 0; c < s.c; ++c) {
                const int32_t x = in[((b * s.h + iy) * s.w + ix) * s.c + c] - p.input_zero_point;
                acc += x * w[((ky * p.kernel_w + kx) * s.c + c) * oc + f];
              }
            }
          out[((b * o.h + oy) * o.w + ox) * oc + f] = static_cast<int32_t>(acc);
        }
  return out;
}

}  // namespace

TEST(RefGemm, MatchesTripleLoopWithBiasAndZeroPoint) {
  std::mt19937_64 rng(tessera::test::test_seed());
  for (int trial = 0; trial < 50; ++trial) {
    const std::size_t m = 1 + rng() % 40, k = 1 + rng() % 70, n = 1 + rng() % 40;
    const auto a = random_bytes(rng, m * k), b = random_bytes(rng, k * n);
    std::vector<int32_t> bias(n);
    for (auto& x : bias) x = static_cast<int32_t>(rng() % 200001) - 100000;
    const int32_t zp = static_cast<int32_t>(rng() % 256) - 128;
    const auto c = ref::gemm(a, b, bias, m, k, n, zp);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        int64_t acc = bias[j];
        for (std::size_t p = 0; p < k; ++p) acc += (a[i * k + p] - zp) * b[p * n + j];
        ASSERT_EQ(c[i * n + j], acc) << "m=" << m << " k=" << k << " n=" << n;
      }
  }
}

TEST(RefGemm, AccumulatorWrapsLikeInt32Hardware) {
  const std::vector<int8_t> a = {127}, b = {127};
  const std::vector<int32_t> bias = {std::numeric_limits<int32_t>::max()};
  const auto c = ref::gemm(a, b, bias, 1, 1, 1);
  EXPECT_EQ(c[0], std::numeric_limits<int32_t>::min() + 127 * 127 - 1);
}

TEST(RefGemm, RejectsBadShapesNamingTheValue) {
  const std::vector<int8_t> a(6), b(6);
  EXPECT_THROW(ref::gemm(a, b, {}, 0, 3, 2), std::invalid_argument);
  EXPECT_THROW(ref::gemm(a, b, {}, 2, 3, 3), std::invalid_argument);
  EXPECT_THROW(ref::gemm(a, b, {1, 2, 3}, 2, 3, 2), std::invalid_argument);
  EXPECT_THROW(ref::gemm(a, b, {}, 2, 3, 2, 128), std::invalid_argument);
  try {
    ref::gemm(a, b, {}, 2, 3, 2, -129);
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "A zero point = -129 is out of range [-128, 127]");
  }
}

TEST(RefConv, MatchesDirectConvolution) {
  std::mt19937_64 rng(tessera::test::test_seed());
  for (int trial = 0; trial < 60; ++trial) {
    ref::Conv2dParams p;
    p.kernel_h = 1 + rng() % 4;
    p.kernel_w = 1 + rng() % 4;
    p.stride_h = 1 + rng() % 3;
    p.stride_w = 1 + rng() % 3;
    p.dilation_h = 1 + rng() % 2;
    p.dilation_w = 1 + rng() % 2;
    p.pad_top = rng() % 3;
    p.pad_bottom = rng() % 3;
    p.pad_left = rng() % 3;
    p.pad_right = rng() % 3;
    p.input_zero_point = static_cast<int32_t>(rng() % 256) - 128;
    const ref::Nhwc s{1 + rng() % 2, 6 + rng() % 6, 6 + rng() % 6, 1 + rng() % 5};
    const std::size_t oc = 1 + rng() % 6;
    const auto in = random_bytes(rng, s.elements());
    const auto w = random_bytes(rng, p.kernel_h * p.kernel_w * s.c * oc);
    std::vector<int32_t> bias(oc);
    for (auto& x : bias) x = static_cast<int32_t>(rng() % 2001) - 1000;
    ASSERT_EQ(ref::conv2d(in, s, w, oc, bias, p), direct_conv(in, s, w, oc, bias, p))
        << "trial " << trial;
  }
}

// A grouped convolution equals the dense one whose weights are zero outside each output
// channel's group (the dense reference is the direct loop above).
TEST(RefConv, GroupedAndDepthwiseMatchTheDenseConvolutionWithZerosOutsideTheGroups) {
  std::mt19937_64 rng(tessera::test::test_seed());
  for (int trial = 0; trial < 40; ++trial) {
    ref::Conv2dParams p;
    p.kernel_h = p.kernel_w = 1 + 2 * (rng() % 3);
    p.stride_h = p.stride_w = 1 + rng() % 2;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = p.kernel_h / 2;
    p.input_zero_point = static_cast<int32_t>(rng() % 256) - 128;
    p.groups = 1 + rng() % 6;
    const std::size_t cg = 1 + rng() % 3, og = 1 + rng() % 3;  // per group
    const ref::Nhwc s{1 + rng() % 2, 5 + rng() % 5, 5 + rng() % 5, cg * p.groups};
    const std::size_t oc = og * p.groups, taps = p.kernel_h * p.kernel_w;
    const auto in = random_bytes(rng, s.elements());
    const auto w = random_bytes(rng, taps * cg * oc);
    std::vector<int8_t> dense(taps * s.c * oc, 0);
    for (std::size_t t = 0; t < taps; ++t)
      for (std::size_t ci = 0; ci < cg; ++ci)
        for (std::size_t o = 0; o < oc; ++o)
          dense[(t * s.c + o / og * cg + ci) * oc + o] = w[(t * cg + ci) * oc + o];
    std::vector<int32_t> bias(oc);
    for (auto& x : bias) x = static_cast<int32_t>(rng() % 2001) - 1000;
    ref::Conv2dParams dense_p = p;
    dense_p.groups = 1;
    ASSERT_EQ(ref::conv2d(in, s, w, oc, bias, p), direct_conv(in, s, dense, oc, bias, dense_p))
        << "trial " << trial << ", groups " << p.groups;
  }
  ref::Conv2dParams p;
  p.groups = 3;
  EXPECT_THROW(ref::conv2d(random_bytes(rng, 16), {1, 2, 2, 4}, random_bytes(rng, 6), 6, {}, p),
               std::invalid_argument);  // 3 groups do not divide 4 channels
}

TEST(RefConv, Im2colOrdersTapsAsKhKwC) {
  // 1x3x3x2 input holding its own flat index; 2x2 kernel, stride 1, pad 1 on top/left only.
  std::vector<int8_t> in(18);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = static_cast<int8_t>(i);
  ref::Conv2dParams p;
  p.kernel_h = p.kernel_w = 2;
  p.pad_top = p.pad_left = 1;
  p.input_zero_point = -7;
  const auto cols = ref::im2col(in, {1, 3, 3, 2}, p);
  ASSERT_EQ(cols.size(), 9u * 8u);  // 3x3 outputs, 2*2*2 taps
  // Output (0,0): taps (-1,-1) (-1,0) (0,-1) pad, (0,0) = pixel 0 -> channels 0,1.
  EXPECT_EQ(std::vector<int8_t>(cols.begin(), cols.begin() + 8),
            (std::vector<int8_t>{-7, -7, -7, -7, -7, -7, 0, 1}));
  // Output (2,2): taps (1,1) (1,2) (2,1) (2,2) -> pixels 4, 5, 7, 8.
  EXPECT_EQ(std::vector<int8_t>(cols.end() - 8, cols.end()),
            (std::vector<int8_t>{8, 9, 10, 11, 14, 15, 16, 17}));
}

TEST(RefConv, RejectsKernelLargerThanPaddedInput) {
  ref::Conv2dParams p;
  p.kernel_h = 3;
  p.dilation_h = 3;  // spans 7 rows
  try {
    p.output_shape({1, 6, 6, 1}, 1);
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "dilated kernel 7x1 exceeds the padded input 6x6");
  }
  p.dilation_h = 0;
  EXPECT_THROW(p.output_shape({1, 6, 6, 1}, 1), std::invalid_argument);
}

TEST(RefRequantize, PerChannelUsesEachChannelsMultiplier) {
  std::mt19937_64 rng(tessera::test::test_seed());
  const std::size_t rows = 7, channels = 5;
  std::vector<int32_t> acc(rows * channels);
  for (auto& x : acc) x = static_cast<int32_t>(rng() % 2000001) - 1000000;
  ref::OutputStage stage;
  stage.zero_point = 3;
  for (std::size_t c = 0; c < channels; ++c) {
    int32_t mult = 0;
    int shift = 0;
    ref::quantize_multiplier(0.0001 * (c + 1), mult, shift);
    stage.multiplier.push_back(mult);
    stage.shift.push_back(shift);
  }
  const auto out = ref::requantize(acc, rows, channels, stage);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < channels; ++c)
      ASSERT_EQ(out[r * channels + c],
                ref::requantize(acc[r * channels + c], stage.multiplier[c], stage.shift[c], stage));
  stage.multiplier.pop_back();
  stage.shift.pop_back();
  EXPECT_THROW(ref::requantize(acc, rows, channels, stage), std::invalid_argument);
}

TEST(RefRequantize, ValidateNamesTheBadField) {
  ref::OutputStage stage;
  stage.multiplier = {1 << 30};
  stage.shift = {-3};
  stage.act_min = 10;
  stage.act_max = 5;
  try {
    stage.validate(4);
    FAIL() << "expected a throw";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "act_max = 5 is out of range [10, 127]");
  }
}

TEST(RefPool, MaxPool2x2FloorsOddSizes) {
  // 1x3x5x1: rows 0-1 and columns 0-3 are pooled; the last row and column are dropped.
  const std::vector<int8_t> in = {1, -5, 3,  4, 9,  //
                                  2, 0,  -8, 7, 9,  //
                                  9, 9,  9,  9, 9};
  ref::Nhwc shape{1, 3, 5, 1};
  const auto out = ref::max_pool_2x2(in, shape);
  EXPECT_EQ(shape.h, 1u);
  EXPECT_EQ(shape.w, 2u);
  EXPECT_EQ(out, (std::vector<int8_t>{2, 7}));
  ref::Nhwc tiny{1, 1, 4, 1};
  EXPECT_THROW(ref::max_pool_2x2(std::vector<int8_t>(4), tiny), std::invalid_argument);
}

TEST(RefPool, MaxPoolKeepsChannelsApart) {
  std::mt19937_64 rng(tessera::test::test_seed());
  ref::Nhwc shape{2, 4, 6, 3};
  const auto in = random_bytes(rng, shape.elements());
  const ref::Nhwc s = shape;
  const auto out = ref::max_pool_2x2(in, shape);
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t y = 0; y < 2; ++y)
      for (std::size_t x = 0; x < 3; ++x)
        for (std::size_t c = 0; c < 3; ++c) {
          int8_t best = -128;
          for (std::size_t dy = 0; dy < 2; ++dy)
            for (std::size_t dx = 0; dx < 2; ++dx)
              best = std::max(best, in[((b * s.h + 2 * y + dy) * s.w + 2 * x + dx) * s.c + c]);
          ASSERT_EQ(out[((b * 2 + y) * 3 + x) * 3 + c], best);
        }
}
