// tessera_sim: the whole engine (16x16, 128-bit AXI) in SystemC, driven as a driver drives
// it (registers, a command ring, the doorbell, the fence interrupt), running the default
// workloads: an int8 GEMM and a 3x3 convolution layer with ReLU, both with per-channel
// requantization. Every output is checked against the reference model; the report comes
// from the engine's own counters.
//
//   tessera_sim [--workload gemm|conv|all] [--m M] [--k K] [--n N]
//               [--h H] [--w W] [--c C] [--oc OC] [--kernel K] [--stride S] [--pad P]
//               [--pool 0|1]
//               [--latency CYCLES] [--seed S] [--json FILE] [--trace FILE.fst]
//
// --trace writes every signal of the engine to an FST waveform (GTKWave); it uses a
// separately built model with tracing compiled in, about 5x slower: trace small runs.
#include <verilated.h>
#include <verilated_fst_sc.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include "Vtessera_top.h"
#include "Vtessera_top_traced.h"
#include "tessera/args.hpp"
#include "tessera/conv_plan.hpp"
#include "tessera/gemm_plan.hpp"
#include "tessera/ref.hpp"
#include "tessera/regs.hpp"
#include "tessera/report.hpp"
#include "tessera/top_bench.hpp"

namespace {

namespace regs = tessera::regs;
namespace isa = tessera::isa;

constexpr uint64_t kRing = 0x1'0000, kIn = 0x10'0000, kWgt = 0x100'0000, kOut = 0x200'0000;
constexpr uint64_t kTable = 0x300'0000, kFence = 0x302'0000, kWindowLimit = 0x0fff'ffff;
constexpr uint32_t kArray = 16, kRingSize = 4096;  // ring: 256 KiB below kIn

struct Options {
  std::string workload = "all";
  uint32_t m = 512, k = 512, n = 512;
  uint32_t h = 56, w = 56, c = 64, oc = 64, kernel = 3, stride = 1, pad = 1, pool = 0;
  uint32_t latency = 100;
  uint64_t seed = 1;
  std::string json, trace;
};

const char* kUsage =
    "usage: tessera_sim [--workload gemm|conv|all] [--m M] [--k K] [--n N]\n"
    "                   [--h H] [--w W] [--c C] [--oc OC] [--kernel K] [--stride S] [--pad P]\n"
    "                   [--pool 0|1]\n"
    "                   [--latency CYCLES] [--seed S] [--json FILE] [--trace FILE.fst]\n"
    "Defaults: all; GEMM 512x512x512; conv 56x56x64 -> 64, 3x3, stride 1, pad 1, ReLU;\n"
    "memory latency 100 cycles.\n";

Options parse(int argc, char** argv) {
  using tessera::sim::parse_uint;
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--help" || flag == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    }
    if (i + 1 >= argc) throw std::invalid_argument("missing value after " + flag);
    const char* v = argv[++i];
    struct {
      const char* name;
      uint32_t* field;
      uint64_t lo, hi;
    } const numbers[] = {
        {"--m", &o.m, 1, 65535},      {"--k", &o.k, 1, 4096},    {"--n", &o.n, 1, 1024},
        {"--h", &o.h, 1, 4096},       {"--w", &o.w, 1, 4096},    {"--c", &o.c, 1, 448},
        {"--oc", &o.oc, 1, 1024},     {"--kernel", &o.kernel, 1, 11},
        {"--stride", &o.stride, 1, 4}, {"--pad", &o.pad, 0, 5}, {"--pool", &o.pool, 0, 1},
        {"--latency", &o.latency, 0, 10000}};
    bool known = false;
    for (const auto& num : numbers) {
      if (flag == num.name) {
        *num.field = uint32_t(parse_uint(flag, v, num.lo, num.hi));
        known = true;
      }
    }
    if (known) continue;
    if (flag == "--seed") {
      o.seed = parse_uint(flag, v, 0, UINT64_MAX);
    } else if (flag == "--json") {
      o.json = v;
    } else if (flag == "--trace") {
      o.trace = v;
    } else if (flag == "--workload") {
      o.workload = v;
      if (o.workload != "gemm" && o.workload != "conv" && o.workload != "all")
        throw std::invalid_argument("--workload = '" + o.workload + "'; expected gemm, conv or all");
    } else {
      throw std::invalid_argument("unknown option " + flag + " (try --help)");
    }
  }
  return o;
}

template <typename Bench>
uint64_t counter(Bench& b, regs::Counter c) {
  const uint64_t lo = b.read_reg(regs::counter_lo(c));
  return lo | uint64_t(b.read_reg(regs::counter_hi(c))) << 32;
}

