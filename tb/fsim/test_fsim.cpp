// SPDX-License-Identifier: Apache-2.0
// The golden model (tessera::fsim): the operations through the driver on `fsim`
// (ops_tests.cpp, bit-exact against the reference model, as on the simulator), its register
// map, every error code with its index and the recovery by soft reset, the order rules
// (deadlocks, token overflow, fences), the counters and the interrupt. That it agrees with
// the RTL command stream by command stream is the differential fuzzer's job
// (Fuzz.* tests, docs/fuzzing.md).
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <random>

#include "chained_layers.hpp"
#include "ops_tests.hpp"
#include "tessera/conv_plan.hpp"
#include "tessera/fsim.hpp"
#include "tessera/isa.hpp"
#include "test_seed.hpp"
#include "token_commands.hpp"

tessera::driver::Engine& tessera::test::ops_engine() {
  static driver::Engine engine(fsim::open_fsim_device());
  return engine;
}

namespace {

using namespace tessera::isa;
namespace regs = tessera::regs;
using tessera::fsim::Model;
using tessera::test::fill_line;

constexpr uint64_t kBase = 0x8000'0000;  // the model's default memory
constexpr uint64_t kRing = kBase, kFence = kBase + 0x10000, kA = kBase + 0x20000;
constexpr uint64_t kC = kBase + 0x30000, kTable = kBase + 0x40000;
constexpr uint64_t kLimit = kBase + 0xf'ffff;  // a 1 MiB window
constexpr uint32_t kRingSize = 1024;

// The host side, by registers and ring as a driver does it: the model runs at the doorbell.
struct Host {
  Model model;
  uint32_t tail = 0;

