// SPDX-License-Identifier: Apache-2.0
// Core benchmark, the default engine's array (TESSERA_CORE_ROWS x TESSERA_CORE_COLS):
//   - cycles and MAC utilization of 128^3 and 512^3 int8 GEMM streams (deterministic);
//   - simulated cycles per wall-clock second, single thread: median and best of five
//     512^3 runs, because wall-clock time on shared machines varies from run to run.
// Every result is checked against the reference model, so a fast wrong core cannot pass.
#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

#include TESSERA_CORE_HEADER  // the default engine's core (CMake)
#include "tessera/core_harness.hpp"
#include "tessera/ref.hpp"
#include "tessera/sim_report.hpp"

namespace {

constexpr std::size_t kRows = TESSERA_CORE_ROWS, kCols = TESSERA_CORE_COLS;
constexpr int kSpeedRuns = 5;

struct Problem {
  std::size_t size;
  std::vector<int8_t> a, b;
};

Problem make_problem(std::size_t size) {
  Problem p{size, std::vector<int8_t>(size * size), std::vector<int8_t>(size * size)};
  std::mt19937_64 rng(size);
  std::uniform_int_distribution<int> byte(-128, 127);
  for (auto& v : p.a) v = static_cast<int8_t>(byte(rng));
  for (auto& v : p.b) v = static_cast<int8_t>(byte(rng));
  return p;
}

}  // namespace

int main() {
  int status = 0;
  std::vector<double> speeds;
  for (std::size_t size : {128u, 512u}) {
    const Problem p = make_problem(size);
    const auto expected = tessera::ref::gemm(p.a, p.b, {}, size, size, size);
    const int runs = size == 512 ? kSpeedRuns : 1;
    for (int run = 0; run < runs; ++run) {
      tessera::sim::CoreHarness<TESSERA_CORE_MODEL> core(kRows, kCols);
      const tessera::sim::Stopwatch clock;
      const auto result = core.run_gemm(p.a, p.b, size, size, size);
      const double seconds = clock.seconds();
      const bool ok = result.c == expected;
      status |= ok ? 0 : 1;
      if (size == 512) speeds.push_back(static_cast<double>(result.stats.cycles) / seconds);
      if (run == 0) {
        tessera::sim::print_gemm_report("core GEMM " + std::to_string(size) + "^3", kRows, kCols,
                                        size, size, size, result.stats, seconds);
        std::printf("  check vs reference %s\n\n", ok ? "passed" : "FAILED");
      }
    }
  }
  std::sort(speeds.begin(), speeds.end());
  std::printf("simulation speed, %zux%zu core, %d runs of 512^3, one thread:\n", kRows, kCols,
              kSpeedRuns);
  std::printf("  median %10.0f cycles/s\n  best   %10.0f cycles/s\n", speeds[speeds.size() / 2],
              speeds.back());
  return status;
}
