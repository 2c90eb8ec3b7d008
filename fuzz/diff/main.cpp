// SPDX-License-Identifier: Apache-2.0
// tessera_fuzz: differential fuzzing of the engine (the RTL simulator) against the golden
// model (fsim), command stream by command stream (docs/fuzzing.md).
//
//   tessera_fuzz [--seed S] [--streams N | --commands N] [--replay FILE.tsa]
//                [--repro-dir DIR] [--json FILE] [--verbose]
//
// Stream i has seed S + i (printed with every finding): `--seed S+i --streams 1` replays it.
// Each stream runs on both under random memory timing; the outcomes must agree (harness.hpp),
// the bus must see no protocol violation and no burst outside the DMA window, and the
// engine must come back after its soft reset. A mismatch is minimised to a short stream,
// written as assembly (FILE.tsa, `tessera asm` reads it) that --replay runs again with the
// same seed's memory. Exit status: 0 no mismatch, 1 mismatches, 2 bad usage.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "harness.hpp"
#include "tessera/checks.hpp"
#include "tessera/fsim.hpp"
#include "tessera/report.hpp"
#include "tessera/sim_device.hpp"

namespace {

using namespace tessera;
using fuzz::Verdict;

struct Options {
  uint64_t seed = 1, streams = 100, commands = 0;
  std::string replay, repro_dir = ".", json;
  bool verbose = false;
};

const char* kUsage =
    "usage: tessera_fuzz [--seed S] [--streams N | --commands N] [--replay FILE.tsa]\n"
    "                    [--repro-dir DIR] [--json FILE] [--verbose]\n"
    "Runs N streams (default 100; with --commands, until N commands have run) with seeds\n"
    "S, S+1, ... on the RTL simulator and the golden model and compares them.\n";

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--seed")
      o.seed = parse_unsigned("--seed", value(), 0, ~0ull);
    else if (a == "--streams")
      o.streams = parse_unsigned("--streams", value(), 1, 100'000'000);
    else if (a == "--commands")
      o.commands = parse_unsigned("--commands", value(), 1, 1'000'000'000);
    else if (a == "--replay")
      o.replay = value();
    else if (a == "--repro-dir")
      o.repro_dir = value();
    else if (a == "--json")
      o.json = value();
    else if (a == "--verbose")
      o.verbose = true;
    else if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else {
      throw std::invalid_argument("unknown option '" + a + "'\n" + kUsage);
    }
  }
  return o;
}

std::vector<isa::Command> read_assembly(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::invalid_argument("--replay: cannot read " + path);
  std::vector<isa::Command> out;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      out.push_back(isa::assemble(line));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(path + ":" + std::to_string(n) + ": " + e.what());
    }
  }
  return out;
}

class Fuzzer {
 public:
  Fuzzer()
      : sim_(sim::open_sim_device(sim::SimDeviceOptions{})),
        fsim_(fsim::open_fsim_device()),
        layout_(fuzz::Layout::for_memory(sim_->memory_base())),
        gen_(config(), layout_),
        rtl_(*sim_, layout_, true),
        model_(*fsim_, layout_, false) {
    if (fsim_->memory_base() != sim_->memory_base())
      throw std::logic_error("the simulator and the golden model place memory differently");
  }

  const isa::BuildConfig& config() const { return fsim_->model().options().config; }
  const fuzz::StreamGenerator& generator() const { return gen_; }

  // Runs the stream on both; the memory timing comes from the seed.
  Verdict run(const fuzz::Stream& s, uint64_t seed) {
    std::mt19937_64 g(seed ^ 0x5eed);
    sim::AxiMemoryConfig mc;
    mc.read_latency = unsigned(g() % 120);
    mc.write_latency = unsigned(g() % 120);
    mc.read_beats_per_cycle = 0.3 + double(g() % 70) / 100;
    mc.ready_probability = 0.4 + double(g() % 60) / 100;
    mc.valid_probability = 0.4 + double(g() % 60) / 100;
    mc.seed = g();
    mc.allowed_base = layout_.window_base;
    mc.allowed_limit = layout_.window_limit;
    sim::configure_sim_memory(mc);
    std::vector<isa::Command> all = s.commands;
    all.push_back(isa::encode(isa::Fence{true, layout_.done, 0}));
    const fuzz::RaceReport races = fuzz::find_races(all, config(), layout_);
    const std::vector<isa::Command> preamble = fuzz::preamble(races, config(), layout_);
    last_rtl_ = rtl_.run(s, preamble);
    last_rtl_.bus_violations = sim::take_sim_bus_violations();
    fuzz::Outcome model = model_.run(s, preamble);
    model.possible = fsim_->model().errors();
    for (auto& e : model.possible) e.index -= model.first;
    return fuzz::compare(last_rtl_, model, races, layout_);
  }
  const fuzz::Outcome& last_rtl() const { return last_rtl_; }

