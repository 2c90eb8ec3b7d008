// SPDX-License-Identifier: Apache-2.0
// What every Verilated Tessera model needs: its context, a clock cycle and a reset.
#pragma once

#include <verilated.h>

#include <cstddef>
#include <cstdint>
#include <memory>

namespace tessera::sim {

// A context whose models start from random power-up values (+verilator+rand+reset+2, seeded
// by reset_seed) so that a missing reset shows up, and in which a failing RTL assertion is
// recorded (check gotError()) instead of aborting the process, so it fails one test only.
inline std::unique_ptr<VerilatedContext> make_context(uint64_t reset_seed) {
  auto context = std::make_unique<VerilatedContext>();
  context->fatalOnError(false);
  context->randReset(2);
  context->randSeed(static_cast<int>(reset_seed & 0x7fffffff));
  return context;
}

// One clock cycle: falling edge, then rising edge, evaluating after each.
template <typename Model>
void tick(Model& model) {
  model.clk_i = 0;
  model.eval();
  model.clk_i = 1;
  model.eval();
}

// Holds rst_ni low for `cycles` clock cycles, then releases it for one more. Set the
// model's valid/ready inputs to idle before calling.
template <typename Model>
void apply_reset(Model& model, int cycles = 4) {
  model.rst_ni = 0;
  for (int i = 0; i < cycles; ++i) tick(model);
  model.rst_ni = 1;
  tick(model);
}

// Bit fields of Verilator ports of any width: scalar ports (CData..QData) and wide ports
// (VlWide). `width` is at most 64; fields may straddle 32-bit words.
template <typename Port>
void set_field(Port& port, unsigned lsb, unsigned width, uint64_t value) {
  const uint64_t mask = (width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1) << lsb;
  port = static_cast<Port>((static_cast<uint64_t>(port) & ~mask) | ((value << lsb) & mask));
}

template <std::size_t Words>
void set_field(VlWide<Words>& port, unsigned lsb, unsigned width, uint64_t value) {
  for (unsigned i = 0; i < width; ++i) {
    const unsigned bit = lsb + i;
    const uint32_t m = uint32_t{1} << (bit % 32);
    port[bit / 32] = ((value >> i) & 1) ? (port[bit / 32] | m) : (port[bit / 32] & ~m);
  }
}

template <typename Port>
uint64_t get_field(const Port& port, unsigned lsb, unsigned width) {
  const uint64_t v = static_cast<uint64_t>(port) >> lsb;
  return width >= 64 ? v : v & ((uint64_t{1} << width) - 1);
}

template <std::size_t Words>
uint64_t get_field(const VlWide<Words>& port, unsigned lsb, unsigned width) {
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) {
    const unsigned bit = lsb + i;
    v |= static_cast<uint64_t>((port[bit / 32] >> (bit % 32)) & 1) << i;
  }
  return v;
}

}  // namespace tessera::sim
