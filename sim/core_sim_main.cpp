// SPDX-License-Identifier: Apache-2.0
// tessera_core_sim: runs one int8 GEMM on the Verilated core of the default engine's shape, checks
// every output against the reference model and prints a report. `make sim` runs it with defaults.
//
//   tessera_core_sim [--m M] [--k K] [--n N] [--seed S]
#include <cstdio>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

#include TESSERA_CORE_HEADER  // the default engine's core (CMake)
#include "tessera/checks.hpp"
#include "tessera/core_harness.hpp"
#include "tessera/ref.hpp"
#include "tessera/sim_report.hpp"

namespace {

struct Options {
  std::size_t m = 256, k = 256, n = 256;
  uint64_t seed = 1;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("usage: tessera_core_sim [--m M] [--k K] [--n N] [--seed S]\n");
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::invalid_argument("missing value after " + flag);
    const char* value = argv[++i];
    if (flag == "--m")
      o.m = tessera::parse_unsigned(flag, value, 1, 65536);
    else if (flag == "--k")
      o.k = tessera::parse_unsigned(flag, value, 1, 65536);
    else if (flag == "--n")
      o.n = tessera::parse_unsigned(flag, value, 1, 65536);
    else if (flag == "--seed")
      o.seed = tessera::parse_unsigned(flag, value, 0, UINT64_MAX);
    else
      throw std::invalid_argument("unknown option " + flag + " (try --help)");
  }
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    std::mt19937_64 rng(o.seed);
    std::uniform_int_distribution<int> byte(-128, 127);
    std::vector<int8_t> a(o.m * o.k), b(o.k * o.n);
    for (auto& v : a) v = static_cast<int8_t>(byte(rng));
    for (auto& v : b) v = static_cast<int8_t>(byte(rng));

    tessera::sim::CoreHarness<TESSERA_CORE_MODEL> core(TESSERA_CORE_ROWS, TESSERA_CORE_COLS,
                                                       o.seed);
    const tessera::sim::Stopwatch clock;
    const auto result = core.run_gemm(a, b, o.m, o.k, o.n);
    const double seconds = clock.seconds();
    const auto expected = tessera::ref::gemm(a, b, {}, o.m, o.k, o.n);

    std::size_t mismatches = 0;
    for (std::size_t i = 0; i < expected.size(); ++i) mismatches += result.c[i] != expected[i];
    tessera::sim::print_gemm_report("GEMM (seed " + std::to_string(o.seed) + ")", TESSERA_CORE_ROWS,
                                    TESSERA_CORE_COLS, o.m, o.k, o.n, result.stats, seconds);
    std::printf("  check vs reference %s (%zu of %zu outputs differ)\n",
                mismatches ? "FAILED" : "passed", mismatches, expected.size());
    return mismatches ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera_core_sim: error: %s\n", e.what());
    return 2;
  }
}