  Host() {
    model.write_reg(regs::kRingBaseLo, uint32_t(kRing));
    model.write_reg(regs::kRingBaseHi, uint32_t(kRing >> 32));
    model.write_reg(regs::kRingSize, kRingSize);
    model.write_reg(regs::kWindowBaseLo, uint32_t(kBase));
    model.write_reg(regs::kWindowLimitLo, uint32_t(kLimit));
    model.write_reg(regs::kIntrEnable,
                    regs::kIntrEnableFence.mask() | regs::kIntrEnableError.mask());
    model.write_reg(regs::kCtrl, regs::kCtrlEnable.mask());
  }
  void submit(const std::vector<Command>& commands) {
    for (const Command& c : commands)
      std::memcpy(model.memory(kRing + 64 * (tail++ % kRingSize)), c.bytes().data(), 64);
    model.write_reg(regs::kRingTail, tail);
  }
  uint32_t status() { return model.read_reg(regs::kStatus); }
  Error error() { return static_cast<Error>(regs::kStatusErrorCode.get(status())); }
  uint32_t index() { return model.read_reg(regs::kErrorIndex); }
  uint32_t fence_value() {
    uint32_t v = 0;
    std::memcpy(&v, model.memory(kFence), 4);
    return v;
  }
  void recover() {
    model.write_reg(regs::kSoftReset, regs::kSoftResetGo.mask());
    model.write_reg(regs::kIntrStatus,
                    regs::kIntrStatusFence.mask() | regs::kIntrStatusError.mask());
    tail = model.read_reg(regs::kRingHead);
  }
};

TEST(Model, ReadsAsTheEnginesRegisterMap) {
  Host h;
  Model& m = h.model;
  EXPECT_EQ(m.read_reg(regs::kId), regs::kExpectedId);
  EXPECT_EQ(m.read_reg(regs::kIsaVersion), kVersion);
  EXPECT_EQ(regs::kConfigArrayRows.get(m.read_reg(regs::kConfigArray)),
            tessera::defaults::kNumRows);
  EXPECT_EQ(regs::kConfigArrayCols.get(m.read_reg(regs::kConfigArray)),
            tessera::defaults::kNumCols);
  EXPECT_EQ(m.read_reg(regs::kConfigScratchpad), tessera::defaults::kScratchpadBytes);
  EXPECT_EQ(m.read_reg(regs::kConfigAccumulator), tessera::defaults::kAccumulatorBytes);
  EXPECT_EQ(m.read_reg(regs::kConfigBus), tessera::defaults::kBusWidth);
  EXPECT_EQ(m.read_reg(regs::kConfigQtable), tessera::defaults::kQTableEntries);
  EXPECT_EQ(m.read_reg(regs::kWindowLimitLo), uint32_t(kLimit));
  EXPECT_EQ(m.read_reg(regs::kRingSize), kRingSize);
  EXPECT_THROW(m.read_reg(0x0c), std::out_of_range);
  EXPECT_THROW(m.write_reg(regs::kId, 1), std::out_of_range);
  // A GEMM's work in the counters; INTR_STATUS clears by writing ones.
  CommandStream s;
  Compute c;
  c.vectors = 10;
  c.act_rows = 2;
  c.act_row_stride = 10;
  c.k_valid = 9;
  c.n_valid = 7;
  s.push(c);
  s.push(Fence{true, kFence, 5});
  h.submit(s.commands());
  EXPECT_EQ(h.fence_value(), 5u);
  EXPECT_TRUE(m.interrupt());
  m.write_reg(regs::kIntrStatus, regs::kIntrStatusFence.mask());
  EXPECT_FALSE(m.interrupt());
  EXPECT_EQ(m.read_reg(regs::counter_lo(regs::Counter::kMacs)), 10u * 2 * 9 * 7);
  EXPECT_EQ(m.read_reg(regs::counter_lo(regs::Counter::kCommandsRetired)), 2u);
  EXPECT_EQ(m.read_reg(regs::counter_lo(regs::Counter::kDmaReadBytes)), 2u * 64) << "the fetches";
  EXPECT_EQ(m.read_reg(regs::counter_lo(regs::Counter::kDmaWriteBytes)), 4u) << "the fence";
  m.write_reg(regs::kPerfCtrl, regs::kPerfCtrlClear.mask());
  EXPECT_EQ(m.read_reg(regs::counter_lo(regs::Counter::kMacs)), 0u);
}

TEST(Model, EveryErrorStopsItWithTheEnginesCodeAndIndexAndSoftResetRecovers) {
  // Each case: FENCE 1, the culprit, FENCE 2; the model must stop on the culprit (index 1
  // from where the case started), raise the error interrupt, and run after a soft reset.
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
  struct Case {
    const char* name;
    Error error;
    std::function<std::vector<Command>()> culprit;  // the culprit, maybe after a setup
  };
  const std::vector<Case> cases = {
      {"opcode 7", Error::kBadOpcode,
       [] {
         Command c;
         c.set(kHdrOpcode, 7);
         return std::vector<Command>{c};
       }},
      {"reserved byte", Error::kReservedBits,
       [&] {
         Command c = encode(load());
         c.set({60, 1}, 0x10);
         return std::vector<Command>{c};
       }},
      {"zero rows", Error::kBadDimension,
       [&] {
         Load l = load();
         l.rows = 0;
         return std::vector<Command>{encode(l)};
       }},
      {"scratchpad end", Error::kScratchpadRange,
       [&] {
         Load l = load();
         l.sram_line = 16384 - 8;
         return std::vector<Command>{encode(l)};
       }},
      {"accumulator end", Error::kAccumulatorRange,
       [] {
         Compute c;
         c.vectors = 100;
         c.acc_line = 1000;
         c.k_valid = c.n_valid = 16;
         return std::vector<Command>{encode(c)};
       }},
      {"load outside window", Error::kDmaWindow,
       [&] {
         Load l = load();
         l.dram_addr = kLimit - 100;
         return std::vector<Command>{encode(l)};
       }},
      {"store wrapping past 2^64", Error::kDmaWindow,
       [&] {
         Store st = store();
         st.dram_addr = ~0ull - 8;
         return std::vector<Command>{encode(st)};
       }},
      {"clamp", Error::kBadClamp,
       [&] {
         Store st = store();
         st.requantize = true;
         st.act_min = 10;
         st.act_max = -10;
         return std::vector<Command>{encode(st)};
       }},
      {"fill to table", Error::kBadMode,
       [&] {
         Load l = load();
         l.dest = Load::Dest::kQTable;
         l.fill = true;
         return std::vector<Command>{encode(l)};
       }},
      {"table end", Error::kQtableRange,
       [&] {
         Store st = store();
         st.requantize = st.per_channel = true;
         st.qparam_entry = 1020;
         return std::vector<Command>{encode(st)};
       }},
      {"fence alignment", Error::kBadAlignment,
       [] {
         return std::vector<Command>{encode(Fence{false, kFence + 2, 0})};
       }},
      {"nothing gives the token", Error::kDeadlock,
       [] { return std::vector<Command>{encode(fill_line(0, kDepsPopNext))}; }},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.name);
    Host h;
    const uint32_t first = h.tail;
    std::vector<Command> commands{encode(Fence{false, kFence, 1})};
    for (const Command& c : k.culprit()) commands.push_back(c);
    commands.push_back(encode(Fence{true, kFence, 2}));
    h.submit(commands);
    EXPECT_EQ(regs::kStatusError.get(h.status()), 1u);
    EXPECT_EQ(h.error(), k.error);
    // A deadlock is reported against the command the dispatcher holds: the FENCE after it.
    EXPECT_EQ(h.index() - first, k.error == Error::kDeadlock ? 2u : 1u);
    EXPECT_EQ(h.fence_value(), 1u) << "the fence after the culprit ran";
    EXPECT_TRUE(h.model.interrupt());
    h.recover();
    EXPECT_FALSE(h.model.interrupt());
    EXPECT_EQ(regs::kStatusBusy.get(h.status()), 0u);
    h.submit({encode(Fence{true, kFence, 3})});
    EXPECT_EQ(h.fence_value(), 3u);
  }
}

