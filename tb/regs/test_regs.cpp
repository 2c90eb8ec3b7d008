// SPDX-License-Identifier: Apache-2.0
// tessera_regs through its AXI4-Lite port, driven like a driver would with random
// handshake delays: the identification and configuration registers, read/write registers
// with byte strobes and their reset values, write-one-to-clear interrupts and the interrupt
// line, one-cycle pulses, atomic 64-bit counter reads, and SLVERR for unmapped offsets.
// Offsets and fields come from the generated driver header, the map's single source.
#include <gtest/gtest.h>

#include <random>

#include "Vtessera_regs.h"
#include "tessera/isa_fields.hpp"
#include "tessera/regs.hpp"
#include "tessera/verilated_support.hpp"
#include "test_seed.hpp"

namespace {

namespace regs = tessera::regs;
using tessera::sim::set_field;

class RegsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    context_ = tessera::sim::make_context(seed_);
    dut_ = std::make_unique<Vtessera_regs>(context_.get(), "regs");
    dut_->s_axil_awvalid_i = dut_->s_axil_wvalid_i = dut_->s_axil_arvalid_i = 0;
    dut_->s_axil_bready_i = dut_->s_axil_rready_i = 0;
    dut_->event_fence_i = dut_->event_error_i = 0;
    tessera::sim::apply_reset(*dut_);
  }

  // One clock cycle; returns after the rising edge. Checks no assertion fired.
  void cycle() {
    dut_->clk_i = 0;
    dut_->eval();
    observe();
    dut_->clk_i = 1;
    dut_->eval();
    ASSERT_FALSE(context_->gotError()) << "RTL assertion failed";
  }
  // Called before each rising edge; tests hook pulses here.
  virtual void observe() {
    soft_resets_ += dut_->soft_reset_o;
    counter_clears_ += dut_->counter_clear_o;
  }
  bool coin() { return rng_() % 3 != 0; }

  // AXI4-Lite write: AW and W offered independently with random delays. Returns BRESP.
  uint32_t write(uint32_t addr, uint32_t data, uint32_t strb = 0xf) {
    bool aw_done = false, w_done = false;
    for (int guard = 0; guard < 1000; ++guard) {
      dut_->s_axil_awvalid_i = !aw_done && (dut_->s_axil_awvalid_i || coin());
      dut_->s_axil_awaddr_i = addr;
      dut_->s_axil_wvalid_i = !w_done && (dut_->s_axil_wvalid_i || coin());
      dut_->s_axil_wdata_i = data;
      dut_->s_axil_wstrb_i = strb;
      dut_->s_axil_bready_i = coin();
      dut_->clk_i = 0;
      dut_->eval();
      const bool aw_fire = dut_->s_axil_awvalid_i && dut_->s_axil_awready_o;
      const bool w_fire = dut_->s_axil_wvalid_i && dut_->s_axil_wready_o;
      const bool b_fire = dut_->s_axil_bvalid_o && dut_->s_axil_bready_i;
      const uint32_t resp = dut_->s_axil_bresp_o;
      observe();
      dut_->clk_i = 1;
      dut_->eval();
      aw_done |= aw_fire;
      w_done |= w_fire;
      if (aw_fire) dut_->s_axil_awvalid_i = 0;
      if (w_fire) dut_->s_axil_wvalid_i = 0;
      if (b_fire) {
        dut_->s_axil_bready_i = 0;
        return resp;
      }
    }
    ADD_FAILURE() << "write to 0x" << std::hex << addr << " never answered";
    return ~0u;
  }

  // AXI4-Lite read with random delays; returns {RDATA, RRESP}.
  std::pair<uint32_t, uint32_t> read(uint32_t addr) {
    bool ar_done = false;
    for (int guard = 0; guard < 1000; ++guard) {
      dut_->s_axil_arvalid_i = !ar_done && (dut_->s_axil_arvalid_i || coin());
      dut_->s_axil_araddr_i = addr;
      dut_->s_axil_rready_i = coin();
      dut_->clk_i = 0;
      dut_->eval();
      const bool ar_fire = dut_->s_axil_arvalid_i && dut_->s_axil_arready_o;
      const bool r_fire = dut_->s_axil_rvalid_o && dut_->s_axil_rready_i;
      const std::pair<uint32_t, uint32_t> value{dut_->s_axil_rdata_o, dut_->s_axil_rresp_o};
      observe();
      dut_->clk_i = 1;
      dut_->eval();
      ar_done |= ar_fire;
      if (ar_fire) dut_->s_axil_arvalid_i = 0;
      if (r_fire) {
        dut_->s_axil_rready_i = 0;
        return value;
      }
    }
    ADD_FAILURE() << "read of 0x" << std::hex << addr << " never answered";
    return {~0u, ~0u};
  }
  uint32_t rd(uint32_t addr) {
    const auto [data, resp] = read(addr);
    EXPECT_EQ(resp, 0u) << "read of 0x" << std::hex << addr;
    return data;
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vtessera_regs> dut_;
  int soft_resets_ = 0, counter_clears_ = 0;
};

