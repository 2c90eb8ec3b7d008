// SPDX-License-Identifier: Apache-2.0
// The whole engine (tessera_top, the build's default engine: CMake's TESSERA_ENGINE) in
// SystemC, driven the way a driver drives it: registers over AXI4-Lite, commands built with
// tessera::isa::CommandStream and written into a ring in host memory, the doorbell, and the fence's
// value and interrupt. Results are checked against the reference model.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>
#include <string>

#include TESSERA_TOP_HEADER  // the default engine (CMake)
#include "chained_layers.hpp"
#include "tessera/conv_plan.hpp"
#include "tessera/default_engine.hpp"
#include "tessera/gemm_plan.hpp"
#include "tessera/isa.hpp"
#include "tessera/ref.hpp"
#include "tessera/regs.hpp"
#include "tessera/top_bench.hpp"
#include "test_seed.hpp"
#include "token_commands.hpp"

namespace {

using namespace tessera::isa;
namespace regs = tessera::regs;
using Bench = tessera::sim::TopBench<TESSERA_TOP_MODEL, TESSERA_TOP_BUS>;
Bench* bench = nullptr;
using tessera::test::fill_line;
// The engine's shape, read from its CONFIG registers: what the planned tests plan for.
BuildConfig engine_config() {
  BuildConfig c;
  const uint32_t shape = bench->read_reg(regs::kConfigArray);
  c.rows = regs::kConfigArrayRows.get(shape);
  c.cols = regs::kConfigArrayCols.get(shape);
  c.scratchpad_lines = bench->read_reg(regs::kConfigScratchpad) / c.rows;
  c.accumulator_lines = bench->read_reg(regs::kConfigAccumulator) / (4 * c.cols);
  c.qtable_entries = bench->read_reg(regs::kConfigQtable);
  return c;
}
// Tests whose commands are written out by hand for the 16x16 engine.
#define REQUIRE_16X16_ENGINE()                                                               \
  if (engine_config().rows != 16 || engine_config().cols != 16) {                            \
    GTEST_SKIP() << "written for the 16x16 engine; this build's is " << TESSERA_ENGINE_NAME; \
  }

constexpr uint64_t kRing = 0x0001'0000, kA = 0x0010'0000, kB = 0x0020'0000, kC = 0x0030'0000;
constexpr uint64_t kFence = 0x0040'0000, kTable = 0x0050'0000;
constexpr uint32_t kRingSize = 64;

// What a driver does: configure, write the commands into the ring, ring the doorbell.
struct Host {
  uint32_t tail = 0;
  uint32_t ring_size = kRingSize;  // kRing has room for 1024

  void open() {
    bench->reset();
    tail = 0;
    bench->write_reg(regs::kRingBaseLo, uint32_t(kRing));
    bench->write_reg(regs::kRingBaseHi, uint32_t(kRing >> 32));
    bench->write_reg(regs::kRingSize, ring_size);
    bench->write_reg(regs::kWindowBaseLo, 0);
    bench->write_reg(regs::kWindowLimitLo, 0x00ff'ffff);  // 16 MiB of host memory
    bench->write_reg(regs::kIntrEnable,
                     regs::kIntrEnableFence.mask() | regs::kIntrEnableError.mask());
    bench->write_reg(regs::kCtrl, regs::kCtrlEnable.mask());
  }

  void submit(const CommandStream& stream) { submit(stream.commands()); }
  // Any bytes, also commands the driver would refuse.
  void submit(const std::vector<Command>& commands) {
    std::vector<uint8_t> bytes;
    for (const Command& c : commands) bytes.insert(bytes.end(), c.bytes().begin(), c.bytes().end());
    bench->submit(kRing, ring_size, tail, bytes.data(), commands.size());
  }

  // After a failure: soft reset, clear the interrupt status; the engine is usable again.
  void recover() {
    bench->write_reg(regs::kSoftReset, regs::kSoftResetGo.mask());
    bench->write_reg(regs::kIntrStatus,
                     regs::kIntrStatusError.mask() | regs::kIntrStatusFence.mask());
    bench->run_until([&] { return regs::kStatusError.get(bench->read_reg(regs::kStatus)) == 0; },
                     10000);
  }

  uint32_t fence_value() const {
    const auto v = bench->mem.read(kFence, 4);
    return uint32_t(v[0]) | uint32_t(v[1]) << 8 | uint32_t(v[2]) << 16 | uint32_t(v[3]) << 24;
  }
};

class SystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    bench->mem.clear();
    bench->mem.clear_violations();
    host_.open();
  }
  void TearDown() override {
    for (const auto& v : bench->mem.violations()) ADD_FAILURE() << "AXI protocol: " << v;
    EXPECT_FALSE(Verilated::gotError()) << "an RTL assertion failed";
    Verilated::gotError(false);
  }
  std::vector<int8_t> random_bytes(std::size_t n) {
    std::vector<int8_t> v(n);
    for (auto& x : v) x = int8_t(rng_());
    return v;
  }

  tessera::ref::OutputStage random_output_stage(uint32_t channels, bool relu,
                                                std::vector<int32_t>& bias) {
    return tessera::test::random_output_stage(rng_, channels, relu, bias);
  }

  // Submits the stream and a fence; waits for the fence's interrupt with no engine error.
  void run_to_fence(CommandStream& s, uint32_t value) {
    s.push(Fence{true, kFence, value});
    bench->write_reg(regs::kIntrStatus, regs::kIntrStatusFence.mask());
    host_.submit(s);
    ASSERT_NO_THROW(bench->run_until([&] { return bench->interrupt(); }, 4'000'000));
    const uint32_t status = bench->read_reg(regs::kStatus);
    const uint32_t index = bench->read_reg(regs::kErrorIndex);
    ASSERT_EQ(regs::kStatusError.get(status), 0u)
        << "error code " << regs::kStatusErrorCode.get(status) << " at command " << index << " (of "
        << s.size() << "): " << disassemble(s.commands()[index % s.size()]);
    ASSERT_EQ(host_.fence_value(), value);
  }

