// tessera: the command-line tool (docs/driver.md).
//
//   tessera info | gemm | conv2d | run FILE | asm IN OUT | disasm IN | bench | selftest
//   tessera coretest --serial /dev/ttyUSB1     (the iCEBreaker's core over its serial link)
//           [--device sim|xdma:/dev/xdma0|uio:/dev/uio0] [--trace FILE.fst] [--record FILE]
//           [--json] [--seed N] [--timeout SECONDS] [--clock-mhz F] ...
//
// Tensors come in and go out as NumPy .npy files (int8/int32, C order); without an input
// file, random tensors from --seed. Errors are one line on stderr and a non-zero status
// (1: the operation failed, 2: bad usage); no partial output file is left behind.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tessera/core_link.hpp"
#include "tessera/engine.hpp"
#include "tessera/npy.hpp"
#include "tessera/open_device.hpp"
#include "tessera/ops.hpp"
#include "tessera/ref.hpp"
#include "tessera/sim_device.hpp"

namespace po = boost::program_options;
namespace drv = tessera::driver;
namespace isa = tessera::isa;
namespace ref = tessera::ref;

namespace {

struct UsageError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// ---- Reports: text lines, or one JSON object -------------------------------------------
class Report {
 public:
  explicit Report(bool json) : json_(json) {}
  void add(const std::string& key, const std::string& text_label, const std::string& value,
           bool quote = false) {
    items_.push_back({key, text_label, value, quote});
  }
  template <typename T>
  void num(const std::string& key, const std::string& label, T v) {
    std::ostringstream s;
    s << v;
    add(key, label, s.str());
  }
  void print() const {
    if (json_) {
      std::cout << "{";
      for (std::size_t i = 0; i < items_.size(); ++i) {
        const auto& it = items_[i];
        std::cout << (i ? ", " : "") << '"' << it.key << "\": ";
        if (it.quote) {
          std::cout << '"';
          for (char c : it.value) {
            if (c == '"' || c == '\\') std::cout << '\\';
            std::cout << c;
          }
          std::cout << '"';
        } else {
          std::cout << it.value;
        }
      }
      std::cout << "}\n";
    } else {
      for (const auto& it : items_) std::printf("  %-42s %s\n", it.label.c_str(), it.value.c_str());
    }
  }

 private:
  struct Item {
    std::string key, label, value;
    bool quote;
  };
  bool json_;
  std::vector<Item> items_;
};

// ---- Options ------------------------------------------------------------------------------
struct Common {
  std::string device = "sim", trace, record;
  bool json = false;
  uint64_t seed = 1;
  double timeout_s = 600, clock_mhz = 250;
  unsigned latency = 100;
};

po::options_description common_options(Common& c) {
  po::options_description d("Common options");
  d.add_options()("help,h", "show this help")(
      "device", po::value(&c.device)->default_value("sim"),
      "sim[:latency=N], xdma:/dev/xdma0[,mem=BASE:SIZE], uio:/dev/uio0[,buf=/dev/udmabuf0]")(
      "trace", po::value(&c.trace), "sim only: write an FST waveform of every signal")(
      "latency", po::value(&c.latency)->default_value(100), "sim only: memory latency in cycles")(
      "record", po::value(&c.record), "save the exact command stream and data (replay: tessera run)")(
      "json", po::bool_switch(&c.json), "print the report as one JSON object")(
      "seed", po::value(&c.seed)->default_value(1), "seed for random tensors")(
      "timeout", po::value(&c.timeout_s)->default_value(600), "seconds before giving up on the device")(
      "clock-mhz", po::value(&c.clock_mhz)->default_value(250), "clock for the time in the report");
  return d;
}

// Parses argv (after the command) against `d`; positional names in `pos`.
po::variables_map parse(int argc, char** argv, const po::options_description& d,
                        const po::positional_options_description& pos, const char* usage) {
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(d).positional(pos).run(), vm);
    if (vm.count("help")) {
      std::cout << "usage: " << usage << "\n\n" << d << "\n";
      std::exit(0);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return vm;
}

template <typename T>
void require_range(const char* name, T v, T lo, T hi) {
  if (v < lo || v > hi) {
    std::ostringstream s;
    s << "--" << name << " = " << v << " is out of range [" << lo << ", " << hi << "]";
    throw UsageError(s.str());
  }
}

// ---- The device, with progress and recording --------------------------------------------
struct Session {
  std::unique_ptr<drv::Engine> engine;
  drv::Recording recording;
  std::string record_path;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  // clear: zero the engine's counters (an operation's report counts only itself); `info`
  // shows them as they are.
  explicit Session(const Common& c, bool clear = true) {
    require_range("timeout", c.timeout_s, 0.001, 1e6);
    require_range("clock-mhz", c.clock_mhz, 1e-3, 1e5);
    std::string spec = c.device;
    if (spec.rfind("sim", 0) == 0) {
      require_range("latency", c.latency, 0u, 10000u);
      if (spec.find("latency=") == std::string::npos)
        spec += std::string(spec == "sim" ? ":" : ",") + "latency=" + std::to_string(c.latency);
      if (!c.trace.empty()) spec += ",trace=" + c.trace;
    } else if (!c.trace.empty()) {
      throw UsageError("--trace needs --device sim (it traces the simulated engine)");
    }
    engine = std::make_unique<drv::Engine>(
        drv::open_device(spec), std::chrono::milliseconds(int64_t(c.timeout_s * 1000)));
    if (isatty(2)) {
      engine->progress = [](std::size_t done, std::size_t total) {
        static int last = -1;
        const int pct = total ? int(100 * done / total) : 100;
        if (pct == last) return;
        last = pct;
        std::fprintf(stderr, "\r  %3d%% of %zu commands%s", pct, total, pct == 100 ? "\r\033[K" : "");
      };
    }
    record_path = c.record;
    if (!record_path.empty()) engine->record_to(&recording);
    if (clear) engine->clear_counters();
  }
  void finish() {
    if (!record_path.empty()) recording.save(record_path);
  }
};

void add_run_report(Report& r, drv::Engine& e, uint64_t useful_macs, double clock_mhz,
                    double wall_s) {
  const auto c = e.counters();
  const uint64_t cycles = c[tessera::regs::Counter::kCycles];
  const auto& cfg = e.info().config;
  r.add("device", "device", e.info().device, true);
  r.num("cycles", "cycles", cycles);
  r.num("macs", "MACs", useful_macs);
  const double util = cycles ? double(useful_macs) / (double(cycles) * cfg.rows * cfg.cols) : 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.2f", 100 * util);
  r.add("utilization_percent", "MAC utilization (%)", buf);
  std::snprintf(buf, sizeof buf, "%.6f", cycles / (clock_mhz * 1e6));
  r.add("seconds_at_clock", "time at " + std::to_string(int(clock_mhz)) + " MHz (s)", buf);
  r.num("dma_read_bytes", "DMA bytes read", c[tessera::regs::Counter::kDmaReadBytes]);
  r.num("dma_write_bytes", "DMA bytes written", c[tessera::regs::Counter::kDmaWriteBytes]);
  std::snprintf(buf, sizeof buf, "%.3f", wall_s);
  r.add("wall_seconds", "wall time (s)", buf);
}

std::vector<int8_t> random_int8(std::mt19937_64& rng, std::size_t n) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = int8_t(rng());
  return v;
}