TEST(Model, AShiftOutsideItsRangeIsFoundWhenTheStoreReadsTheTable) {
  Host h;
  uint8_t entry[16] = {0, 0, 0, 0, 1, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0};  // shift 40
  std::memcpy(h.model.memory(kTable + 5 * 16), entry, 16);
  std::memset(h.model.memory(kC), 0x5a, 64);
  Load t;
  t.dest = Load::Dest::kQTable;
  t.dram_addr = kTable;
  t.row_bytes = 16 * 8;
  t.rows = 1;
  Store st;
  st.requantize = true;
  st.qparam_entry = 5;
  st.dram_addr = kC;
  st.rows = 4;
  st.dram_stride = 16;
  st.cols = 16;
  st.deps = 0;
  h.submit({encode(t), encode(Fence{false, kFence, 1}), encode(st)});
  EXPECT_EQ(h.error(), Error::kBadClamp);
  EXPECT_EQ(h.index(), 2u);
  for (int i = 0; i < 64; ++i) ASSERT_EQ(*h.model.memory(kC + i), 0x5a) << "the store wrote";
}

TEST(Model, ARingItCannotUseIsABadRing) {
  Host h;
  h.model.write_reg(regs::kRingTail, 1000 + kRingSize);  // more than RING_SIZE ahead
  EXPECT_EQ(h.error(), Error::kBadRing);
  EXPECT_EQ(h.index(), 0u);
  EXPECT_EQ(h.model.read_reg(regs::kRingHead), 0u) << "no slot was fetched";
  h.recover();
  h.model.write_reg(regs::kRingSize, 48);  // not a power of two
  h.submit({encode(Fence{true, kFence, 1})});
  EXPECT_EQ(h.error(), Error::kBadRing);
  h.model.write_reg(regs::kRingSize, kRingSize);
  h.recover();
  std::vector<Command> full(kRingSize - 1, encode(Fence{false, kFence, 7}));
  full.push_back(encode(Fence{true, kFence, 8}));
  h.submit(full);  // exactly RING_SIZE ahead is fine
  EXPECT_EQ(regs::kStatusError.get(h.status()), 0u);
  EXPECT_EQ(h.fence_value(), 8u);
}

