// SPDX-License-Identifier: Apache-2.0
// The operations' tests (gemm, conv2d, their errors, an engine error and the recovery),
// compiled into every test program whose backend runs them: test_driver on the simulator,
// test_fsim on the golden model. Each program defines ops_engine().
#pragma once

#include <random>

#include "tessera/engine.hpp"
#include "tessera/ops.hpp"
#include "tessera/ref.hpp"

namespace tessera::test {

driver::Engine& ops_engine();
// Multipliers for accumulators of K terms, one per channel, and a random zero point.
driver::Quantization random_quant(std::mt19937_64& rng, uint32_t channels, uint64_t k);

// A random GEMM (operands, bias, per-channel quantization) on `engine`, int32 and int8
// results bit-exact against the reference model.
void expect_gemm_matches(driver::Engine& engine, std::mt19937_64& rng, uint32_t m, uint32_t k,
                         uint32_t n);
// A random square-kernel convolution, the same way.
struct ConvShape {
  uint32_t h, w, c, oc, k, stride, pad, dilation;
  bool pool;
  uint32_t groups = 1;
};
void expect_conv_matches(driver::Engine& engine, std::mt19937_64& rng, const ConvShape& shape);

}  // namespace tessera::test
