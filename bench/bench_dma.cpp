// SPDX-License-Identifier: Apache-2.0
// DMA benchmark at one bus width (TESSERA_DMA_WIDTH): read and write throughput of 1 MiB
// transfers against memory latency 20..400 cycles (no stalls, full memory bandwidth), in
// bytes per cycle and % of the bus peak, counted from the descriptor handshake to the last
// beat (read) or the write status. Then the simulation speed of the SystemC side
// (Verilated DMA + AXI memory model) and the share of it spent in the memory model.
// Every transfer is checked byte for byte. With --json FILE the sweep is also written there
// (scripts/plots.py draws it).
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "tessera/dma_bench.hpp"
#include "tessera/report.hpp"
#include "tessera/sim_report.hpp"
#include TESSERA_DMA_HEADER

namespace {

using namespace tessera::sim;
constexpr int kWidth = TESSERA_DMA_WIDTH;
constexpr uint32_t kBytes = 1u << 20;

}  // namespace

int main(int argc, char** argv) {
  std::string json_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
      json_path = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--json FILE]   (unknown argument '%s')\n", argv[0], argv[i]);
      return std::strcmp(argv[i], "--help") == 0 ? 0 : 2;
    }
  }
  Verilated::fatalOnError(false);
  tessera::Json points = tessera::Json::array();
  auto* bench = new DmaBench<TESSERA_DMA_MODEL, kWidth>("bench");
  bench->set_window(0, ~uint64_t{0});
  std::mt19937_64 rng(kWidth);
  std::vector<uint8_t> data(kBytes);
  for (auto& b : data) b = static_cast<uint8_t>(rng());
  const DmaDescriptor desc{0x1000'0000, kBytes, 1, kBytes};
  const double peak = kWidth / 8.0;
  int status = 0;

  std::printf("DMA %d-bit bus (peak %.0f B/cycle), 1 MiB transfers, no stalls\n", kWidth, peak);
  std::printf("  %-8s %12s %8s %12s %8s\n", "latency", "read B/cyc", "read %", "write B/cyc",
              "write %");
  for (unsigned latency : {20u, 50u, 100u, 200u, 400u}) {
    AxiMemoryConfig c;
    c.read_latency = c.write_latency = latency;
    c.max_reads = c.max_writes = 16;
    bench->mem.configure(c);
    bench->reset();
    bench->write(desc, data);
    bench->run(100'000'000);
    bench->read(desc);
    bench->run(100'000'000);
    const auto& w = bench->write_jobs().back();
    const auto& r = bench->read_jobs().back();
    const bool ok = w.error == 0 && r.error == 0 && r.rows.size() == 1 && r.rows[0] == data &&
                    bench->mem.violations().empty() && !Verilated::gotError();
    status |= ok ? 0 : 1;
    const double rb = kBytes / double(r.end_cycle - r.start_cycle);
    const double wb = kBytes / double(w.end_cycle - w.start_cycle);
    std::printf("  %-8u %12.2f %7.1f%% %12.2f %7.1f%%%s\n", latency, rb, 100 * rb / peak, wb,
                100 * wb / peak, ok ? "" : "  CHECK FAILED");
    points.push(tessera::Json::object()
                    .set("latency", latency)
                    .set("read_bytes_per_cycle", tessera::Json::number(rb, 3))
                    .set("write_bytes_per_cycle", tessera::Json::number(wb, 3)));
    bench->read_jobs().clear();
    bench->write_jobs().clear();
  }
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    out << tessera::Json::object()
               .set("bus_bits", kWidth)
               .set("peak_bytes_per_cycle", tessera::Json::number(peak))
               .set("transfer_bytes", kBytes)
               .set("points", points)
               .dump()
        << "\n";
    if (!out) {
      std::fprintf(stderr, "cannot write %s\n", json_path.c_str());
      return 1;
    }
  }

  // Simulation speed with both engines streaming concurrently, latency 100.
  AxiMemoryConfig c;
  c.read_latency = c.write_latency = 100;
  bench->mem.configure(c);
  bench->reset();
  bench->mem.clear_stats();
  bench->mem.set_profiling(true);
  const uint64_t start = bench->cycle();
  const Stopwatch clock;
  for (int i = 0; i < 4; ++i) {
    bench->write({0x2000'0000 + uint64_t(i) * kBytes, kBytes, 1, kBytes}, data);
    bench->read(desc);
  }
  bench->run(100'000'000);
  const double seconds = clock.seconds();
  const double cycles = double(bench->cycle() - start);
  std::printf(
      "  SystemC simulation (DMA + memory model, both engines busy): %.0f cycles/s, "
      "%.0f%% of it in the memory model\n\n",
      cycles / seconds, 100 * bench->mem.profiled_seconds() / seconds);
  return status;
}