TEST(Model, TheQueuesAndTokensDeadlockExactlyWhereTheEnginesDo) {
  // The load queue holds UNIT_QUEUE_DEPTH commands and the dispatcher one more
  // (tb/system has the same cases on the RTL).
  const Compute gives = tessera::test::compute_one(kDepsPushPrev);
  for (uint32_t behind : {kUnitQueueDepth - 1, kUnitQueueDepth}) {
    SCOPED_TRACE(std::to_string(behind) + " loads behind the waiting one");
    Host h;
    std::vector<Command> cs{encode(fill_line(0, kDepsPopNext))};
    for (uint32_t i = 0; i < behind; ++i) cs.push_back(encode(fill_line(1 + i, kDepsPushNext)));
    cs.push_back(encode(gives));
    Compute take = gives;
    take.deps = kDepsPopPrev;
    for (uint32_t i = 0; i < behind; ++i) cs.push_back(encode(take));
    cs.push_back(encode(Fence{true, kFence, 5}));
    h.submit(cs);
    if (behind < kUnitQueueDepth) {
      EXPECT_EQ(regs::kStatusError.get(h.status()), 0u);
      EXPECT_EQ(h.fence_value(), 5u);
    } else {
      EXPECT_EQ(h.error(), Error::kDeadlock);
      EXPECT_EQ(h.index(), kUnitQueueDepth);
      const auto errors = h.model.errors();
      ASSERT_FALSE(errors.empty());
      EXPECT_NE(errors[0].message.find("waits for room in the load unit's queue"),
                std::string::npos)
          << errors[0].message;
      EXPECT_NE(errors[0].message.find("waits for a token the compute unit has not given"),
                std::string::npos)
          << errors[0].message;
    }
  }
}

TEST(Model, OneTokenMoreThanMaxTokensIsTokenOverflow) {
  Host h;
  std::vector<Command> cs;
  for (uint32_t i = 0; i <= kMaxTokens; ++i) cs.push_back(encode(fill_line(i, kDepsPushNext)));
  h.submit(cs);
  EXPECT_EQ(h.error(), Error::kTokenOverflow);
  EXPECT_EQ(h.index(), kMaxTokens);
}

TEST(Model, AFenceWaitsForEverythingAndTimestampsTheEstimate) {
  Host h;
  Load l;
  l.dram_addr = kA;
  l.row_bytes = 4096;
  l.rows = 4;
  l.dram_stride = 4096;
  l.sram_stride = 256;
  Fence f{false, kFence, 11};
  f.timestamp = true;
  h.submit({encode(l), encode(f)});
  uint64_t cycles = 0;
  std::memcpy(&cycles, h.model.memory(kFence + 8), 8);
  // 4 rows of 256 beats on the 128-bit bus: at least that many cycles.
  EXPECT_GE(cycles, 4u * 256);
  EXPECT_LT(cycles, 4u * 256 * 2);
  EXPECT_EQ(h.fence_value(), 11u);
  EXPECT_FALSE(h.model.interrupt()) << "no interrupt asked";
}

// tessera::test::ChainedLayers: a STORE into the scratchpad feeds the next layer's COMPUTEs,
// as on the engine (SystemTest.TwoLayersChainedThroughTheScratchpad); host memory sees only
// C2 and the fence's record.
TEST(Model, TwoLayersChainedThroughTheScratchpadMatchTheReference) {
  std::mt19937_64 rng(tessera::test::test_seed());
  for (int trial = 0; trial < 4; ++trial) {
    Host h;
    const auto layers = tessera::test::ChainedLayers::random(rng, 1 + rng() % 64, trial % 2);
    const uint64_t b = kA + 0x4000;
    layers.write(
        [&](uint64_t at, const void* p, std::size_t n) { std::memcpy(h.model.memory(at), p, n); },
        kA, b, kTable);
    auto commands = layers.commands(kA, b, kTable, kC);
    commands.push_back(encode(Fence{true, kFence, 77u + trial}));
    h.submit(commands);
    ASSERT_EQ(h.error(), Error::kNone) << "at command " << h.index();
    ASSERT_EQ(h.fence_value(), 77u + trial);
    const auto want = layers.want();
    const auto* got = reinterpret_cast<const int8_t*>(h.model.memory(kC));
    for (uint32_t i = 0; i < want.size(); ++i) ASSERT_EQ(got[i], want[i]) << "C2 byte " << i;
    EXPECT_EQ(h.model.read_reg(regs::counter_lo(regs::Counter::kDmaWriteBytes)),
              uint64_t(layers.m) * layers.kN2 + 4);
  }
}

}  // namespace