  // The shortest stream found by dropping commands that still mismatches.
  fuzz::Stream minimise(fuzz::Stream s, uint64_t seed) {
    int budget = 300;
    for (std::size_t chunk = s.commands.size() / 2; chunk >= 1 && budget > 0; chunk /= 2) {
      for (std::size_t at = 0; at < s.commands.size() && budget > 0;) {
        fuzz::Stream t = s;
        t.commands.erase(
            t.commands.begin() + std::ptrdiff_t(at),
            t.commands.begin() + std::ptrdiff_t(std::min(at + chunk, t.commands.size())));
        --budget;
        if (run(t, seed).kind == Verdict::kMismatch)
          s = std::move(t);
        else
          at += chunk;
      }
    }
    return s;
  }

 private:
  std::unique_ptr<driver::Device> sim_;
  std::unique_ptr<fsim::Device> fsim_;
  fuzz::Layout layout_;
  fuzz::StreamGenerator gen_;
  fuzz::Harness rtl_, model_;
  fuzz::Outcome last_rtl_;
};

std::string write_repro(const Options& o, const fuzz::Stream& s, uint64_t seed,
                        const std::string& why) {
  const std::string path = o.repro_dir + "/fuzz-" + std::to_string(seed) + ".tsa";
  std::ofstream out(path);
  out << "# tessera_fuzz mismatch: " << why << "\n# replay: tessera_fuzz --seed " << seed
      << " --replay " << path << "\n# stream kind: " << fuzz::kind_name(s.kind) << "\n";
  for (const auto& c : s.commands) out << isa::disassemble(c) << "\n";
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  try {
    o = parse(argc, argv);
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "tessera_fuzz: error: %s\n", e.what());
    return 2;
  }
  try {
    Fuzzer fuzzer;
    std::map<std::string, uint64_t> outcomes, errors, kinds;
    uint64_t streams = 0, commands = 0, mismatches = 0, recovered = 0, stops = 0;
    bool after_stop = false;
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t i = 0; o.commands ? commands < o.commands : i < o.streams; ++i) {
      const uint64_t seed = o.seed + i;
      fuzz::Stream s = fuzzer.generator().generate(seed);
      if (!o.replay.empty()) {
        s.commands = read_assembly(o.replay);
        if (i > 0) break;
      }
      const Verdict v = fuzzer.run(s, seed);
      ++streams;
      commands += s.commands.size() + 1;
      ++kinds[fuzz::kind_name(s.kind)];
      const fuzz::Outcome& rtl = fuzzer.last_rtl();
      if (after_stop && v.kind != Verdict::kMismatch) ++recovered;
      after_stop = rtl.error != isa::Error::kNone;
      stops += after_stop;
      if (after_stop) ++errors[isa::error_name(rtl.error)];
      static const char* names[] = {"compared, identical", "errors agree", "deadlock in both",
                                    "racy (memory not compared)", "MISMATCH"};
      ++outcomes[names[v.kind]];
      if (o.verbose || v.kind == Verdict::kMismatch) {
        std::printf("seed %llu (%s, %zu commands): %s%s%s\n", (unsigned long long)seed,
                    fuzz::kind_name(s.kind), s.commands.size(), names[v.kind],
                    v.why.empty() ? "" : ": ", v.why.c_str());
      }
      if (v.kind == Verdict::kMismatch) {
        ++mismatches;
        const fuzz::Stream small = fuzzer.minimise(s, seed);
        std::printf("  minimised to %zu commands: %s\n", small.commands.size(),
                    write_repro(o, small, seed, v.why).c_str());
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("\n%llu streams, %llu commands in %.1f s: %.0f commands/s (seeds %llu..%llu)\n",
                (unsigned long long)streams, (unsigned long long)commands, seconds,
                double(commands) / seconds, (unsigned long long)o.seed,
                (unsigned long long)(o.seed + streams - 1));
    for (const auto& [k, n] : kinds)
      std::printf("  kind %-28s %llu\n", k.c_str(), (unsigned long long)n);
    for (const auto& [k, n] : outcomes)
      std::printf("  %-33s %llu\n", k.c_str(), (unsigned long long)n);
    for (const auto& [k, n] : errors)
      std::printf("  engine stopped with %-13s %llu\n", k.c_str(), (unsigned long long)n);
    std::printf("  recovered after the soft reset    %llu of %llu\n", (unsigned long long)recovered,
                (unsigned long long)(stops - after_stop));
    if (!o.json.empty()) {
      Json j = Json::object()
                   .set("seed", o.seed)
                   .set("streams", streams)
                   .set("commands", commands)
                   .set("seconds", Json::number(seconds, 2))
                   .set("commands_per_second", Json::number(double(commands) / seconds, 0))
                   .set("mismatches", mismatches)
                   .set("recovered", recovered)
                   .set("stops", stops);
      Json out = Json::object();
      for (const auto& [k, n] : outcomes) out.set(k, n);
      j.set("outcomes", out);
      std::ofstream(o.json) << j.dump() << "\n";
    }
    return mismatches ? 1 : 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera_fuzz: error: %s\n", e.what());
    return 1;
  }
}
