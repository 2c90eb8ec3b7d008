// SPDX-License-Identifier: Apache-2.0
// The engine the host-side tests (driver, models) run on: the simulated RTL engine, or in a
// build without the RTL (TESSERA_RTL=OFF, which defines TESSERA_TEST_ON_FSIM) the golden
// model. SystemC elaborates one engine per process: open it once.
#pragma once

#include <memory>

#include "tessera/device.hpp"
#ifdef TESSERA_TEST_ON_FSIM
#include "tessera/fsim.hpp"
#else
#include <verilated.h>

#include "tessera/sim_device.hpp"
#endif

namespace tessera::test {

inline std::unique_ptr<driver::Device> open_test_device() {
#ifdef TESSERA_TEST_ON_FSIM
  return fsim::open_fsim_device();
#else
  Verilated::randReset(2);  // random power-up values: a missing reset fails a test
  return sim::open_sim_device({});
#endif
}

}  // namespace tessera::test
