// SPDX-License-Identifier: Apache-2.0
// The xdma and uio backends; see board_devices.hpp.
#include "tessera/board_devices.hpp"

#include <memory>

#include "posix_file.hpp"

namespace tessera::driver {
namespace {

using detail::File;
using detail::Mapping;

class XdmaDevice : public Device {
 public:
  explicit XdmaDevice(const XdmaOptions& o)
      : options_(o),
        bar_file_(o.bar.empty() ? o.prefix + "_user" : o.bar, O_RDWR | O_SYNC),
        bar_(bar_file_, o.bar_bytes),
        h2c_(o.prefix + "_h2c_" + std::to_string(o.channel), O_WRONLY),
        c2h_(o.prefix + "_c2h_" + std::to_string(o.channel), O_RDONLY),
        events_(o.events.empty() ? o.prefix + "_events_0" : o.events, O_RDONLY) {
    bar_file_.lock_exclusive();
  }

  std::string name() const override { return "xdma:" + options_.prefix; }
  uint32_t read32(uint32_t offset) override { return detail::mmio_read(bar_, offset); }
  void write32(uint32_t offset, uint32_t value) override {
    detail::mmio_write(bar_, offset, value);
  }
  uint64_t memory_base() const override { return options_.memory_base; }
  uint64_t memory_size() const override { return options_.memory_size; }
  void write_memory(uint64_t addr, const void* src, std::size_t bytes) override {
    require_in_memory(addr, bytes);
    h2c_.pwrite_all(src, bytes, addr);
  }
  void read_memory(uint64_t addr, void* dst, std::size_t bytes) override {
    require_in_memory(addr, bytes);
    c2h_.pread_all(dst, bytes, addr);
  }
  bool wait_interrupt(std::chrono::milliseconds timeout) override {
    if (!events_.poll_readable(int(timeout.count()))) return false;
    uint32_t count = 0;  // the XDMA driver returns the number of interrupts since the last read
    if (::read(events_.fd(), &count, sizeof count) < 0) {
      throw detail::system_error("read failed on", events_.path());
    }
    return true;
  }

 private:
  XdmaOptions options_;
  File bar_file_;
  Mapping bar_;
  File h2c_, c2h_, events_;
};

class UioDevice : public Device {
 public:
  explicit UioDevice(const UioOptions& o)
      : options_(o),
        uio_name_(basename(o.uio)),
        buf_name_(basename(o.dmabuf)),
        uio_(o.uio, O_RDWR | O_SYNC),
        regs_(uio_,
              detail::read_sysfs_number(o.sysfs + "/class/uio/" + uio_name_ + "/maps/map0/size")),
        irq_(o.irq.empty() ? o.uio : o.irq, O_RDWR),
        buf_file_(o.dmabuf, O_RDWR | O_SYNC),
        phys_(detail::read_sysfs_number(o.sysfs + "/class/u-dma-buf/" + buf_name_ + "/phys_addr")),
        buf_(buf_file_,
             detail::read_sysfs_number(o.sysfs + "/class/u-dma-buf/" + buf_name_ + "/size")) {
    uio_.lock_exclusive();
  }

  std::string name() const override { return "uio:" + options_.uio; }
  uint32_t read32(uint32_t offset) override { return detail::mmio_read(regs_, offset); }
  void write32(uint32_t offset, uint32_t value) override {
    detail::mmio_write(regs_, offset, value);
  }
  uint64_t memory_base() const override { return phys_; }
  uint64_t memory_size() const override { return buf_.bytes(); }
  uint8_t* host_pointer(uint64_t addr) override { return buf_.base() + (addr - phys_); }
  void write_memory(uint64_t addr, const void* src, std::size_t bytes) override {
    require_in_memory(addr, bytes);
    std::memcpy(host_pointer(addr), src, bytes);  // uncached mapping: nothing to flush
  }
  void read_memory(uint64_t addr, void* dst, std::size_t bytes) override {
    require_in_memory(addr, bytes);
    std::memcpy(dst, host_pointer(addr), bytes);
  }
  bool wait_interrupt(std::chrono::milliseconds timeout) override {
    const uint32_t unmask = 1;
    if (::write(irq_.fd(), &unmask, sizeof unmask) != sizeof unmask) {
      throw detail::system_error("cannot re-enable the interrupt through", irq_.path());
    }
    if (!irq_.poll_readable(int(timeout.count()))) return false;
    uint32_t count = 0;
    if (::read(irq_.fd(), &count, sizeof count) < 0) {
      throw detail::system_error("read failed on", irq_.path());
    }
    return true;
  }

 private:
  static std::string basename(const std::string& path) {
    const auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }

  UioOptions options_;
  std::string uio_name_, buf_name_;
  File uio_;
  Mapping regs_;
  File irq_, buf_file_;
  uint64_t phys_;
  Mapping buf_;
};

}  // namespace

std::unique_ptr<Device> open_xdma_device(const XdmaOptions& options) {
  return std::make_unique<XdmaDevice>(options);
}

std::unique_ptr<Device> open_uio_device(const UioOptions& options) {
  return std::make_unique<UioDevice>(options);
}

}  // namespace tessera::driver