  // A random GEMM planned by plan_gemm with per-channel requantization (ReLU if asked),
  // weights packed or row-major, run to a fence; every output checked.
  void random_gemm(uint32_t m, uint32_t k, uint32_t n, bool packed, bool relu, uint32_t fence) {
    const auto a = random_bytes(m * k), b = random_bytes(k * n);
    bench->mem.write(kA, reinterpret_cast<const uint8_t*>(a.data()), a.size());
    const auto b_host = packed ? pack_weights(b, k, n, engine_config().cols) : b;
    bench->mem.write(kB, reinterpret_cast<const uint8_t*>(b_host.data()), b_host.size());
    std::vector<int32_t> bias;
    const tessera::ref::OutputStage stage = random_output_stage(n, relu, bias);
    bench->mem.write(kTable, qtable_entries(bias, stage.multiplier, stage.shift));
    CommandStream s(engine_config());
    GemmPlan plan;
    plan.m = m;
    plan.k = k;
    plan.n = n;
    plan.a_addr = kA;
    plan.b_addr = kB;
    plan.b_packed = packed;
    plan.c_addr = kC;
    plan.qtable_addr = kTable;
    plan.zero_point = int8_t(stage.zero_point);
    plan.act_min = int8_t(stage.act_min);
    plan.act_max = int8_t(stage.act_max);
    plan_gemm(s, plan);
    run_to_fence(s, fence);
    if (HasFatalFailure()) return;
    const auto want =
        tessera::ref::requantize(tessera::ref::gemm(a, b, bias, m, k, n), m, n, stage);
    const auto got = bench->mem.read(kC, m * n);
    for (uint32_t i = 0; i < m * n; ++i)
      ASSERT_EQ(int8_t(got[i]), want[i]) << "C[" << i / n << "][" << i % n << "]";
  }

