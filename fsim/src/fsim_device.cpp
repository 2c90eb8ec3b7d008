// The `fsim` device: the golden model behind the driver's Device interface (fsim.hpp).
#include <cstring>
#include <stdexcept>
#include <thread>

#include "tessera/fsim.hpp"
#include "tessera/open_device.hpp"

namespace tessera::fsim {
namespace {

class FsimDevice : public driver::Device {
 public:
  explicit FsimDevice(const Options& o) : model_(o) {}

  std::string name() const override {
    const auto& c = model_.options().config;
    return "fsim " + std::to_string(c.rows) + "x" + std::to_string(c.cols) + "x" +
           std::to_string(model_.options().bus_bits) + " (golden model)";
  }
  uint32_t read32(uint32_t offset) override {
    try {
      return model_.read_reg(offset);
    } catch (const std::out_of_range& e) {
      throw driver::DeviceError(e.what());
    }
  }
  void write32(uint32_t offset, uint32_t value) override {
    try {
      model_.write_reg(offset, value);
    } catch (const std::out_of_range& e) {
      throw driver::DeviceError(e.what());
    }
  }
  uint64_t memory_base() const override { return model_.options().memory_base; }
  uint64_t memory_size() const override { return model_.options().memory_size; }
  void write_memory(uint64_t addr, const void* src, std::size_t bytes) override {
    require_in_memory(addr, bytes);
    if (bytes) std::memcpy(model_.memory(addr), src, bytes);
  }
  void read_memory(uint64_t addr, void* dst, std::size_t bytes) override {
    require_in_memory(addr, bytes);
    if (bytes) std::memcpy(dst, model_.memory(addr), bytes);
  }
  uint8_t* host_pointer(uint64_t addr) override {
    return addr >= memory_base() && addr - memory_base() < memory_size() ? model_.memory(addr)
                                                                         : nullptr;
  }
  // The model runs at the doorbell, to the end or to a wait only the host can end: an
  // interrupt not raised by now comes only after the host does something.
  bool wait_interrupt(std::chrono::milliseconds timeout) override {
    if (!model_.interrupt()) std::this_thread::sleep_for(timeout);
    return model_.interrupt();
  }
  void pause(std::chrono::microseconds) override {}

 private:
  Model model_;
};

// fsim[:mem=BYTES][,latency=CYCLES]
std::unique_ptr<driver::Device> open_from_spec(driver::DeviceSpec& spec) {
  if (!spec.path().empty())
    throw std::invalid_argument("fsim takes no path (got '" + spec.path() + "')");
  Options o;
  o.memory_size = spec.take_number("mem", o.memory_size, 1 << 20, 1ull << 36);
  o.memory_latency = uint32_t(spec.take_number("latency", o.memory_latency, 0, 10000));
  spec.finish({"mem", "latency"});
  return open_fsim_device(o);
}

const driver::BackendRegistrar kRegistrar{
    {"fsim", "fsim[:mem=BYTES][,latency=CYCLES]", open_from_spec}};

}  // namespace

std::unique_ptr<driver::Device> open_fsim_device(const Options& options) {
  return std::make_unique<FsimDevice>(options);
}

}  // namespace tessera::fsim