namespace {

// A build with small buffers, where every layer of a few hundred K and channels needs the
// passes over K (8 tiles per weight bank) and the groups of output channels (3 panels per
// table), randomized: random shapes, each bit-exact against the reference.
TEST(Plans, AnySizeRunsOnABuildWithSmallBuffers) {
  tessera::fsim::Options small;
  small.config.scratchpad_lines = 512;  // banks of 128 lines: K up to 128 per weight LOAD
  small.config.qtable_entries = 48;
  tessera::driver::Engine e(tessera::fsim::open_fsim_device(small));
  ASSERT_EQ(e.info().config.scratchpad_lines, 512u);
  ASSERT_EQ(e.info().config.qtable_entries, 48u);
  std::mt19937_64 rng(tessera::test::test_seed());
  for (int i = 0; i < 12; ++i) {
    const uint32_t m = 1 + uint32_t(rng() % 40), k = 1 + uint32_t(rng() % 600);
    const uint32_t n = 1 + uint32_t(rng() % 150);
    tessera::test::expect_gemm_matches(e, rng, m, k, n);
  }
  for (int i = 0; i < 6; ++i) {
    const uint32_t kernel = 1 + 2 * uint32_t(rng() % 2);
    tessera::test::ConvShape s{3 + uint32_t(rng() % 4),
                               3 + uint32_t(rng() % 4),
                               1 + uint32_t(rng() % 40),
                               1 + uint32_t(rng() % 120),
                               kernel,
                               1 + uint32_t(rng() % 2),
                               kernel / 2,
                               1,
                               false};
    tessera::test::expect_conv_matches(e, rng, s);
  }
}

// A stride-2 depthwise layer on the depthwise unit streams each output row's two rows as one
// DW_PAIR COMPUTE, the first with the padding row above made by the unit (DW_PAD TOP, so
// padded row 0 is not streamed); where an odd height's last window reaches the padding row
// below, that pair is two COMPUTEs. Each row streams its W pixels: the unit makes the
// padding column on the left, and the one on the right only where a window reaches it (at
// stride 2 an odd width). Both bit-exact on the golden model.
TEST(Plans, DepthwiseAtStrideTwoTakesAnOutputRowPerPairOfRows) {
  using namespace tessera::isa;
  tessera::driver::Engine e(tessera::fsim::open_fsim_device({}));
  std::mt19937_64 rng(tessera::test::test_seed());
  for (const uint32_t h : {28u, 27u}) {
    const uint32_t w = h;  // odd with the odd height
    ConvPlan p;
    p.h = h;
    p.w = w;
    p.c = p.out_channels = p.groups = 192;
    p.kernel_h = p.kernel_w = 3;
    p.stride_h = p.stride_w = 2;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
    ASSERT_EQ(conv_layout(p, e.info().config), ConvLayout::kDepthwiseUnit);
    CommandStream s(e.info().config);
    plan_conv2d(s, p);
    uint32_t rows = 0, pairs = 0, tops = 0;
    const uint8_t columns = kDwPadLeft | (w % 2 ? kDwPadRight : 0);
    for (const Command& c : s.commands()) {
      if (c.opcode() != Opcode::kCompute || !(c.mode() & kComputeModeDepthwise)) continue;
      ++rows;
      if (c.mode() & kComputeModeDwPair) ++pairs;
      const auto pad = uint8_t(c.get(compute::kDwPad));
      tops += bool(pad & kDwPadTop);
      EXPECT_EQ(pad & ~kDwPadTop, columns) << "row " << rows;
      EXPECT_EQ(c.get(compute::kVectors), w) << "row " << rows;
      if (::testing::Test::HasFailure()) break;
    }
    const uint32_t oh = p.out_h();
    SCOPED_TRACE("H = " + std::to_string(h));
    EXPECT_EQ(pairs, h % 2 ? oh - 1 : oh);
    EXPECT_EQ(rows, h % 2 ? (oh - 1) + 2 : oh);
    EXPECT_EQ(tops, 1u);  // one pass of 12 blocks
    tessera::test::expect_conv_matches(e, rng, {h, w, 192, 192, 3, 2, 1, 1, false, 192});
  }
}

}  // namespace
