// SPDX-License-Identifier: Apache-2.0
// What unit-level tests share about the engine's internal ports: a unit's 64-byte command
// input (cmd_i, one wide port, filled from a tessera::isa::Command) and a DMA descriptor
// output (tessera_pkg::dma_desc_t, which Verilator flattens into one wide port, fields
// {addr, row_bytes, rows, stride} from the top bit down).
#pragma once

#include <cstdint>

#include "tessera/isa.hpp"
#include "tessera/verilated_support.hpp"

namespace tessera::test {

template <typename Port>
void put_command(Port& port, const isa::Command& c) {
  for (std::size_t i = 0; i < isa::kCommandBytes; ++i)
    sim::set_field(port, unsigned(8 * i), 8, c.bytes()[i]);
}

struct DmaDesc {
  uint64_t addr = 0, stride = 0;
  uint32_t row_bytes = 0, rows = 0;
};

template <typename Port>
DmaDesc get_desc(const Port& port) {
  DmaDesc d;
  d.stride = sim::get_field(port, 0, 64);
  d.rows = uint32_t(sim::get_field(port, 64, 16));
  d.row_bytes = uint32_t(sim::get_field(port, 80, 24));
  d.addr = sim::get_field(port, 104, 64);
  return d;
}

}  // namespace tessera::test
