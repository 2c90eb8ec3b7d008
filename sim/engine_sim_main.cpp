// SPDX-License-Identifier: Apache-2.0
// tessera_sim: the whole engine in SystemC, driven through the driver library exactly as
// `tessera` drives it (the sim device, tessera::driver::Engine, the
// gemm/conv2d operations), running the default workloads: an int8 GEMM and a 3x3
// convolution layer with ReLU, both with per-channel requantization. Every output is
// checked against the reference model; the report comes from the engine's own counters.
//
//   tessera_sim [--workload gemm|conv|all] [--m M] [--k K] [--n N]
//               [--h H] [--w W] [--c C] [--oc OC] [--kernel K] [--stride S] [--pad P]
//               [--pool 0|1] [--relu 0|1]
//               [--latency CYCLES] [--seed S] [--json FILE] [--trace FILE.fst]
//               [--trace-window START:END] [--engine ROWSxCOLSxBUS] [--device sim|fsim]
//
// The engine is this build's default (CMake's TESSERA_ENGINE) unless --engine names another
// one the build has; every figure comes from the engine's own counters and CONFIG registers.
// --trace writes every signal of the engine to an FST waveform (GTKWave), --trace-window only
// cycles START..END-1; it uses a separately built model with tracing compiled in (3.3x
// slower outside the window, 54x dumping every cycle: docs/performance.md).
// --device fsim runs the same workloads on the golden model (docs/fsim.md): results checked
// the same way, cycles an estimate.
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tessera/atomic_file.hpp"
#include "tessera/checks.hpp"
#include "tessera/engine.hpp"
#include "tessera/fsim.hpp"
#include "tessera/ops.hpp"
#include "tessera/ref.hpp"
#include "tessera/report.hpp"
#include "tessera/sim_device.hpp"

