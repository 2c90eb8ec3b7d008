// SPDX-License-Identifier: Apache-2.0
// The simulator backend; see sim_device.hpp.
// sc_spawn (the waveform's dump method, made only when tracing) needs SystemC's dynamic
// processes, declared before SystemC's header is first included.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include "tessera/sim_device.hpp"

#include <verilated.h>
#include <verilated_fst_c.h>

#include <functional>
#include <stdexcept>
#include <type_traits>

#include "tessera/open_device.hpp"
#include "tessera/sim_engines.hpp"  // generated: TESSERA_SIM_ENGINES(X) and the model headers
#include "tessera/top_bench.hpp"

namespace tessera::sim {
namespace {

// The opened simulator's memory model (configure_sim_memory, take_sim_bus_violations).
struct MemoryHooks {
  std::function<void(const AxiMemoryConfig&)> configure;
  std::function<std::vector<std::string>()> take_violations;
} g_memory;

template <typename Model, int Bus, bool Traced>
class SimDevice : public driver::Device {
 public:
  SimDevice(const SimDeviceOptions& o, const std::string& engine) : options_(o), engine_(engine) {
    Verilated::fatalOnError(false);
    if constexpr (Traced) Verilated::traceEverOn(true);
    bench_ = new TopBench<Model, Bus>("tessera");  // owned by the SystemC kernel
    if constexpr (Traced) open_trace(o);
    bench_->mem.configure(o.memory);
    bench_->reset();
    g_memory = {[this](const AxiMemoryConfig& c) { bench_->mem.configure(c); },
                [this] {
                  auto v = bench_->mem.violations();
                  bench_->mem.clear_violations();
                  return v;
                }};
  }
  ~SimDevice() override {
    g_memory = {};
    if (trace_) trace_->close();
  }

  // The waveform: dumped by a method at each falling clock edge (the rising edge's values
  // settled) inside the window only, so that cycles outside it cost no dump; times in
  // picoseconds of the modelled clock.
  void open_trace(const SimDeviceOptions& o) {
    if (o.trace.size() >= 4 && o.trace.compare(o.trace.size() - 4, 4, ".vcd") == 0) {
      throw std::invalid_argument("sim: trace '" + o.trace +
                                  "': the waveform model writes FST, not VCD; name it .fst "
                                  "(GTKWave reads FST; its fst2vcd converts)");
    }
    if (o.trace_end != 0 && o.trace_end <= o.trace_start) {
      throw std::invalid_argument("sim: trace window [" + std::to_string(o.trace_start) + ", " +
                                  std::to_string(o.trace_end) +
                                  ") is empty; trace_end must be "
                                  "above trace_start (or 0: to the end)");
    }
    sc_start(SC_ZERO_TIME);
    trace_ = std::make_unique<VerilatedFstC>();
    bench_->dut.trace(trace_.get(), 99);
    trace_->set_time_unit("1ps");
    trace_->set_time_resolution("1ps");
    trace_->open(o.trace.c_str());
    if (!trace_->isOpen()) throw driver::DeviceError("sim: cannot write the trace " + o.trace);
    period_ps_ = uint64_t(1e6 / double(o.clock_mhz) + 0.5);
    sc_core::sc_spawn_options when;
    when.spawn_method();
    when.dont_initialize();
    when.set_sensitivity(&bench_->falling_edge());
    sc_core::sc_spawn(
        [this] {
          const uint64_t c = bench_->cycle();
          if (c >= options_.trace_start && (options_.trace_end == 0 || c < options_.trace_end))
            trace_->dump(c * period_ps_);
        },
        "trace_dump", &when);
  }

  std::string name() const override {
    return "sim " + engine_ + (Traced ? " (tracing to " + options_.trace + ")" : "");
  }
  uint32_t read32(uint32_t offset) override {
    try {
      return bench_->read_reg(offset);
    } catch (const std::runtime_error& e) {
      throw driver::DeviceError(std::string("sim: ") + e.what());
    }
  }
  void write32(uint32_t offset, uint32_t value) override {
    if (bench_->write_reg(offset, value) != 0) {
      throw driver::DeviceError("sim: register write at offset " + std::to_string(offset) +
                                " answered an error");
    }
  }
  uint64_t memory_base() const override { return options_.memory_base; }
  uint64_t memory_size() const override { return options_.memory_size; }
  void write_memory(uint64_t addr, const void* src, std::size_t bytes) override {
    require_in_memory(addr, bytes);
    bench_->mem.write(addr, static_cast<const uint8_t*>(src), bytes);
  }
  void read_memory(uint64_t addr, void* dst, std::size_t bytes) override {
    require_in_memory(addr, bytes);
    const auto v = bench_->mem.read(addr, bytes);
    std::copy(v.begin(), v.end(), static_cast<uint8_t*>(dst));
  }
  // Simulates until the interrupt or until `timeout` of wall-clock time has passed (the
  // clock is read every 1024 cycles): a deadline means the same on every backend.
  bool wait_interrupt(std::chrono::milliseconds timeout) override {
    try {
      const auto deadline = std::chrono::steady_clock::now() + timeout;
      uint32_t polls = 0;
      bench_->wait_until(
          [&] {
            return bench_->interrupt() ||
                   (++polls % 256 == 0 && std::chrono::steady_clock::now() >= deadline);
          },
          ~0ull);
      return bench_->interrupt();
    } catch (const std::runtime_error& e) {
      throw driver::DeviceError(std::string("sim: ") + e.what());
    }
  }
  void pause(std::chrono::microseconds duration) override {
    const uint64_t until = bench_->cycle() + uint64_t(duration.count()) * options_.clock_mhz;
    bench_->wait_until([&] { return bench_->cycle() >= until; }, ~0ull);
  }

