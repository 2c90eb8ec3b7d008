// SPDX-License-Identifier: Apache-2.0
// Dependency tokens (tessera_dep_gate, tessera_token_counter) wired as in the engine, with
// the three units played by the test at random speeds: a double-buffered program in the
// manner of TVM-VTA - LOAD -> COMPUTE -> STORE per tile, the load of tile i waiting for the
// compute of tile i-2 to free its buffer - must run to the end, and every token must be
// given (its command done) before the command that takes it starts.
#include <gtest/gtest.h>

#include <deque>
#include <random>

#include "Vtessera_deps_harness.h"
#include "tessera/isa.hpp"
#include "tessera/verilated_support.hpp"
#include "test_seed.hpp"

namespace {

using namespace tessera::isa;

struct Cmd {
  uint16_t id;
  uint8_t deps;
};

TEST(Deps, DoubleBufferedProgramRunsInTokenOrder) {
  const uint64_t seed = tessera::test::test_seed();
  std::mt19937_64 rng(seed);
  auto context = tessera::sim::make_context(seed);
  Vtessera_deps_harness dut(context.get(), "deps");
  dut.in_valid_i = dut.out_ready_i = dut.done_i = 0;
  tessera::sim::apply_reset(dut);

  constexpr int kTiles = 200;
  std::deque<Cmd> queue[3];
  for (int i = 0; i < kTiles; ++i) {
    const uint16_t id = uint16_t(i);
    queue[0].push_back({id, uint8_t(kDepsPushNext | (i >= 2 ? kDepsPopNext : 0))});
    queue[1].push_back(
        {id, uint8_t(kDepsPopPrev | kDepsPushPrev | kDepsPushNext | (i >= 2 ? kDepsPopNext : 0))});
    queue[2].push_back({id, uint8_t(kDepsPopPrev | kDepsPushPrev)});
  }
  // When each unit started and finished each tile.
  std::vector<uint64_t> start[3], done[3];
  for (auto& v : start) v.assign(kTiles, 0);
  for (auto& v : done) v.assign(kTiles, 0);
  std::deque<std::pair<uint16_t, uint64_t>> running[3];  // tile, cycle it finishes
  int finished = 0;
  uint64_t cycle = 0;
  for (; finished < 3 * kTiles && cycle < 200000; ++cycle) {
    for (int u = 0; u < 3; ++u) {
      tessera::sim::set_field(dut.in_valid_i, u, 1, !queue[u].empty());
      if (!queue[u].empty()) {
        tessera::sim::set_field(dut.in_deps_i, 4 * u, 4, queue[u].front().deps);
        tessera::sim::set_field(dut.in_id_i, 16 * u, 16, queue[u].front().id);
      }
      tessera::sim::set_field(dut.out_ready_i, u, 1, running[u].size() < 3 && rng() % 4 != 0);
      const bool finishing = !running[u].empty() && running[u].front().second <= cycle;
      tessera::sim::set_field(dut.done_i, u, 1, finishing);
    }
    dut.clk_i = 0;
    dut.eval();
    for (int u = 0; u < 3; ++u) {
      if (tessera::sim::get_field(dut.done_i, u, 1)) {
        // The gate hands back the finished command's tag.
        ASSERT_EQ(tessera::sim::get_field(dut.done_id_o, 16 * u, 16), running[u].front().first);
        done[u][running[u].front().first] = cycle;
        running[u].pop_front();
        ++finished;
      }
      if (tessera::sim::get_field(dut.out_valid_o, u, 1) &&
          tessera::sim::get_field(dut.out_ready_i, u, 1)) {
        const auto id = uint16_t(tessera::sim::get_field(dut.out_id_o, 16 * u, 16));
        ASSERT_EQ(id, queue[u].front().id);
        ASSERT_TRUE(tessera::sim::get_field(dut.in_ready_o, u, 1));
        start[u][id] = cycle;
        const uint64_t latency = 1 + rng() % 30;
        const uint64_t after = running[u].empty() ? cycle : running[u].back().second;
        running[u].push_back({id, std::max(after, cycle) + latency});  // units finish in order
        queue[u].pop_front();
      }
    }
    dut.clk_i = 1;
    dut.eval();
    ASSERT_FALSE(context->gotError()) << "RTL assertion failed at cycle " << cycle;
  }
  ASSERT_EQ(finished, 3 * kTiles) << "deadlock: the program did not finish";
  for (int i = 0; i < kTiles; ++i) {
    EXPECT_GT(start[1][i], done[0][i]) << "compute " << i << " before its load";
    EXPECT_GT(start[2][i], done[1][i]) << "store " << i << " before its compute";
    if (i >= 2) {
      EXPECT_GT(start[0][i], done[1][i - 2]) << "load " << i << " overwrote a buffer in use";
      EXPECT_GT(start[1][i], done[2][i - 2]) << "compute " << i << " overwrote results not stored";
    }
  }
  // Decoupling at work: loads ran ahead of compute at some point.
  int overlaps = 0;
  for (int i = 1; i < kTiles; ++i) overlaps += start[0][i] < done[1][i - 1];
  EXPECT_GT(overlaps, kTiles / 4);
}

}  // namespace
