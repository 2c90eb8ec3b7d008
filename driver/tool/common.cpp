// SPDX-License-Identifier: Apache-2.0
// The tessera tool's shared pieces; see common.hpp.
#include "common.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "tessera/atomic_file.hpp"
#include "tessera/checks.hpp"
#include "tessera/npy.hpp"
#include "tessera/open_device.hpp"

namespace tessera::cli {

po::options_description common_options(Common& c, const char* default_device) {
  po::options_description d("Common options");
  std::string devices;
  for (const auto& b : driver::backends()) devices += (devices.empty() ? "" : ", ") + b.usage;
  d.add_options()("help,h", "show this help")(
      "device",
      po::value(&c.device)->default_value(default_device ? default_device : TESSERA_DEFAULT_DEVICE),
      devices.c_str())("trace", po::value(&c.trace),
                       "sim only: write an FST waveform (FILE.fst; time in ps of --clock-mhz)")(
      "trace-window", po::value(&c.trace_window),
      "with --trace: only cycles START:END (END exclusive; START: to the end)")(

      "latency", po::value(&c.latency)->default_value(100),
      "memory latency in cycles (sim; fsim: in its time estimate)")(
      "record", po::value(&c.record),
      "save the exact command stream and data (replay: tessera run)")(
      "json", po::bool_switch(&c.json), "print the report as one JSON object")(
      "seed", po::value(&c.seed)->default_value(1), "seed for random tensors")(
      "timeout", po::value(&c.timeout_s)->default_value(600),
      "seconds before giving up on the device")(
      "clock-mhz", po::value(&c.clock_mhz)->default_value(250), "clock for the time in the report");
  return d;
}

namespace {

// Boost reads "-1" into an unsigned option as its 2^N - 1: refuse a sign on any of them.
void refuse_negative_unsigned(const po::parsed_options& parsed, const po::options_description& d) {
  for (const po::option& o : parsed.options) {
    const po::option_description* desc = d.find_nothrow(o.string_key, false);
    if (!desc) continue;
    const auto* sem = desc->semantic().get();
    const bool is_unsigned = dynamic_cast<const po::typed_value<uint32_t>*>(sem) ||
                             dynamic_cast<const po::typed_value<uint64_t>*>(sem) ||
                             dynamic_cast<const po::typed_value<uint16_t>*>(sem);
    if (!is_unsigned) continue;
    for (const std::string& v : o.value) {
      if (v.find('-') != std::string::npos || v.find('+') != std::string::npos) {
        throw UsageError("--" + o.string_key + " = '" + v +
                         "' is not a whole number (it takes 0, 1, 2, ... without a sign)");
      }
    }
  }
}

}  // namespace

po::variables_map parse(int argc, char** argv, const po::options_description& d,
                        const po::positional_options_description& pos, const std::string& usage) {
  po::variables_map vm;
  try {
    const po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(d).positional(pos).run();
    refuse_negative_unsigned(parsed, d);
    po::store(parsed, vm);
    if (vm.count("help")) {
      std::cout << "usage: tessera " << usage << "\n\n" << d << "\n";
      std::exit(0);
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return vm;
}

Session::Session(const Common& c, bool clear) {
  require_range("--timeout", c.timeout_s, 0.001, 1e6);
  require_range("--clock-mhz", c.clock_mhz, 1e-3, 1e5);
  std::string spec = c.device;
  const bool sim = spec.rfind("sim", 0) == 0, fsim = spec.rfind("fsim", 0) == 0;
  if (sim || fsim) {  // the golden model estimates time with the same memory latency
    require_range("--latency", c.latency, 0u, 10000u);
    if (spec.find("latency=") == std::string::npos) {
      spec += std::string(spec == "sim" || spec == "fsim" ? ":" : ",") +
              "latency=" + std::to_string(c.latency);
    }
  }
  if (!c.trace_window.empty() && c.trace.empty())
    throw UsageError("--trace-window needs --trace FILE.fst");
  if (sim && !c.trace.empty()) {
    spec += ",trace=" + c.trace + ",clock_mhz=" + std::to_string(uint64_t(c.clock_mhz + 0.5));
    if (!c.trace_window.empty()) {
      const CycleWindow w = parse_cycle_window("--trace-window", c.trace_window);
      spec += ",trace_start=" + std::to_string(w.start) + ",trace_end=" + std::to_string(w.end);
    }
  } else if (!c.trace.empty()) {
    throw UsageError("--trace needs --device sim (it traces the simulated engine)");
  }
  engine = std::make_unique<driver::Engine>(driver::open_device(spec),
                                            std::chrono::milliseconds(int64_t(c.timeout_s * 1000)));
  if (isatty(2)) engine->progress = terminal_progress(stderr);
  record_path = c.record;
  if (!record_path.empty()) require_writable(record_path);
  if (!record_path.empty()) engine->record_to(&recording);
  if (clear) engine->clear_counters();
}

void Session::finish() {
  if (!record_path.empty()) recording.save(record_path);
}

void add_run_report(Report& r, driver::Engine& e, uint64_t useful_macs, double clock_mhz,
                    double wall_s) {
  const auto c = e.counters();
  const uint64_t cycles = c[regs::Counter::kCycles];
  if (useful_macs == kCountedMacs) useful_macs = c[regs::Counter::kMacs];
  const auto& cfg = e.info().config;
  r.add("device", "device", e.info().device);
  r.add("array", "array (rows x cols)", std::to_string(cfg.rows) + "x" + std::to_string(cfg.cols));
  r.add("cycles", "cycles", cycles);
  // Utilization from the MACs the engine performed (its counter): what the operation needs
  // can differ, e.g. rows a pooled convolution never computes.
  const uint64_t engine_macs = c[regs::Counter::kMacs];
  r.add("macs", "MACs (the operation's)", useful_macs);
  r.add("engine_macs", "MACs (the engine's counter)", engine_macs);
  r.add("utilization_percent", "MAC utilization (%)",
        Json::number(utilization_percent(engine_macs, cycles, cfg.rows, cfg.cols), 2));
  r.add("seconds_at_clock", "time at " + std::to_string(int(clock_mhz)) + " MHz (s)",
        Json::number(cycles / (clock_mhz * 1e6), 6));
  r.add("dma_read_bytes", "DMA bytes read", c[regs::Counter::kDmaReadBytes]);
  r.add("dma_write_bytes", "DMA bytes written", c[regs::Counter::kDmaWriteBytes]);
  // Where the time went: each unit's busy share of the cycles, and the waits.
  auto share = [&](regs::Counter k) {
    return Json::number(cycles ? 100.0 * double(c[k]) / double(cycles) : 0.0, 2);
  };
  r.add("fetch_busy_percent", "command fetch busy (%)", share(regs::Counter::kFetchBusy));
  r.add("load_busy_percent", "load unit busy (%)", share(regs::Counter::kLoadBusy));
  r.add("compute_busy_percent", "compute unit busy (%)", share(regs::Counter::kComputeBusy));
  r.add("store_busy_percent", "store unit busy (%)", share(regs::Counter::kStoreBusy));
  r.add("depthwise_busy_percent", "depthwise unit busy (%)", share(regs::Counter::kDepthwiseBusy));
  r.add("stall_dependency_cycles", "unit cycles waiting for a token",
        c[regs::Counter::kStallDependency]);
  r.add("stall_memory_cycles", "unit cycles waiting on the bus", c[regs::Counter::kStallMemory]);
  r.add("wall_seconds", "wall time (s)", Json::number(wall_s, 3));
}

std::vector<int8_t> random_int8(std::mt19937_64& rng, std::size_t n, const std::string& what) {
  // As much as the simulators' device memory holds; checked before anything is allocated.
  constexpr std::size_t kMaxRandomBytes = std::size_t(1) << 30;
  if (n > kMaxRandomBytes) {
    throw UsageError(what + " = " + std::to_string(n) + " random bytes; at most " +
                     std::to_string(kMaxRandomBytes) + " (1 GiB)");
  }
  std::vector<int8_t> v(n);
  for (auto& x : v) x = int8_t(rng());
  return v;
}

void add_quant_options(po::options_description& d, QuantOptions& q) {
  d.add_options()("scale", po::value(&q.scale)->notifier([&q](double) { q.scale_given = true; }),
                  "real output multiplier, per tensor (default 1/(64 sqrt(K)), K the products "
                  "per output, so that random outputs spread over int8)")(
      "multiplier", po::value(&q.multiplier), "quantized multiplier, [0, 2^31-1] (with --shift)")(
      "shift", po::value(&q.shift), "shift, [-31, 30] (with --multiplier)")(
      "scales", po::value(&q.scales_path),
      "per output channel: real multipliers, float32 .npy of OC (or N) values")(
      "multipliers", po::value(&q.multipliers_path),
      "per output channel: quantized multipliers, int32 .npy (with --shifts)")(
      "shifts", po::value(&q.shifts_path), "per output channel: shifts, int32 .npy")(
      "zero-point", po::value(&q.zero_point), "output zero point, [-128, 127]")(
      "act-min", po::value(&q.act_min), "lower clamp")(
      "act-max", po::value(&q.act_max), "upper clamp")("relu", po::bool_switch(&q.relu),
                                                       "ReLU: clamp at the zero point");
}

driver::Quantization quantization(const QuantOptions& q, uint64_t k, uint32_t channels) {
  // The default scale divides by sqrt(K): an empty reduction is the shape's error, not the
  // scale's.
  if (k == 0)
    throw UsageError("the products per output (K) = 0: every output would be a sum of nothing");
  driver::Quantization out;
  out.zero_point = q.zero_point;
  out.act_min = q.relu ? std::max(q.act_min, q.zero_point) : q.act_min;
  out.act_max = q.act_max;
  const int ways =
      q.scale_given + (q.multiplier >= 0) + !q.scales_path.empty() + !q.multipliers_path.empty();
  if (ways > 1) {
    throw UsageError("give one of --scale, --multiplier/--shift, --scales, --multipliers/--shifts");
  }
  if (q.multipliers_path.empty() != q.shifts_path.empty()) {
    throw UsageError("--multipliers and --shifts go together");
  }
  auto per_channel = [&](const std::string& path, std::size_t n) {
    if (n != channels) {
      throw UsageError(path + ": " + std::to_string(n) +
                       " values; expected one per output "
                       "channel (" +
                       std::to_string(channels) + ")");
    }
  };
  auto split = [&](double scale, const std::string& what) {
    int32_t mult = 0;
    int shift = 0;
    try {
      ref::quantize_multiplier(scale, mult, shift);
    } catch (const std::invalid_argument& e) {
      throw UsageError(what + ": " + e.what());
    }
    out.multiplier.push_back(mult);
    out.shift.push_back(shift);
  };
  if (!q.multipliers_path.empty()) {
    out.multiplier = npy::load(q.multipliers_path).as_int32(q.multipliers_path);
    per_channel(q.multipliers_path, out.multiplier.size());
    const auto shifts = npy::load(q.shifts_path).as_int32(q.shifts_path);
    per_channel(q.shifts_path, shifts.size());
    out.shift.assign(shifts.begin(), shifts.end());
  } else if (!q.scales_path.empty()) {
    const auto scales = npy::load(q.scales_path).as_float32(q.scales_path);
    per_channel(q.scales_path, scales.size());
    for (std::size_t c = 0; c < scales.size(); ++c) {
      split(scales[c], q.scales_path + "[" + std::to_string(c) + "]");
    }
  } else if (q.multiplier >= 0) {
    out.multiplier = {q.multiplier};
    out.shift = {q.shift};
  } else {
    split(q.scale_given ? q.scale : 1.0 / (64.0 * std::sqrt(double(k))), "--scale");
  }
  return out;
}

ref::OutputStage stage_of(const driver::Quantization& q, uint32_t channels) {
  ref::OutputStage s;
  for (uint32_t c = 0; c < channels; ++c) {
    s.multiplier.push_back(q.multiplier[q.multiplier.size() == 1 ? 0 : c]);
    s.shift.push_back(q.shift[q.shift.size() == 1 ? 0 : c]);
  }
  s.zero_point = q.zero_point;
  s.act_min = q.act_min;
  s.act_max = q.act_max;
  return s;
}

template <typename T>
void save_npy(const std::string& path, const std::vector<T>& v, std::vector<std::size_t> shape) {
  if (!path.empty()) npy::save(path, npy::from(v, std::move(shape)));
}
template void save_npy(const std::string&, const std::vector<int8_t>&, std::vector<std::size_t>);
template void save_npy(const std::string&, const std::vector<int32_t>&, std::vector<std::size_t>);

void require_distinct_outputs(const std::string& option_a, const std::string& a,
                              const std::string& option_b, const std::string& b) {
  if (a.empty() || b.empty()) return;
  std::error_code ec;
  const auto pa = std::filesystem::weakly_canonical(std::filesystem::absolute(a), ec);
  const auto pb = std::filesystem::weakly_canonical(std::filesystem::absolute(b), ec);
  if (pa == pb) {
    throw UsageError(option_a + " and " + option_b + " name the same file '" + a +
                     "'; give each output a file of its own");
  }
}

std::string shape_text(const std::vector<int64_t>& s) {
  std::string t = "[";
  for (std::size_t i = 0; i < s.size(); ++i) {
    t += (i ? ", " : "") + (s[i] < 0 ? std::string("N") : std::to_string(s[i]));
  }
  return t + "]";
}

std::string shape_text(const std::vector<std::size_t>& s) {
  return shape_text(std::vector<int64_t>(s.begin(), s.end()));
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<int32_t> load_bias(const std::string& path, std::size_t count, const char* what) {
  auto bias = npy::load(path).as_int32("--bias " + path);
  if (bias.size() != count) {
    throw std::invalid_argument("--bias " + path + " holds " + std::to_string(bias.size()) +
                                " values; expected " + std::to_string(count) + " (" + what + ")");
  }
  return bias;
}

void require_not_both(const po::variables_map& vm, const std::string& file_option,
                      const std::vector<std::string>& random_options, const std::string& what) {
  if (!vm.count(file_option)) return;
  for (const std::string& o : random_options) {
    if (vm.count(o) && !vm[o].defaulted()) {
      throw UsageError("--" + file_option + " gives " + what + "; --" + o +
                       " is for a random one (leave one of them out)");
    }
  }
}

}  // namespace tessera::cli