namespace {

namespace regs = tessera::regs;
namespace drv = tessera::driver;

struct Options {
  std::string workload = "all";
  uint32_t m = 512, k = 512, n = 512;
  uint32_t h = 56, w = 56, c = 64, oc = 64, kernel = 3, stride = 1, pad = 1, pool = 0, relu = 1;
  uint32_t latency = 100;
  uint64_t seed = 1;
  std::string json, trace, engine, device = "sim";
  uint64_t trace_start = 0, trace_end = 0;  // --trace-window START:END (END 0: to the end)
};

const char* kUsage =
    "usage: tessera_sim [--workload gemm|conv|all] [--m M] [--k K] [--n N]\n"
    "                   [--h H] [--w W] [--c C] [--oc OC] [--kernel K] [--stride S] [--pad P]\n"
    "                   [--pool 0|1] [--relu 0|1]\n"
    "                   [--latency CYCLES] [--seed S] [--json FILE] [--trace FILE.fst]\n"
    "                   [--trace-window START:END] [--engine ROWSxCOLSxBUS] [--device sim|fsim]\n"
    "                   [--version]\n"
    "Defaults: all; GEMM 512x512x512; conv 56x56x64 -> 64, 3x3, stride 1, pad 1, ReLU (--relu 0:\n"
    "none);\n"
    "memory latency 100 cycles.\n";

Options parse(int argc, char** argv) {
  using tessera::parse_unsigned;
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i], inline_value;
    if (const auto eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      inline_value = flag.substr(eq + 1);  // --flag=value, as tessera takes it
      flag.resize(eq);
    }
    if (flag == "--help" || flag == "-h") {
      std::printf("%s", kUsage);
      std::exit(0);
    }
    if (flag == "--version") {
      std::string engines;
      for (const auto& e : tessera::sim::sim_engines())
        engines +=
            (engines.empty() ? "" : ", ") + e.name + (engines.empty() ? " (the default)" : "");
      std::printf("tessera_sim %u.%u.%u, ISA %u; engines %s (ROWSxCOLSxBUS)\n",
                  regs::kHardwareMajor, regs::kHardwareMinor, regs::kHardwarePatch,
                  tessera::isa::kVersion, engines.c_str());
      std::exit(0);
    }
    if (inline_value.empty() && i + 1 >= argc)
      throw std::invalid_argument("missing value after " + flag);
    const std::string value = inline_value.empty() ? argv[++i] : inline_value;
    const char* v = value.c_str();
    struct {
      const char* name;
      uint32_t* field;
      uint64_t lo, hi;
    } const numbers[] = {
        // Shapes up to the driver's own limits; what this engine's buffers cannot hold, the
        // planners refuse with the value and the range.
        {"--m", &o.m, 1, 65535},
        {"--k", &o.k, 1, 65535},
        {"--n", &o.n, 1, 65535},
        {"--h", &o.h, 1, 65535},
        {"--w", &o.w, 1, 65535},
        {"--c", &o.c, 1, 65535},
        {"--oc", &o.oc, 1, 65535},
        {"--kernel", &o.kernel, 1, 65535},
        {"--stride", &o.stride, 1, 65535},
        {"--pad", &o.pad, 0, 65535},
        {"--pool", &o.pool, 0, 1},
        {"--relu", &o.relu, 0, 1},
        {"--latency", &o.latency, 0, 10000}};
    bool known = false;
    for (const auto& num : numbers) {
      if (flag == num.name) {
        *num.field = uint32_t(parse_unsigned(flag, v, num.lo, num.hi));
        known = true;
      }
    }
    if (known) continue;
    if (flag == "--seed") {
      o.seed = parse_unsigned(flag, v, 0, UINT64_MAX);
    } else if (flag == "--json") {
      o.json = v;
    } else if (flag == "--trace") {
      o.trace = v;
    } else if (flag == "--trace-window") {
      const tessera::CycleWindow w = tessera::parse_cycle_window(flag, v);
      o.trace_start = w.start;
      o.trace_end = w.end;
    } else if (flag == "--engine") {
      o.engine = v;
    } else if (flag == "--device") {
      o.device = v;
      if (o.device != "sim" && o.device != "fsim")
        throw std::invalid_argument("--device = '" + o.device + "'; expected sim or fsim");
    } else if (flag == "--workload") {
      o.workload = v;
      if (o.workload != "gemm" && o.workload != "conv" && o.workload != "all")
        throw std::invalid_argument("--workload = '" + o.workload +
                                    "'; expected gemm, conv or all");
    } else {
      throw std::invalid_argument("unknown option " + flag + " (try --help)");
    }
  }
  // The report's file is checked before anything is simulated.
  if (!o.json.empty() && o.json != "-") {
    try {
      tessera::require_writable(o.json);
    } catch (const std::exception& e) {
      throw std::invalid_argument(std::string("--json: ") + e.what());
    }
  }
  return o;
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
  uint32_t rows = 0, cols = 0;  // the engine's array, from its CONFIG registers
  double utilization() const {  // of the MACs the engine performed (never above 100 %)
    return tessera::utilization_percent(macs, cycles, rows, cols) / 100;
  }
};

// Runs `op` on the engine from cleared counters and takes its measurements; `want` is the
// reference model's output.
Result measure(drv::Engine& engine, const std::string& name, uint64_t useful_macs,
               const std::function<std::vector<int8_t>()>& op, const std::vector<int8_t>& want) {
  engine.clear_counters();
  const double run_before = engine.run_seconds();
  const std::vector<int8_t> got = op();
  Result r;
  r.name = name;
  r.useful_macs = useful_macs;
  r.rows = engine.info().config.rows;
  r.cols = engine.info().config.cols;
  r.seconds = engine.run_seconds() - run_before;
  const drv::Counters c = engine.counters();
  r.cycles = c[regs::Counter::kCycles];
  r.commands = c[regs::Counter::kCommandsRetired];
  r.macs = c[regs::Counter::kMacs];
  r.read_bytes = c[regs::Counter::kDmaReadBytes];
  r.write_bytes = c[regs::Counter::kDmaWriteBytes];
  const regs::Counter busy[] = {regs::Counter::kFetchBusy, regs::Counter::kLoadBusy,
                                regs::Counter::kComputeBusy, regs::Counter::kStoreBusy};
  for (int u = 0; u < 4; ++u) r.busy[u] = c[busy[u]];
  r.stall_dependency = c[regs::Counter::kStallDependency];
  r.stall_memory = c[regs::Counter::kStallMemory];
  r.outputs = want.size();
  for (std::size_t i = 0; i < want.size(); ++i) {
    if ((i >= got.size() || got[i] != want[i]) && r.mismatches++ == 0) r.first_mismatch = i;
  }
  return r;
}

