// SPDX-License-Identifier: Apache-2.0
// The `fsim` device: the golden model behind the driver's Device interface (fsim.hpp).
#include <cstring>
#include <stdexcept>
#include <thread>

#include "tessera/fsim.hpp"
#include "tessera/open_device.hpp"

namespace tessera::fsim {

std::string Device::name() const {
  const auto& o = model_.options();
  return "fsim " + std::to_string(o.config.rows) + "x" + std::to_string(o.config.cols) + "x" +
         std::to_string(o.config.bus_bytes * 8) + " (golden model)";
}

uint32_t Device::read32(uint32_t offset) {
  try {
    return model_.read_reg(offset);
  } catch (const std::out_of_range& e) {
    throw driver::DeviceError(e.what());
  }
}

void Device::write32(uint32_t offset, uint32_t value) {
  try {
    model_.write_reg(offset, value);
  } catch (const std::out_of_range& e) {
    throw driver::DeviceError(e.what());
  }
}

void Device::write_memory(uint64_t addr, const void* src, std::size_t bytes) {
  require_in_memory(addr, bytes);
  if (bytes) std::memcpy(model_.memory(addr), src, bytes);
}

void Device::read_memory(uint64_t addr, void* dst, std::size_t bytes) {
  require_in_memory(addr, bytes);
  if (bytes) std::memcpy(dst, model_.memory(addr), bytes);
}

uint8_t* Device::host_pointer(uint64_t addr) {
  return addr >= memory_base() && addr - memory_base() < memory_size() ? model_.memory(addr)
                                                                       : nullptr;
}

bool Device::wait_interrupt(std::chrono::milliseconds timeout) {
  if (!model_.interrupt()) std::this_thread::sleep_for(timeout);
  return model_.interrupt();
}

std::unique_ptr<Device> open_fsim_device(const Options& options) {
  return std::make_unique<Device>(options);
}

namespace {

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
}  // namespace tessera::fsim
