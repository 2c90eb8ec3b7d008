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

}  // namespace tessera::test