  void randomize_memory_timing() {
    tessera::sim::AxiMemoryConfig mc;
    mc.read_latency = rng_() % 150;
    mc.write_latency = rng_() % 150;
    mc.read_beats_per_cycle = std::uniform_real_distribution<double>(0.3, 1.0)(rng_);
    mc.ready_probability = std::uniform_real_distribution<double>(0.4, 1.0)(rng_);
    mc.valid_probability = std::uniform_real_distribution<double>(0.4, 1.0)(rng_);
    mc.seed = rng_();
    bench->mem.configure(mc);
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  Host host_;
};

TEST_F(SystemTest, IdentifiesItself) {
  EXPECT_EQ(bench->read_reg(regs::kId), regs::kExpectedId);
  EXPECT_EQ(bench->read_reg(regs::kIsaVersion), kVersion);
  const uint32_t shape = bench->read_reg(regs::kConfigArray);
  EXPECT_EQ(regs::kConfigArrayRows.get(shape), uint32_t(TESSERA_TOP_ROWS));
  EXPECT_EQ(regs::kConfigArrayCols.get(shape), uint32_t(TESSERA_TOP_COLS));
  EXPECT_EQ(bench->read_reg(regs::kConfigBus), uint32_t(TESSERA_TOP_BUS));
  EXPECT_EQ(bench->read_reg(regs::kConfigScratchpad), tessera::defaults::kScratchpadBytes);
  EXPECT_EQ(bench->read_reg(regs::kConfigAccumulator), tessera::defaults::kAccumulatorBytes);
  EXPECT_EQ(bench->read_reg(regs::kConfigQtable), tessera::defaults::kQTableEntries);
}

TEST_F(SystemTest, GemmThroughTheEngine) {
  REQUIRE_16X16_ENGINE();
  // C[32x16] = A[32x32] * B[32x16]: two K tiles, raw int32 out.
  constexpr uint32_t M = 32, K = 32, N = 16;
  const auto a = random_bytes(M * K), b = random_bytes(K * N);
  bench->mem.write(kA, reinterpret_cast<const uint8_t*>(a.data()), a.size());
  bench->mem.write(kB, reinterpret_cast<const uint8_t*>(b.data()), b.size());
  CommandStream s;
  Load la;  // A: row m in scratchpad lines 2m, 2m+1 (its two K tiles)
  la.dram_addr = kA;
  la.row_bytes = K;
  la.rows = M;
  la.dram_stride = K;
  la.sram_line = 0;
  la.sram_stride = 2;
  s.push(la);
  Load lb;  // B: K rows of N bytes from line 4096 (another bank)
  lb.dram_addr = kB;
  lb.row_bytes = N;
  lb.rows = K;
  lb.dram_stride = N;
  lb.sram_line = 4096;
  lb.sram_stride = 1;
  lb.deps = kDepsPushNext;  // loads run in order: when B is in, A is too
  s.push(lb);
  for (uint32_t t = 0; t < K / 16; ++t) {
    Compute c;
    c.accumulate = t > 0;
    c.act_line = t;
    c.act_stride = 2;
    c.vectors = M;
    c.wgt_line = 4096 + 16 * t;
    c.acc_line = 0;
    c.k_valid = 16;
    c.n_valid = 16;
    c.deps = uint8_t((t == 0 ? kDepsPopPrev : 0) | (t == K / 16 - 1 ? kDepsPushNext : 0));
    s.push(c);
  }
  Store st;
  st.dram_addr = kC;
  st.rows = M;
  st.acc_line = 0;
  st.dram_stride = 4 * N;
  st.cols = N;
  st.deps = kDepsPopPrev;
  s.push(st);
  s.push(Fence{true, kFence, 0xC0FFEE});
  host_.submit(s);
  // As a driver does: wait for the interrupt; the fence raises it once its write is done.
  bench->run_until([&] { return bench->interrupt(); }, 200000);
  EXPECT_EQ(host_.fence_value(), 0xC0FFEEu);
  EXPECT_EQ(regs::kIntrStatusFence.get(bench->read_reg(regs::kIntrStatus)), 1u);
  const auto want = tessera::ref::gemm(a, b, {}, M, K, N);
  const auto got = bench->mem.read(kC, 4 * M * N);
  for (uint32_t i = 0; i < M * N; ++i) {
    int32_t v;
    std::memcpy(&v, &got[4 * i], 4);
    ASSERT_EQ(v, want[i]) << "C[" << i / N << "][" << i % N << "]";
  }
  EXPECT_EQ(bench->read_reg(regs::kRingHead), host_.tail);
  const uint32_t status = bench->read_reg(regs::kStatus);
  EXPECT_EQ(regs::kStatusError.get(status), 0u);
  EXPECT_EQ(bench->read_reg(regs::counter_lo(regs::Counter::kMacs)), M * K * N);
  EXPECT_EQ(bench->read_reg(regs::counter_lo(regs::Counter::kCommandsRetired)), s.size());
}

TEST_F(SystemTest, RandomGemmsUnderRandomMemoryTiming) {
  // Shapes that are not multiples of the array, per-channel requantization, and a memory
  // with random latency, bandwidth and stalls; every output checked.
  for (int trial = 0; trial < 8; ++trial) {
    randomize_memory_timing();
    const uint32_t m = 1 + rng_() % 70, k = 1 + rng_() % 90, n = 1 + rng_() % 40;
    SCOPED_TRACE("trial " + std::to_string(trial) + ": M=" + std::to_string(m) +
                 " K=" + std::to_string(k) + " N=" + std::to_string(n));
    // Weights packed panel by panel, or row-major; ReLU every other trial.
    random_gemm(m, k, n, trial % 2 == 0, trial % 2 == 1, 1000u + trial);
    if (HasFatalFailure()) return;
  }
}

TEST_F(SystemTest, TwoLayersChainedThroughTheScratchpad) {
  REQUIRE_16X16_ENGINE();
  // tessera::test::ChainedLayers: layer 1's results STOREd into the scratchpad as layer 2's
  // activations. Random M and memory timing; every output checked, and host memory sees
  // only C2 and the fence's record.
  for (int trial = 0; trial < 4; ++trial) {
    randomize_memory_timing();
    const auto layers = tessera::test::ChainedLayers::random(rng_, 1 + rng_() % 64, trial % 2);
    const uint32_t m = layers.m, n2 = layers.kN2;
    SCOPED_TRACE("trial " + std::to_string(trial) + ": M=" + std::to_string(m));
    layers.write([](uint64_t at, const void* p,
                    std::size_t n) { bench->mem.write(at, static_cast<const uint8_t*>(p), n); },
                 kA, kB, kTable);
    CommandStream s(engine_config());
    for (const Command& c : layers.commands(kA, kB, kTable, kC)) s.push(c);
    const uint64_t written = bench->read_reg(regs::counter_lo(regs::Counter::kDmaWriteBytes));
    run_to_fence(s, 2000u + trial);
    if (HasFatalFailure()) return;
    const auto want = layers.want();
    const auto got = bench->mem.read(kC, m * n2);
    for (uint32_t i = 0; i < m * n2; ++i)
      ASSERT_EQ(int8_t(got[i]), want[i]) << "C2[" << i / n2 << "][" << i % n2 << "]";
    EXPECT_EQ(bench->read_reg(regs::counter_lo(regs::Counter::kDmaWriteBytes)) - written,
              uint64_t(m) * n2 + 4);
  }
}

TEST_F(SystemTest, RandomConvolutionsUnderRandomMemoryTiming) {
  // NHWC convolutions straight from the input tensor (no im2col in host memory): kernels
  // 1x1 to 7x7, stride, dilation, asymmetric zero-point padding, channel counts that are not
  // multiples of the array, batches; per-channel requantization, ReLU, 2x2 max-pool; every
  // output checked. Every fourth trial is a depthwise 3x3 layer (groups = C = OC), which
  // takes the depthwise unit.
  for (int trial = 0; trial < 36; ++trial) {
    randomize_memory_timing();
    ConvPlan plan;
    tessera::ref::Conv2dParams cp;
    const uint32_t kernels[] = {1, 2, 3, 3, 5, 7};
    do {
      plan.batch = 1 + rng_() % 2;
      plan.h = 1 + rng_() % 12;
      plan.w = 1 + rng_() % 24;
      plan.c = trial < 2 ? 16 * (1 + rng_() % 3) : 1 + rng_() % 40;
      plan.out_channels = 1 + rng_() % 40;
      plan.kernel_h = kernels[rng_() % 6];
      plan.kernel_w = rng_() % 4 ? plan.kernel_h : kernels[rng_() % 6];
      plan.stride_h = 1 + rng_() % 2;
      plan.stride_w = rng_() % 4 ? plan.stride_h : 1 + rng_() % 2;
      plan.dilation_h = rng_() % 4 ? 1 : 2;
      plan.dilation_w = rng_() % 4 ? plan.dilation_h : 1 + rng_() % 2;
      plan.pad_top = rng_() % 3;
      plan.pad_bottom = rng_() % 3;
      plan.pad_left = rng_() % 3;
      plan.pad_right = rng_() % 3;
      plan.groups = 1;
      if (trial % 4 == 3) {  // depthwise 3x3, the same stride on both axes, no dilation
        plan.out_channels = plan.groups = plan.c =
            trial % 8 == 3 ? 1 + rng_() % 40 : 16 * (1 + rng_() % 3);
        plan.kernel_h = plan.kernel_w = 3;
        plan.stride_w = plan.stride_h;
        plan.dilation_h = plan.dilation_w = 1;
      }
    } while (uint64_t(plan.dilation_h) * (plan.kernel_h - 1) + 1 >
                 plan.h + plan.pad_top + plan.pad_bottom ||
             uint64_t(plan.dilation_w) * (plan.kernel_w - 1) + 1 >
                 plan.w + plan.pad_left + plan.pad_right);
    cp.kernel_h = plan.kernel_h;
    cp.kernel_w = plan.kernel_w;
    cp.stride_h = plan.stride_h;
    cp.stride_w = plan.stride_w;
    cp.dilation_h = plan.dilation_h;
    cp.dilation_w = plan.dilation_w;
    cp.pad_top = plan.pad_top;
    cp.pad_bottom = plan.pad_bottom;
    cp.pad_left = plan.pad_left;
    cp.pad_right = plan.pad_right;
    cp.groups = plan.groups;
    cp.input_zero_point = int32_t(rng_() % 256) - 128;
    plan.input_zero_point = int8_t(cp.input_zero_point);
    const tessera::ref::Nhwc shape{plan.batch, plan.h, plan.w, plan.c};
    const auto input = random_bytes(shape.elements());
    const auto weights = random_bytes(std::size_t(plan.kernel_h) * plan.kernel_w *
                                      (plan.c / plan.groups) * plan.out_channels);
    std::vector<int32_t> bias;
    const tessera::ref::OutputStage stage =
        random_output_stage(plan.out_channels, trial % 3 == 0, bias);
    bench->mem.write(kA, reinterpret_cast<const uint8_t*>(input.data()), input.size());
    // Both layouts: the planner's choice, or either forced (the packed taps cut every input
    // row into windows: LOAD WINDOWS, with padding, dilation and strides).
    const ConvLayout layouts[] = {ConvLayout::kAuto, ConvLayout::kPaddedImage,
                                  ConvLayout::kPackedTaps};
    plan.layout = plan.groups > 1 ? ConvLayout::kAuto : layouts[trial % 3];
    const auto packed = pack_conv_weights(weights, plan, engine_config());
    bench->mem.write(kB, reinterpret_cast<const uint8_t*>(packed.data()), packed.size());
    bench->mem.write(kTable, qtable_entries(conv_bias(bias, weights, plan.kernel_h, plan.kernel_w,
                                                      plan.c / plan.groups, plan.out_channels,
                                                      plan.input_zero_point),
                                            stage.multiplier, stage.shift));
    plan.input_addr = kA;
    plan.weight_addr = kB;
    plan.output_addr = kC;
    plan.qtable_addr = kTable;
    plan.zero_point = int8_t(stage.zero_point);
    plan.act_min = int8_t(stage.act_min);
    plan.act_max = int8_t(stage.act_max);
    auto out_shape = cp.output_shape(shape, plan.out_channels);
    plan.max_pool = plan.groups == 1 && out_shape.h >= 2 && out_shape.w >= 2 && rng_() % 3 == 0;
    CommandStream s(engine_config());
    plan_conv2d(s, plan);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + std::to_string(plan.batch) + "x" +
                 std::to_string(plan.h) + "x" + std::to_string(plan.w) + "x" +
                 std::to_string(plan.c) + " * " + std::to_string(plan.kernel_h) + "x" +
                 std::to_string(plan.kernel_w) + "x" + std::to_string(plan.out_channels) +
                 " stride " + std::to_string(plan.stride_h) + "," + std::to_string(plan.stride_w) +
                 " dilation " + std::to_string(plan.dilation_h) + "," +
                 std::to_string(plan.dilation_w) + " pad " + std::to_string(plan.pad_top) + "," +
                 std::to_string(plan.pad_bottom) + "," + std::to_string(plan.pad_left) + "," +
                 std::to_string(plan.pad_right) + (plan.max_pool ? " max-pool" : "") + " " +
                 layout_name(conv_layout(plan, engine_config())));
    // DEPTHWISE_BUSY counts the depthwise unit's share of the compute unit's cycles (the
    // low words suffice: a trial takes far fewer than 2^32 cycles).
    auto count = [&](regs::Counter k) { return bench->read_reg(regs::counter_lo(k)); };
    const uint32_t dw0 = count(regs::Counter::kDepthwiseBusy);
    const uint32_t cu0 = count(regs::Counter::kComputeBusy);
    run_to_fence(s, 2000u + trial);
    if (HasFatalFailure()) return;
    const uint32_t dw = count(regs::Counter::kDepthwiseBusy) - dw0;
    const uint32_t cu = count(regs::Counter::kComputeBusy) - cu0;
    if (conv_layout(plan, engine_config()) == ConvLayout::kDepthwiseUnit) {
      EXPECT_GT(dw, 0u);
      EXPECT_LE(dw, cu);
    } else {
      EXPECT_EQ(dw, 0u);
    }
    const std::size_t pixels = out_shape.n * out_shape.h * out_shape.w;
    auto want = tessera::ref::requantize(
        tessera::ref::conv2d(input, shape, weights, plan.out_channels, bias, cp), pixels,
        plan.out_channels, stage);
    if (plan.max_pool) want = tessera::ref::max_pool_2x2(want, out_shape);
    const auto got = bench->mem.read(kC, want.size());
    for (std::size_t i = 0; i < want.size(); ++i) {
      ASSERT_EQ(int8_t(got[i]), want[i])
          << "pixel " << i / plan.out_channels << " channel " << i % plan.out_channels;
    }
  }
}

