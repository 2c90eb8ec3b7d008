// SPDX-License-Identifier: Apache-2.0
// Tessera reference model: the bit-exact oracle for every numeric result of the engine.
//
// Plain C++17, no dependencies. Shared by the tests (tb/), the simulator (sim/) and the
// driver. Semantics follow TFLite's int8 kernels and gemmlowp's fixed-point arithmetic:
//   acc[m][n]  = bias[n] + sum_k (A[m][k] - a_zero_point) * B[k][n]       (int32, wrapping)
//   out[m][n]  = clamp(MultiplyByQuantizedMultiplier(acc, mult[n], shift[n]) + out_zp,
//                      act_min, act_max)
// Invalid arguments throw std::invalid_argument naming the value and the accepted range.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera::ref {

// ---- gemmlowp / TFLite fixed-point primitives ---------------------------------------------

// round(a * b / 2^31), ties toward +infinity; the single overflowing case
// (INT32_MIN * INT32_MIN) saturates to INT32_MAX.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) {
  // 2*a*b / 2^32 = a*b / 2^31; adding half of 2^31 and flooring rounds ties upward.
  const int64_t product = static_cast<int64_t>(a) * static_cast<int64_t>(b);
  const int64_t rounded = (product + (int64_t{1} << 30)) >> 31;  // arithmetic shift: floor
  return rounded > INT32_MAX ? INT32_MAX : static_cast<int32_t>(rounded);
}

namespace detail {
[[noreturn]] void exponent_out_of_range(int exponent);
}

// round(x / 2^exponent), ties away from zero. exponent in [0, 31].
inline int32_t rounding_divide_by_pot(int32_t x, int exponent) {
  if (exponent < 0 || exponent > 31) detail::exponent_out_of_range(exponent);
  if (exponent == 0) return x;
  const int64_t half = int64_t{1} << (exponent - 1);
  const int64_t magnitude = x < 0 ? -static_cast<int64_t>(x) : static_cast<int64_t>(x);
  const int64_t quotient = (magnitude + half) >> exponent;
  return static_cast<int32_t>(x < 0 ? -quotient : quotient);
}

// TFLite's MultiplyByQuantizedMultiplier: x * multiplier * 2^(shift - 31) with the two
// roundings above. shift > 0 shifts left first (two's-complement wrapping, as TFLite's
// int32 arithmetic does); shift <= 0 divides by 2^-shift last.
// multiplier in [0, 2^31 - 1], shift in [-31, 30].
int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift);

// TFLite ADD's input stage for one int8 value: (q - zero_point) * 2^20, then
// multiply_by_quantized_multiplier with a right shift (shift = -right_shift <= 0).
inline constexpr int kAddLeftShift = 20;
int32_t rescale_for_add(int8_t q, int32_t zero_point, int32_t multiplier, int right_shift);

inline constexpr int kMinShift = -31;
inline constexpr int kMaxShift = 30;

// ---- Requantization -------------------------------------------------------------------------

// Output stage of a quantized layer. multiplier/shift hold one entry (per-tensor) or one per
// output channel (per-channel).
struct OutputStage {
  std::vector<int32_t> multiplier;
  std::vector<int> shift;
  int32_t zero_point = 0;  // [-128, 127]
  int32_t act_min = -128;  // clamp bounds, [-128, 127], act_min <= act_max
  int32_t act_max = 127;

  // Checks every field against its range for `channels` output channels; throws.
  void validate(std::size_t channels) const;
};

enum class Activation { kNone, kRelu, kRelu6 };

// The clamp bounds TFLite uses for an int8 output with the given scale and zero point.
// ReLU clamps at the zero point, ReLU6 also at zero_point + round(6 / scale).
void set_activation(OutputStage& stage, Activation act, double output_scale);

// Decomposes a positive real multiplier into (quantized multiplier, shift) as TFLite's
// QuantizeMultiplier does. real in (0, 2^30); throws otherwise.
void quantize_multiplier(double real, int32_t& multiplier, int& shift);

int8_t requantize(int32_t acc, int32_t multiplier, int shift, const OutputStage& stage);

// acc is rows x channels, row-major; returns int8 of the same shape.
std::vector<int8_t> requantize(const std::vector<int32_t>& acc, std::size_t rows,
                               std::size_t channels, const OutputStage& stage);

// ---- GEMM -----------------------------------------------------------------------------------

// A is M x K, B is K x N, both row-major int8; bias has N entries or is empty (zero).
// Returns the M x N int32 accumulators (wrapping on overflow, as the hardware does).
std::vector<int32_t> gemm(const std::vector<int8_t>& a, const std::vector<int8_t>& b,
                          const std::vector<int32_t>& bias, std::size_t m, std::size_t k,
                          std::size_t n, int32_t a_zero_point = 0);

// ---- Convolution ----------------------------------------------------------------------------

struct Nhwc {
  std::size_t n = 1, h = 1, w = 1, c = 1;
  std::size_t elements() const { return n * h * w * c; }
};

struct Conv2dParams {
  std::size_t kernel_h = 1, kernel_w = 1;
  std::size_t stride_h = 1, stride_w = 1;
  std::size_t dilation_h = 1, dilation_w = 1;
  std::size_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  int32_t input_zero_point = 0;  // [-128, 127]; also the value of padded pixels
  // Grouped convolution: the C input and OC output channels split into `groups` equal
  // parts, output channel o reading only the inputs of its group o / (OC / groups).
  // groups = C is depthwise (ONNX Conv's `group`). Weights are then [KH][KW][C/groups][OC].
  std::size_t groups = 1;

  // Output shape for `input` and `out_channels`; throws if the window does not fit.
  Nhwc output_shape(const Nhwc& input, std::size_t out_channels) const;
};

// The im2col matrix: one row per output pixel (n, oy, ox), columns ordered (ky, kx, c) to
// match weights stored [KH][KW][C][OC]; padded taps hold the input zero point. For int8
// tensors, and for float ones (the training's float32 reference: tessera/train).
template <typename T>
std::vector<T> im2col(const std::vector<T>& input, const Nhwc& shape, const Conv2dParams& p);
extern template std::vector<int8_t> im2col(const std::vector<int8_t>&, const Nhwc&,
                                           const Conv2dParams&);
extern template std::vector<float> im2col(const std::vector<float>&, const Nhwc&,
                                          const Conv2dParams&);

// conv2d accumulators: weights [KH][KW][C/groups][OC], bias OC entries or empty. Returns the
// output pixels x OC int32 matrix (NHWC order), computed as im2col followed by gemm (per
// group when groups > 1: each output channel sums its own group's taps only).
std::vector<int32_t> conv2d(const std::vector<int8_t>& input, const Nhwc& shape,
                            const std::vector<int8_t>& weights, std::size_t out_channels,
                            const std::vector<int32_t>& bias, const Conv2dParams& p);

// ---- Pooling --------------------------------------------------------------------------------

// 2x2 max-pool with stride 2 on an NHWC int8 tensor. Odd heights/widths drop the last
// row/column (floor), as TFLite's VALID padding does. `shape` becomes the output shape.
std::vector<int8_t> max_pool_2x2(const std::vector<int8_t>& input, Nhwc& shape);

}  // namespace tessera::ref
