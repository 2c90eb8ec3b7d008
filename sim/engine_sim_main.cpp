// tessera_sim: the whole engine (16x16, 128-bit AXI) in SystemC running an int8 GEMM with
// per-channel requantization, submitted as a driver would (registers, a command ring built
// with tessera::isa::plan_gemm, the doorbell, the fence interrupt). Every output is checked
// against the reference model; the report comes from the engine's own counters.
//
//   tessera_sim [--m M] [--k K] [--n N] [--latency CYCLES] [--seed S] [--json FILE]
#include <verilated.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include "Vtessera_top.h"
#include "tessera/args.hpp"
#include "tessera/gemm_plan.hpp"
#include "tessera/ref.hpp"
#include "tessera/regs.hpp"
#include "tessera/report.hpp"
#include "tessera/top_bench.hpp"

namespace {

namespace regs = tessera::regs;
using Bench = tessera::sim::TopBench<Vtessera_top, 128>;

struct Options {
  uint32_t m = 512, k = 512, n = 512, latency = 100;
  uint64_t seed = 1;
  std::string json;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf(
          "usage: tessera_sim [--m M] [--k K] [--n N] [--latency CYCLES] [--seed S] [--json "
          "FILE]\n");
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::invalid_argument("missing value after " + flag);
    const char* v = argv[++i];
    if (flag == "--m")
      o.m = uint32_t(tessera::sim::parse_uint(flag, v, 1, 65535));
    else if (flag == "--k")
      o.k = uint32_t(tessera::sim::parse_uint(flag, v, 1, 4096));
    else if (flag == "--n")
      o.n = uint32_t(tessera::sim::parse_uint(flag, v, 1, 1024));
    else if (flag == "--latency")
      o.latency = uint32_t(tessera::sim::parse_uint(flag, v, 0, 10000));
    else if (flag == "--seed")
      o.seed = tessera::sim::parse_uint(flag, v, 0, UINT64_MAX);
    else if (flag == "--json")
      o.json = v;
    else
      throw std::invalid_argument("unknown option " + flag + " (try --help)");
  }
  return o;
}

uint64_t counter(Bench& b, regs::Counter c) {
  const uint64_t lo = b.read_reg(regs::counter_lo(c));
  return lo | uint64_t(b.read_reg(regs::counter_hi(c))) << 32;
}

}  // namespace

