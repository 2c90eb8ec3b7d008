// SPDX-License-Identifier: Apache-2.0
// The operations on whichever backend the program gives (ops_tests.hpp), bit-exact against
// the reference model.
#include "ops_tests.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "error_of.hpp"
#include "tessera/gemm_plan.hpp"
#include "tessera/graph.hpp"
#include "tessera/regs.hpp"
#include "test_seed.hpp"
#include "token_commands.hpp"

namespace tessera::test {

namespace drv = tessera::driver;
namespace regs = tessera::regs;

drv::Quantization random_quant(std::mt19937_64& rng, uint32_t channels, uint64_t k) {
  drv::Quantization q;
  for (uint32_t c = 0; c < channels; ++c) {
    int32_t m = 0;
    int s = 0;
    tessera::ref::quantize_multiplier(
        1.0 / (32.0 * std::sqrt(double(k))) * (1 + (rng() % 100) / 100.0), m, s);
    q.multiplier.push_back(m);
    q.shift.push_back(s);
  }
  q.zero_point = int(rng() % 256) - 128;
  return q;
}

namespace {

tessera::ref::OutputStage stage_of(const drv::Quantization& q) {
  tessera::ref::OutputStage s;
  s.multiplier = q.multiplier;
  s.shift = q.shift;
  s.zero_point = q.zero_point;
  s.act_min = q.act_min;
  s.act_max = q.act_max;
  return s;
}

}  // namespace

void expect_gemm_matches(drv::Engine& e, std::mt19937_64& rng, uint32_t m, uint32_t k, uint32_t n) {
  drv::GemmArgs g;
  g.m = m, g.k = k, g.n = n;
  g.a.resize(std::size_t(g.m) * g.k);
  g.b.resize(std::size_t(g.k) * g.n);
  for (auto& x : g.a) x = int8_t(rng());
  for (auto& x : g.b) x = int8_t(rng());
  g.bias.resize(g.n);
  for (auto& b : g.bias) b = int32_t(rng() % 4001) - 2000;
  g.quant = random_quant(rng, g.n, g.k);
  SCOPED_TRACE(std::to_string(g.m) + "x" + std::to_string(g.k) + "x" + std::to_string(g.n));
  const auto acc = tessera::ref::gemm(g.a, g.b, g.bias, g.m, g.k, g.n);
  EXPECT_EQ(drv::gemm_int32(e, g), acc);
  EXPECT_EQ(drv::gemm_int8(e, g), tessera::ref::requantize(acc, g.m, g.n, stage_of(g.quant)));
}

void expect_conv_matches(drv::Engine& e, std::mt19937_64& rng, const ConvShape& s) {
  drv::Conv2dArgs a;
  a.h = s.h, a.w = s.w, a.c = s.c, a.out_channels = s.oc;
  a.kernel_h = a.kernel_w = s.k;
  a.stride_h = a.stride_w = s.stride;
  a.dilation_h = a.dilation_w = s.dilation;
  a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = s.pad;
  a.input_zero_point = int(rng() % 256) - 128;
  a.max_pool = s.pool;
  a.groups = s.groups;
  a.input.resize(std::size_t(s.h) * s.w * s.c);
  a.weights.resize(std::size_t(s.k) * s.k * (s.c / s.groups) * s.oc);
  for (auto& x : a.input) x = int8_t(rng());
  for (auto& x : a.weights) x = int8_t(rng());
  a.quant = random_quant(rng, s.oc, uint64_t(s.k) * s.k * (s.c / s.groups));
  tessera::ref::Conv2dParams p;
  p.kernel_h = p.kernel_w = s.k;
  p.stride_h = p.stride_w = s.stride;
  p.dilation_h = p.dilation_w = s.dilation;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = s.pad;
  p.input_zero_point = a.input_zero_point;
  p.groups = s.groups;
  const tessera::ref::Nhwc shape{1, s.h, s.w, s.c};
  auto os = p.output_shape(shape, s.oc);
  auto want = tessera::ref::requantize(tessera::ref::conv2d(a.input, shape, a.weights, s.oc, {}, p),
                                       os.h * os.w, s.oc, stage_of(a.quant));
  if (s.pool) want = tessera::ref::max_pool_2x2(want, os);
  SCOPED_TRACE(std::to_string(s.h) + "x" + std::to_string(s.w) + "x" + std::to_string(s.c) + " k" +
               std::to_string(s.k) + " oc" + std::to_string(s.oc) + " groups" +
               std::to_string(s.groups));
  const auto got = drv::conv2d(e, a);
  EXPECT_EQ(got.h, os.h);
  EXPECT_EQ(got.output, want);
}

TEST(Ops, GemmsOfOddShapesMatchTheReference) {
  std::mt19937_64 rng(tessera::test::test_seed());
  const uint32_t shapes[][3] = {{1, 1, 1},  {1, 300, 7},  {37, 1, 5},
                                {5, 40, 1}, {70, 33, 17}, {16, 16, 16}};
  for (const auto& s : shapes) expect_gemm_matches(ops_engine(), rng, s[0], s[1], s[2]);
}

TEST(Ops, ConvolutionsOfOddShapesMatchTheReference) {
  std::mt19937_64 rng(tessera::test::test_seed());
  const ConvShape shapes[] = {{9, 9, 3, 8, 7, 2, 3, 1, false},
                              {6, 5, 20, 17, 1, 1, 0, 1, false},
                              {10, 12, 16, 16, 3, 1, 1, 1, true},
                              {11, 7, 5, 3, 3, 2, 1, 2, false},
                              {1, 1, 1, 1, 1, 1, 0, 1, false}};
  for (const ConvShape& s : shapes) expect_conv_matches(ops_engine(), rng, s);
}

// Few K tiles per output: the STORE writes several panels per row (whole pixels; a partial
// last panel on its own), 1x1 layers run in pixel blocks across rows, and the weights stay
// resident across blocks (a convolution with many activation loads per block included).
TEST(Ops, WholePixelStoresAndResidentWeightsMatchTheReference) {
  std::mt19937_64 rng(tessera::test::test_seed());
  const ConvShape shapes[] = {{40, 40, 16, 96, 1, 1, 0, 1, false},
                              {17, 13, 40, 100, 1, 1, 0, 1, false},
                              {30, 30, 3, 64, 7, 2, 3, 1, false},
                              {24, 20, 24, 144, 1, 2, 0, 1, false}};
  for (const ConvShape& s : shapes) expect_conv_matches(ops_engine(), rng, s);
  expect_gemm_matches(ops_engine(), rng, 700, 20, 70);
  expect_gemm_matches(ops_engine(), rng, 1, 700, 40);  // one COMPUTE of 44 K tiles per panel
}

// Depthwise (groups = C, multiplier 1 and 2; 3x3 and 5x5; stride 1 and 2; channels not a
// multiple of the array) and grouped convolutions. The 3x3 depthwise layers of multiplier 1
// take the depthwise unit (one pass of 1 to 16 channel blocks, or passes of them: 18 and
// 33 blocks; pixels of whole lines, or not; at stride 2 in pairs of rows, with an odd
// height's last pair, whose second row is padding, as two rows, and without padding); the
// others the array with per-panel channel blocks.
TEST(Ops, DepthwiseAndGroupedConvolutionsMatchTheReference) {
  std::mt19937_64 rng(tessera::test::test_seed());
  const ConvShape shapes[] = {
      {7, 7, 40, 40, 3, 1, 1, 1, false, 40},     {12, 10, 32, 32, 3, 2, 1, 1, false, 32},
      {9, 11, 288, 288, 3, 1, 1, 1, false, 288}, {8, 7, 520, 520, 3, 2, 1, 1, false, 520},
      {5, 6, 144, 144, 3, 1, 0, 1, false, 144},  {9, 8, 24, 24, 5, 2, 2, 1, false, 24},
      {6, 6, 8, 16, 3, 2, 1, 1, false, 8},       {5, 5, 64, 48, 3, 1, 1, 1, false, 2},
      {6, 6, 32, 32, 1, 1, 0, 1, true, 4},       {9, 9, 48, 48, 3, 2, 1, 1, false, 48},
      {7, 8, 16, 16, 3, 2, 0, 1, false, 16}};
  for (const ConvShape& s : shapes) expect_conv_matches(ops_engine(), rng, s);
}

// An inverted-residual block's expansion 1x1 and depthwise 3x3 in one plan (the expansion's
// rows into the depthwise unit's strip buffers, at stride 1 into its ring of rows, through
// the scratchpad): strides 1 and 2, input channels that are whole lines or not, a partial
// last channel block, a ReLU6-like clamp between, two passes of channel blocks, odd sizes;
// expansion groups of one row and of several (narrow images), the chunk regions in both
// accumulator banks or in bank 1, stride-2 groups of a strip's two rows; passes that reload
// both tables (2 x C above the table's entries: halves taking turns), the expansion's
// weights (above a bank: panel places taking turns), or both, without FENCEs, also over a
// batch of two images; bit-exact with the reference's two convolutions, the first
// requantized to int8.
TEST(Ops, AnExpansionAndItsDepthwiseLayerFusedMatchTheReference) {
  std::mt19937_64 rng(tessera::test::test_seed());
  struct Shape {
    uint32_t h, w, cin, ce, stride, batch = 1;
  };
  for (const Shape s :
       {Shape{8, 8, 16, 32, 1}, Shape{9, 7, 24, 48, 2}, Shape{6, 10, 16, 40, 1},
        Shape{12, 12, 32, 96, 2}, Shape{4, 40, 24, 208, 1}, Shape{3, 5, 8, 16, 2},
        Shape{5, 7, 48, 600, 1}, Shape{6, 4, 160, 400, 1}, Shape{4, 5, 112, 600, 2},
        Shape{7, 56, 24, 144, 1}, Shape{5, 6, 160, 480, 1, 2}, Shape{6, 6, 40, 600, 2, 2}}) {
    SCOPED_TRACE(std::to_string(s.batch) + "x" + std::to_string(s.h) + "x" + std::to_string(s.w) +
                 "x" + std::to_string(s.cin) + " -> " + std::to_string(s.ce) + ", stride " +
                 std::to_string(s.stride));
    drv::Conv2dArgs ex;
    ex.batch = s.batch;
    ex.h = s.h, ex.w = s.w, ex.c = s.cin, ex.out_channels = s.ce;
    ex.input_zero_point = int(rng() % 256) - 128;
    ex.input.resize(std::size_t(s.batch) * s.h * s.w * s.cin);
    ex.weights.resize(std::size_t(s.cin) * s.ce);
    ex.bias.resize(s.ce);
    for (auto& x : ex.input) x = int8_t(rng());
    for (auto& x : ex.weights) x = int8_t(rng());
    for (auto& b : ex.bias) b = int32_t(rng() % 4001) - 2000;
    ex.quant = random_quant(rng, s.ce, s.cin);
    ex.quant.act_min = ex.quant.zero_point;  // ReLU, and a cap below 127 (ReLU6's shape)
    ex.quant.act_max = std::min(127, ex.quant.zero_point + 100);
    drv::Conv2dArgs dw;
    dw.batch = s.batch;
    dw.h = s.h, dw.w = s.w, dw.c = dw.out_channels = dw.groups = s.ce;
    dw.kernel_h = dw.kernel_w = 3;
    dw.stride_h = dw.stride_w = s.stride;
    dw.pad_top = dw.pad_bottom = dw.pad_left = dw.pad_right = 1;
    dw.input_zero_point = ex.quant.zero_point;
    dw.weights.resize(std::size_t(9) * s.ce);
    for (auto& x : dw.weights) x = int8_t(rng());
    dw.quant = random_quant(rng, s.ce, 9);

    tessera::ref::Conv2dParams pe;
    pe.input_zero_point = ex.input_zero_point;
    const tessera::ref::Nhwc shape{s.batch, s.h, s.w, s.cin};
    const auto mid = tessera::ref::requantize(
        tessera::ref::conv2d(ex.input, shape, ex.weights, s.ce, ex.bias, pe), s.batch * s.h * s.w,
        s.ce, stage_of(ex.quant));
    tessera::ref::Conv2dParams pd;
    pd.kernel_h = pd.kernel_w = 3;
    pd.stride_h = pd.stride_w = s.stride;
    pd.pad_top = pd.pad_bottom = pd.pad_left = pd.pad_right = 1;
    pd.input_zero_point = dw.input_zero_point;
    pd.groups = s.ce;
    const tessera::ref::Nhwc mid_shape{s.batch, s.h, s.w, s.ce};
    const auto os = pd.output_shape(mid_shape, s.ce);
    const auto want =
        tessera::ref::requantize(tessera::ref::conv2d(mid, mid_shape, dw.weights, s.ce, {}, pd),
                                 s.batch * os.h * os.w, s.ce, stage_of(dw.quant));
    const auto got = drv::expand_depthwise(ops_engine(), ex, dw);
    EXPECT_EQ(got.h, os.h);
    EXPECT_EQ(got.w, os.w);
    EXPECT_EQ(got.output, want);
    if (HasFailure()) return;
  }
}

// A pair that cannot run fused is refused before anything runs, naming what does not fit.
TEST(Ops, AFusedPairThatCannotRunSaysWhy) {
  drv::Conv2dArgs ex;
  ex.h = ex.w = 6, ex.c = 16, ex.out_channels = 32;
  ex.input.resize(6 * 6 * 16);
  ex.weights.resize(16 * 32);
  ex.quant.multiplier = {1 << 30};
  ex.quant.shift = {-5};
  ex.quant.zero_point = 3;
  drv::Conv2dArgs dw;
  dw.h = dw.w = 6, dw.c = dw.out_channels = dw.groups = 32;
  dw.kernel_h = dw.kernel_w = 3;
  dw.pad_top = dw.pad_bottom = dw.pad_left = dw.pad_right = 1;
  dw.weights.resize(9 * 32);
  dw.quant = ex.quant;
  dw.input_zero_point = -4;
  EXPECT_NE(error_of([&] { drv::expand_depthwise(ops_engine(), ex, dw); })
                .find("the expansion's output zero point 3 is not the depthwise layer's input "
                      "zero point -4"),
            std::string::npos);
  dw.input_zero_point = 3;
  dw.c = dw.out_channels = dw.groups = 16;
  dw.weights.resize(9 * 16);
  EXPECT_NE(error_of([&] { drv::expand_depthwise(ops_engine(), ex, dw); })
                .find("the expansion's output (1 x 6 x 6 x 32) is not the depthwise layer's input "
                      "(1 x 6 x 6 x 16)"),
            std::string::npos);
  dw.c = dw.out_channels = dw.groups = 32;
  dw.weights.resize(9 * 32);
  dw.pad_left = 2;
  EXPECT_NE(error_of([&] {
              drv::expand_depthwise(ops_engine(), ex, dw);
            }).find("more than the pixel a side the unit makes"),
            std::string::npos);
}

// TFLite's quantized ADD (residual connections) on the engine's vector path and STORE, any
// length (blocks of an accumulator region, a partial last line), bit-exact with the
// reference's add of each element pair, ReLU in the clamp.
TEST(Ops, ResidualAddsMatchTheReference) {
  std::mt19937_64 rng(tessera::test::test_seed());
  const auto& cfg = ops_engine().info().config;
  const std::size_t region = cfg.accumulator_lines / 2 * cfg.rows;  // elements per block
  for (const std::size_t n : {std::size_t(1), std::size_t(cfg.rows) + 3, 3 * region + 37}) {
    drv::AddArgs a;
    a.a.resize(n);
    a.b.resize(n);
    for (auto& x : a.a) x = int8_t(rng());
    for (auto& x : a.b) x = int8_t(rng());
    const double s1 = 0.01 + (rng() % 1000) / 1e4, s2 = 0.01 + (rng() % 1000) / 1e4;
    const double s_out = (s1 + s2) * (0.5 + (rng() % 100) / 100.0);
    const int zp1 = int(rng() % 256) - 128, zp2 = int(rng() % 256) - 128;
    const int zp_out = int(rng() % 256) - 128;
    const bool relu = n % 2 == 1;
    const auto p =
        tessera::graph::AddParams::make(s1, zp1, s2, zp2, s_out, zp_out, relu ? zp_out : -128, 127);
    a.a_scale = {p.mult1, uint8_t(-p.shift1), int8_t(zp1)};
    a.b_scale = {p.mult2, uint8_t(-p.shift2), int8_t(zp2)};
    a.quant.multiplier = {p.mult_out};
    a.quant.shift = {p.shift_out};
    a.quant.zero_point = zp_out;
    a.quant.act_min = p.act_min;
    std::vector<int8_t> want(n);
    for (std::size_t i = 0; i < n; ++i) want[i] = p(a.a[i], a.b[i]);
    SCOPED_TRACE("n " + std::to_string(n));
    EXPECT_EQ(drv::add_int8(ops_engine(), a), want);
  }
}

// Beyond one bank of weights (K in passes that accumulate in place) and beyond the
// quantization table (output channels in groups, the table reloaded behind a FENCE), on the
// default build: 16 rows x 4,096 lines per bank, 1,024 entries.
TEST(Ops, LayersBeyondAWeightBankOrTheTableMatchTheReference) {
  std::mt19937_64 rng(tessera::test::test_seed());
  const auto& cfg = ops_engine().info().config;
  const uint32_t bank_k = cfg.scratchpad_lines / 4;  // weight rows: one line each
  expect_gemm_matches(ops_engine(), rng, 3, bank_k + 104, 2 * cfg.cols + 1);
  expect_gemm_matches(ops_engine(), rng, 2, 16, cfg.qtable_entries + cfg.cols + 3);
  // 3x3 over C = bank_k / 9 + 16 (one tile past a bank: ResNet-50's res5 3x3 over 512).
  expect_conv_matches(ops_engine(), rng, {3, 3, bank_k / 9 + cfg.rows, 5, 3, 1, 1, 1, false});
}

TEST(Ops, BadAddArgumentsNameTheValueAndTheRange) {
  drv::AddArgs a;
  a.a.resize(4);
  a.b.resize(3);
  a.quant.multiplier = {1 << 30};
  a.quant.shift = {0};
  a.a_scale = a.b_scale = {1 << 30, 1, 0};
  EXPECT_NE(error_of([&] {
              drv::add_int8(ops_engine(), a);
            }).find("add b has 3 elements; the elements of a = 4"),
            std::string::npos);
  a.b.resize(4);
  a.b_scale.right_shift = 40;
  EXPECT_NE(error_of([&] {
              drv::add_int8(ops_engine(), a);
            }).find("add b right_shift = 40 is out of range [0, 31]"),
            std::string::npos);
  a.b_scale.right_shift = 1;
  a.quant.multiplier = {1, 2};
  EXPECT_NE(
      error_of([&] { drv::add_int8(ops_engine(), a); }).find("expected 1 of each (per tensor)"),
      std::string::npos);
}

TEST(Ops, BadArgumentsNameTheValueAndTheRange) {
  drv::GemmArgs g;
  g.m = 4, g.k = 4, g.n = 4;
  g.a.resize(16);
  g.b.resize(15);
  g.quant.multiplier = {1 << 30};
  g.quant.shift = {-3};
  EXPECT_NE(
      error_of([&] { drv::gemm_int8(ops_engine(), g); }).find("GEMM B has 15 elements; K x N = 16"),
      std::string::npos);
  g.b.resize(16);
  g.quant.shift = {40};
  EXPECT_NE(error_of([&] {
              drv::gemm_int8(ops_engine(), g);
            }).find("shift[0] = 40 is out of range [-31, 30]"),
            std::string::npos);
  g.quant.shift = {0};
  g.quant.zero_point = 300;
  EXPECT_NE(error_of([&] {
              drv::gemm_int8(ops_engine(), g);
            }).find("zero_point = 300 is out of range [-128, 127]"),
            std::string::npos);
  drv::Conv2dArgs a;
  a.h = a.w = 2, a.c = 1, a.out_channels = 1, a.kernel_h = a.kernel_w = 5;
  a.input.resize(4);
  a.weights.resize(25);
  a.quant.multiplier = {1 << 30};
  a.quant.shift = {0};
  EXPECT_NE(error_of([&] {
              drv::conv2d(ops_engine(), a);
            }).find("the dilated kernel spans 5 pixels, above the padded input's 2"),
            std::string::npos);
  drv::GemmArgs deep;  // a row of A longer than a scratchpad bank
  const auto& cfg = ops_engine().info().config;
  deep.m = 1, deep.k = cfg.scratchpad_lines / 4 * cfg.rows + 1, deep.n = 1;
  deep.a.resize(deep.k);
  deep.b.resize(deep.k);
  deep.quant = g.quant;
  deep.quant.zero_point = 0;
  EXPECT_NE(
      error_of([&] { drv::gemm_int8(ops_engine(), deep); })
          .find("GEMM K = " + std::to_string(deep.k) + " is above " + std::to_string(deep.k - 1) +
                ", the longest row of A a scratchpad bank holds"),
      std::string::npos);
}

TEST(Ops, Int32GemmsLongerThanABankRunInPartsSummedByTheHost) {
  // gemm_int32 runs a K beyond a bank's row of A in parts; the sum is the whole product.
  drv::Engine& e = ops_engine();
  drv::GemmArgs g;
  g.m = 3, g.n = 5, g.k = tessera::isa::max_gemm_k(e.info().config) + 37;
  std::mt19937_64 rng(tessera::test::test_seed());
  for (std::size_t i = 0; i < std::size_t(g.m) * g.k; ++i) g.a.push_back(int8_t(rng()));
  for (std::size_t i = 0; i < std::size_t(g.k) * g.n; ++i) g.b.push_back(int8_t(rng()));
  g.bias = {1, -2, 3, -4, 5};
  const auto c = drv::gemm_int32(e, g);
  for (uint32_t i = 0; i < g.m; ++i)
    for (uint32_t j = 0; j < g.n; ++j) {
      int64_t want = g.bias[j];
      for (uint32_t k = 0; k < g.k; ++k)
        want += int64_t(g.a[std::size_t(i) * g.k + k]) * g.b[std::size_t(k) * g.n + j];
      EXPECT_EQ(c[std::size_t(i) * g.n + j], int32_t(want)) << i << "," << j;
    }
}

TEST(Engine, AnEngineErrorNamesTheCommandAndTheEngineRecovers) {
  // A STORE whose table entry has shift 40: found only when the engine reads the table
  // (the driver cannot know the entry's value). The engine stops on it, the driver reports
  // the code, the index and the command, soft-resets, and carries on.
  drv::Engine& e = ops_engine();
  drv::Buffer table(e, 16), out(e, 64);
  const uint8_t entry[16] = {0, 0, 0, 0, 1, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0};
  table.write(entry, 16);
  tessera::isa::CommandStream s = e.new_stream();
  tessera::isa::Load t;
  t.dest = tessera::isa::Load::Dest::kQTable;
  t.dram_addr = table.device_addr();
  t.row_bytes = 16;
  t.rows = 1;
  s.push(t);
  s.push(tessera::isa::Fence{false, out.device_addr() + 32, 0});
  tessera::isa::Store st;
  st.requantize = true;
  st.dram_addr = out.device_addr();
  st.rows = 1;
  st.cols = 16;
  s.push(st);
  try {
    e.run(s);
    FAIL() << "the engine accepted a shift of 40";
  } catch (const drv::EngineError& x) {
    EXPECT_EQ(x.code(), tessera::isa::Error::kBadClamp);
    EXPECT_EQ(x.index(), 2u);
    EXPECT_NE(std::string(x.what()).find("BAD_CLAMP (9) at command 2: STORE mode=requantize"),
              std::string::npos)
        << x.what();
  }
  EXPECT_EQ(regs::kStatusError.get(e.device().read32(regs::kStatus)), 0u);
  drv::GemmArgs g;  // and the engine works again
  g.m = g.k = g.n = 3;
  g.a = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  g.b = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  EXPECT_EQ(drv::gemm_int32(e, g), std::vector<int32_t>({1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(Engine, HostRowsOutsideTheMemoryOrIntoTheRingAreRefusedBeforeAnythingRuns) {
  drv::Engine& e = ops_engine();
  const uint64_t base = e.info().memory_base, size = e.info().memory_size;
  struct Case {
    tessera::isa::Command command;
    const char* message;
  };
  tessera::isa::Load outside;
  outside.dram_addr = 0x40;
  outside.row_bytes = 16;
  outside.rows = 1;
  drv::Buffer buf(e, 64);
  tessera::isa::Store wraps;  // row 1 passes 2^64 and wraps to 0x40
  wraps.dram_addr = buf.device_addr();
  wraps.rows = 2;
  wraps.cols = 4;
  wraps.dram_stride = ~uint64_t(0) - buf.device_addr() + 1 + 0x40;
  tessera::isa::Store past_end = wraps;
  past_end.dram_addr = base + size - 8;
  past_end.dram_stride = 16;
  tessera::isa::Store panels = past_end;  // 16 bytes fit before the end, its 32 do not
  panels.dram_addr = base + size - 16;
  panels.rows = 1;
  panels.cols = 16;
  panels.requantize = true;
  panels.extra_panels = 1;
  tessera::isa::Fence ring{false, 0, 0};
  // The driver's ring is the first thing in device memory (Engine's constructor).
  ring.dram_addr = base + 64;
  const Case cases[] = {
      {tessera::isa::encode(outside),
       "LOAD row 0 (16 bytes at 0x40) lies outside the device memory"},
      {tessera::isa::encode(wraps),
       "STORE row 1 (16 bytes at 0x40) lies outside the device memory"},
      {tessera::isa::encode(past_end), "STORE row 0 (16 bytes at 0x"},
      {tessera::isa::encode(panels), "STORE row 0 (32 bytes at 0x"},
      {tessera::isa::encode(ring), "writes into the command ring"},
  };
  for (const Case& k : cases) {
    tessera::isa::CommandStream s = e.new_stream();
    s.push(k.command);
    const uint64_t retired = e.counters()[regs::Counter::kCommandsRetired];
    try {
      e.run(s);
      ADD_FAILURE() << "ran " << tessera::isa::disassemble(k.command);
    } catch (const tessera::isa::InvalidCommand& x) {
      EXPECT_EQ(x.error(), tessera::isa::Error::kDmaWindow);
      EXPECT_NE(std::string(x.what()).find(k.message), std::string::npos) << x.what();
    }
    EXPECT_EQ(e.counters()[regs::Counter::kCommandsRetired], retired) << "something ran";
  }
}

TEST(Engine, AStreamThatWouldDeadlockIsRefusedBeforeItRunsSayingWhatWaits) {
  drv::Engine& e = ops_engine();
  isa::CommandStream s = e.new_stream();
  s.push(fill_line(0, isa::kDepsPopNext));
  const uint32_t retired = uint32_t(e.counters()[regs::Counter::kCommandsRetired]);
  try {
    e.run(s);
    FAIL() << "a LOAD waiting for a token nobody gives was run";
  } catch (const isa::InvalidCommand& x) {
    EXPECT_EQ(x.error(), isa::Error::kDeadlock);
    const std::string m = x.what();
    EXPECT_NE(m.find("would stop with DEADLOCK at command 1"), std::string::npos) << m;
    EXPECT_NE(m.find("the load unit's next, command 0 (LOAD deps=pop_next"), std::string::npos)
        << m;
    EXPECT_NE(m.find("waits for a token the compute unit has not given"), std::string::npos) << m;
  }
  EXPECT_EQ(e.counters()[regs::Counter::kCommandsRetired], retired) << "something ran";
  // Four LOADs behind it fill the load queue and the dispatcher: the COMPUTE that would free
  // it is never reached (three would be fine).
  for (uint32_t behind : {isa::kUnitQueueDepth - 1, isa::kUnitQueueDepth}) {
    isa::CommandStream t = e.new_stream();
    t.push(fill_line(0, isa::kDepsPopNext));
    for (uint32_t i = 0; i < behind; ++i) t.push(fill_line(1 + i, isa::kDepsPushNext));
    t.push(compute_one(isa::kDepsPushPrev));
    for (uint32_t i = 0; i < behind; ++i) t.push(compute_one(isa::kDepsPopPrev));
    if (behind < isa::kUnitQueueDepth) {
      EXPECT_NO_THROW(e.run(t));
    } else {
      try {
        e.run(t);
        ADD_FAILURE() << "the engine would deadlock on this stream";
      } catch (const isa::InvalidCommand& x) {
        EXPECT_NE(std::string(x.what()).find("waits for room in the load unit's queue"),
                  std::string::npos)
            << x.what();
      }
    }
  }
}

TEST(Engine, TokensOwedCarryOverFromRunToRunUpToMaxTokens) {
  drv::Engine& e = ops_engine();
  e.reset();
  isa::CommandStream give = e.new_stream(), take = e.new_stream();
  give.push(fill_line(0, isa::kDepsPushNext));
  take.push(compute_one(isa::kDepsPopPrev));
  e.run(give);
  EXPECT_NO_THROW(e.run(take)) << "the token the last run left";
  EXPECT_THROW(e.run(take), isa::InvalidCommand) << "no token left";
  isa::CommandStream many = e.new_stream();
  for (uint32_t i = 0; i < isa::kMaxTokens; ++i) many.push(fill_line(i, isa::kDepsPushNext));
  e.run(many);
  try {
    e.run(give);
    FAIL() << "token MAX_TOKENS + 1 was given";
  } catch (const isa::InvalidCommand& x) {
    EXPECT_EQ(x.error(), isa::Error::kTokenOverflow);
    EXPECT_NE(std::string(x.what()).find("already owed 255 (MAX_TOKENS)"), std::string::npos)
        << x.what();
  }
  e.reset();  // drops them
  EXPECT_THROW(e.run(take), isa::InvalidCommand);
  EXPECT_NO_THROW(e.run(give));
  EXPECT_NO_THROW(e.run(take));
}

}  // namespace tessera::test
