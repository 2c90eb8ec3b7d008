// SPDX-License-Identifier: Apache-2.0
// plan_gemm: the command stream for one int8 GEMM with per-channel requantization,
// C[M x N] = requantize(A[M x K] * B[K x N] + bias), any M, K, N.
//
// The plan keeps a block of A's rows resident in a scratchpad bank (blocks alternate between
// banks 0 and 1), loads B one 16-column panel at a time, its K tiles in one LOAD per bank's
// worth (banks 2-3, double-buffered), runs one COMPUTE per K tile into an accumulator region
// (double-buffered; the passes of a long K accumulate in place), and stores each region
// requantized, per channel, through the quantization table (reloaded per group of columns
// when N is above its entries, behind a FENCE on barrier_addr). K is bounded only by a row
// of A in one bank (NumRows x bank lines: 65,536 in the default build). Dependency tokens overlap
// every load and store with compute (the schedule: driver/src/panel_schedule.hpp). A plan starts by
// loading the quantization table: separate it from earlier work with a FENCE. Edges need no special
// case: a row's last scratchpad line is zero-filled, so padded activation lanes contribute nothing,
// and columns past N are not stored.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "tessera/isa.hpp"

namespace tessera::isa {

struct GemmPlan {
  uint32_t m = 0, k = 0, n = 0;
  uint64_t a_addr = 0;       // int8 M x K, row-major
  uint64_t b_addr = 0;       // int8 K x N, row-major, or packed (b_packed)
  bool b_packed = false;     // B as ceil(N/16) panels, each K rows of 16 bytes (zero-padded):
                             // a panel is then one contiguous transfer (pack_weights())
  uint64_t c_addr = 0;       // int8 M x N, row-major (int32 with raw_int32)
  uint64_t qtable_addr = 0;  // N quantization entries of 16 bytes (bias, multiplier, shift, 0)
  bool raw_int32 = false;    // C = A * B as int32 accumulators: no table, no bias
  // A 4-byte host word for the FENCEs between groups of output channels, needed when there
  // are more than the quantization table's entries (the plan then reloads the table).
  std::optional<uint64_t> barrier_addr;
  int8_t zero_point = 0, act_min = -128, act_max = 127;
};

// The longest K one plan takes: a row of A in one scratchpad bank (NumRows x bank lines).
// driver::gemm_int32 runs longer K in parts and sums their int32 results.
uint32_t max_gemm_k(const BuildConfig& cfg);

// Appends the GEMM's commands to the stream; throws InvalidCommand (or std::invalid_argument
// for a shape the plan cannot place) naming the value and the accepted range.
void plan_gemm(CommandStream& stream, const GemmPlan& plan);

// B (K x N, row-major) in the packed layout: panel j holds columns 16j .. 16j+15 of every
// row, K rows of `cols` bytes, zeros past N. Weights are constants: pack them once.
std::vector<int8_t> pack_weights(const std::vector<int8_t>& b, uint32_t k, uint32_t n,
                                 uint32_t cols);

// bias[n] - a_zero_point * sum_k B[k][n] (bias may be empty: zero). The engine multiplies
// the stored int8 A as it is; with this bias in the quantization table its sum equals the
// reference's sum over (A - a_zero_point) x B plus bias (int32, wrapping).
std::vector<int32_t> zero_point_bias(const std::vector<int32_t>& bias, const std::vector<int8_t>& b,
                                     uint32_t k, uint32_t n, int8_t a_zero_point);

}  // namespace tessera::isa
