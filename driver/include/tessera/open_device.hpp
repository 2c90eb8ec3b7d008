// Opening a device by its name on the command line (library tessera_devices, which links
// every backend, the simulator included):
//   sim[:latency=CYCLES][,trace=FILE.fst]
//   xdma:/dev/xdma0[,bar=PATH][,events=PATH][,channel=N][,mem=BASE:SIZE]
//   uio:/dev/uio0[,buf=/dev/udmabuf0][,irq=PATH][,sysfs=DIR]
// Throws std::invalid_argument for a spec it does not understand (naming the part and what
// is accepted) and DeviceError for a device that cannot be opened.
#pragma once

#include <memory>
#include <string>

#include "tessera/device.hpp"

namespace tessera::driver {

std::unique_ptr<Device> open_device(const std::string& spec);

}  // namespace tessera::driver
