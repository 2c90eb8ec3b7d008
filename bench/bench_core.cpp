// Core benchmark: for the 16x16 core, cycles and MAC utilization of 128^3 and 512^3 int8
// GEMM streams, and simulated cycles per wall-clock second (single thread). Every result
// is also checked against the reference model, so a fast wrong core cannot pass.
#include <cstdio>
#include <random>

#include "Vtessera_core_16x16.h"
#include "tessera/core_harness.hpp"
#include "tessera/ref.hpp"
#include "tessera/report.hpp"

int main() {
  int status = 0;
  for (std::size_t size : {128u, 512u}) {
    std::mt19937_64 rng(size);
    std::uniform_int_distribution<int> byte(-128, 127);
    std::vector<int8_t> a(size * size), b(size * size);
    for (auto& v : a) v = static_cast<int8_t>(byte(rng));
    for (auto& v : b) v = static_cast<int8_t>(byte(rng));

    tessera::sim::CoreHarness<Vtessera_core_16x16> core(16, 16);
    const tessera::sim::Stopwatch clock;
    const auto result = core.run_gemm(a, b, size, size, size);
    const double seconds = clock.seconds();
    const bool ok = result.c == tessera::ref::gemm(a, b, {}, size, size, size);
    tessera::sim::print_gemm_report("core GEMM " + std::to_string(size) + "^3", 16, 16, size,
                                    size, size, result.stats, seconds);
    std::printf("  check vs reference %s\n\n", ok ? "passed" : "FAILED");
    status |= ok ? 0 : 1;
  }
  return status;
}
