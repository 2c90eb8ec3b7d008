// The simulator backend; see sim_device.hpp.
#include "tessera/sim_device.hpp"

#include <verilated.h>
#include <verilated_fst_sc.h>

#include "Vtessera_top.h"
#include "Vtessera_top_traced.h"
#include "tessera/top_bench.hpp"

namespace tessera::sim {
namespace {

template <typename Model, bool Traced>
class SimDevice : public driver::Device {
 public:
  explicit SimDevice(const SimDeviceOptions& o) : options_(o) {
    Verilated::fatalOnError(false);
    if constexpr (Traced) Verilated::traceEverOn(true);
    bench_ = new TopBench<Model, 128>("tessera");  // owned by the SystemC kernel
    if constexpr (Traced) {
      sc_start(SC_ZERO_TIME);
      trace_ = std::make_unique<VerilatedFstSc>();
      bench_->dut.trace(trace_.get(), 99);
      trace_->open(o.trace.c_str());
      if (!trace_->isOpen()) throw driver::DeviceError("sim: cannot write the trace " + o.trace);
    }
    bench_->mem.configure(o.memory);
    bench_->reset();
  }
  ~SimDevice() override {
    if (trace_) trace_->close();
  }

  std::string name() const override { return Traced ? "sim (tracing to " + options_.trace + ")" : "sim"; }
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
    check_range(addr, bytes);
    bench_->mem.write(addr, static_cast<const uint8_t*>(src), bytes);
  }
  void read_memory(uint64_t addr, void* dst, std::size_t bytes) override {
    check_range(addr, bytes);
    const auto v = bench_->mem.read(addr, bytes);
    std::copy(v.begin(), v.end(), static_cast<uint8_t*>(dst));
  }
  bool wait_interrupt(std::chrono::milliseconds timeout) override {
    try {
      return bench_->wait_until([&] { return bench_->interrupt(); },
                                uint64_t(timeout.count()) * 1000 * options_.clock_mhz);
    } catch (const std::runtime_error& e) {
      throw driver::DeviceError(std::string("sim: ") + e.what());
    }
  }
  void pause(std::chrono::microseconds duration) override {
    const uint64_t until = bench_->cycle() + uint64_t(duration.count()) * options_.clock_mhz;
    bench_->wait_until([&] { return bench_->cycle() >= until; }, ~0ull);
  }

 private:
  void check_range(uint64_t addr, std::size_t bytes) const {
    if (addr < options_.memory_base || addr + bytes > options_.memory_base + options_.memory_size) {
      throw std::out_of_range("sim: memory access outside the device memory");
    }
  }

  SimDeviceOptions options_;
  TopBench<Model, 128>* bench_ = nullptr;
  std::unique_ptr<VerilatedFstSc> trace_;
};

bool g_opened = false;

}  // namespace

std::unique_ptr<driver::Device> open_sim_device(const SimDeviceOptions& options) {
  if (g_opened) {
    throw driver::DeviceError("sim: the simulator is already open (SystemC elaborates one "
                              "engine per process)");
  }
  g_opened = true;
  if (options.trace.empty()) return std::make_unique<SimDevice<Vtessera_top, false>>(options);
  return std::make_unique<SimDevice<Vtessera_top_traced, true>>(options);
}

}  // namespace tessera::sim
