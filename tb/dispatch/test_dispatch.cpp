// SPDX-License-Identifier: Apache-2.0
// tessera_dispatch with the test playing the fetcher, the unit queues (random readiness,
// work that takes random time) and the DMA write engine: valid commands reach their unit in
// order with their ring index; the first invalid one stops the engine with the same error
// code the driver's check() gives and its index, and nothing after it is dispatched; a fence
// waits for the units, writes its value and interrupts when asked; run-time unit failures
// and failed fence writes stop the engine too; a soft reset resumes it.
#include <gtest/gtest.h>

#include <deque>
#include <random>

#include "Vtessera_dispatch.h"
#include "random_commands.hpp"
#include "tessera/isa.hpp"
#include "tessera/verilated_support.hpp"
#include "test_seed.hpp"
#include "unit_ports.hpp"

namespace {

using namespace tessera::isa;
using tessera::sim::get_field;
using tessera::sim::set_field;

class DispatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    context_ = tessera::sim::make_context(seed_);
    dut_ = std::make_unique<Vtessera_dispatch>(context_.get(), "dispatch");
    dut_->clr_i = dut_->cmd_valid_i = dut_->unit_ready_i = dut_->unit_error_i = 0;
    dut_->wr_desc_ready_i = dut_->wr_ready_i = dut_->wr_status_valid_i = 0;
    dut_->units_idle_i = 1;
    tessera::sim::apply_reset(*dut_);
  }

  struct World {
    std::deque<std::pair<Command, uint32_t>> input;           // commands to feed, with index
    std::vector<std::pair<Command, uint32_t>> routed[3];      // what each unit queue received
    int busy_cycles = 0;                                      // work the units still do
    std::vector<std::pair<uint64_t, uint32_t>> fence_writes;  // address, value
    uint32_t fence_status = 0;                                // what the write engine answers
    int fences = 0, errors = 0, fence_events = 0;
    bool desc_taken = false, data_taken = false;
    uint64_t desc_addr = 0;
  };

  void cycle(World& w) {
    std::uniform_real_distribution<double> p(0, 1);
    dut_->cmd_valid_i = !w.input.empty();
    if (!w.input.empty()) {
      for (std::size_t i = 0; i < kCommandBytes / 4; ++i) {
        dut_->cmd_i[i] = uint32_t(w.input.front().first.get({uint32_t(4 * i), 4}));
      }
      dut_->cmd_index_i = w.input.front().second;
    }
    dut_->unit_ready_i = uint32_t(rng_() & 7);
    dut_->units_idle_i = w.busy_cycles == 0;
    dut_->wr_desc_ready_i = p(rng_) < 0.5;
    dut_->wr_ready_i = w.desc_taken && p(rng_) < 0.5;
    dut_->wr_status_valid_i = w.data_taken;
    dut_->wr_status_error_i = w.fence_status;
    dut_->clk_i = 0;
    dut_->eval();
    for (uint32_t u = 0; u < 3; ++u) {
      if (get_field(dut_->unit_valid_o, u, 1) && get_field(dut_->unit_ready_i, u, 1)) {
        Command c;
        for (std::size_t i = 0; i < kCommandBytes / 4; ++i)
          c.set({uint32_t(4 * i), 4}, dut_->unit_cmd_o[i]);
        w.routed[u].push_back({c, dut_->unit_index_o});
        w.busy_cycles += 1 + int(rng_() % 20);
      }
    }
    if (dut_->cmd_valid_i && dut_->cmd_ready_o) w.input.pop_front();
    if (dut_->wr_desc_valid_o && dut_->wr_desc_ready_i) {
      EXPECT_TRUE(dut_->units_idle_i) << "fence before the units were idle";
      const auto desc = tessera::test::get_desc(dut_->wr_desc_o);
      EXPECT_EQ(desc.row_bytes, 4u);
      EXPECT_EQ(desc.rows, 1u);
      w.desc_taken = true;
      w.desc_addr = desc.addr;
    }
    if (dut_->wr_valid_o && dut_->wr_ready_i) {
      EXPECT_TRUE(dut_->wr_last_o);
      w.fence_writes.push_back({w.desc_addr, uint32_t(get_field(dut_->wr_data_o, 0, 32))});
      w.desc_taken = false;
      w.data_taken = true;
    }
    if (dut_->wr_status_valid_i && dut_->wr_status_ready_o) w.data_taken = false;
    w.fence_events += dut_->event_fence_o;
    w.errors += dut_->event_error_o;
    if (w.busy_cycles > 0) --w.busy_cycles;
    dut_->clk_i = 1;
    dut_->eval();
    EXPECT_FALSE(context_->gotError()) << "RTL assertion failed";
  }

  void run(World& w, int cycles) {
    for (int i = 0; i < cycles; ++i) cycle(w);
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vtessera_dispatch> dut_;
};