TEST_F(RegsTest, IdentifiesTheBuild) {
  EXPECT_EQ(rd(regs::kId), regs::kExpectedId);
  const uint32_t version = rd(regs::kVersion);
  EXPECT_EQ(regs::kVersionMajor.get(version), regs::kHardwareMajor);
  EXPECT_EQ(regs::kVersionMinor.get(version), regs::kHardwareMinor);
  EXPECT_EQ(rd(regs::kIsaVersion), tessera::isa::kVersion);
  const uint32_t shape = rd(regs::kConfigArray);
  EXPECT_EQ(regs::kConfigArrayRows.get(shape), 16u);
  EXPECT_EQ(regs::kConfigArrayCols.get(shape), 16u);
  EXPECT_EQ(rd(regs::kConfigScratchpad), 256u * 1024);
  EXPECT_EQ(rd(regs::kConfigAccumulator), 64u * 1024);
  EXPECT_EQ(rd(regs::kConfigBus), 128u);
  EXPECT_EQ(rd(regs::kConfigQtable), 1024u);
}

TEST_F(RegsTest, WritableRegistersResetAndTakeByteStrobes) {
  struct Reg {
    uint32_t offset, reset, writable;
  };
  const Reg rw[] = {{regs::kCtrl, regs::kCtrlReset, 1},
                    {regs::kIntrEnable, regs::kIntrEnableReset, 3},
                    {regs::kRingBaseLo, regs::kRingBaseLoReset, ~0u},
                    {regs::kRingBaseHi, regs::kRingBaseHiReset, ~0u},
                    {regs::kRingSize, regs::kRingSizeReset, ~0u},
                    {regs::kRingTail, regs::kRingTailReset, ~0u},
                    {regs::kWindowBaseLo, regs::kWindowBaseLoReset, ~0u},
                    {regs::kWindowBaseHi, regs::kWindowBaseHiReset, ~0u},
                    {regs::kWindowLimitLo, regs::kWindowLimitLoReset, ~0u},
                    {regs::kWindowLimitHi, regs::kWindowLimitHiReset, ~0u}};
  for (const auto& r : rw) EXPECT_EQ(rd(r.offset), r.reset) << std::hex << r.offset;
  for (int trial = 0; trial < 200; ++trial) {
    const Reg& r = rw[rng_() % std::size(rw)];
    const uint32_t before = rd(r.offset);
    const uint32_t data = static_cast<uint32_t>(rng_()), strb = static_cast<uint32_t>(rng_() % 16);
    ASSERT_EQ(write(r.offset, data, strb), 0u);
    uint32_t expect = before;
    for (int b = 0; b < 4; ++b) {
      if ((strb >> b) & 1) expect = (expect & ~(0xffu << 8 * b)) | (data & (0xffu << 8 * b));
    }
    ASSERT_EQ(rd(r.offset), expect & r.writable) << std::hex << r.offset;
  }
  // The outputs follow.
  write(regs::kRingBaseLo, 0x89abcdef);
  write(regs::kRingBaseHi, 0x01234567);
  write(regs::kWindowLimitHi, 0xffffffff);
  write(regs::kCtrl, 1);
  EXPECT_EQ(dut_->ring_base_o, 0x0123456789abcdefull);
  EXPECT_EQ(dut_->window_limit_o >> 32, 0xffffffffull);
  EXPECT_TRUE(dut_->enable_o);
}

TEST_F(RegsTest, InterruptsAreWriteOneToClearAndEventsWin) {
  dut_->event_fence_i = 1;
  cycle();
  dut_->event_fence_i = 0;
  dut_->event_error_i = 1;
  cycle();
  dut_->event_error_i = 0;
  const uint32_t both = regs::kIntrStatusFence.mask() | regs::kIntrStatusError.mask();
  EXPECT_EQ(rd(regs::kIntrStatus), both);
  EXPECT_FALSE(dut_->irq_o);  // nothing enabled yet
  write(regs::kIntrEnable, regs::kIntrEnableError.mask());
  EXPECT_TRUE(dut_->irq_o);
  write(regs::kIntrStatus, regs::kIntrStatusError.mask());  // clear ERROR only
  EXPECT_EQ(rd(regs::kIntrStatus), regs::kIntrStatusFence.mask());
  EXPECT_FALSE(dut_->irq_o);
  write(regs::kIntrEnable, both);
  EXPECT_TRUE(dut_->irq_o);
  write(regs::kIntrStatus, 0);  // writing 0 clears nothing
  EXPECT_EQ(rd(regs::kIntrStatus), regs::kIntrStatusFence.mask());
  write(regs::kIntrStatus, both);
  EXPECT_EQ(rd(regs::kIntrStatus), 0u);
  EXPECT_FALSE(dut_->irq_o);
}