// ---- Quantization options shared by gemm and conv2d --------------------------------------
struct QuantOptions {
  double scale = 0;  // 0: chosen from K so that outputs spread over int8
  int multiplier = -1, shift = 0, zero_point = 0, act_min = -128, act_max = 127;
  bool relu = false;
};

void add_quant_options(po::options_description& d, QuantOptions& q) {
  d.add_options()("scale", po::value(&q.scale), "real output multiplier (per tensor)")(
      "multiplier", po::value(&q.multiplier), "quantized multiplier, [0, 2^31-1] (with --shift)")(
      "shift", po::value(&q.shift), "shift, [-31, 30] (with --multiplier)")(
      "zero-point", po::value(&q.zero_point), "output zero point, [-128, 127]")(
      "act-min", po::value(&q.act_min), "lower clamp")("act-max", po::value(&q.act_max), "upper clamp")(
      "relu", po::bool_switch(&q.relu), "ReLU: clamp at the zero point");
}

drv::Quantization quantization(const QuantOptions& q, uint64_t k) {
  drv::Quantization out;
  out.zero_point = q.zero_point;
  out.act_min = q.relu ? std::max(q.act_min, q.zero_point) : q.act_min;
  out.act_max = q.act_max;
  int32_t mult = 0;
  int shift = 0;
  if (q.multiplier >= 0) {
    mult = q.multiplier;
    shift = q.shift;
  } else {
    const double scale = q.scale > 0 ? q.scale : 1.0 / (64.0 * std::sqrt(double(k)));
    try {
      ref::quantize_multiplier(scale, mult, shift);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--scale: ") + e.what());
    }
  }
  out.multiplier = {mult};
  out.shift = {shift};
  return out;
}

ref::OutputStage stage_of(const drv::Quantization& q, uint32_t channels) {
  ref::OutputStage s;
  s.multiplier.assign(channels, q.multiplier[0]);
  s.shift.assign(channels, q.shift[0]);
  s.zero_point = q.zero_point;
  s.act_min = q.act_min;
  s.act_max = q.act_max;
  return s;
}

template <typename T>
void save_npy(const std::string& path, const std::vector<T>& v, std::vector<std::size_t> shape) {
  if (!path.empty()) tessera::npy::save(path, tessera::npy::from(v, std::move(shape)));
}

