// SPDX-License-Identifier: Apache-2.0
// What the tessera tool's subcommands share: the common options, argument parsing, the
// device session (progress, recording), the run report and the quantization options.
#pragma once

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/engine.hpp"
#include "tessera/ops.hpp"
#include "tessera/ref.hpp"
#include "tessera/report.hpp"

namespace tessera::cli {

namespace po = boost::program_options;

// Bad usage: unknown or missing options, contradictory ones (exit status 2).
struct UsageError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

struct Common {
  std::string device = "sim", trace, trace_window, record;
  bool json = false;
  uint64_t seed = 1;
  double timeout_s = 600, clock_mhz = 250;
  unsigned latency = 100;
};
// The common options; `default_device` replaces the build's default (the simulator when it
// has the RTL) for a subcommand whose work is too long for it (train: the golden model).
po::options_description common_options(Common& c, const char* default_device = nullptr);

// Parses argv (after the subcommand's name) against `d`, positional names in `pos`; with
// --help prints "usage: tessera USAGE" and the options, and exits 0.
po::variables_map parse(int argc, char** argv, const po::options_description& d,
                        const po::positional_options_description& pos, const std::string& usage);

// The device, with progress on a terminal and an optional recording.
struct Session {
  std::unique_ptr<driver::Engine> engine;
  driver::Recording recording;
  std::string record_path;

  // clear: zero the engine's counters (an operation's report counts only itself); `info`
  // shows them as they are.
  explicit Session(const Common& c, bool clear = true);
  void finish();  // writes the recording, if asked for
};

// device, array, cycles, MACs, utilization, time at the clock, DMA bytes, wall time. The
// counters are read once, here: on the simulator every register read is 16 cycles that a
// second reading's CYCLES would count (a replay read them twice and reported +352 cycles).
// useful_macs = kCountedMacs takes the engine's MAC counter.
inline constexpr uint64_t kCountedMacs = ~uint64_t(0);
void add_run_report(Report& r, driver::Engine& e, uint64_t useful_macs, double clock_mhz,
                    double wall_s);

// n random bytes for the tensor `what` (named in the error when n is above 1 GiB).
std::vector<int8_t> random_int8(std::mt19937_64& rng, std::size_t n, const std::string& what);

// Requantization options shared by gemm and conv2d: per tensor (--scale, or --multiplier
// and --shift) or per output channel from .npy files (--scales, or --multipliers and
// --shifts).
struct QuantOptions {
  double scale = 0;  // without --scale: chosen from K so that outputs spread over int8
  bool scale_given = false;
  int multiplier = -1, shift = 0, zero_point = 0, act_min = -128, act_max = 127;
  std::string scales_path, multipliers_path, shifts_path;
  bool relu = false;
};
void add_quant_options(po::options_description& d, QuantOptions& q);
// The requantization for `channels` output channels and K products per output.
driver::Quantization quantization(const QuantOptions& q, uint64_t k, uint32_t channels);
ref::OutputStage stage_of(const driver::Quantization& q, uint32_t channels);

template <typename T>
void save_npy(const std::string& path, const std::vector<T>& v, std::vector<std::size_t> shape);

double seconds_since(std::chrono::steady_clock::time_point t0);
// A shape as "[1, 8, 16, 16]" (a negative dimension, the batch of a model's port, as N).
std::string shape_text(const std::vector<int64_t>& s);
std::string shape_text(const std::vector<std::size_t>& s);
// A file option and the options it makes meaningless (e.g. --a A.npy and --m): refused
// together rather than one silently ignored.
void require_not_both(const po::variables_map& vm, const std::string& file_option,
                      const std::vector<std::string>& random_options, const std::string& what);
// --bias FILE: int8 or int32 values, `count` of them (an empty file is an error, not "no
// bias": leave --bias out for that).
std::vector<int32_t> load_bias(const std::string& path, std::size_t count, const char* what);

// UsageError when two output options name the same file (one would overwrite the other).
void require_distinct_outputs(const std::string& option_a, const std::string& a,
                              const std::string& option_b, const std::string& b);

}  // namespace tessera::cli