TEST_F(SystemTest, ABadCommandStopsTheEngineAndSoftResetRecovers) {
  CommandStream s;
  s.push(Fence{false, kFence, 1});
  host_.submit(s);
  // A zeroed slot: the engine must stop on it with BAD_OPCODE and its index.
  bench->mem.write(kRing + 64 * host_.tail, std::vector<uint8_t>(64, 0));
  ++host_.tail;
  bench->write_reg(regs::kRingTail, host_.tail);
  bench->run_until([&] { return bench->interrupt(); }, 100000);
  const uint32_t status = bench->read_reg(regs::kStatus);
  EXPECT_EQ(regs::kStatusError.get(status), 1u);
  EXPECT_EQ(regs::kStatusErrorCode.get(status), uint32_t(Error::kBadOpcode));
  EXPECT_EQ(bench->read_reg(regs::kErrorIndex), 1u);
  EXPECT_EQ(host_.fence_value(), 1u);  // the fence before it ran
  // Soft reset, clear the interrupt, and the engine runs again.
  bench->write_reg(regs::kSoftReset, 1);
  bench->write_reg(regs::kIntrStatus,
                   regs::kIntrStatusError.mask() | regs::kIntrStatusFence.mask());
  bench->run_until([&] { return regs::kStatusError.get(bench->read_reg(regs::kStatus)) == 0; },
                   10000);
  EXPECT_FALSE(bench->interrupt());
  EXPECT_EQ(bench->read_reg(regs::kRingHead), host_.tail);
  CommandStream again;
  again.push(Fence{true, kFence, 2});
  host_.submit(again);
  bench->run_until([&] { return bench->interrupt(); }, 100000);
  EXPECT_EQ(host_.fence_value(), 2u);
}

// A small GEMM with raw int32 results, checked: the "correct run" after each failure.
void expect_engine_works(std::mt19937_64& rng, Host& host) {
  constexpr uint32_t M = 20, K = 24, N = 12;
  std::vector<int8_t> a(M * K), b(K * N);
  for (auto& x : a) x = int8_t(rng());
  for (auto& x : b) x = int8_t(rng());
  bench->mem.write(kA, reinterpret_cast<const uint8_t*>(a.data()), a.size());
  bench->mem.write(kB, reinterpret_cast<const uint8_t*>(b.data()), b.size());
  CommandStream s;
  Load la;  // row m in lines 2m, 2m+1
  la.dram_addr = kA;
  la.row_bytes = K;
  la.rows = M;
  la.dram_stride = K;
  la.sram_stride = 2;
  s.push(la);
  Load lb;  // K rows of N bytes, zero-padded to 16 lanes, from line 4096
  lb.dram_addr = kB;
  lb.row_bytes = N;
  lb.rows = K;
  lb.dram_stride = N;
  lb.sram_line = 4096;
  lb.sram_stride = 1;
  lb.deps = kDepsPushNext;
  s.push(lb);
  for (uint32_t t2 = 0; t2 < 2; ++t2) {
    Compute c;
    c.accumulate = t2 > 0;
    c.act_line = t2;
    c.act_stride = 2;
    c.vectors = M;
    c.wgt_line = 4096 + 16 * t2;
    c.k_valid = uint16_t(std::min(16u, K - 16 * t2));
    c.n_valid = N;
    c.deps = uint8_t(t2 == 0 ? kDepsPopPrev : kDepsPushNext);
    s.push(c);
  }
  Store st;
  st.dram_addr = kC;
  st.rows = M;
  st.dram_stride = 4 * N;
  st.cols = N;
  st.deps = kDepsPopPrev;
  s.push(st);
  s.push(Fence{true, kFence, 0xAA});
  bench->write_reg(regs::kIntrStatus, regs::kIntrStatusFence.mask());
  host.submit(s);
  ASSERT_NO_THROW(bench->run_until([&] { return bench->interrupt(); }, 200000));
  ASSERT_EQ(regs::kStatusError.get(bench->read_reg(regs::kStatus)), 0u);
  ASSERT_EQ(host.fence_value(), 0xAAu);
  // Rows of B past K are stale in the scratchpad: harmless, activation lanes past K are 0.
  const auto want = tessera::ref::gemm(a, b, {}, M, K, N);
  const auto got = bench->mem.read(kC, 4 * M * N);
  for (uint32_t i = 0; i < M * N; ++i) {
    int32_t v;
    std::memcpy(&v, &got[4 * i], 4);
    ASSERT_EQ(v, want[i]) << "C[" << i / N << "][" << i % N << "]";
  }
}

