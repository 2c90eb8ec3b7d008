// SPDX-License-Identifier: Apache-2.0
// The board backends of the driver (docs/driver.md, docs/boards.md):
//  - xdma: a PCIe card behind Xilinx's XDMA driver. Registers through the user BAR node
//    (<prefix>_user, or a PCI sysfs resourceN file) mapped into the process; card memory
//    through the <prefix>_h2c_N / <prefix>_c2h_N DMA nodes (the file offset is the card
//    address); the engine's interrupt through <prefix>_events_N (a read returns when the
//    user interrupt has fired).
//  - uio: a Zynq board. Registers through /dev/uioN mapped (map 0; its size from
//    <sysfs>/class/uio/uioN/maps/map0/size); DMA memory from a u-dma-buf device mapped
//    uncached (O_SYNC, so no cache maintenance is needed), its physical address and size from
//    <sysfs>/class/u-dma-buf/<name>/{phys_addr,size}; the interrupt by writing 1 (unmask) to
//    the UIO node and reading it (the driver must be uio_pdrv_genirq with irqcontrol).
// Paths are options so that the tests can run the backends against a fake device tree.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "tessera/device.hpp"

namespace tessera::driver {

struct XdmaOptions {
  std::string prefix = "/dev/xdma0";
  std::string bar;                 // default: <prefix>_user
  std::string events;              // default: <prefix>_events_0
  unsigned channel = 0;            // the h2c/c2h channel
  uint64_t bar_bytes = 64 * 1024;  // bytes of the register BAR to map
  uint64_t memory_base = 0;        // the card memory the engine reaches
  uint64_t memory_size = 1ull << 30;
};

struct UioOptions {
  std::string uio = "/dev/uio0";
  std::string irq;  // default: the UIO node itself
  std::string dmabuf = "/dev/udmabuf0";
  std::string sysfs = "/sys";
};

std::unique_ptr<Device> open_xdma_device(const XdmaOptions& options);
std::unique_ptr<Device> open_uio_device(const UioOptions& options);

}  // namespace tessera::driver