std::vector<int8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = int8_t(rng());
  return v;
}

// Per-channel scales for accumulators of about +-2^(12+): multipliers near 2^-12, bias.
tessera::ref::OutputStage output_stage(std::mt19937_64& rng, uint32_t channels,
                                       std::vector<int32_t>& bias) {
  tessera::ref::OutputStage stage;
  stage.zero_point = -5;
  bias.resize(channels);
  for (uint32_t c = 0; c < channels; ++c) {
    int32_t mult = 0;
    int shift = 0;
    tessera::ref::quantize_multiplier(std::exp2(-12.0) * (1 + double(rng() % 100) / 100), mult,
                                      shift);
    bias[c] = int32_t(rng() % 20001) - 10000;
    stage.multiplier.push_back(mult);
    stage.shift.push_back(shift);
  }
  return stage;
}

// One job's measurements.
struct Result {
  std::string name;
  uint64_t useful_macs = 0, cycles = 0, macs = 0, read_bytes = 0, write_bytes = 0;
  uint64_t busy[4] = {}, stall_dependency = 0, stall_memory = 0;
  std::size_t commands = 0, outputs = 0, mismatches = 0, first_mismatch = 0;
  double seconds = 0;
  double utilization() const { return double(useful_macs) / (double(cycles) * kArray * kArray); }
};

// Runs the stream and a final fence from a reset engine with cleared counters: the host
// writes the ring as the engine frees it and waits for the fence's interrupt.
template <typename Bench>
Result run(Bench& bench, isa::CommandStream stream) {
  stream.push(isa::Fence{true, kFence, 0xD0});
  bench.reset();
  bench.write_reg(regs::kRingBaseLo, uint32_t(kRing));
  bench.write_reg(regs::kRingSize, kRingSize);
  bench.write_reg(regs::kWindowLimitLo, uint32_t(kWindowLimit));
  bench.write_reg(regs::kIntrEnable, regs::kIntrEnableFence.mask() | regs::kIntrEnableError.mask());
  bench.write_reg(regs::kCtrl, regs::kCtrlEnable.mask());
  bench.write_reg(regs::kPerfCtrl, regs::kPerfCtrlClear.mask());
  const tessera::sim::Stopwatch clock;
  const uint64_t start = bench.cycle();
  uint32_t tail = 0;
  const auto bytes = stream.bytes();
  bench.submit(kRing, kRingSize, tail, bytes.data(), stream.size());
  bench.run_until([&] { return bench.interrupt(); }, 1'000'000'000);
  Result r;
  r.seconds = clock.seconds();
  r.cycles = bench.cycle() - start;
  const uint32_t status = bench.read_reg(regs::kStatus);
  if (regs::kStatusError.get(status)) {
    throw std::runtime_error("the engine stopped with error code " +
                             std::to_string(regs::kStatusErrorCode.get(status)) + " at command " +
                             std::to_string(bench.read_reg(regs::kErrorIndex)));
  }
  r.commands = stream.size();
  r.macs = counter(bench, regs::Counter::kMacs);
  r.read_bytes = counter(bench, regs::Counter::kDmaReadBytes);
  r.write_bytes = counter(bench, regs::Counter::kDmaWriteBytes);
  const regs::Counter busy[] = {regs::Counter::kFetchBusy, regs::Counter::kLoadBusy,
                                regs::Counter::kComputeBusy, regs::Counter::kStoreBusy};
  for (int u = 0; u < 4; ++u) r.busy[u] = counter(bench, busy[u]);
  r.stall_dependency = counter(bench, regs::Counter::kStallDependency);
  r.stall_memory = counter(bench, regs::Counter::kStallMemory);
  return r;
}

template <typename Bench>
void compare(Bench& bench, const std::vector<int8_t>& want, Result& r) {
  const auto got = bench.mem.read(kOut, want.size());
  r.outputs = want.size();
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (int8_t(got[i]) != want[i] && r.mismatches++ == 0) r.first_mismatch = i;
  }
}