// ---- Commands -----------------------------------------------------------------------------
int cmd_info(int argc, char** argv) {
  Common c;
  auto d = common_options(c);
  parse(argc, argv, d, {}, "tessera info [options]");
  Session s(c, /*clear=*/false);
  const auto& i = s.engine->info();
  Report r(c.json);
  r.add("device", "device", i.device, true);
  char buf[64];
  std::snprintf(buf, sizeof buf, "0x%08x", i.id);
  r.add("id", "ID", buf, true);
  std::snprintf(buf, sizeof buf, "%u.%u.%u", i.version >> 24, (i.version >> 16) & 0xff,
                i.version & 0xffff);
  r.add("version", "hardware version", buf, true);
  r.num("isa_version", "ISA version", i.isa_version);
  r.add("array", "array (rows x cols)", std::to_string(i.config.rows) + "x" + std::to_string(i.config.cols), true);
  r.num("bus_bits", "AXI data width (bits)", i.bus_bits);
  r.num("scratchpad_bytes", "scratchpad (bytes)", i.scratchpad_bytes);
  r.num("accumulator_bytes", "accumulator (bytes)", i.accumulator_bytes);
  r.num("qtable_entries", "quantization-table entries", i.config.qtable_entries);
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(i.memory_base));
  r.add("memory_base", "device memory base", buf, true);
  r.num("memory_bytes", "device memory (bytes)", i.memory_size);
  const auto counters = s.engine->counters();
  const char* names[] = {"cycles", "fetch_busy", "load_busy", "compute_busy", "store_busy", "macs",
                         "dma_read_bytes", "dma_write_bytes", "stall_dependency", "stall_memory",
                         "commands_retired"};
  for (uint32_t k = 0; k < tessera::regs::kNumCounters; ++k)
    r.num(std::string("counter_") + names[k], std::string("counter ") + names[k], counters.value[k]);
  if (!c.json) std::printf("Tessera engine\n");
  r.print();
  return 0;
}

int cmd_gemm(int argc, char** argv) {
  Common c;
  QuantOptions q;
  uint32_t m = 0, k = 0, n = 0;
  std::string a_path, b_path, bias_path, out_path;
  bool int32 = false, check = false;
  auto d = common_options(c);
  po::options_description g("GEMM: C[M x N] = A[M x K] * B[K x N] + bias");
  g.add_options()("m", po::value(&m), "rows of A (random A)")("k", po::value(&k), "columns of A")(
      "n", po::value(&n), "columns of B")("a", po::value(&a_path), "A.npy, int8 M x K")(
      "b", po::value(&b_path), "B.npy, int8 K x N")("bias", po::value(&bias_path), "bias.npy, int32 N")(
      "out", po::value(&out_path), "C.npy to write (int8, or int32 with --int32)")(
      "int32", po::bool_switch(&int32), "raw int32 accumulators + bias, no requantization")(
      "check", po::bool_switch(&check), "compare with the reference model");
  add_quant_options(g, q);
  d.add(g);
  parse(argc, argv, d, {}, "tessera gemm [--a A.npy --b B.npy | --m M --k K --n N] [options]");

  std::mt19937_64 rng(c.seed);
  drv::GemmArgs args;
  if (!a_path.empty()) {
    const auto a = tessera::npy::load(a_path);
    if (a.shape.size() != 2) throw UsageError(a_path + ": A must be 2-D (M x K)");
    args.m = uint32_t(a.shape[0]);
    args.k = uint32_t(a.shape[1]);
    args.a = a.as_int8(a_path);
  } else {
    if (!m || !k) throw UsageError("give --a A.npy, or --m and --k (>= 1) for a random A");
    args.m = m;
    args.k = k;
    args.a = random_int8(rng, std::size_t(m) * k);
  }
  if (!b_path.empty()) {
    const auto b = tessera::npy::load(b_path);
    if (b.shape.size() != 2 || b.shape[0] != args.k) {
      throw UsageError(b_path + ": B must be 2-D with K = " + std::to_string(args.k) + " rows");
    }
    args.n = uint32_t(b.shape[1]);
    args.b = b.as_int8(b_path);
  } else {
    if (!n) throw UsageError("give --b B.npy, or --n (>= 1) for a random B");
    args.n = n;
    args.b = random_int8(rng, std::size_t(args.k) * n);
  }
  if (!bias_path.empty()) args.bias = tessera::npy::load(bias_path).as_int32(bias_path);
  args.quant = quantization(q, args.k);

  Session s(c);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int8_t> c8;
  std::vector<int32_t> c32;
  if (int32) c32 = drv::gemm_int32(*s.engine, args);
  else c8 = drv::gemm_int8(*s.engine, args);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Report r(c.json);
  r.add("operation", "operation",
        "gemm " + std::to_string(args.m) + "x" + std::to_string(args.k) + "x" + std::to_string(args.n) +
            (int32 ? " int32" : " int8"),
        true);
  add_run_report(r, *s.engine, uint64_t(args.m) * args.k * args.n, c.clock_mhz, wall);
  bool ok = true;
  if (check) {
    const auto acc = ref::gemm(args.a, args.b, args.bias, args.m, args.k, args.n);
    std::size_t bad = 0;
    if (int32) {
      for (std::size_t i = 0; i < acc.size(); ++i) bad += acc[i] != c32[i];
    } else {
      const auto want = ref::requantize(acc, args.m, args.n, stage_of(args.quant, args.n));
      for (std::size_t i = 0; i < want.size(); ++i) bad += want[i] != c8[i];
    }
    r.num("mismatches", "outputs differing from the reference", bad);
    ok = bad == 0;
  }
  if (int32) save_npy(out_path, c32, {args.m, args.n});
  else save_npy(out_path, c8, {args.m, args.n});
  s.finish();
  r.print();
  return ok ? 0 : 1;
}