TEST_F(SystemTest, EveryErrorStopsTheEngineAndSoftResetRecovers) {
  REQUIRE_16X16_ENGINE();
  // Each case: FENCE 1, the culprit, the commands behind it, FENCE 2. The engine must stop
  // on the culprit with its code and index (the first fence done, the second never), raise
  // the error interrupt, write nothing outside the window, and run correctly after a soft
  // reset.
  constexpr uint64_t kOutside = 0x0200'0000;  // past the 16 MiB window
  struct Case {
    const char* name;
    Error error;
    std::function<Command()> culprit;  // may also arrange memory
    std::vector<Command> behind = {};  // e.g. a LOAD the load unit holds beside the culprit
  };
  auto load = [] {
    Load l;
    l.dram_addr = kA;
    l.row_bytes = 64;
    l.rows = 4;
    l.dram_stride = 64;
    l.sram_stride = 4;
    return l;
  };
  auto store = [] {
    Store st;
    st.dram_addr = kC;
    st.rows = 4;
    st.dram_stride = 64;
    st.cols = 16;
    return st;
  };
  const std::vector<Case> cases = {
      {"opcode 7", Error::kBadOpcode,
       [] {
         Command c;
         c.set(kHdrOpcode, 7);
         return c;
       }},
      {"reserved byte", Error::kReservedBits,
       [&] {
         Command c = encode(load());
         c.set({60, 1}, 0x10);
         return c;
       }},
      {"zero rows", Error::kBadDimension,
       [&] {
         Load l = load();
         l.rows = 0;
         return encode(l);
       }},
      {"scratchpad end", Error::kScratchpadRange,
       [&] {
         Load l = load();
         l.sram_line = 16384 - 8;
         return encode(l);
       }},
      {"accumulator end", Error::kAccumulatorRange,
       [] {
         Compute c;
         c.vectors = 100;
         c.acc_line = 1000;
         c.k_valid = c.n_valid = 16;
         return encode(c);
       }},
      {"load outside window", Error::kDmaWindow,
       [&] {
         Load l = load();
         l.dram_addr = kOutside;
         return encode(l);
       }},
      // The LOAD behind the failing one is held by the load unit and promoted as the culprit
      // ends; a WINDOWS one used to lose its window cutter to the culprit's flush (a hang).
      {"load outside window, LOAD WINDOWS behind it",
       Error::kDmaWindow,
       [&] {
         Load l = load();
         l.dram_addr = kOutside;
         return encode(l);
       },
       {[&] {
         Load w = load();
         w.windows = 2;
         w.window_bytes = 12;
         w.window_step = 2;
         w.window_line_stride = 2;
         w.row_bytes = 14;
         w.sram_line = 200;
         return encode(w);
       }()}},
      {"store outside window", Error::kDmaWindow,
       [&] {
         Store st = store();
         st.dram_addr = kOutside - 64;
         return encode(st);
       }},
      {"read SLVERR", Error::kAxiSlverr,
       [&] {
         bench->mem.inject_error(kA + 128, 16, tessera::sim::AxiResp::kSlvErr);
         return encode(load());
       }},
      {"write DECERR", Error::kAxiDecerr,
       [&] {
         bench->mem.inject_error(kC, 4096, tessera::sim::AxiResp::kDecErr);
         return encode(store());
       }},
      {"clamp", Error::kBadClamp,
       [&] {
         Store st = store();
         st.requantize = true;
         st.act_min = 10;
         st.act_max = -10;
         return encode(st);
       }},
      {"table shift", Error::kBadClamp,
       [&] {  // entry 5 holds shift 40: found only when the store reads the table
         std::vector<uint8_t> entry(16, 0);
         entry[4] = 1;
         entry[8] = 40;
         bench->mem.write(kTable + 5 * 16, entry);
         Store st = store();
         st.requantize = true;
         st.qparam_entry = 5;
         return encode(st);
       }},
      {"fill to table", Error::kBadMode,
       [&] {
         Load l = load();
         l.dest = Load::Dest::kQTable;
         l.fill = true;
         return encode(l);
       }},
      {"table end", Error::kQtableRange,
       [&] {
         Store st = store();
         st.requantize = st.per_channel = true;
         st.qparam_entry = 1020;
         return encode(st);
       }},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    host_.open();
    bench->mem.clear();
    bench->mem.clear_errors();
    std::vector<Command> commands;
    if (std::string(k.name) == "table shift") {  // the table entry must be loaded first
      Load t;
      t.dest = Load::Dest::kQTable;
      t.dram_addr = kTable;
      t.row_bytes = 16 * 8;
      t.rows = 1;
      t.dram_stride = 16 * 8;
      commands.push_back(encode(t));
    }
    commands.push_back(encode(Fence{false, kFence, 1}));
    const uint32_t culprit_index = uint32_t(commands.size());
    commands.push_back(k.culprit());
    commands.insert(commands.end(), k.behind.begin(), k.behind.end());
    commands.push_back(encode(Fence{true, kFence, 2}));
    host_.submit(commands);
    ASSERT_NO_THROW(bench->run_until([&] { return bench->interrupt(); }, 200000));
    const uint32_t status = bench->read_reg(regs::kStatus);
    EXPECT_EQ(regs::kStatusError.get(status), 1u);
    EXPECT_EQ(regs::kStatusErrorCode.get(status), uint32_t(k.error));
    EXPECT_EQ(bench->read_reg(regs::kErrorIndex), culprit_index);
    EXPECT_EQ(regs::kIntrStatusError.get(bench->read_reg(regs::kIntrStatus)), 1u);
    EXPECT_EQ(host_.fence_value(), 1u) << "the fence after the culprit ran";
    for (uint64_t a = kOutside - 4096; a < kOutside + 4096; a += 64) {
      const auto got = bench->mem.read(a, 64);
      for (uint64_t i = 0; i < 64; ++i)
        ASSERT_EQ(got[i], bench->mem.background(a + i)) << "written outside the window";
    }
    bench->mem.clear_errors();
    host_.recover();
    EXPECT_FALSE(bench->interrupt());
    expect_engine_works(rng_, host_);
    if (HasFatalFailure()) return;
  }
}