TEST_F(RegsTest, AnEventInTheCycleOfItsClearWins) {
  dut_->event_fence_i = 1;
  cycle();
  dut_->event_fence_i = 0;
  // AW and W accepted together at one edge; the write takes effect at the next, and the
  // event is raised for exactly that cycle.
  dut_->s_axil_awvalid_i = dut_->s_axil_wvalid_i = 1;
  dut_->s_axil_awaddr_i = regs::kIntrStatus;
  dut_->s_axil_wdata_i = regs::kIntrStatusFence.mask();
  dut_->s_axil_wstrb_i = 0xf;
  dut_->s_axil_bready_i = 0;
  dut_->clk_i = 0;
  dut_->eval();
  ASSERT_TRUE(dut_->s_axil_awready_o && dut_->s_axil_wready_o);
  cycle();
  dut_->s_axil_awvalid_i = dut_->s_axil_wvalid_i = 0;
  dut_->event_fence_i = 1;
  cycle();
  dut_->event_fence_i = 0;
  dut_->clk_i = 0;
  dut_->eval();
  ASSERT_TRUE(dut_->s_axil_bvalid_o);  // the write took effect at that edge
  dut_->s_axil_bready_i = 1;
  cycle();
  dut_->s_axil_bready_i = 0;
  EXPECT_EQ(rd(regs::kIntrStatus), regs::kIntrStatusFence.mask());
  // Without a new event, the same clear clears.
  write(regs::kIntrStatus, regs::kIntrStatusFence.mask());
  EXPECT_EQ(rd(regs::kIntrStatus), 0u);
}

TEST_F(RegsTest, PulsesLastOneCycle) {
  write(regs::kSoftReset, 1);
  write(regs::kPerfCtrl, 1);
  for (int i = 0; i < 5; ++i) cycle();
  EXPECT_EQ(soft_resets_, 1);
  EXPECT_EQ(counter_clears_, 1);
  write(regs::kSoftReset, 0);  // writing 0 does nothing
  for (int i = 0; i < 5; ++i) cycle();
  EXPECT_EQ(soft_resets_, 1);
  EXPECT_EQ(rd(regs::kSoftReset), 0u);
}

TEST_F(RegsTest, StatusAndCountersReadBack) {
  dut_->busy_i = 1;
  dut_->error_i = 1;
  dut_->error_code_i = 0x5a;
  dut_->error_index_i = 1234;
  dut_->ring_head_i = 77;
  const uint32_t status = rd(regs::kStatus);
  EXPECT_EQ(regs::kStatusBusy.get(status), 1u);
  EXPECT_EQ(regs::kStatusError.get(status), 1u);
  EXPECT_EQ(regs::kStatusErrorCode.get(status), 0x5au);
  EXPECT_EQ(rd(regs::kErrorIndex), 1234u);
  EXPECT_EQ(rd(regs::kRingHead), 77u);
  for (uint32_t c = 0; c < regs::kNumCounters; ++c) {
    const uint64_t value = (uint64_t(c + 1) << 40) | (0xabcd0000u + c);
    set_field(dut_->counters_i, 64 * c, 64, value);
  }
  for (uint32_t c = 0; c < regs::kNumCounters; ++c) {
    const auto counter = static_cast<regs::Counter>(c);
    const uint32_t lo = rd(regs::counter_lo(counter));
    // The counter moves on between the two reads; the high word must be the latched one.
    set_field(dut_->counters_i, 64 * c, 64, ~uint64_t{0});
    const uint32_t hi = rd(regs::counter_hi(counter));
    EXPECT_EQ((uint64_t(hi) << 32) | lo, (uint64_t(c + 1) << 40) | (0xabcd0000u + c)) << c;
  }
}

TEST_F(RegsTest, UnmappedOffsetsAnswerSlvErr) {
  for (uint32_t offset :
       {0x00cu, 0x024u, 0x0ecu, 0x200u, 0xffcu, regs::kCounterBase + 8 * regs::kNumCounters}) {
    const auto [data, resp] = read(offset);
    EXPECT_EQ(resp, 2u) << std::hex << offset;
    EXPECT_EQ(data, 0u);
    EXPECT_EQ(write(offset, 0xffffffff), 2u) << std::hex << offset;
  }
  EXPECT_EQ(write(regs::kId, 0), 2u);  // read-only
  EXPECT_EQ(rd(regs::kId), regs::kExpectedId);
}

}  // namespace
