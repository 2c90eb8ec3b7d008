// SPDX-License-Identifier: Apache-2.0
// tessera_dma_share between two clients and an engine played by the test: one turn at a
// time, from the descriptor handshake to the beat that ends it; descriptors, beats and
// write data reach only the owner; both clients get turns when both keep asking; an engine
// that takes a second descriptor gets it only from the owner while the other does not ask.
#include <gtest/gtest.h>

#include <cstdlib>
#include <deque>
#include <random>

#include "Vtessera_dma_share.h"
#include "tessera/verilated_support.hpp"
#include "test_seed.hpp"

namespace {

using tessera::sim::get_field;
using tessera::sim::set_field;

TEST(DmaShare, OneOwnerPerTransferAndNoStarvation) {
  const uint64_t seed = tessera::test::test_seed();
  std::mt19937_64 rng(seed);
  auto context = tessera::sim::make_context(seed);
  Vtessera_dma_share dut(context.get(), "share");
  dut.desc_valid_i = dut.fwd_ready_i = dut.back_valid_i = 0;
  dut.eng_desc_ready_i = dut.eng_fwd_valid_i = dut.eng_back_ready_i = 0;
  tessera::sim::apply_reset(dut);

  // Engine state: the client whose descriptor it took (by descriptor value), beats left.
  int eng_owner = -1, beats_left = 0, turns[2] = {0, 0};
  uint32_t next_desc[2] = {0x0000, 0x8000};  // bit 15 names the client; the rest counts
  std::uniform_real_distribution<double> p(0, 1);
  for (int cycle = 0; cycle < 20000; ++cycle) {
    dut.desc_valid_i = 3;  // both always want a turn
    set_field(dut.desc_i, 0, 16, next_desc[0]);
    set_field(dut.desc_i, 16, 16, next_desc[1]);
    dut.eng_desc_ready_i = eng_owner < 0;
    dut.eng_fwd_valid_i = eng_owner >= 0 && p(rng) < 0.7;
    dut.eng_fwd_end_i = beats_left == 1;
    dut.fwd_ready_i = uint32_t(rng() & 3);
    dut.back_valid_i = uint32_t(rng() & 3);
    dut.back_i = 0xaa | (0xbb << 8);  // client 0 writes 0xaa, client 1 0xbb
    dut.eng_back_ready_i = p(rng) < 0.5;
    dut.clk_i = 0;
    dut.eval();
    // Routing of the transfer in progress (a descriptor taken now owns from next cycle).
    if (eng_owner >= 0) {
      ASSERT_FALSE(get_field(dut.fwd_valid_o, 1 - eng_owner, 1)) << "beat to a non-owner";
      ASSERT_EQ(get_field(dut.fwd_valid_o, eng_owner, 1), dut.eng_fwd_valid_i);
      if (dut.eng_back_valid_o) {
        ASSERT_EQ(dut.eng_back_o, eng_owner ? 0xbbu : 0xaau);
      }
      ASSERT_EQ(dut.eng_back_valid_o, get_field(dut.back_valid_i, eng_owner, 1));
      if (dut.eng_fwd_valid_i && dut.eng_fwd_ready_o && --beats_left == 0) eng_owner = -1;
    }
    if (dut.eng_desc_valid_o && dut.eng_desc_ready_i) {
      const uint32_t d = dut.eng_desc_o;
      const int c = int(d >> 15);
      ASSERT_EQ(d, next_desc[c]) << "descriptor from the wrong client";
      ASSERT_TRUE(get_field(dut.desc_ready_o, c, 1));
      ASSERT_FALSE(get_field(dut.desc_ready_o, 1 - c, 1));
      ++next_desc[c];
      eng_owner = c;
      beats_left = 1 + int(rng() % 6);
      ++turns[c];
    } else {
      ASSERT_EQ(dut.desc_ready_o, 0u);
    }
    dut.clk_i = 1;
    dut.eval();
    ASSERT_FALSE(context->gotError()) << "RTL assertion failed at cycle " << cycle;
  }
  EXPECT_GT(turns[0], 500);
  EXPECT_GT(turns[1], 500);
  EXPECT_LE(std::abs(turns[0] - turns[1]), 1);  // strict alternation when both ask
}

TEST(DmaShare, AnEngineThatTakesTwoGetsASecondTurnFromTheOwnerOnly) {
  const uint64_t seed = tessera::test::test_seed();
  std::mt19937_64 rng(seed);
  auto context = tessera::sim::make_context(seed);
  Vtessera_dma_share dut(context.get(), "share2");
  dut.desc_valid_i = dut.fwd_ready_i = dut.back_valid_i = 0;
  dut.eng_desc_ready_i = dut.eng_fwd_valid_i = dut.eng_back_ready_i = 0;
  tessera::sim::apply_reset(dut);

  struct Turn {
    int owner, beats_left;
  };
  std::deque<Turn> engine;  // the turns the engine holds, in order (at most two)
  uint32_t asking = 0;      // a client that asks keeps asking until it is taken
  int second_turns = 0, turns[2] = {0, 0};
  std::uniform_real_distribution<double> p(0, 1);
  for (int cycle = 0; cycle < 20000; ++cycle) {
    for (int c = 0; c < 2; ++c)
      if (p(rng) < 0.3) asking |= 1u << c;
    dut.desc_valid_i = asking;
    set_field(dut.desc_i, 0, 16, 0x0000);
    set_field(dut.desc_i, 16, 16, 0x8000);  // bit 15 names the client
    dut.eng_desc_ready_i = engine.size() < 2 && p(rng) < 0.8;
    dut.eng_fwd_valid_i = !engine.empty() && p(rng) < 0.7;
    dut.eng_fwd_end_i = !engine.empty() && engine.front().beats_left == 1;
    dut.fwd_ready_i = uint32_t(rng() & 3);
    dut.clk_i = 0;
    dut.eval();
    if (!engine.empty()) {
      const int head = engine.front().owner;
      ASSERT_FALSE(get_field(dut.fwd_valid_o, 1 - head, 1)) << "beat to a non-owner";
      ASSERT_EQ(get_field(dut.fwd_valid_o, head, 1), dut.eng_fwd_valid_i);
    }
    const bool fwd = !engine.empty() && dut.eng_fwd_valid_i && dut.eng_fwd_ready_o;
    if (dut.eng_desc_valid_o && dut.eng_desc_ready_i) {
      const int c = int(dut.eng_desc_o >> 15);
      ASSERT_TRUE(get_field(asking, c, 1));
      ASSERT_TRUE(get_field(dut.desc_ready_o, c, 1));
      ASSERT_FALSE(get_field(dut.desc_ready_o, 1 - c, 1));
      if (!engine.empty()) {
        ASSERT_EQ(c, engine.front().owner) << "a second turn for the other client";
        ASSERT_FALSE(get_field(asking, 1 - c, 1)) << "a second turn while the other asked";
        ++second_turns;
      }
      engine.push_back({c, 1 + int(rng() % 6)});
      asking &= ~(1u << c);
      ++turns[c];
    } else {
      ASSERT_EQ(dut.desc_ready_o & asking, 0u) << "a handshake the engine did not see";
    }
    if (fwd && --engine.front().beats_left == 0) engine.pop_front();
    dut.clk_i = 1;
    dut.eval();
    ASSERT_FALSE(context->gotError()) << "RTL assertion failed at cycle " << cycle;
  }
  EXPECT_GT(second_turns, 20);  // about 50 with these rates
  EXPECT_GT(turns[0], 500);
  EXPECT_GT(turns[1], 500);
}

}  // namespace