TEST_F(SystemTest, ABadRingStopsTheFetcherAndSoftResetRecovers) {
  bench->write_reg(regs::kRingSize, 48);  // not a power of two
  bench->write_reg(regs::kRingTail, 1);
  ASSERT_NO_THROW(bench->run_until([&] { return bench->interrupt(); }, 10000));
  const uint32_t status = bench->read_reg(regs::kStatus);
  EXPECT_EQ(regs::kStatusErrorCode.get(status), uint32_t(Error::kBadRing));
  EXPECT_EQ(bench->read_reg(regs::kErrorIndex), 0u);
  bench->write_reg(regs::kRingSize, kRingSize);
  host_.recover();  // the head moves to the tail: the host starts over from there
  host_.tail = bench->read_reg(regs::kRingHead);
  expect_engine_works(rng_, host_);
}

TEST_F(SystemTest, ATailMoreThanTheRingAheadOfTheHeadIsABadRing) {
  // A garbage doorbell (head + 1000 on a 64-command ring) would replay stale slots; the
  // fetcher refuses it before reading any, and a tail exactly RING_SIZE ahead is fine.
  bench->write_reg(regs::kRingTail, 1000);
  ASSERT_NO_THROW(bench->run_until([&] { return bench->interrupt(); }, 10000));
  const uint32_t status = bench->read_reg(regs::kStatus);
  EXPECT_EQ(regs::kStatusErrorCode.get(status), uint32_t(Error::kBadRing));
  EXPECT_EQ(bench->read_reg(regs::kErrorIndex), 0u);
  EXPECT_EQ(bench->read_reg(regs::kRingHead), 0u) << "no slot was fetched";
  host_.recover();
  host_.tail = bench->read_reg(regs::kRingHead);
  std::vector<Command> full;
  for (uint32_t i = 0; i + 1 < kRingSize; ++i) full.push_back(encode(Fence{false, kFence, i}));
  full.push_back(encode(Fence{true, kFence, 4242}));
  host_.submit(full);  // one doorbell, RING_SIZE commands ahead
  ASSERT_NO_THROW(bench->run_until([&] { return bench->interrupt(); }, 100000));
  EXPECT_EQ(regs::kStatusError.get(bench->read_reg(regs::kStatus)), 0u);
  EXPECT_EQ(host_.fence_value(), 4242u);
}

Command token_giving_load(uint32_t line) { return encode(fill_line(line, kDepsPushNext)); }

TEST_F(SystemTest, OneTokenMoreThanMaxTokensStopsTheEngineWithTokenOverflow) {
  REQUIRE_16X16_ENGINE();
  host_.ring_size = 1024;
  host_.open();
  std::vector<Command> commands;
  for (uint32_t i = 0; i <= kMaxTokens; ++i) commands.push_back(token_giving_load(i));
  commands.push_back(encode(Fence{true, kFence, 1}));
  host_.submit(commands);
  ASSERT_NO_THROW(bench->run_until([&] { return bench->interrupt(); }, 200000));
  const uint32_t status = bench->read_reg(regs::kStatus);
  EXPECT_EQ(regs::kStatusErrorCode.get(status), uint32_t(Error::kTokenOverflow));
  EXPECT_EQ(bench->read_reg(regs::kErrorIndex), kMaxTokens) << "the command giving token 256";
  host_.recover();
  expect_engine_works(rng_, host_);
  // MAX_TOKENS owed, then taken, is a legal stream.
  commands.pop_back();
  commands.pop_back();
  for (uint32_t i = 0; i < kMaxTokens; ++i) {
    Compute c;
    c.vectors = 1;
    c.acc_line = 0;
    c.k_valid = c.n_valid = 16;
    c.deps = kDepsPopPrev;
    commands.push_back(encode(c));
  }
  commands.push_back(encode(Fence{true, kFence, 9}));
  bench->write_reg(regs::kIntrStatus, regs::kIntrStatusFence.mask());
  host_.submit(commands);
  ASSERT_NO_THROW(bench->run_until([&] { return bench->interrupt(); }, 400000));
  EXPECT_EQ(regs::kStatusError.get(bench->read_reg(regs::kStatus)), 0u);
  EXPECT_EQ(host_.fence_value(), 9u);
}

TEST_F(SystemTest, AStreamThatCanNeverFinishStopsTheEngineWithDeadlock) {
  REQUIRE_16X16_ENGINE();
  const Load waits = fill_line(0, kDepsPopNext);  // needs a token from the compute unit
  const Compute gives = tessera::test::compute_one(kDepsPushPrev);
  struct Case {
    const char* name;
    uint32_t loads_behind;  // LOADs between the waiting one and the COMPUTE that frees it
    bool deadlocks;
    uint32_t index;  // the command the dispatcher holds
  };
  // The load queue holds UNIT_QUEUE_DEPTH commands and the dispatcher one more: with four
  // LOADs behind the waiting one the COMPUTE is never dispatched.
  const Case cases[] = {{"three loads behind", kUnitQueueDepth - 1, false, 0},
                        {"four loads behind", kUnitQueueDepth, true, kUnitQueueDepth},
                        {"nothing gives the token", 0, true, 1}};
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    host_.open();
    std::vector<Command> commands{encode(waits)};
    for (uint32_t i = 0; i < k.loads_behind; ++i) commands.push_back(token_giving_load(1 + i));
    if (std::string(k.name) != "nothing gives the token") commands.push_back(encode(gives));
    // Tokens the LOADs gave are taken, so that the finished streams end balanced.
    for (uint32_t i = 0; i < k.loads_behind; ++i) {
      Compute take = gives;
      take.deps = kDepsPopPrev;
      commands.push_back(encode(take));
    }
    commands.push_back(encode(Fence{true, kFence, 5}));
    bench->write_reg(regs::kIntrStatus, regs::kIntrStatusFence.mask());
    host_.submit(commands);
    ASSERT_NO_THROW(bench->run_until([&] { return bench->interrupt(); }, 100000));
    const uint32_t status = bench->read_reg(regs::kStatus);
    if (!k.deadlocks) {
      EXPECT_EQ(regs::kStatusError.get(status), 0u);
      EXPECT_EQ(host_.fence_value(), 5u);
      continue;
    }
    EXPECT_EQ(regs::kStatusErrorCode.get(status), uint32_t(Error::kDeadlock));
    EXPECT_EQ(bench->read_reg(regs::kErrorIndex), k.index);
    EXPECT_EQ(regs::kIntrStatusError.get(bench->read_reg(regs::kIntrStatus)), 1u);
    host_.recover();
    expect_engine_works(rng_, host_);
    if (HasFatalFailure()) return;
  }
}