drv::Quantization quantization(const tessera::ref::OutputStage& s) {
  drv::Quantization q;
  q.multiplier = s.multiplier;
  q.shift = s.shift;
  q.zero_point = s.zero_point;
  q.act_min = s.act_min;
  q.act_max = s.act_max;
  return q;
}

Result gemm(drv::Engine& engine, const Options& o, std::mt19937_64& rng) {
  drv::GemmArgs g;
  g.m = o.m;
  g.k = o.k;
  g.n = o.n;
  g.a = random_bytes(rng, std::size_t(o.m) * o.k);
  g.b = random_bytes(rng, std::size_t(o.k) * o.n);
  const auto stage = output_stage(rng, o.n, g.bias);
  g.quant = quantization(stage);
  std::ostringstream name;
  name << "int8 GEMM " << o.m << "x" << o.k << "x" << o.n << ", per-channel requantization";
  return measure(
      engine, name.str(), uint64_t(o.m) * o.k * o.n, [&] { return drv::gemm_int8(engine, g); },
      tessera::ref::requantize(tessera::ref::gemm(g.a, g.b, g.bias, o.m, o.k, o.n), o.m, o.n,
                               stage));
}

Result conv(drv::Engine& engine, const Options& o, std::mt19937_64& rng) {
  drv::Conv2dArgs a;
  a.h = o.h;
  a.w = o.w;
  a.c = o.c;
  a.out_channels = o.oc;
  a.kernel_h = a.kernel_w = o.kernel;
  a.stride_h = a.stride_w = o.stride;
  a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = o.pad;
  a.input_zero_point = 3;
  a.max_pool = o.pool != 0;
  tessera::ref::Conv2dParams cp;
  cp.kernel_h = cp.kernel_w = o.kernel;
  cp.stride_h = cp.stride_w = o.stride;
  cp.pad_top = cp.pad_bottom = cp.pad_left = cp.pad_right = o.pad;
  cp.input_zero_point = a.input_zero_point;
  const tessera::ref::Nhwc shape{1, o.h, o.w, o.c};
  a.input = random_bytes(rng, shape.elements());
  a.weights = random_bytes(rng, std::size_t(o.kernel) * o.kernel * o.c * o.oc);
  auto stage = output_stage(rng, o.oc, a.bias);
  if (o.relu) tessera::ref::set_activation(stage, tessera::ref::Activation::kRelu, 0.05);
  a.quant = quantization(stage);
  auto out_shape = cp.output_shape(shape, o.oc);  // throws if the window does not fit
  const uint64_t pixels = out_shape.h * out_shape.w;
  // A 2x2 pool reads even rows and columns only: the last odd one is never computed.
  const uint64_t computed = a.max_pool ? (out_shape.h / 2 * 2) * (out_shape.w / 2 * 2) : pixels;
  auto want = tessera::ref::requantize(
      tessera::ref::conv2d(a.input, shape, a.weights, o.oc, a.bias, cp), pixels, o.oc, stage);
  if (a.max_pool) want = tessera::ref::max_pool_2x2(want, out_shape);
  std::ostringstream name;
  name << "int8 conv2d " << o.h << "x" << o.w << "x" << o.c << " -> "
       << cp.output_shape(shape, o.oc).h << "x" << cp.output_shape(shape, o.oc).w << "x" << o.oc
       << ", " << o.kernel << "x" << o.kernel << " stride " << o.stride << " pad " << o.pad
       << (o.relu ? ", ReLU" : "") << (a.max_pool ? ", 2x2 max-pool" : "");
  return measure(
      engine, name.str(), computed * o.oc * o.kernel * o.kernel * o.c,
      [&] { return drv::conv2d(engine, a).output; }, want);
}

