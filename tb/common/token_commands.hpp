// SPDX-License-Identifier: Apache-2.0
// Small commands for tests of the order rules (tokens, queues, deadlocks): a LOAD FILL of one
// scratchpad line and a one-vector COMPUTE, each with the dependency flags asked for.
#pragma once

#include <cstdint>

#include "tessera/isa.hpp"

namespace tessera::test {

inline isa::Load fill_line(uint32_t line, uint8_t deps) {
  isa::Load l;
  l.fill = true;
  l.row_bytes = 16;
  l.rows = 1;
  l.sram_line = line;
  l.sram_stride = 1;
  l.deps = deps;
  return l;
}

inline isa::Compute compute_one(uint8_t deps) {
  isa::Compute c;
  c.vectors = 1;
  c.k_valid = c.n_valid = 1;
  c.deps = deps;
  return c;
}

}  // namespace tessera::test
