// SPDX-License-Identifier: Apache-2.0
// tessera_accumulator against a C++ model: random accumulate/overwrite operations on a few
// hot lines (back-to-back operations on one line, the read-modify-write hazard) mixed with
// reads of the same and other banks. Checked every cycle: rd_req_ready_o, the one-cycle
// read latency, and that every read sees every operation accepted before it.
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

constexpr unsigned kLanes = 4, kLines = 32, kBanks = 2;
using Line = std::vector<uint32_t>;

class AccumulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    context_ = tessera::sim::make_context(seed_);
    dut_ = std::make_unique<Vtessera_accumulator_n4_l32_b2>(context_.get(), "acc");
    dut_->acc_valid_i = 0;
    dut_->rd_req_valid_i = 0;
    tessera::sim::apply_reset(*dut_);
  }

  static unsigned bank(unsigned addr) { return addr / (kLines / kBanks); }

  void drive_op(bool valid, unsigned addr, const Line& data, bool add) {
    dut_->acc_valid_i = valid;
    dut_->acc_addr_i = addr;
    dut_->acc_add_i = add;
    for (unsigned l = 0; l < kLanes; ++l) set_field(dut_->acc_data_i, 32 * l, 32, data[l]);
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
  uint64_t hazards = 0, refused = 0;
  unsigned last_op_addr = ~0u;

  for (int cycle = 0; cycle < 30000; ++cycle) {
    // Hot lines 0, 1 (bank 0) and 16 (bank 1) most of the time.
    auto pick = [&]() {
      const unsigned hot[] = {0, 1, 16};
      return p(rng_) < 0.7 ? hot[rng_() % 3] : unsigned(rng_() % kLines);
    };
    const bool op = p(rng_) < 0.8;
    const unsigned addr = pick();
    // Accumulating onto a never-written line would add to random power-up contents.
    const bool add = defined[addr] && p(rng_) < 0.75;
    Line data(kLanes);
    for (auto& v : data) v = static_cast<uint32_t>(rng_());
    drive_op(op, addr, data, add);
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
    ASSERT_TRUE(dut_->acc_ready_o);
    const bool clash = op && bank(addr) == bank(rd_addr);
    ASSERT_EQ(static_cast<bool>(dut_->rd_req_ready_o), !clash) << cycle;
    pending.reset();
    if (dut_->rd_req_valid_i && !clash) pending = model[rd_addr];  // before this cycle's op
    refused += dut_->rd_req_valid_i && clash;
    if (op) {
      hazards += addr == last_op_addr;
      for (unsigned l = 0; l < kLanes; ++l) model[addr][l] = data[l] + (add ? model[addr][l] : 0);
      defined[addr] = true;
    }
    last_op_addr = op ? addr : ~0u;
    dut_->clk_i = 1;
    dut_->eval();
    ASSERT_FALSE(context_->gotError()) << "RTL assertion failed, cycle " << cycle;
  }
  EXPECT_GT(hazards, 3000u);  // back-to-back operations on one line really happened
  EXPECT_GT(refused, 1000u);
}

TEST_F(AccumulatorTest, OneOperationPerCycleIntoOneLine) {
  // K tiles of a 1-row GEMM land on one line on consecutive cycles: the sum must be exact.
  const unsigned addr = 5;
  Line sum(kLanes, 0);
  for (int i = 0; i < 100; ++i) {
    Line data(kLanes);
    for (auto& v : data) v = static_cast<uint32_t>(rng_());
    drive_op(true, addr, data, i > 0);
    for (unsigned l = 0; l < kLanes; ++l) sum[l] = (i > 0 ? sum[l] : 0) + data[l];
    tessera::sim::tick(*dut_);
  }
  drive_op(false, 0, Line(kLanes, 0), false);
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