int cmd_conv2d(int argc, char** argv) {
  Common c;
  QuantOptions q;
  drv::Conv2dArgs a;
  std::string in_path, w_path, bias_path, out_path, pads;
  uint32_t h = 0, w = 0, ch = 0, oc = 0, kernel = 3, stride = 1, pad = 0, dilation = 1, batch = 1;
  int izp = 0;
  bool check = false;
  auto d = common_options(c);
  po::options_description g("conv2d: NHWC int8 input, [KH x KW x C x OC] weights");
  g.add_options()("input", po::value(&in_path), "input.npy, int8 N x H x W x C (or H x W x C)")(
      "weights", po::value(&w_path), "weights.npy, int8 KH x KW x C x OC")(
      "bias", po::value(&bias_path), "bias.npy, int32 OC")("out", po::value(&out_path), "output.npy to write")(
      "batch", po::value(&batch), "random input: images")("h", po::value(&h), "random input: height")(
      "w", po::value(&w), "random input: width")("c", po::value(&ch), "random input: channels")(
      "oc", po::value(&oc), "random weights: output channels")(
      "kernel", po::value(&kernel), "random weights: K for a K x K kernel")(
      "stride", po::value(&stride), "stride (both axes)")("pad", po::value(&pad), "padding (all sides)")(
      "pads", po::value(&pads), "padding top,bottom,left,right")(
      "dilation", po::value(&dilation), "dilation (both axes)")(
      "input-zero-point", po::value(&izp), "input zero point (the padding value)")(
      "pool", po::bool_switch(&a.max_pool), "2x2 max-pool after requantization")(
      "check", po::bool_switch(&check), "compare with the reference model");
  add_quant_options(g, q);
  d.add(g);
  parse(argc, argv, d, {}, "tessera conv2d [--input X.npy --weights W.npy | --h --w --c --oc] [options]");

  std::mt19937_64 rng(c.seed);
  if (!in_path.empty()) {
    const auto x = tessera::npy::load(in_path);
    if (x.shape.size() == 3) {
      a.batch = 1, a.h = uint32_t(x.shape[0]), a.w = uint32_t(x.shape[1]), a.c = uint32_t(x.shape[2]);
    } else if (x.shape.size() == 4) {
      a.batch = uint32_t(x.shape[0]), a.h = uint32_t(x.shape[1]), a.w = uint32_t(x.shape[2]);
      a.c = uint32_t(x.shape[3]);
    } else {
      throw UsageError(in_path + ": the input must be N x H x W x C or H x W x C");
    }
    a.input = x.as_int8(in_path);
  } else {
    if (!h || !w || !ch) throw UsageError("give --input X.npy, or --h, --w and --c (>= 1)");
    a.batch = batch, a.h = h, a.w = w, a.c = ch;
    a.input = random_int8(rng, std::size_t(batch) * h * w * ch);
  }
  if (!w_path.empty()) {
    const auto wt = tessera::npy::load(w_path);
    if (wt.shape.size() != 4 || wt.shape[2] != a.c) {
      throw UsageError(w_path + ": weights must be KH x KW x C x OC with C = " + std::to_string(a.c));
    }
    a.kernel_h = uint32_t(wt.shape[0]), a.kernel_w = uint32_t(wt.shape[1]);
    a.out_channels = uint32_t(wt.shape[3]);
    a.weights = wt.as_int8(w_path);
  } else {
    if (!oc) throw UsageError("give --weights W.npy, or --oc (>= 1) for random weights");
    a.kernel_h = a.kernel_w = kernel;
    a.out_channels = oc;
    a.weights = random_int8(rng, std::size_t(kernel) * kernel * a.c * oc);
  }
  if (!bias_path.empty()) a.bias = tessera::npy::load(bias_path).as_int32(bias_path);
  a.stride_h = a.stride_w = stride;
  a.dilation_h = a.dilation_w = dilation;
  a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = pad;
  if (!pads.empty()) {
    unsigned t, b, l, rr;
    char extra;
    if (std::sscanf(pads.c_str(), "%u,%u,%u,%u%c", &t, &b, &l, &rr, &extra) != 4)
      throw UsageError("--pads = '" + pads + "' is not TOP,BOTTOM,LEFT,RIGHT");
    a.pad_top = t, a.pad_bottom = b, a.pad_left = l, a.pad_right = rr;
  }
  a.input_zero_point = izp;
  a.quant = quantization(q, uint64_t(a.kernel_h) * a.kernel_w * a.c);

  Session s(c);
  const auto t0 = std::chrono::steady_clock::now();
  const auto result = drv::conv2d(*s.engine, a);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ref::Conv2dParams p;
  p.kernel_h = a.kernel_h, p.kernel_w = a.kernel_w, p.stride_h = a.stride_h, p.stride_w = a.stride_w;
  p.dilation_h = a.dilation_h, p.dilation_w = a.dilation_w;
  p.pad_top = a.pad_top, p.pad_bottom = a.pad_bottom, p.pad_left = a.pad_left, p.pad_right = a.pad_right;
  p.input_zero_point = a.input_zero_point;
  const ref::Nhwc shape{a.batch, a.h, a.w, a.c};
  auto conv_shape = p.output_shape(shape, a.out_channels);
  Report r(c.json);
  r.add("operation", "operation",
        "conv2d " + std::to_string(a.batch) + "x" + std::to_string(a.h) + "x" + std::to_string(a.w) + "x" +
            std::to_string(a.c) + " -> " + std::to_string(result.batch) + "x" + std::to_string(result.h) +
            "x" + std::to_string(result.w) + "x" + std::to_string(result.c),
        true);
  add_run_report(r, *s.engine,
                 uint64_t(conv_shape.elements()) * a.kernel_h * a.kernel_w * a.c, c.clock_mhz, wall);
  bool ok = true;
  if (check) {
    auto want = ref::requantize(ref::conv2d(a.input, shape, a.weights, a.out_channels, a.bias, p),
                                conv_shape.n * conv_shape.h * conv_shape.w, a.out_channels,
                                stage_of(a.quant, a.out_channels));
    if (a.max_pool) want = ref::max_pool_2x2(want, conv_shape);
    std::size_t bad = 0;
    for (std::size_t i = 0; i < want.size(); ++i) bad += want[i] != result.output[i];
    r.num("mismatches", "outputs differing from the reference", bad);
    ok = bad == 0;
  }
  save_npy(out_path, result.output, {result.batch, result.h, result.w, result.c});
  s.finish();
  r.print();
  return ok ? 0 : 1;
}