TEST_F(DispatchTest, RoutesInOrderAndStopsAtTheFirstBadCommand) {
  const BuildConfig cfg;
  for (int trial = 0; trial < 40; ++trial) {
    World w;
    std::vector<std::pair<Command, uint32_t>> expect[3];
    CheckResult first_bad;
    uint32_t bad_index = 0;
    const uint32_t base = uint32_t(rng_());
    for (uint32_t i = 0; i < 60; ++i) {
      Command c = tessera::test::random_command(rng_, cfg);
      if (c.opcode() == Opcode::kFence) c.set(kHdrMode, 0);  // fences: tested below
      w.input.push_back({c, base + i});
      const CheckResult r = check(c, cfg);
      if (!r && first_bad) {
        first_bad = r;
        bad_index = base + i;
      }
      if (first_bad && c.opcode() != Opcode::kFence)
        expect[uint8_t(c.opcode()) - 1].push_back({c, base + i});
    }
    run(w, 3000);
    for (int u = 0; u < 3; ++u) {
      ASSERT_EQ(w.routed[u].size(), expect[u].size()) << "unit " << u << " trial " << trial;
      for (std::size_t k = 0; k < expect[u].size(); ++k) {
        ASSERT_TRUE(w.routed[u][k].first == expect[u][k].first);
        ASSERT_EQ(w.routed[u][k].second, expect[u][k].second);
      }
    }
    if (!first_bad) {
      EXPECT_TRUE(dut_->error_o);
      EXPECT_EQ(dut_->error_code_o, uint32_t(first_bad.error)) << first_bad.message;
      EXPECT_EQ(dut_->error_index_o, bad_index);
      EXPECT_EQ(w.errors, 1);
    } else {
      EXPECT_FALSE(dut_->error_o);
      EXPECT_EQ(w.errors, 0);
    }
    // Soft reset for the next trial.
    dut_->clr_i = 1;
    cycle(w);
    dut_->clr_i = 0;
    EXPECT_FALSE(dut_->error_o);
    if (HasFailure()) return;
  }
}

TEST_F(DispatchTest, FencesWaitForTheUnitsThenWriteAndInterrupt) {
  World w;
  Compute k;
  k.vectors = 4;
  k.k_valid = k.n_valid = 1;
  for (uint32_t i = 0; i < 6; ++i) {
    w.input.push_back({encode(k), 2 * i});
    w.input.push_back({encode(Fence{i % 2 == 0, 0x1000 + 8 * i, 100 + i}), 2 * i + 1});
  }
  run(w, 3000);
  ASSERT_EQ(w.fence_writes.size(), 6u);
  for (uint32_t i = 0; i < 6; ++i) {
    EXPECT_EQ(w.fence_writes[i].first, 0x1000u + 8 * i);
    EXPECT_EQ(w.fence_writes[i].second, 100u + i);
  }
  EXPECT_EQ(w.fence_events, 3);  // the three that asked
  EXPECT_EQ(w.routed[1].size(), 6u);
  EXPECT_FALSE(dut_->error_o);
}

TEST_F(DispatchTest, RunTimeFailuresStopTheEngine) {
  World w;
  Compute k;
  k.vectors = 4;
  k.k_valid = k.n_valid = 1;
  for (uint32_t i = 0; i < 4; ++i) w.input.push_back({encode(k), i});
  run(w, 50);
  dut_->unit_error_i = 1;
  dut_->unit_error_code_i = 7;  // AXI_SLVERR
  dut_->unit_error_index_i = 2;
  cycle(w);
  dut_->unit_error_i = 0;
  w.input.push_back({encode(k), 99});
  run(w, 100);
  EXPECT_TRUE(dut_->error_o);
  EXPECT_EQ(dut_->error_code_o, 7u);
  EXPECT_EQ(dut_->error_index_o, 2u);
  EXPECT_EQ(w.errors, 1);
  EXPECT_EQ(w.routed[1].size(), 4u);  // nothing after the failure
  // A fence whose write fails stops the engine with the fence's index.
  dut_->clr_i = 1;
  cycle(w);
  dut_->clr_i = 0;
  w.input.clear();
  w.fence_status = 1;  // the write engine reports a window error
  w.input.push_back({encode(Fence{true, 0x2000, 1}), 500});
  run(w, 200);
  EXPECT_TRUE(dut_->error_o);
  EXPECT_EQ(dut_->error_code_o, 6u);  // DMA_WINDOW
  EXPECT_EQ(dut_->error_index_o, 500u);
  EXPECT_EQ(w.fence_events, 0);
}

}  // namespace