template <typename Bench>
Result gemm(Bench& bench, const Options& o, std::mt19937_64& rng) {
  const auto a = random_bytes(rng, std::size_t(o.m) * o.k);
  const auto b = random_bytes(rng, std::size_t(o.k) * o.n);
  std::vector<int32_t> bias;
  const auto stage = output_stage(rng, o.n, bias);
  bench.mem.clear();
  bench.mem.write(kIn, reinterpret_cast<const uint8_t*>(a.data()), a.size());
  // Weights are constants: the driver packs them once, panel by panel (pack_weights).
  const auto packed = isa::pack_weights(b, o.k, o.n, kArray);
  bench.mem.write(kWgt, reinterpret_cast<const uint8_t*>(packed.data()), packed.size());
  bench.mem.write(kTable, isa::qtable_entries(bias, stage.multiplier, stage.shift));
  isa::CommandStream stream;
  isa::GemmPlan plan;
  plan.m = o.m;
  plan.k = o.k;
  plan.n = o.n;
  plan.a_addr = kIn;
  plan.b_addr = kWgt;
  plan.b_packed = true;
  plan.c_addr = kOut;
  plan.qtable_addr = kTable;
  plan.zero_point = int8_t(stage.zero_point);
  isa::plan_gemm(stream, plan);
  Result r = run(bench, stream);
  std::ostringstream name;
  name << "int8 GEMM " << o.m << "x" << o.k << "x" << o.n << ", per-channel requantization";
  r.name = name.str();
  r.useful_macs = uint64_t(o.m) * o.k * o.n;
  compare(bench,
          tessera::ref::requantize(tessera::ref::gemm(a, b, bias, o.m, o.k, o.n), o.m, o.n, stage),
          r);
  return r;
}

template <typename Bench>
Result conv(Bench& bench, const Options& o, std::mt19937_64& rng) {
  isa::ConvPlan plan;
  plan.h = o.h;
  plan.w = o.w;
  plan.c = o.c;
  plan.out_channels = o.oc;
  plan.kernel_h = plan.kernel_w = o.kernel;
  plan.stride_h = plan.stride_w = o.stride;
  plan.pad_top = plan.pad_bottom = plan.pad_left = plan.pad_right = o.pad;
  plan.input_zero_point = 3;
  tessera::ref::Conv2dParams cp;
  cp.kernel_h = cp.kernel_w = o.kernel;
  cp.stride_h = cp.stride_w = o.stride;
  cp.pad_top = cp.pad_bottom = cp.pad_left = cp.pad_right = o.pad;
  cp.input_zero_point = plan.input_zero_point;
  const tessera::ref::Nhwc shape{1, o.h, o.w, o.c};
  const auto input = random_bytes(rng, shape.elements());
  const auto weights = random_bytes(rng, std::size_t(o.kernel) * o.kernel * o.c * o.oc);
  std::vector<int32_t> bias;
  auto stage = output_stage(rng, o.oc, bias);
  tessera::ref::set_activation(stage, tessera::ref::Activation::kRelu, 0.05);
  bench.mem.clear();
  bench.mem.write(kIn, reinterpret_cast<const uint8_t*>(input.data()), input.size());
  const auto packed =
      isa::pack_conv_weights(weights, o.kernel, o.kernel, o.c, o.oc, kArray, kArray);
  bench.mem.write(kWgt, reinterpret_cast<const uint8_t*>(packed.data()), packed.size());
  bench.mem.write(kTable, isa::qtable_entries(isa::conv_bias(bias, weights, o.kernel, o.kernel,
                                                             o.c, o.oc, plan.input_zero_point),
                                              stage.multiplier, stage.shift));
  plan.input_addr = kIn;
  plan.weight_addr = kWgt;
  plan.output_addr = kOut;
  plan.qtable_addr = kTable;
  plan.zero_point = int8_t(stage.zero_point);
  plan.act_min = int8_t(stage.act_min);
  plan.act_max = int8_t(stage.act_max);
  plan.max_pool = o.pool != 0;
  isa::CommandStream stream;
  isa::plan_conv2d(stream, plan);
  Result r = run(bench, stream);
  const uint64_t oh = plan.out_h(), ow = plan.out_w();
  std::ostringstream name;
  name << "int8 conv2d " << o.h << "x" << o.w << "x" << o.c << " -> " << oh << "x" << ow << "x"
       << o.oc << ", " << o.kernel << "x" << o.kernel << " stride " << o.stride << " pad "
       << o.pad << ", ReLU" << (plan.max_pool ? ", 2x2 max-pool" : "");
  r.name = name.str();
  r.useful_macs = oh * ow * o.oc * o.kernel * o.kernel * o.c;
  auto want = tessera::ref::requantize(
      tessera::ref::conv2d(input, shape, weights, o.oc, bias, cp), oh * ow, o.oc, stage);
  if (plan.max_pool) {
    auto out_shape = cp.output_shape(shape, o.oc);
    want = tessera::ref::max_pool_2x2(want, out_shape);
  }
  compare(bench, want, r);
  return r;
}