int sc_main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    Verilated::fatalOnError(false);
    auto* bench = new Bench("bench");
    tessera::sim::AxiMemoryConfig mc;
    mc.read_latency = mc.write_latency = o.latency;
    bench->mem.configure(mc);
    bench->reset();

    // Operands, quantization table (bias, multiplier, shift per output channel).
    std::mt19937_64 rng(o.seed);
    std::vector<int8_t> a(size_t(o.m) * o.k), b(size_t(o.k) * o.n);
    for (auto& x : a) x = int8_t(rng());
    for (auto& x : b) x = int8_t(rng());
    tessera::ref::OutputStage stage;
    stage.zero_point = -5;
    std::vector<int32_t> bias(o.n);
    for (uint32_t c = 0; c < o.n; ++c) {
      int32_t mult = 0;
      int shift = 0;
      tessera::ref::quantize_multiplier(std::exp2(-12.0) * (1 + double(rng() % 100) / 100), mult,
                                        shift);
      bias[c] = int32_t(rng() % 20001) - 10000;
      stage.multiplier.push_back(mult);
      stage.shift.push_back(shift);
    }
    constexpr uint64_t kRing = 0x1'0000, kA = 0x10'0000, kB = 0x100'0000, kC = 0x200'0000;
    constexpr uint64_t kTable = 0x300'0000, kFence = 0x302'0000;
    bench->mem.write(kA, reinterpret_cast<const uint8_t*>(a.data()), a.size());
    // Weights are constants: the driver packs them once, panel by panel (pack_weights).
    const auto packed = tessera::isa::pack_weights(b, o.k, o.n, 16);
    bench->mem.write(kB, reinterpret_cast<const uint8_t*>(packed.data()), packed.size());
    bench->mem.write(kTable, tessera::isa::qtable_entries(bias, stage.multiplier, stage.shift));

    tessera::isa::CommandStream stream;
    tessera::isa::GemmPlan plan;
    plan.m = o.m;
    plan.k = o.k;
    plan.n = o.n;
    plan.a_addr = kA;
    plan.b_addr = kB;
    plan.b_packed = true;
    plan.c_addr = kC;
    plan.qtable_addr = kTable;
    plan.zero_point = int8_t(stage.zero_point);
    tessera::isa::plan_gemm(stream, plan);
    stream.push(tessera::isa::Fence{true, kFence, 0xD0});
    const uint32_t ring_size = 1u << uint32_t(std::ceil(std::log2(double(stream.size()) + 1)));
    for (std::size_t i = 0; i < stream.size(); ++i) {
      bench->mem.write(kRing + 64 * i, stream.commands()[i].bytes().data(), 64);
    }

    // The driver's part: configure, ring the doorbell, wait for the fence's interrupt.
    bench->write_reg(regs::kRingBaseLo, uint32_t(kRing));
    bench->write_reg(regs::kRingSize, ring_size);
    bench->write_reg(regs::kWindowLimitLo, 0x0fff'ffff);
    bench->write_reg(regs::kIntrEnable,
                     regs::kIntrEnableFence.mask() | regs::kIntrEnableError.mask());
    bench->write_reg(regs::kCtrl, regs::kCtrlEnable.mask());
    bench->write_reg(regs::kPerfCtrl, regs::kPerfCtrlClear.mask());
    const tessera::sim::Stopwatch clock;
    const uint64_t start = bench->cycle();
    bench->write_reg(regs::kRingTail, uint32_t(stream.size()));
    bench->run_until([&] { return bench->interrupt(); }, 100'000'000);
    const double seconds = clock.seconds();
    const uint64_t cycles = bench->cycle() - start;
    const uint32_t status = bench->read_reg(regs::kStatus);
    if (regs::kStatusError.get(status)) {
      throw std::runtime_error("the engine stopped with error code " +
                               std::to_string(regs::kStatusErrorCode.get(status)) + " at command " +
                               std::to_string(bench->read_reg(regs::kErrorIndex)));
    }

    const auto want =
        tessera::ref::requantize(tessera::ref::gemm(a, b, bias, o.m, o.k, o.n), o.m, o.n, stage);
    const auto got = bench->mem.read(kC, size_t(o.m) * o.n);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < want.size(); ++i) bad += int8_t(got[i]) != want[i];

    const uint64_t macs = counter(*bench, regs::Counter::kMacs);
    const uint64_t rd = counter(*bench, regs::Counter::kDmaReadBytes);
    const uint64_t wr = counter(*bench, regs::Counter::kDmaWriteBytes);
    const double util = double(macs) / (double(cycles) * 16 * 16);
    std::printf("Tessera engine 16x16, 128-bit AXI, memory latency %u cycles\n", o.latency);
    std::printf("int8 GEMM %ux%ux%u, per-channel requantization, %zu commands\n", o.m, o.k, o.n,
                stream.size());
    std::printf("  cycles (doorbell to fence interrupt) %12llu\n", (unsigned long long)cycles);
    std::printf("  MACs (engine counter)                %12llu\n", (unsigned long long)macs);
    std::printf("  MAC utilization                      %11.2f%%\n", 100 * util);
    std::printf(
        "  DMA read / written                   %12llu / %llu bytes (%.2f / %.2f B/cycle)\n",
        (unsigned long long)rd, (unsigned long long)wr, double(rd) / cycles, double(wr) / cycles);
    const struct {
      const char* name;
      regs::Counter c;
    } busy[] = {{"fetch", regs::Counter::kFetchBusy},
                {"load", regs::Counter::kLoadBusy},
                {"compute", regs::Counter::kComputeBusy},
                {"store", regs::Counter::kStoreBusy}};
    for (const auto& u : busy) {
      std::printf("  %-8s busy                        %11.1f%%\n", u.name,
                  100.0 * double(counter(*bench, u.c)) / double(cycles));
    }
    std::printf("  stalls: dependency %llu, memory %llu cycles\n",
                (unsigned long long)counter(*bench, regs::Counter::kStallDependency),
                (unsigned long long)counter(*bench, regs::Counter::kStallMemory));
    std::printf("  simulated speed                      %12.0f cycles/s (%.1f s)\n",
                cycles / seconds, seconds);
    std::printf("  check vs reference %s (%zu of %zu outputs differ)\n", bad ? "FAILED" : "passed",
                bad, want.size());
    std::printf("  (the 3x3 convolution workload needs the im2col LOAD mode, not built yet)\n");
    if (!o.json.empty()) {
      std::ofstream js(o.json);
      js << "{\"m\": " << o.m << ", \"k\": " << o.k << ", \"n\": " << o.n
         << ", \"latency\": " << o.latency << ", \"cycles\": " << cycles << ", \"macs\": " << macs
         << ", \"utilization\": " << util << ", \"dma_read_bytes\": " << rd
         << ", \"dma_write_bytes\": " << wr << ", \"cycles_per_second\": " << cycles / seconds
         << ", \"check_passed\": " << (bad ? "false" : "true") << "}\n";
    }
    return bad ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera_sim: error: %s\n", e.what());
    return 2;
  }
}