int cmd_run(int argc, char** argv) {
  Common c;
  std::string path;
  auto d = common_options(c);
  d.add_options()("recording", po::value(&path)->required(), "a file from --record");
  po::positional_options_description pos;
  pos.add("recording", 1);
  parse(argc, argv, d, pos, "tessera run RECORDING [options]");
  const auto rec = drv::Recording::load(path);
  Session s(c);
  auto& e = *s.engine;
  const uint64_t lo = e.info().memory_base, hi = lo + e.info().memory_size;
  for (const auto* regions : {&rec.inputs, &rec.outputs}) {
    for (const auto& reg : *regions) {
      if (reg.addr < lo || reg.addr + reg.bytes.size() > hi)
        throw std::runtime_error(path + ": recorded addresses lie outside this device's memory");
    }
  }
  for (const auto& reg : rec.inputs) e.write(reg.addr, reg.bytes.data(), reg.bytes.size());
  isa::CommandStream stream = e.new_stream();
  for (const auto& cmd : rec.commands) stream.push(cmd);
  const auto t0 = std::chrono::steady_clock::now();
  e.run(stream);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::size_t bytes = 0, bad = 0;
  for (const auto& reg : rec.outputs) {
    std::vector<uint8_t> got(reg.bytes.size());
    e.read(reg.addr, got.data(), got.size());
    bytes += got.size();
    for (std::size_t i = 0; i < got.size(); ++i) bad += got[i] != reg.bytes[i];
  }
  Report r(c.json);
  r.num("commands", "commands", rec.commands.size());
  add_run_report(r, e, e.counters()[tessera::regs::Counter::kMacs], c.clock_mhz, wall);
  r.num("output_bytes", "recorded output bytes", bytes);
  r.num("mismatches", "output bytes differing from the recording", bad);
  r.print();
  return bad ? 1 : 0;
}

std::vector<isa::Command> read_stream(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() == 4 && std::string(magic, 4) == "TSRA") return drv::Recording::load(path).commands;
  in.clear();  // a file shorter than the magic hit its end
  in.seekg(0);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() % isa::kCommandBytes) {
    throw std::runtime_error(path + " holds " + std::to_string(bytes.size()) +
                             " bytes, not a whole number of 64-byte commands");
  }
  std::vector<isa::Command> out;
  for (std::size_t i = 0; i < bytes.size(); i += isa::kCommandBytes)
    out.push_back(isa::Command::from_bytes(&bytes[i]));
  return out;
}

