// SPDX-License-Identifier: Apache-2.0
// tessera bench: a 512^3 GEMM and ResNet-like 3x3 convolutions on the device: cycles (the
// engine's counter), MAC utilization, wall time and the host's share of it.
#include <chrono>
#include <cstdio>
#include <functional>

#include "commands.hpp"
#include "common.hpp"

namespace tessera::cli {

int run_bench(int argc, char** argv) {
  Common c;
  bool quick = false;
  auto d = common_options(c);
  d.add_options()("quick", po::bool_switch(&quick), "small shapes (a smoke test)");
  parse(argc, argv, d, {}, "bench [--quick] [options]");
  Session s(c);
  std::mt19937_64 rng(c.seed);
  struct Layer {
    uint32_t h, w, ch, oc;
  };
  const std::vector<Layer> layers =
      quick ? std::vector<Layer>{{8, 8, 32, 32}}
            : std::vector<Layer>{
                  {56, 56, 64, 64}, {28, 28, 128, 128}, {14, 14, 256, 256}, {7, 7, 256, 256}};
  const uint32_t g = quick ? 64 : 512;
  if (!c.json)
    std::printf("%-34s %12s %10s %10s %10s\n", "workload", "cycles", "util %", "wall s", "host %");
  Json rows = Json::array();
  // Host overhead: an operation's wall time outside Engine::run (packing, copying, planning).
  auto measure = [&](const std::string& name, uint64_t macs, const std::function<void()>& op) {
    s.engine->clear_counters();
    const double run_before = s.engine->run_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    op();
    const double wall = seconds_since(t0), run_wall = s.engine->run_seconds() - run_before;
    const uint64_t cycles = s.engine->counters()[regs::Counter::kCycles];
    const auto& cfg = s.engine->info().config;
    const double util = utilization_percent(macs, cycles, cfg.rows, cfg.cols);
    const double host = wall > 0 ? 100.0 * (wall - run_wall) / wall : 0;
    if (c.json) {
      rows.push(Json::object()
                    .set("workload", name)
                    .set("cycles", cycles)
                    .set("utilization_percent", Json::number(util, 2))
                    .set("wall_seconds", Json::number(wall, 3))
                    .set("host_overhead_percent", Json::number(host, 1)));
    } else {
      std::printf("%-34s %12llu %10.2f %10.3f %10.1f\n", name.c_str(), (unsigned long long)cycles,
                  util, wall, host);
    }
  };
  {
    driver::GemmArgs ga;
    ga.m = ga.k = ga.n = g;
    ga.a = random_int8(rng, std::size_t(g) * g, "the GEMM");
    ga.b = random_int8(rng, std::size_t(g) * g, "the GEMM");
    ga.quant = quantization(QuantOptions{}, g, g);
    measure("gemm " + std::to_string(g) + "^3", uint64_t(g) * g * g,
            [&] { driver::gemm_int8(*s.engine, ga); });
  }
  for (const Layer& l : layers) {
    driver::Conv2dArgs a;
    a.h = l.h, a.w = l.w, a.c = l.ch, a.out_channels = l.oc;
    a.kernel_h = a.kernel_w = 3;
    a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = 1;
    a.input = random_int8(rng, std::size_t(l.h) * l.w * l.ch, "the layer input");
    a.weights = random_int8(rng, std::size_t(9) * l.ch * l.oc, "the layer weights");
    a.quant = quantization(QuantOptions{}, 9ull * l.ch, l.oc);
    a.quant.act_min = a.quant.zero_point;
    measure("conv3x3 " + std::to_string(l.h) + "x" + std::to_string(l.w) + "x" +
                std::to_string(l.ch) + "->" + std::to_string(l.oc),
            uint64_t(l.h) * l.w * l.oc * 9 * l.ch, [&] { driver::conv2d(*s.engine, a); });
  }
  if (c.json) std::printf("%s\n", rows.dump().c_str());
  s.finish();
  return 0;
}

}  // namespace tessera::cli
