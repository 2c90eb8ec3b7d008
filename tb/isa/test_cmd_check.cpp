// SPDX-License-Identifier: Apache-2.0
// The engine's RTL command checker (tessera_cmd_check) against tessera::isa::check(): on
// random commands reaching every check, both must give the same error code. Together with
// tb/isa/test_isa.cpp this pins hardware and driver to the one contract of docs/isa.md.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "Vtessera_cmd_check.h"
#include "random_commands.hpp"
#include "tessera/isa.hpp"
#include "tessera/verilated_support.hpp"
#include "test_seed.hpp"

namespace {

using namespace tessera::isa;

TEST(CmdCheck, HardwareAndDriverAgreeOnEveryCommand) {
  const uint64_t seed = tessera::test::test_seed();
  std::mt19937_64 rng(seed);
  auto context = tessera::sim::make_context(seed);
  Vtessera_cmd_check dut(context.get(), "check");
  const BuildConfig cfg;  // the RTL defaults: 16x16, 16384 / 1024 lines, 256 entries
  std::map<Error, int> seen;
  for (int i = 0; i < 300000; ++i) {
    const Command c = tessera::test::random_command(rng, cfg);
    for (std::size_t w = 0; w < kCommandBytes / 4; ++w) {
      dut.cmd_i[w] = static_cast<uint32_t>(c.get({static_cast<uint32_t>(4 * w), 4}));
    }
    dut.eval();
    const CheckResult want = check(c, cfg);
    ASSERT_EQ(static_cast<int>(dut.error_o), static_cast<int>(want.error))
        << disassemble(c) << "\n  driver says: " << (want ? "ok" : want.message);
    ++seen[want.error];
  }
  for (const auto& [error, count] : seen) {
    std::printf("[   INFO   ] %-18s %d\n", error_name(error), count);
  }
  EXPECT_GE(seen.size(), 9u);
}

}  // namespace