void print(const Result& r) {
  std::printf("%s, %zu commands\n", r.name.c_str(), r.commands);
  std::printf("  cycles (doorbell to fence interrupt) %12llu\n", (unsigned long long)r.cycles);
  std::printf("  MACs (useful / engine counter)       %12llu / %llu\n",
              (unsigned long long)r.useful_macs, (unsigned long long)r.macs);
  std::printf("  MAC utilization                      %11.2f%%\n", 100 * r.utilization());
  std::printf("  DMA read / written                   %12llu / %llu bytes (%.2f / %.2f B/cycle)\n",
              (unsigned long long)r.read_bytes, (unsigned long long)r.write_bytes,
              double(r.read_bytes) / r.cycles, double(r.write_bytes) / r.cycles);
  const char* units[] = {"fetch", "load", "compute", "store"};
  for (int u = 0; u < 4; ++u) {
    std::printf("  %-8s busy                        %11.1f%%\n", units[u],
                100.0 * double(r.busy[u]) / double(r.cycles));
  }
  std::printf("  stalls: dependency %llu, memory %llu cycles\n",
              (unsigned long long)r.stall_dependency, (unsigned long long)r.stall_memory);
  std::printf("  simulated speed                      %12.0f cycles/s (%.1f s)\n",
              r.cycles / r.seconds, r.seconds);
  std::printf("  check vs reference %s (%zu of %zu outputs differ)\n",
              r.mismatches ? "FAILED" : "passed", r.mismatches, r.outputs);
  if (r.mismatches) std::printf("  first difference at output byte %zu\n", r.first_mismatch);
}

std::string json(const Result& r) {
  std::ostringstream js;
  js << "{\"name\": \"" << r.name << "\", \"commands\": " << r.commands
     << ", \"cycles\": " << r.cycles << ", \"useful_macs\": " << r.useful_macs
     << ", \"engine_macs\": " << r.macs << ", \"utilization\": " << r.utilization()
     << ", \"dma_read_bytes\": " << r.read_bytes << ", \"dma_write_bytes\": " << r.write_bytes
     << ", \"busy_cycles\": {\"fetch\": " << r.busy[0] << ", \"load\": " << r.busy[1]
     << ", \"compute\": " << r.busy[2] << ", \"store\": " << r.busy[3] << "}"
     << ", \"stall_dependency\": " << r.stall_dependency
     << ", \"stall_memory\": " << r.stall_memory << ", \"cycles_per_second\": "
     << r.cycles / r.seconds << ", \"outputs\": " << r.outputs
     << ", \"mismatches\": " << r.mismatches << "}";
  return js.str();
}


// Builds the bench (one per process: SystemC elaborates once), runs the workloads, prints
// and records the report; returns the exit status.
template <typename Model, bool Traced>
int simulate(const Options& o) {
  auto* bench = new tessera::sim::TopBench<Model, 128>("bench");
  VerilatedFstSc* trace = nullptr;
  if constexpr (Traced) {
    sc_start(SC_ZERO_TIME);  // elaborate before tracing
    trace = new VerilatedFstSc;
    bench->dut.trace(trace, 99);
    trace->open(o.trace.c_str());
    if (!trace->isOpen()) throw std::runtime_error("cannot write the trace " + o.trace);
  }
  tessera::sim::AxiMemoryConfig mc;
  mc.read_latency = mc.write_latency = o.latency;
  bench->mem.configure(mc);
  std::mt19937_64 rng(o.seed);
  std::printf("Tessera engine %ux%u, 128-bit AXI, memory latency %u cycles, seed %llu\n\n",
              kArray, kArray, o.latency, (unsigned long long)o.seed);
  std::vector<Result> results;
  if (o.workload != "conv") results.push_back(gemm(*bench, o, rng));
  if (o.workload != "gemm") results.push_back(conv(*bench, o, rng));
  if (trace) trace->close();
  bool ok = true;
  for (const Result& r : results) {
    print(r);
    std::printf("\n");
    ok = ok && r.mismatches == 0;
  }
  if (trace) std::printf("waveform: %s\n", o.trace.c_str());
  if (!o.json.empty()) {
    std::ofstream js(o.json);
    js << "{\"latency\": " << o.latency << ", \"seed\": " << o.seed << ", \"workloads\": [";
    for (std::size_t i = 0; i < results.size(); ++i) js << (i ? ", " : "") << json(results[i]);
    js << "]}\n";
    if (!js) throw std::runtime_error("cannot write " + o.json);
  }
  return ok ? 0 : 1;
}

}  // namespace

int sc_main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    Verilated::fatalOnError(false);
    if (o.trace.empty()) return simulate<Vtessera_top, false>(o);
    Verilated::traceEverOn(true);
    return simulate<Vtessera_top_traced, true>(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera_sim: error: %s\n", e.what());
    return 2;
  }
}
