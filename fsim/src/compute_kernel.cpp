// SPDX-License-Identifier: Apache-2.0
// WeightTile; see compute_kernel.hpp.
#include "compute_kernel.hpp"

#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace tessera::fsim {
namespace {

#if defined(__x86_64__)
bool have_avx2() {
  static const bool yes = __builtin_cpu_supports("avx2");
  return yes;
}

// Groups: cols / 8 column groups of eight int32 sums, kept in registers across the rows.
template <uint32_t Groups>
__attribute__((target("avx2"))) void multiply_avx2(const int16_t* paired, uint32_t pairs,
                                                   const int8_t* a, int32_t* acc, bool accumulate) {
  __m256i sum[Groups];
  for (uint32_t g = 0; g < Groups; ++g) sum[g] = _mm256_setzero_si256();
  for (uint32_t p = 0; p < pairs; ++p) {
    const uint32_t lo = uint16_t(int16_t(a[2 * p])), hi = uint16_t(int16_t(a[2 * p + 1]));
    const __m256i both = _mm256_set1_epi32(int32_t(lo | hi << 16));
    const auto* w = reinterpret_cast<const __m256i*>(paired + std::size_t(p) * Groups * 16);
    for (uint32_t g = 0; g < Groups; ++g)
      sum[g] = _mm256_add_epi32(sum[g], _mm256_madd_epi16(both, _mm256_loadu_si256(w + g)));
  }
  auto* out = reinterpret_cast<__m256i*>(acc);
  for (uint32_t g = 0; g < Groups; ++g) {
    const __m256i v = accumulate ? _mm256_add_epi32(sum[g], _mm256_loadu_si256(out + g)) : sum[g];
    _mm256_storeu_si256(out + g, v);
  }
}

using WideKernel = void (*)(const int16_t*, uint32_t, const int8_t*, int32_t*, bool);
WideKernel wide_kernel(uint32_t cols) {
  switch (cols) {
    case 8:
      return multiply_avx2<1>;
    case 16:
      return multiply_avx2<2>;
    case 32:
      return multiply_avx2<4>;
    case 64:
      return multiply_avx2<8>;
  }
  return nullptr;
}
#else
using WideKernel = void (*)(const int16_t*, uint32_t, const int8_t*, int32_t*, bool);
bool have_avx2() { return false; }
WideKernel wide_kernel(uint32_t) { return nullptr; }
#endif

}  // namespace

WeightTile::WeightTile(const int8_t* lines, uint32_t rows, uint32_t cols)
    : rows_(rows),
      cols_(cols),
      pairs_((rows + 1) / 2),
      wide_(rows % 2 == 0 && have_avx2() ? wide_kernel(cols) : nullptr),
      paired_(std::size_t(pairs_) * cols * 2, 0) {
  for (uint32_t k = 0; k < rows; ++k)
    for (uint32_t n = 0; n < cols; ++n)
      paired_[(std::size_t(k / 2) * cols + n) * 2 + k % 2] = lines[std::size_t(k) * rows + n];
}

void WeightTile::multiply(const int8_t* a, int32_t* acc, bool accumulate) const {
  if (wide_) return wide_(paired_.data(), pairs_, a, acc, accumulate);
  for (uint32_t n = 0; n < cols_; ++n) {
    int32_t sum = 0;
    for (uint32_t k = 0; k < rows_; ++k)
      sum += int32_t(a[k]) * paired_[(std::size_t(k / 2) * cols_ + n) * 2 + k % 2];
    acc[n] = int32_t(uint32_t(accumulate ? acc[n] : 0) + uint32_t(sum));
  }
}

}  // namespace tessera::fsim