TEST_F(SystemTest, ABusThatNeverAnswersIsABusTimeoutAndTheSoftResetCompletes) {
  // The memory stops answering: in turn it never accepts an address, or accepts it and
  // never returns data. Within BUS_TIMEOUT_CYCLES (plus the fetch) the engine stops with
  // BUS_TIMEOUT and its interrupt; the soft reset then completes (the bursts are abandoned)
  // and every later transfer fails the same way, until the hardware reset.
  const struct {
    const char* name;
    double ready, valid;
  } buses[] = {{"addresses never accepted", 0.0, 1.0}, {"data never returned", 1.0, 0.0}};
  for (const auto& b : buses) {
    SCOPED_TRACE(b.name);
    host_.open();
    tessera::sim::AxiMemoryConfig mc;
    mc.ready_probability = b.ready;
    mc.valid_probability = b.valid;
    bench->mem.configure(mc);
    host_.submit({encode(Fence{true, kFence, 1})});
    ASSERT_NO_THROW(bench->run_until([&] { return bench->interrupt(); }, kBusTimeoutCycles + 2000));
    uint32_t status = bench->read_reg(regs::kStatus);
    EXPECT_EQ(regs::kStatusErrorCode.get(status), uint32_t(Error::kBusTimeout));
    EXPECT_EQ(bench->read_reg(regs::kErrorIndex), 0u);
    host_.recover();
    status = bench->read_reg(regs::kStatus);
    EXPECT_EQ(regs::kStatusBusy.get(status), 0u) << "the soft reset did not complete";
    EXPECT_EQ(regs::kStatusError.get(status), 0u);
    // Still dead (the same bus, even if it answered now): at once, no second wait.
    bench->mem.configure(tessera::sim::AxiMemoryConfig{});
    bench->write_reg(regs::kIntrStatus, regs::kIntrStatusError.mask());
    host_.submit({encode(Fence{true, kFence, 2})});
    ASSERT_NO_THROW(bench->run_until([&] { return bench->interrupt(); }, 1000));
    EXPECT_EQ(regs::kStatusErrorCode.get(bench->read_reg(regs::kStatus)),
              uint32_t(Error::kBusTimeout));
    host_.recover();
    // The hardware reset brings it back.
    bench->mem.clear_violations();  // abandoned bursts are the protocol's casualties
    host_.open();
    expect_engine_works(rng_, host_);
    if (HasFatalFailure()) return;
  }
}

TEST_F(SystemTest, TokensOrderTheUnitsUnderExtremeMemoryTiming) {
  // A GEMM of 2 activation blocks x 3 panels (every buffer reused) where, in turn, loads,
  // stores or both are hundreds of times slower than compute: any missing wait would
  // compute on stale or half-loaded buffers, or store a region being overwritten.
  const struct {
    unsigned read_latency, write_latency;
    double read_rate, ready;
  } timings[] = {
      {1500, 0, 0.05, 1.0}, {0, 1500, 1.0, 0.05}, {800, 800, 0.1, 0.2}, {0, 0, 1.0, 1.0}};
  constexpr uint32_t m = 600, k = 40, n = 40;  // 600 > one block's 512 rows
  for (const auto& t : timings) {
    tessera::sim::AxiMemoryConfig mc;
    mc.read_latency = t.read_latency;
    mc.write_latency = t.write_latency;
    mc.read_beats_per_cycle = t.read_rate;
    mc.ready_probability = mc.valid_probability = t.ready;
    mc.seed = rng_();
    bench->mem.configure(mc);
    SCOPED_TRACE("read latency " + std::to_string(t.read_latency) + ", write latency " +
                 std::to_string(t.write_latency));
    random_gemm(m, k, n, /*packed=*/true, /*relu=*/false, 77);
    if (HasFatalFailure()) return;
  }
}