void print(const Result& r) {
  std::printf("%s, %zu commands\n", r.name.c_str(), r.commands);
  std::printf("  cycles (engine counter)              %12llu\n", (unsigned long long)r.cycles);
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

tessera::Json json(const Result& r) {
  using tessera::Json;
  return Json::object()
      .set("name", r.name)
      .set("commands", r.commands)
      .set("cycles", r.cycles)
      .set("useful_macs", r.useful_macs)
      .set("engine_macs", r.macs)
      .set("utilization_percent",
           Json::number(tessera::utilization_percent(r.macs, r.cycles, r.rows, r.cols), 4))
      .set("dma_read_bytes", r.read_bytes)
      .set("dma_write_bytes", r.write_bytes)
      .set("busy_cycles", Json::object()
                              .set("fetch", r.busy[0])
                              .set("load", r.busy[1])
                              .set("compute", r.busy[2])
                              .set("store", r.busy[3]))
      .set("stall_dependency", r.stall_dependency)
      .set("stall_memory", r.stall_memory)
      .set("cycles_per_second", Json::number(r.cycles / r.seconds, 0))
      .set("outputs", r.outputs)
      .set("mismatches", r.mismatches);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const Options o = parse(argc, argv);
    std::unique_ptr<drv::Device> device;
    if (o.device == "fsim") {
      if (!o.trace.empty() || !o.engine.empty())
        throw std::invalid_argument("--trace and --engine need --device sim");
      tessera::fsim::Options fo;
      fo.memory_latency = o.latency;
      device = tessera::fsim::open_fsim_device(fo);
    } else {
      tessera::sim::SimDeviceOptions so;
      if (o.trace.empty() && (o.trace_start || o.trace_end))
        throw std::invalid_argument("--trace-window needs --trace FILE.fst");
      so.trace = o.trace;
      so.trace_start = o.trace_start;
      so.trace_end = o.trace_end;
      so.engine = o.engine;
      so.memory.read_latency = so.memory.write_latency = o.latency;
      device = tessera::sim::open_sim_device(so);
    }
    drv::Engine engine(std::move(device));
    if (isatty(2)) engine.progress = tessera::terminal_progress(stderr);
    std::mt19937_64 rng(o.seed);
    const auto& info = engine.info();
    std::printf("Tessera engine %ux%u, %u-bit AXI, memory latency %u cycles, seed %llu\n\n",
                info.config.rows, info.config.cols, info.config.bus_bytes * 8, o.latency,
                (unsigned long long)o.seed);
    std::vector<Result> results;
    if (o.workload != "conv") results.push_back(gemm(engine, o, rng));
    if (o.workload != "gemm") results.push_back(conv(engine, o, rng));
    bool ok = true;
    for (const Result& r : results) {
      print(r);
      std::printf("\n");
      ok = ok && r.mismatches == 0;
    }
    if (!o.trace.empty()) std::printf("waveform: %s\n", o.trace.c_str());
    if (!o.json.empty()) {
      tessera::Json workloads = tessera::Json::array();
      for (const Result& r : results) workloads.push(json(r));
      const std::string text = tessera::Json::object()
                                   .set("device", info.device)
                                   .set("array", std::to_string(info.config.rows) + "x" +
                                                     std::to_string(info.config.cols))
                                   .set("bus_bits", info.config.bus_bytes * 8)
                                   .set("latency", o.latency)
                                   .set("seed", o.seed)
                                   .set("workloads", workloads)
                                   .dump() +
                               "\n";
      if (o.json == "-")
        std::fputs(text.c_str(), stdout);
      else
        tessera::write_file_atomically(o.json, text);
    }
    return ok ? 0 : 1;
  } catch (const std::invalid_argument& e) {  // bad usage or bad input
    std::fprintf(stderr, "tessera_sim: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {  // the run failed
    std::fprintf(stderr, "tessera_sim: error: %s\n", e.what());
    return 1;
  }
}
