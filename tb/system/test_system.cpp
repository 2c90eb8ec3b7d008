// The whole engine (tessera_top, 16x16, 128-bit bus) in SystemC, driven the way a driver
// drives it: registers over AXI4-Lite, commands built with tessera::isa::CommandStream and
// written into a ring in host memory, the doorbell, and the fence's value and interrupt.
// Results are checked against the reference model.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>

#include "Vtessera_top.h"
#include "tessera/conv_plan.hpp"
#include "tessera/gemm_plan.hpp"
#include "tessera/isa.hpp"
#include "tessera/ref.hpp"
#include "tessera/regs.hpp"
#include "tessera/top_bench.hpp"
#include "test_seed.hpp"

namespace {

using namespace tessera::isa;
namespace regs = tessera::regs;
using Bench = tessera::sim::TopBench<Vtessera_top, 128>;
Bench* bench = nullptr;

constexpr uint64_t kRing = 0x0001'0000, kA = 0x0010'0000, kB = 0x0020'0000, kC = 0x0030'0000;
constexpr uint64_t kFence = 0x0040'0000, kTable = 0x0050'0000;
constexpr uint32_t kRingSize = 64;

// What a driver does: configure, write the commands into the ring, ring the doorbell.
struct Host {
  uint32_t tail = 0;

