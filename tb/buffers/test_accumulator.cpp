// SPDX-License-Identifier: Apache-2.0
// tessera_accumulator against a C++ model: random accumulate/overwrite operations on both
// acc ports (in different banks in one cycle, as the compute unit keeps them) on a few hot
// lines (back-to-back operations on one line, on the same port or the other one: the
// read-modify-write hazard) mixed with reads of the same and other banks. Checked every
// cycle: rd_req_ready_o (refused only beside an accumulating operation on the bank), the
// one-cycle read latency, and that every read sees every operation accepted before it.
#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <vector>

#include "Vtessera_accumulator_n4_l32_b2.h"
#include "tessera/verilated_support.hpp"
#include "test_seed.hpp"

namespace {

using tessera::sim::get_field;
using tessera::sim::set_field;

constexpr unsigned kLanes = 4, kLines = 32, kBanks = 2, kPorts = 2, kAddrBits = 5;
using Line = std::vector<uint32_t>;

class AccumulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    context_ = tessera::sim::make_context(seed_);
    dut_ = std::make_unique<Vtessera_accumulator_n4_l32_b2>(context_.get(), "acc");
    drive_idle();
    dut_->rd_req_valid_i = 0;
    tessera::sim::apply_reset(*dut_);
  }

  void drive_idle() {
    dut_->acc_valid_i = 0;
    dut_->acc_add_i = 0;
  }

  static unsigned bank(unsigned addr) { return addr / (kLines / kBanks); }

  // Drives port `port`'s operation (after drive_idle() for the cycle).
  void drive_op(unsigned port, bool valid, unsigned addr, const Line& data, bool add) {
    const auto bit = [&](auto& v, bool b) { v = (v & ~(1u << port)) | (unsigned(b) << port); };
    bit(dut_->acc_valid_i, valid);
    bit(dut_->acc_add_i, add);
    const unsigned mask = (1u << kAddrBits) - 1, shift = port * kAddrBits;
    dut_->acc_addr_i = (dut_->acc_addr_i & ~(mask << shift)) | (addr << shift);
    for (unsigned l = 0; l < kLanes; ++l)
      set_field(dut_->acc_data_i, 32 * (port * kLanes + l), 32, data[l]);
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vtessera_accumulator_n4_l32_b2> dut_;
};

TEST_F(AccumulatorTest, RandomReadModifyWriteMatchesModel) {
  std::vector<Line> model(kLines, Line(kLanes, 0));
  std::vector<bool> defined(kLines, false);  // lines written since power-up
  std::uniform_real_distribution<double> p(0.0, 1.0);
  std::optional<Line> pending;
  uint64_t hazards = 0, cross_hazards = 0, both = 0, refused = 0;
  unsigned last_addr[kPorts] = {~0u, ~0u};

  for (int cycle = 0; cycle < 30000; ++cycle) {
    // Hot lines 0, 1 (bank 0) and 16 (bank 1) most of the time.
    auto pick = [&]() {
      const unsigned hot[] = {0, 1, 16};
      return p(rng_) < 0.7 ? hot[rng_() % 3] : unsigned(rng_() % kLines);
    };
    drive_idle();
    bool op[kPorts] = {false, false};
    unsigned addr[kPorts] = {0, 0};
    bool add[kPorts] = {false, false};
    Line data[kPorts];
    for (unsigned q = 0; q < kPorts; ++q) {
      op[q] = p(rng_) < (q == 0 ? 0.8 : 0.6);
      addr[q] = pick();
      // Port 1 never in port 0's bank in the same cycle.
      if (q == 1 && op[0] && bank(addr[1]) == bank(addr[0])) addr[1] ^= kLines / kBanks;
      // Accumulating onto a never-written line would add to random power-up contents.
      add[q] = defined[addr[q]] && p(rng_) < 0.75;
      data[q].resize(kLanes);
      for (auto& v : data[q]) v = static_cast<uint32_t>(rng_());
      drive_op(q, op[q], addr[q], data[q], add[q]);
    }
    const bool rd = p(rng_) < 0.5;
    unsigned rd_addr = pick();
    while (!defined[rd_addr] && rd_addr != 0) rd_addr = unsigned(rng_() % kLines);
    dut_->rd_req_valid_i = rd && defined[rd_addr];
    dut_->rd_req_addr_i = rd_addr;
    dut_->clk_i = 0;
    dut_->eval();

    ASSERT_EQ(static_cast<bool>(dut_->rd_rsp_valid_o), pending.has_value()) << cycle;
    if (pending) {
      for (unsigned l = 0; l < kLanes; ++l) {
        ASSERT_EQ(get_field(dut_->rd_rsp_data_o, 32 * l, 32), (*pending)[l])
            << "lane " << l << " cycle " << cycle;
      }
    }
    // Only an accumulating operation reads its bank; an overwrite leaves the read port free.
    const bool clash = (op[0] && add[0] && bank(addr[0]) == bank(rd_addr)) ||
                       (op[1] && add[1] && bank(addr[1]) == bank(rd_addr));
    ASSERT_EQ(static_cast<bool>(dut_->rd_req_ready_o), !clash) << cycle;
    pending.reset();
    if (dut_->rd_req_valid_i && !clash) pending = model[rd_addr];  // before this cycle's ops
    refused += dut_->rd_req_valid_i && clash;
    both += op[0] && op[1];
    for (unsigned q = 0; q < kPorts; ++q) {
      if (!op[q]) continue;
      hazards += addr[q] == last_addr[q];
      cross_hazards += addr[q] == last_addr[1 - q];
      for (unsigned l = 0; l < kLanes; ++l)
        model[addr[q]][l] = data[q][l] + (add[q] ? model[addr[q]][l] : 0);
      defined[addr[q]] = true;
    }
    for (unsigned q = 0; q < kPorts; ++q) last_addr[q] = op[q] ? addr[q] : ~0u;
    dut_->clk_i = 1;
    dut_->eval();
    ASSERT_FALSE(context_->gotError()) << "RTL assertion failed, cycle " << cycle;
  }
  // Back-to-back operations on one line really happened, on one port and across the two.
  EXPECT_GT(hazards, 3000u);
  EXPECT_GT(cross_hazards, 1000u);
  EXPECT_GT(both, 10000u);
  EXPECT_GT(refused, 1000u);
}

TEST_F(AccumulatorTest, OneOperationPerCycleIntoOneLine) {
  // K tiles of a 1-row GEMM land on one line on consecutive cycles, from either port: the sum
  // must be exact.
  const unsigned addr = 5;
  Line sum(kLanes, 0);
  for (int i = 0; i < 100; ++i) {
    Line data(kLanes);
    for (auto& v : data) v = static_cast<uint32_t>(rng_());
    drive_idle();
    drive_op(i % 3 == 2 ? 1 : 0, true, addr, data, i > 0);  // now and then on port 1
    for (unsigned l = 0; l < kLanes; ++l) sum[l] = (i > 0 ? sum[l] : 0) + data[l];
    tessera::sim::tick(*dut_);
  }
  drive_idle();
  dut_->rd_req_valid_i = 1;
  dut_->rd_req_addr_i = addr;  // the very next cycle: served by forwarding
  tessera::sim::tick(*dut_);
  dut_->rd_req_valid_i = 0;
  dut_->clk_i = 0;
  dut_->eval();
  ASSERT_TRUE(dut_->rd_rsp_valid_o);
  for (unsigned l = 0; l < kLanes; ++l)
    EXPECT_EQ(get_field(dut_->rd_rsp_data_o, 32 * l, 32), sum[l]);
}

}  // namespace