 private:
  SimDeviceOptions options_;
  std::string engine_;
  TopBench<Model, Bus>* bench_ = nullptr;
  std::unique_ptr<VerilatedFstC> trace_;
  uint64_t period_ps_ = 1000;
};

struct Entry {
  SimEngine engine;
  std::unique_ptr<driver::Device> (*open)(const SimDeviceOptions&, const std::string&);
};

template <typename Model, typename Traced, int Bus>
std::unique_ptr<driver::Device> open_engine(const SimDeviceOptions& o, const std::string& name) {
  if (o.trace.empty()) return std::make_unique<SimDevice<Model, Bus, false>>(o, name);
  if constexpr (std::is_void_v<Traced>) {
    throw std::invalid_argument("sim: engine " + name +
                                " is built without a waveform model; "
                                "trace the default engine, or build this one as the default "
                                "(make sim ROWS=.. COLS=.. BUS=..)");
  } else {
    return std::make_unique<SimDevice<Traced, Bus, true>>(o, name);
  }
}

#define TESSERA_SIM_ENTRY(model, traced, rows, cols, bus)                              \
  Entry{SimEngine{#rows "x" #cols "x" #bus, rows, cols, bus, !std::is_void_v<traced>}, \
        &open_engine<model, traced, bus>},
const Entry kEntries[] = {TESSERA_SIM_ENGINES(TESSERA_SIM_ENTRY)};
#undef TESSERA_SIM_ENTRY

bool g_opened = false;

// The `sim` device spec (sim_device.hpp has the keys).
std::unique_ptr<driver::Device> open_from_spec(driver::DeviceSpec& spec) {
  if (!spec.path().empty())
    throw std::invalid_argument("sim takes no path (got '" + spec.path() + "')");
  SimDeviceOptions o;
  o.memory.read_latency = o.memory.write_latency =
      unsigned(spec.take_number("latency", o.memory.read_latency, 0, 10000));
  o.trace = spec.take("trace");
  o.trace_start = spec.take_number("trace_start", 0, 0, ~uint64_t(0));
  o.trace_end = spec.take_number("trace_end", 0, 0, ~uint64_t(0));
  if (o.trace.empty() && (o.trace_start || o.trace_end))
    throw std::invalid_argument("sim: trace_start and trace_end need trace=FILE.fst");
  o.clock_mhz = spec.take_number("clock_mhz", o.clock_mhz, 1, 100000);
  o.engine = spec.take("engine");
  spec.finish({"latency", "trace", "trace_start", "trace_end", "clock_mhz", "engine"});
  return open_sim_device(o);
}

const driver::BackendRegistrar kRegistrar{
    {"sim",
     "sim[:latency=CYCLES][,trace=FILE.fst][,trace_start=C][,trace_end=C][,clock_mhz=MHZ][,"
     "engine=ROWSxCOLSxBUS]",
     open_from_spec}};

}  // namespace

std::vector<SimEngine> sim_engines() {
  std::vector<SimEngine> out;
  for (const Entry& e : kEntries) out.push_back(e.engine);
  return out;
}

std::unique_ptr<driver::Device> open_sim_device(const SimDeviceOptions& options) {
  const Entry* entry = &kEntries[0];
  if (!options.engine.empty()) {
    entry = nullptr;
    std::string names;
    for (const Entry& e : kEntries) {
      if (e.engine.name == options.engine) entry = &e;
      names += (names.empty() ? "" : ", ") + e.engine.name;
    }
    if (!entry) {
      throw std::invalid_argument("sim engine = '" + options.engine +
                                  "' is not built; this build has " + names +
                                  " (make sim ROWS=.. COLS=.. BUS=.. builds another)");
    }
  }
  if (g_opened) {
    throw driver::DeviceError(
        "sim: the simulator is already open (SystemC elaborates one "
        "engine per process)");
  }
  g_opened = true;
  return entry->open(options, entry->engine.name);
}

void configure_sim_memory(const AxiMemoryConfig& config) {
  if (!g_memory.configure) throw std::logic_error("configure_sim_memory: no simulator is open");
  g_memory.configure(config);
}

std::vector<std::string> take_sim_bus_violations() {
  if (!g_memory.take_violations)
    throw std::logic_error("take_sim_bus_violations: no simulator is open");
  return g_memory.take_violations();
}

}  // namespace tessera::sim