TEST_F(SystemTest, FencesWaitForEverythingBeforeThemAndInterruptOnlyWhenAsked) {
  REQUIRE_16X16_ENGINE();
  tessera::sim::AxiMemoryConfig slow;  // stores take long to complete
  slow.write_latency = 600;
  bench->mem.configure(slow);
  // 1. A fence without INTERRUPT writes its value but raises nothing.
  host_.submit(std::vector<Command>{encode(Fence{false, kFence, 5})});
  bench->run_until([&] { return host_.fence_value() == 5; }, 100000);
  const uint64_t then = bench->cycle();
  bench->run_until([&] { return bench->cycle() > then + 200; }, 1000);
  EXPECT_FALSE(bench->interrupt());
  EXPECT_EQ(regs::kIntrStatusFence.get(bench->read_reg(regs::kIntrStatus)), 0u);
  // 2. With the fence interrupt disabled, INTERRUPT sets the status but not the line.
  bench->write_reg(regs::kIntrEnable, regs::kIntrEnableError.mask());
  host_.submit(std::vector<Command>{encode(Fence{true, kFence, 6})});
  bench->run_until([&] { return host_.fence_value() == 6; }, 100000);
  bench->run_until(
      [&] { return regs::kIntrStatusFence.get(bench->read_reg(regs::kIntrStatus)) == 1; }, 1000);
  EXPECT_FALSE(bench->interrupt());
  bench->write_reg(regs::kIntrEnable,
                   regs::kIntrEnableFence.mask() | regs::kIntrEnableError.mask());
  EXPECT_TRUE(bench->interrupt()) << "enabling a pending interrupt raises the line";
  bench->write_reg(regs::kIntrStatus, regs::kIntrStatusFence.mask());  // write one to clear
  EXPECT_FALSE(bench->interrupt());
  EXPECT_EQ(regs::kIntrStatusFence.get(bench->read_reg(regs::kIntrStatus)), 0u);
  // 3. A fence after slow stores: when its value lands, every store before it is complete.
  std::vector<Command> commands;
  Load bias;  // 32 accumulator lines of known int32 values
  bias.dest = Load::Dest::kAccumulator;
  bias.dram_addr = kA;
  bias.row_bytes = 64 * 32;
  bias.rows = 1;
  bias.dram_stride = bias.row_bytes;
  bias.deps = kDepsPushNext;
  commands.push_back(encode(bias));
  Compute c;  // the compute unit passes the token on: no MACs needed for this test
  c.vectors = 1;
  c.acc_line = 100;
  c.k_valid = c.n_valid = 1;
  c.deps = kDepsPopPrev | kDepsPushNext;
  commands.push_back(encode(c));
  std::vector<uint8_t> lines(64 * 32);
  for (auto& x : lines) x = uint8_t(rng_());
  bench->mem.write(kA, lines);
  for (uint32_t i = 0; i < 4; ++i) {
    Store st;  // 8 raw lines each
    st.dram_addr = kC + 512 * i;
    st.rows = 8;
    st.acc_line = 8 * i;
    st.dram_stride = 64;
    st.cols = 16;
    st.deps = i == 0 ? kDepsPopPrev : 0;
    commands.push_back(encode(st));
  }
  commands.push_back(encode(Fence{true, kFence, 7}));
  host_.submit(commands);
  bench->run_until([&] { return host_.fence_value() == 7; }, 1'000'000);
  EXPECT_EQ(bench->mem.read(kC, lines.size()), lines) << "the fence overtook a store";
  bench->run_until([&] { return bench->interrupt(); }, 1000);
}
TEST_F(SystemTest, TimestampFencesRecordTheCycleCounterWhenEverythingBeforeIsDone) {
  // FENCE TIMESTAMP writes {VALUE, DW_BUSY, CYCLES}: the cycle counter and DEPTHWISE_BUSY's
  // low word when every earlier command had finished. Two around a GEMM and a depthwise
  // layer bracket their cycles; both lie between counter reads, and DW_BUSY is the counter.
  auto counter = [&](regs::Counter k) {
    return bench->read_reg(regs::counter_lo(k)) | uint64_t(bench->read_reg(regs::counter_hi(k)))
                                                      << 32;
  };
  const uint64_t before = counter(regs::Counter::kCycles);
  const auto dw_before = uint32_t(counter(regs::Counter::kDepthwiseBusy));
  CommandStream s(engine_config());
  s.push(Fence{false, kFence + 64, 11, /*timestamp=*/true});
  const auto a = random_bytes(48 * 40), b = random_bytes(40 * 24);
  bench->mem.write(kA, reinterpret_cast<const uint8_t*>(a.data()), a.size());
  bench->mem.write(kB, reinterpret_cast<const uint8_t*>(b.data()), b.size());
  GemmPlan plan;
  plan.m = 48, plan.k = 40, plan.n = 24;
  plan.a_addr = kA, plan.b_addr = kB, plan.c_addr = kC, plan.raw_int32 = true;
  plan_gemm(s, plan);
  s.push(Fence{false, kFence + 192, 13});  // each plan has the buffers to itself
  ConvPlan dw;  // 6x6x32 depthwise 3x3, raw int32 (no table), on the depthwise unit
  dw.h = dw.w = 6;
  dw.c = dw.out_channels = dw.groups = 32;
  dw.kernel_h = dw.kernel_w = 3;
  dw.pad_top = dw.pad_bottom = dw.pad_left = dw.pad_right = 1;
  dw.raw_int32 = true;
  const auto dw_in = random_bytes(6 * 6 * 32);
  const auto dw_weights = pack_conv_weights(random_bytes(9 * 32), dw, engine_config());
  bench->mem.write(kA + 0x8000, reinterpret_cast<const uint8_t*>(dw_in.data()), dw_in.size());
  bench->mem.write(kB + 0x8000, reinterpret_cast<const uint8_t*>(dw_weights.data()),
                   dw_weights.size());
  dw.input_addr = kA + 0x8000, dw.weight_addr = kB + 0x8000, dw.output_addr = kC + 0x8000;
  ASSERT_EQ(conv_layout(dw, engine_config()), ConvLayout::kDepthwiseUnit);
  plan_conv2d(s, dw);
  s.push(Fence{false, kFence + 128, 12, /*timestamp=*/true});
  run_to_fence(s, 13);
  if (HasFatalFailure()) return;
  const uint64_t after = counter(regs::Counter::kCycles);
  const auto dw_after = uint32_t(counter(regs::Counter::kDepthwiseBusy));
  struct Record {
    uint32_t value, dw_busy;
    uint64_t cycles;
  };
  auto record = [&](uint64_t addr) {
    const auto v = bench->mem.read(addr, 16);
    Record r;
    std::memcpy(&r.value, v.data(), 4);
    std::memcpy(&r.dw_busy, v.data() + 4, 4);
    std::memcpy(&r.cycles, v.data() + 8, 8);
    return r;
  };
  const Record first = record(kFence + 64), second = record(kFence + 128);
  const uint64_t first_cycles = first.cycles, second_cycles = second.cycles;
  EXPECT_EQ(first.value, 11u);
  EXPECT_EQ(second.value, 12u);
  // Nothing ran on the depthwise unit outside the fences: the records hold the counter.
  EXPECT_EQ(first.dw_busy, dw_before);
  EXPECT_EQ(second.dw_busy, dw_after);
  EXPECT_GE(second.dw_busy - first.dw_busy, 6u * 6) << "at least a line per pixel";
  EXPECT_LT(second.dw_busy - first.dw_busy, second_cycles - first_cycles);
  EXPECT_LE(before, first_cycles);
  EXPECT_LT(first_cycles, second_cycles);
  EXPECT_LE(second_cycles, after);
  // The GEMM's work lies between the two: at least its MACs' worth of array cycles.
  EXPECT_GE(second_cycles - first_cycles, 48u * 3 * 2) << "3 K tiles x 2 panels x 48 vectors";
  const auto want = tessera::ref::gemm(a, b, {}, 48, 40, 24);
  const auto got = bench->mem.read(kC, 4 * want.size());
  EXPECT_EQ(std::memcmp(got.data(), want.data(), got.size()), 0);

  // A fence record's address must be aligned: 16 bytes with TIMESTAMP, 4 without.
  for (const auto& [addr, timestamp] : {std::pair{kFence + 8, true}, {kFence + 2, false}}) {
    bench->write_reg(regs::kIntrStatus, regs::kIntrStatusFence.mask());
    host_.submit(std::vector<Command>{encode(Fence{true, addr, 1, timestamp})});
    bench->run_until([&] { return bench->interrupt(); }, 100000);
    const uint32_t status = bench->read_reg(regs::kStatus);
    EXPECT_EQ(regs::kStatusErrorCode.get(status), uint32_t(Error::kBadAlignment));
    host_.recover();
  }
}

}  // namespace

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  Verilated::fatalOnError(false);
  Verilated::randReset(2);
  bench = new Bench("bench");  // SystemC: one elaboration per process
  return RUN_ALL_TESTS();
}
