// What every Verilated Tessera model needs: its context, a clock cycle and a reset.
#pragma once

#include <verilated.h>

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

}  // namespace tessera::sim
