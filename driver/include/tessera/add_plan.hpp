// SPDX-License-Identifier: Apache-2.0
// plan_add: the command stream for an element-wise int8 addition with requantization,
// bit-exact with TFLite's quantized ADD (ResNet's and MobileNet-v2's residual adds):
//   out = clamp(MBQ(rescale(a) + rescale(b), out multiplier, out shift) + zero point,
//               act_min, act_max),
// rescale(x) = MBQ((x - x's zero point) * 2^20, x's multiplier, -x's right shift)
// (tessera::ref::rescale_for_add; a fused ReLU is in the clamp bounds).
//
// The tensors are flat arrays of `elements` bytes, in blocks of up to an accumulator
// region's lines of NumRows elements each: a LOAD of each input's block into a scratchpad
// bank (one long transfer), a COMPUTE RESCALE of a (overwriting the region) and of b
// (accumulating), and a STORE requantizing through one quantization-table entry (contiguous
// rows: the engine writes them as one long transfer). Blocks alternate between two pairs of
// banks and two regions, with the tokens of the GEMM schedule, so the loads of the next
// block and the store of the previous one overlap the vector path.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/isa.hpp"

namespace tessera::isa {

struct AddPlan {
  uint64_t elements = 0;  // int8 elements of each tensor (per batch, all images)
  uint64_t a_addr = 0, b_addr = 0, out_addr = 0;
  uint64_t qtable_addr = 0;  // one entry, add_table_entry()
  struct Input {
    int32_t multiplier = 0;   // [0, 2^31)
    uint8_t right_shift = 0;  // 0 .. 31
    int8_t zero_point = 0;
  } a, b;
  int8_t zero_point = 0, act_min = -128, act_max = 127;  // the output's
};

// Appends the addition's commands; throws std::invalid_argument naming the value and its
// range (no elements, a build with more rows than columns) or InvalidCommand.
void plan_add(CommandStream& stream, const AddPlan& plan);

// The plan's quantization-table entry: bias 0, the output's multiplier and shift.
std::vector<uint8_t> add_table_entry(int32_t out_multiplier, int out_shift);

}  // namespace tessera::isa
