// SPDX-License-Identifier: Apache-2.0
// Plain-text run reports of the bare core and the DMA benches (`make bench`,
// tessera_core_sim); the JSON and labelled reports of the tools are tessera/report.hpp.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>

#include "tessera/core_harness.hpp"

namespace tessera::sim {

// Wall-clock stopwatch for simulated-cycles-per-second figures.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

inline void print_gemm_report(const std::string& name, std::size_t rows, std::size_t cols,
                              std::size_t m, std::size_t k, std::size_t n, const RunStats& st,
                              double wall_seconds) {
  std::printf("%-26s array %zux%zu  M=%zu K=%zu N=%zu  tiles=%llu\n", name.c_str(), rows, cols, m,
              k, n, static_cast<unsigned long long>(st.tiles));
  std::printf("  cycles            %12llu\n", static_cast<unsigned long long>(st.cycles));
  std::printf("  MACs              %12llu\n", static_cast<unsigned long long>(st.useful_macs));
  std::printf("  MAC utilization   %11.2f%%\n", 100.0 * st.utilization(rows, cols));
  std::printf("  first-output lat. %12llu cycles\n",
              static_cast<unsigned long long>(st.first_out_cycle - st.first_act_cycle));
  std::printf("  wall time         %12.3f s\n", wall_seconds);
  std::printf("  simulated speed   %12.0f cycles/s\n",
              wall_seconds > 0 ? static_cast<double>(st.cycles) / wall_seconds : 0.0);
}

}  // namespace tessera::sim
