// SPDX-License-Identifier: Apache-2.0
// The compute unit's arithmetic for one activation vector: out[n] (+)= sum_k a[k] * W[k][n]
// over a weight tile of `rows` x `cols` int8 (tessera_core), int32 wrapping as the
// accumulator adds. The hot loop of the golden model: the tile is rearranged once per
// COMPUTE into int16 pairs {W[2p][n], W[2p+1][n]}, so that with AVX2 one multiply-add
// instruction does eight columns of two rows (vpmaddwd); other machines and shapes take the
// plain loop. Both give the same bits (the sums of int8 products fit int32 exactly before
// the wrapping add to the accumulator).

#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera::fsim {

class WeightTile {
 public:
  // `lines`: the tile's `rows` scratchpad lines; row k's weights are line k's first `cols`
  // bytes.
  WeightTile(const int8_t* lines, uint32_t rows, uint32_t cols);
  void multiply(const int8_t* activations, int32_t* acc, bool accumulate) const;

 private:
  uint32_t rows_, cols_, pairs_;
  // The AVX2 kernel for this shape (even rows, 8 to 64 columns, AVX2 present), or nullptr.
  void (*wide_)(const int16_t* paired, uint32_t pairs, const int8_t* a, int32_t* acc,
                bool accumulate);
  std::vector<int16_t> paired_;  // [pair][col][2]
};

}  // namespace tessera::fsim