  void open() {
    bench->reset();
    tail = 0;
    bench->write_reg(regs::kRingBaseLo, uint32_t(kRing));
    bench->write_reg(regs::kRingBaseHi, uint32_t(kRing >> 32));
    bench->write_reg(regs::kRingSize, kRingSize);
    bench->write_reg(regs::kWindowBaseLo, 0);
    bench->write_reg(regs::kWindowLimitLo, 0x00ff'ffff);  // 16 MiB of host memory
    bench->write_reg(regs::kIntrEnable,
                     regs::kIntrEnableFence.mask() | regs::kIntrEnableError.mask());
    bench->write_reg(regs::kCtrl, regs::kCtrlEnable.mask());
  }

  void submit(const CommandStream& stream) {
    const auto bytes = stream.bytes();
    bench->submit(kRing, kRingSize, tail, bytes.data(), stream.size());
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

  // A per-channel output stage with random scales, zero point, clamp (ReLU if asked) and
  // bias; multipliers scaled for accumulators of a few thousand.
  tessera::ref::OutputStage random_output_stage(uint32_t channels, bool relu,
                                                std::vector<int32_t>& bias) {
    tessera::ref::OutputStage stage;
    stage.zero_point = int32_t(rng_() % 256) - 128;
    if (relu) tessera::ref::set_activation(stage, tessera::ref::Activation::kRelu, 0.05);
    bias.resize(channels);
    for (uint32_t c = 0; c < channels; ++c) {
      int32_t mult = 0;
      int shift = 0;
      tessera::ref::quantize_multiplier(
          std::exp2(-double(6 + rng_() % 8)) * (1 + double(rng_() % 100) / 100), mult, shift);
      bias[c] = int32_t(rng_() % 4001) - 2000;
      stage.multiplier.push_back(mult);
      stage.shift.push_back(shift);
    }
    return stage;
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
        << "error code " << regs::kStatusErrorCode.get(status) << " at command " << index
        << " (of " << s.size() << "): " << disassemble(s.commands()[index % s.size()]);
    ASSERT_EQ(host_.fence_value(), value);
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
  EXPECT_EQ(regs::kConfigArrayRows.get(shape), 16u);
  EXPECT_EQ(regs::kConfigArrayCols.get(shape), 16u);
  EXPECT_EQ(bench->read_reg(regs::kConfigBus), 128u);
}

TEST_F(SystemTest, GemmThroughTheEngine) {
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
    const auto a = random_bytes(m * k), b = random_bytes(k * n);
    bench->mem.write(kA, reinterpret_cast<const uint8_t*>(a.data()), a.size());
    const bool packed = trial % 2 == 0;  // weights packed panel by panel, or row-major
    const auto b_host = packed ? pack_weights(b, k, n, 16) : b;
    bench->mem.write(kB, reinterpret_cast<const uint8_t*>(b_host.data()), b_host.size());
    std::vector<int32_t> bias;
    const tessera::ref::OutputStage stage = random_output_stage(n, trial % 2 == 1, bias);
    bench->mem.write(kTable, qtable_entries(bias, stage.multiplier, stage.shift));
    CommandStream s;
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
    SCOPED_TRACE("trial " + std::to_string(trial) + ": M=" + std::to_string(m) +
                 " K=" + std::to_string(k) + " N=" + std::to_string(n));
    run_to_fence(s, 1000u + trial);
    if (HasFatalFailure()) return;
    const auto want =
        tessera::ref::requantize(tessera::ref::gemm(a, b, bias, m, k, n), m, n, stage);
    const auto got = bench->mem.read(kC, m * n);
    for (uint32_t i = 0; i < m * n; ++i) {
      ASSERT_EQ(int8_t(got[i]), want[i]) << "C[" << i / n << "][" << i % n << "]";
    }
  }
}

TEST_F(SystemTest, RandomConvolutionsUnderRandomMemoryTiming) {
  // NHWC convolutions straight from the input tensor (no im2col in host memory): kernels
  // 1x1 to 7x7, stride, dilation, asymmetric zero-point padding, channel counts that are not
  // multiples of the array, batches; per-channel requantization, ReLU, 2x2 max-pool; every
  // output checked.
  for (int trial = 0; trial < 30; ++trial) {
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
    cp.input_zero_point = int32_t(rng_() % 256) - 128;
    plan.input_zero_point = int8_t(cp.input_zero_point);
    const tessera::ref::Nhwc shape{plan.batch, plan.h, plan.w, plan.c};
    const auto input = random_bytes(shape.elements());
    const auto weights =
        random_bytes(std::size_t(plan.kernel_h) * plan.kernel_w * plan.c * plan.out_channels);
    std::vector<int32_t> bias;
    const tessera::ref::OutputStage stage =
        random_output_stage(plan.out_channels, trial % 3 == 0, bias);
    bench->mem.write(kA, reinterpret_cast<const uint8_t*>(input.data()), input.size());
    const auto packed = pack_conv_weights(weights, plan.kernel_h, plan.kernel_w, plan.c,
                                          plan.out_channels, 16, 16);
    bench->mem.write(kB, reinterpret_cast<const uint8_t*>(packed.data()), packed.size());
    bench->mem.write(kTable, qtable_entries(conv_bias(bias, weights, plan.kernel_h,
                                                      plan.kernel_w, plan.c, plan.out_channels,
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
    plan.max_pool = out_shape.h >= 2 && out_shape.w >= 2 && rng_() % 3 == 0;
    CommandStream s;
    plan_conv2d(s, plan);
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " + std::to_string(plan.batch) + "x" +
                 std::to_string(plan.h) + "x" + std::to_string(plan.w) + "x" +
                 std::to_string(plan.c) + " * " + std::to_string(plan.kernel_h) + "x" +
                 std::to_string(plan.kernel_w) + "x" + std::to_string(plan.out_channels) +
                 " stride " + std::to_string(plan.stride_h) + "," + std::to_string(plan.stride_w) +
                 " dilation " + std::to_string(plan.dilation_h) + "," +
                 std::to_string(plan.dilation_w) + " pad " + std::to_string(plan.pad_top) + "," +
                 std::to_string(plan.pad_bottom) + "," + std::to_string(plan.pad_left) + "," +
                 std::to_string(plan.pad_right) + (plan.max_pool ? " max-pool" : ""));
    run_to_fence(s, 2000u + trial);
    if (HasFatalFailure()) return;
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

}  // namespace

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  Verilated::fatalOnError(false);
  Verilated::randReset(2);
  bench = new Bench("bench");  // SystemC: one elaboration per process
  return RUN_ALL_TESTS();
}