int cmd_disasm(int argc, char** argv) {
  std::string in, out;
  po::options_description d("disasm: binary stream (or recording) -> text");
  d.add_options()("help,h", "show this help")("input", po::value(&in)->required(), "stream file")(
      "output", po::value(&out), "text file (default: standard output)");
  po::positional_options_description pos;
  pos.add("input", 1).add("output", 1);
  parse(argc, argv, d, pos, "tessera disasm STREAM [TEXT]");
  std::ostringstream text;
  for (const auto& cmd : read_stream(in)) text << isa::disassemble(cmd) << "\n";
  if (out.empty()) {
    std::cout << text.str();
  } else {
    const std::string tmp = out + ".partial";
    std::ofstream o(tmp);
    o << text.str();
    o.close();
    if (!o || std::rename(tmp.c_str(), out.c_str()) != 0) {
      std::remove(tmp.c_str());
      throw std::runtime_error("cannot write " + out);
    }
  }
  return 0;
}

int cmd_asm(int argc, char** argv) {
  std::string in, out;
  po::options_description d("asm: text -> binary stream");
  d.add_options()("help,h", "show this help")("input", po::value(&in)->required(), "text file")(
      "output", po::value(&out)->required(), "binary stream to write");
  po::positional_options_description pos;
  pos.add("input", 1).add("output", 1);
  parse(argc, argv, d, pos, "tessera asm TEXT STREAM");
  std::ifstream text(in);
  if (!text) throw std::runtime_error("cannot read " + in);
  std::vector<uint8_t> bytes;
  std::string line;
  for (int number = 1; std::getline(text, line); ++number) {
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const auto cmd = isa::assemble(line);
      bytes.insert(bytes.end(), cmd.bytes().begin(), cmd.bytes().end());
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error(in + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  const std::string tmp = out + ".partial";
  std::ofstream o(tmp, std::ios::binary);
  o.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  o.close();
  if (!o || std::rename(tmp.c_str(), out.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw std::runtime_error("cannot write " + out);
  }
  return 0;
}

int cmd_bench(int argc, char** argv) {
  Common c;
  bool quick = false;
  auto d = common_options(c);
  d.add_options()("quick", po::bool_switch(&quick), "small shapes (a smoke test)");
  parse(argc, argv, d, {}, "tessera bench [options]");
  Session s(c);
  std::mt19937_64 rng(c.seed);
  struct Layer {
    uint32_t h, w, ch, oc;
  };
  const std::vector<Layer> layers = quick ? std::vector<Layer>{{8, 8, 32, 32}}
                                          : std::vector<Layer>{{56, 56, 64, 64}, {28, 28, 128, 128},
                                                               {14, 14, 256, 256}, {7, 7, 256, 256}};
  const uint32_t g = quick ? 64 : 512;
  if (!c.json) std::printf("%-34s %12s %10s %10s %10s\n", "workload", "cycles", "util %", "wall s", "host %");
  std::string json = "[";
  auto row = [&](const std::string& name, uint64_t macs, double wall, double run_wall) {
    // cycles: the engine's own counter, cleared before the operation.
    const auto cnt = s.engine->counters();
    const uint64_t cycles = cnt[tessera::regs::Counter::kCycles];
    const auto& cfg = s.engine->info().config;
    const double util = 100.0 * double(macs) / (double(cycles) * cfg.rows * cfg.cols);
    const double host = wall > 0 ? 100.0 * (wall - run_wall) / wall : 0;
    if (c.json) {
      char buf[256];
      std::snprintf(buf, sizeof buf,
                    "%s{\"workload\": \"%s\", \"cycles\": %llu, \"utilization_percent\": %.2f, "
                    "\"wall_seconds\": %.3f, \"host_overhead_percent\": %.1f}",
                    json.size() > 1 ? ", " : "", name.c_str(), (unsigned long long)cycles, util, wall, host);
      json += buf;
    } else {
      std::printf("%-34s %12llu %10.2f %10.3f %10.1f\n", name.c_str(), (unsigned long long)cycles,
                  util, wall, host);
    }
  };
  // Host overhead: an operation's wall time outside Engine::run (packing, copying, planning).
  auto measure = [&](const std::string& name, uint64_t macs, const std::function<void()>& op) {
    s.engine->clear_counters();
    const double run_before = s.engine->run_seconds();
    const auto t0 = std::chrono::steady_clock::now();
    op();
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    row(name, macs, wall, s.engine->run_seconds() - run_before);
  };
  {
    drv::GemmArgs ga;
    ga.m = ga.k = ga.n = g;
    ga.a = random_int8(rng, std::size_t(g) * g);
    ga.b = random_int8(rng, std::size_t(g) * g);
    ga.quant = quantization(QuantOptions{}, g);
    measure("gemm " + std::to_string(g) + "^3", uint64_t(g) * g * g,
            [&] { drv::gemm_int8(*s.engine, ga); });
  }
  for (const Layer& l : layers) {
    drv::Conv2dArgs a;
    a.h = l.h, a.w = l.w, a.c = l.ch, a.out_channels = l.oc;
    a.kernel_h = a.kernel_w = 3;
    a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = 1;
    a.input = random_int8(rng, std::size_t(l.h) * l.w * l.ch);
    a.weights = random_int8(rng, std::size_t(9) * l.ch * l.oc);
    a.quant = quantization(QuantOptions{}, 9ull * l.ch);
    a.quant.act_min = a.quant.zero_point;
    measure("conv3x3 " + std::to_string(l.h) + "x" + std::to_string(l.w) + "x" + std::to_string(l.ch) +
                "->" + std::to_string(l.oc),
            uint64_t(l.h) * l.w * l.oc * 9 * l.ch, [&] { drv::conv2d(*s.engine, a); });
  }
  if (c.json) std::cout << json << "]\n";
  s.finish();
  return 0;
}

int cmd_selftest(int argc, char** argv) {
  Common c;
  unsigned count = 20;
  auto d = common_options(c);
  d.add_options()("count", po::value(&count)->default_value(20), "random operations");
  parse(argc, argv, d, {}, "tessera selftest [--count N] [options]");
  require_range("count", count, 1u, 100000u);
  Session s(c);
  std::mt19937_64 rng(c.seed);
  unsigned passed = 0;
  for (unsigned i = 0; i < count; ++i) {
    std::string what;
    bool ok = true;
    if (i % 2 == 0) {
      drv::GemmArgs g;
      g.m = 1 + rng() % 80, g.k = 1 + rng() % 100, g.n = 1 + rng() % 50;
      g.a = random_int8(rng, std::size_t(g.m) * g.k);
      g.b = random_int8(rng, std::size_t(g.k) * g.n);
      g.bias.resize(g.n);
      for (auto& b : g.bias) b = int32_t(rng() % 2001) - 1000;
      QuantOptions q;
      q.zero_point = int(rng() % 256) - 128;
      g.quant = quantization(q, g.k);
      what = "gemm " + std::to_string(g.m) + "x" + std::to_string(g.k) + "x" + std::to_string(g.n);
      const auto got = drv::gemm_int8(*s.engine, g);
      const auto want = ref::requantize(ref::gemm(g.a, g.b, g.bias, g.m, g.k, g.n), g.m, g.n,
                                        stage_of(g.quant, g.n));
      ok = got == want;
    } else {
      drv::Conv2dArgs a;
      const uint32_t kernels[] = {1, 3, 5, 7};
      a.h = 1 + rng() % 14, a.w = 1 + rng() % 14, a.c = 1 + rng() % 40, a.out_channels = 1 + rng() % 40;
      a.kernel_h = a.kernel_w = kernels[rng() % 4];
      a.stride_h = a.stride_w = 1 + rng() % 2;
      const uint32_t pad = a.kernel_h / 2;
      a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = pad;
      a.input_zero_point = int(rng() % 256) - 128;
      a.input = random_int8(rng, std::size_t(a.h) * a.w * a.c);
      a.weights = random_int8(rng, std::size_t(a.kernel_h) * a.kernel_w * a.c * a.out_channels);
      a.quant = quantization(QuantOptions{}, uint64_t(a.kernel_h) * a.kernel_w * a.c);
      what = "conv2d " + std::to_string(a.h) + "x" + std::to_string(a.w) + "x" + std::to_string(a.c) +
             " k" + std::to_string(a.kernel_h) + " s" + std::to_string(a.stride_h) + " -> " +
             std::to_string(a.out_channels);
      ref::Conv2dParams p;
      p.kernel_h = p.kernel_w = a.kernel_h;
      p.stride_h = p.stride_w = a.stride_h;
      p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
      p.input_zero_point = a.input_zero_point;
      const ref::Nhwc shape{1, a.h, a.w, a.c};
      const auto os = p.output_shape(shape, a.out_channels);
      const auto got = drv::conv2d(*s.engine, a);
      const auto want = ref::requantize(ref::conv2d(a.input, shape, a.weights, a.out_channels, {}, p),
                                        os.h * os.w, a.out_channels, stage_of(a.quant, a.out_channels));
      ok = got.output == want;
    }
    passed += ok;
    if (!c.json) std::printf("  %-44s %s\n", what.c_str(), ok ? "ok" : "MISMATCH");
  }
  if (c.json) std::printf("{\"count\": %u, \"passed\": %u}\n", count, passed);
  else std::printf("selftest: %u of %u operations match the reference model (seed %llu)\n", passed,
                   count, (unsigned long long)c.seed);
  s.finish();
  return passed == count ? 0 : 1;
}

// The iCEBreaker build: the bare core over a serial port (docs/boards.md), not an engine.
int cmd_coretest(int argc, char** argv) {
  std::string serial;
  uint32_t baud = drv::kCoreLinkBaud;
  unsigned count = 10;
  uint64_t seed = 1;
  double timeout_s = 2;
  bool json = false;
  po::options_description d("Options");
  d.add_options()("help,h", "show this help")(
      "serial", po::value(&serial)->required(), "the board's serial port, e.g. /dev/ttyUSB1")(
      "baud", po::value(&baud)->default_value(drv::kCoreLinkBaud), "the link's rate (the bitstream's: 1000000)")(
      "count", po::value(&count)->default_value(10), "random GEMMs")(
      "seed", po::value(&seed)->default_value(1), "seed for the random GEMMs")(
      "timeout", po::value(&timeout_s)->default_value(2), "seconds to wait for a byte")(
      "json", po::bool_switch(&json), "print the report as one JSON object");
  parse(argc, argv, d, {}, "tessera coretest --serial /dev/ttyUSB1 [options]");
  require_range("count", count, 1u, 100000u);
  require_range("timeout", timeout_s, 0.001, 3600.0);
  std::unique_ptr<drv::ByteChannel> port;
  try {
    port = drv::open_serial_port(serial, baud);
  } catch (const drv::DeviceError&) {
    throw;
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--baud: ") + e.what());
  }
  drv::CoreLink link(std::move(port), std::chrono::milliseconds(int64_t(timeout_s * 1000)));
  const auto& info = link.info();
  std::mt19937_64 rng(seed);
  unsigned passed = 0;
  uint64_t macs = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (unsigned i = 0; i < count; ++i) {
    const std::size_t m = 1 + rng() % 48, k = 1 + rng() % 48, n = 1 + rng() % 24;
    const auto a = random_int8(rng, m * k), b = random_int8(rng, k * n);
    const bool ok = link.gemm(a, b, m, k, n) == ref::gemm(a, b, {}, m, k, n);
    passed += ok;
    macs += uint64_t(m) * k * n;
    if (!json) std::printf("  gemm %zux%zux%zu %s\n", m, k, n, ok ? "ok" : "MISMATCH");
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  Report r(json);
  r.add("port", "port", serial, true);
  r.add("core", "core (rows x cols)", std::to_string(info.rows) + " x " + std::to_string(info.cols), true);
  r.num("rx_buffer_bytes", "board receive buffer (bytes)", info.rx_buffer_bytes);
  r.num("gemms", "GEMMs", count);
  r.num("passed", "bit-exact against the reference model", passed);
  r.num("macs", "MACs", macs);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", wall > 0 ? double(macs) / wall : 0.0);
  r.add("macs_per_second", "MACs per second (the link's rate bounds it)", buf);
  std::snprintf(buf, sizeof buf, "%.0f", wall > 0 ? double(link.bytes_sent() + link.bytes_received()) / wall : 0.0);
  r.add("link_bytes_per_second", "link bytes per second, both ways", buf);
  r.print();
  return passed == count ? 0 : 1;
}

const char* kUsage =
    "usage: tessera <command> [options]   (tessera <command> --help for its options)\n"
    "  info       the device, its configuration and counters\n"
    "  gemm       int8 GEMM (A.npy, B.npy or random), requantized or int32\n"
    "  conv2d     int8 NHWC convolution (input.npy, weights.npy or random)\n"
    "  run FILE   replay a recording (--record) and compare its outputs\n"
    "  asm TEXT STREAM / disasm STREAM [TEXT]   text <-> binary command streams\n"
    "  bench      512^3 GEMM and ResNet-like 3x3 convolutions: cycles, utilization, host time\n"
    "  selftest   random operations against the reference model\n"
    "  coretest   random GEMMs on a board's bare core over a serial port (the iCEBreaker)\n";

}  // namespace

int sc_main(int argc, char** argv) {
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  const struct {
    const char* name;
    int (*run)(int, char**);
  } commands[] = {{"info", cmd_info},     {"gemm", cmd_gemm},     {"conv2d", cmd_conv2d},
                  {"run", cmd_run},       {"asm", cmd_asm},       {"disasm", cmd_disasm},
                  {"bench", cmd_bench},   {"selftest", cmd_selftest}, {"coretest", cmd_coretest}};
  try {
    for (const auto& c : commands) {
      if (command == c.name) return c.run(argc - 1, argv + 1);
    }
    throw UsageError("unknown command '" + command + "' (info, gemm, conv2d, run, asm, disasm, bench, selftest, coretest)");
  } catch (const UsageError& e) {
    std::fprintf(stderr, "tessera: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "\ntessera: error: %s\n", e.what());
    return 1;
  }
}
