// SPDX-License-Identifier: Apache-2.0
// Fixed-point primitives and requantization; see ref.hpp for the semantics.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "tessera/ref.hpp"

namespace tessera::ref {
namespace {

void check_range(const char* what, long long value, long long lo, long long hi) {
  if (value < lo || value > hi) {
    throw std::invalid_argument(std::string(what) + " = " + std::to_string(value) +
                                " is out of range [" + std::to_string(lo) + ", " +
                                std::to_string(hi) + "]");
  }
}

}  // namespace

namespace detail {
void exponent_out_of_range(int exponent) {
  check_range("rounding_divide_by_pot exponent", exponent, 0, 31);
  throw std::logic_error("unreachable");
}
}  // namespace detail

int32_t multiply_by_quantized_multiplier(int32_t x, int32_t multiplier, int shift) {
  check_range("quantized multiplier", multiplier, 0, std::numeric_limits<int32_t>::max());
  check_range("shift", shift, kMinShift, kMaxShift);
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const auto shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return rounding_divide_by_pot(saturating_rounding_doubling_high_mul(shifted, multiplier), right);
}

int32_t rescale_for_add(int8_t q, int32_t zero_point, int32_t multiplier, int right_shift) {
  check_range("rescale right shift", right_shift, 0, -kMinShift);
  return multiply_by_quantized_multiplier((int32_t(q) - zero_point) * (1 << kAddLeftShift),
                                          multiplier, -right_shift);
}

void OutputStage::validate(std::size_t channels) const {
  if (multiplier.size() != shift.size()) {
    throw std::invalid_argument("output stage has " + std::to_string(multiplier.size()) +
                                " multipliers but " + std::to_string(shift.size()) + " shifts");
  }
  if (multiplier.size() != 1 && multiplier.size() != channels) {
    throw std::invalid_argument("output stage has " + std::to_string(multiplier.size()) +
                                " multipliers; expected 1 (per-tensor) or " +
                                std::to_string(channels) + " (per-channel)");
  }
  for (std::size_t i = 0; i < multiplier.size(); ++i) {
    check_range("quantized multiplier", multiplier[i], 0, std::numeric_limits<int32_t>::max());
    check_range("shift", shift[i], kMinShift, kMaxShift);
  }
  check_range("output zero point", zero_point, -128, 127);
  check_range("act_min", act_min, -128, 127);
  check_range("act_max", act_max, act_min, 127);
}

void set_activation(OutputStage& stage, Activation act, double output_scale) {
  if (!(output_scale > 0.0)) {
    throw std::invalid_argument("output scale = " + std::to_string(output_scale) + " must be > 0");
  }
  stage.act_min = -128;
  stage.act_max = 127;
  if (act == Activation::kNone) return;
  stage.act_min = std::max<int32_t>(-128, stage.zero_point);
  if (act == Activation::kRelu6) {
    const double six = std::round(6.0 / output_scale) + stage.zero_point;
    stage.act_max = static_cast<int32_t>(std::min(127.0, six));
  }
}

void quantize_multiplier(double real, int32_t& multiplier, int& shift) {
  if (!(real > 0.0) || real >= static_cast<double>(int64_t{1} << 30)) {
    throw std::invalid_argument("real multiplier = " + std::to_string(real) +
                                " is out of range (0, 2^30)");
  }
  int exponent = 0;
  const double fraction = std::frexp(real, &exponent);  // real = fraction * 2^exponent
  auto q = static_cast<int64_t>(std::round(fraction * static_cast<double>(int64_t{1} << 31)));
  if (q == (int64_t{1} << 31)) {
    q /= 2;
    ++exponent;
  }
  if (exponent < kMinShift) {  // too small to represent: TFLite flushes to zero
    q = 0;
    exponent = 0;
  }
  check_range("shift", exponent, kMinShift, kMaxShift);
  multiplier = static_cast<int32_t>(q);
  shift = exponent;
}

int8_t requantize(int32_t acc, int32_t multiplier, int shift, const OutputStage& stage) {
  const int64_t scaled =
      static_cast<int64_t>(multiply_by_quantized_multiplier(acc, multiplier, shift)) +
      stage.zero_point;
  const int64_t clamped =
      std::min<int64_t>(stage.act_max, std::max<int64_t>(stage.act_min, scaled));
  return static_cast<int8_t>(clamped);
}

std::vector<int8_t> requantize(const std::vector<int32_t>& acc, std::size_t rows,
                               std::size_t channels, const OutputStage& stage) {
  stage.validate(channels);
  if (acc.size() != rows * channels) {
    throw std::invalid_argument(
        "accumulator has " + std::to_string(acc.size()) +
        " elements; expected rows x channels = " + std::to_string(rows * channels));
  }
  const bool per_channel = stage.multiplier.size() > 1;
  std::vector<int8_t> out(acc.size());
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < channels; ++c) {
      const std::size_t q = per_channel ? c : 0;
      out[r * channels + c] =
          requantize(acc[r * channels + c], stage.multiplier[q], stage.shift[q], stage);
    }
  }
  return out;
}

}  // namespace tessera::ref
