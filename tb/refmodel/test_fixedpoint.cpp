// SPDX-License-Identifier: Apache-2.0
// The reference model's fixed-point arithmetic against gemmlowp (Debian's libgemmlowp-dev),
// an implementation we did not write, over edge cases and random inputs.
#include <gemmlowp/fixedpoint/fixedpoint.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "tessera/ref.hpp"
#include "test_seed.hpp"

namespace ref = tessera::ref;

namespace {

constexpr int32_t kMin = std::numeric_limits<int32_t>::min();
constexpr int32_t kMax = std::numeric_limits<int32_t>::max();

std::vector<int32_t> edge_values() {
  std::vector<int32_t> v = {kMin,       kMin + 1,
                            kMin + 2,   -(1 << 30) - 1,
                            -(1 << 30), -(1 << 30) + 1,
                            -65536,     -32769,
                            -1025,      -3,
                            -2,         -1,
                            0,          1,
                            2,          3,
                            1023,       32767,
                            65535,      (1 << 30) - 1,
                            1 << 30,    (1 << 30) + 1,
                            kMax - 2,   kMax - 1,
                            kMax};
  for (int e = 0; e < 31; ++e) {
    v.push_back(1 << e);
    v.push_back(-(1 << e));
    v.push_back((1 << e) + 1);
    v.push_back(-(1 << e) - 1);
  }
  return v;
}

// TFLite's MultiplyByQuantizedMultiplier, built from gemmlowp's primitives. The left shift
// wraps in two's complement, which is what TFLite's int32 multiply does on real hardware.
int32_t tflite_multiply(int32_t x, int32_t multiplier, int shift) {
  const int left = shift > 0 ? shift : 0;
  const int right = shift > 0 ? 0 : -shift;
  const auto shifted = static_cast<int32_t>(static_cast<uint32_t>(x) << left);
  return gemmlowp::RoundingDivideByPOT(
      gemmlowp::SaturatingRoundingDoublingHighMul(shifted, multiplier), right);
}

}  // namespace

TEST(FixedPoint, DoublingHighMulMatchesGemmlowpOnEdges) {
  const auto edges = edge_values();
  for (int32_t a : edges) {
    for (int32_t b : edges) {
      ASSERT_EQ(ref::saturating_rounding_doubling_high_mul(a, b),
                gemmlowp::SaturatingRoundingDoublingHighMul(a, b))
          << "a=" << a << " b=" << b;
    }
  }
}

TEST(FixedPoint, DoublingHighMulMatchesGemmlowpRandom) {
  std::mt19937_64 rng(tessera::test::test_seed());
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  for (int i = 0; i < 2000000; ++i) {
    const int32_t a = any(rng), b = any(rng);
    ASSERT_EQ(ref::saturating_rounding_doubling_high_mul(a, b),
              gemmlowp::SaturatingRoundingDoublingHighMul(a, b))
        << "a=" << a << " b=" << b;
  }
}

TEST(FixedPoint, RoundingDivideByPotMatchesGemmlowp) {
  std::mt19937_64 rng(tessera::test::test_seed());
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  std::vector<int32_t> xs = edge_values();
  for (int i = 0; i < 20000; ++i) xs.push_back(any(rng));
  for (int exponent = 0; exponent <= 31; ++exponent) {
    for (int32_t x : xs) {
      ASSERT_EQ(ref::rounding_divide_by_pot(x, exponent),
                gemmlowp::RoundingDivideByPOT(x, exponent))
          << "x=" << x << " exponent=" << exponent;
    }
    // Exact ties round away from zero.
    if (exponent > 0 && exponent < 31) {
      const int32_t half = 1 << (exponent - 1);
      EXPECT_EQ(ref::rounding_divide_by_pot(half, exponent), 1);
      EXPECT_EQ(ref::rounding_divide_by_pot(-half, exponent), -1);
    }
  }
}

TEST(FixedPoint, MultiplyByQuantizedMultiplierMatchesTflite) {
  std::mt19937_64 rng(tessera::test::test_seed());
  std::uniform_int_distribution<int32_t> any(kMin, kMax);
  std::uniform_int_distribution<int32_t> normalized(1 << 30, kMax);
  std::vector<int32_t> multipliers = {0, 1, 1 << 30, (1 << 30) + 1, kMax - 1, kMax};
  for (int i = 0; i < 40; ++i) multipliers.push_back(normalized(rng));
  std::vector<int32_t> xs = edge_values();
  for (int i = 0; i < 400; ++i) xs.push_back(any(rng));
  for (int shift = ref::kMinShift; shift <= ref::kMaxShift; ++shift) {
    for (int32_t mult : multipliers) {
      for (int32_t x : xs) {
        ASSERT_EQ(ref::multiply_by_quantized_multiplier(x, mult, shift),
                  tflite_multiply(x, mult, shift))
            << "x=" << x << " multiplier=" << mult << " shift=" << shift;
      }
    }
  }
}

TEST(FixedPoint, RejectsOutOfRangeArguments) {
  EXPECT_THROW(ref::rounding_divide_by_pot(5, -1), std::invalid_argument);
  EXPECT_THROW(ref::rounding_divide_by_pot(5, 32), std::invalid_argument);
  EXPECT_THROW(ref::multiply_by_quantized_multiplier(5, -1, 0), std::invalid_argument);
  EXPECT_THROW(ref::multiply_by_quantized_multiplier(5, 1 << 30, 31), std::invalid_argument);
  EXPECT_THROW(ref::multiply_by_quantized_multiplier(5, 1 << 30, -32), std::invalid_argument);
  try {
    ref::multiply_by_quantized_multiplier(5, 1 << 30, 31);
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "shift = 31 is out of range [-31, 30]");
  }
}

TEST(FixedPoint, QuantizeMultiplierRoundTrips) {
  std::mt19937_64 rng(tessera::test::test_seed());
  std::uniform_real_distribution<double> log_scale(-40.0, 29.0);
  for (int i = 0; i < 100000; ++i) {
    const double real = std::exp2(log_scale(rng));
    int32_t mult = 0;
    int shift = 0;
    ref::quantize_multiplier(real, mult, shift);
    if (mult == 0) {  // below 2^-32: flushed to zero as TFLite does
      EXPECT_LT(real, std::ldexp(1.0, ref::kMinShift - 1)) << real;
      continue;
    }
    ASSERT_GE(mult, 1 << 30);
    const double back = std::ldexp(static_cast<double>(mult), shift - 31);
    ASSERT_NEAR(back / real, 1.0, std::ldexp(1.0, -30)) << "real=" << real;
  }
  int32_t mult = 0;
  int shift = 0;
  EXPECT_THROW(ref::quantize_multiplier(0.0, mult, shift), std::invalid_argument);
  EXPECT_THROW(ref::quantize_multiplier(-0.5, mult, shift), std::invalid_argument);
}

TEST(FixedPoint, RequantizeMatchesRealArithmetic) {
  // With a normalized multiplier, requantization is round(acc * real) to within one LSB
  // (two roundings), then offset and clamped.
  std::mt19937_64 rng(tessera::test::test_seed());
  std::uniform_int_distribution<int32_t> acc_dist(-(1 << 24), 1 << 24);
  std::uniform_real_distribution<double> log_scale(-20.0, -1.0);
  for (int i = 0; i < 100000; ++i) {
    ref::OutputStage stage;
    const double real = std::exp2(log_scale(rng));
    stage.multiplier.resize(1);
    stage.shift.resize(1);
    ref::quantize_multiplier(real, stage.multiplier[0], stage.shift[0]);
    stage.zero_point = static_cast<int32_t>(rng() % 256) - 128;
    const int32_t acc = acc_dist(rng);
    const int8_t got = ref::requantize(acc, stage.multiplier[0], stage.shift[0], stage);
    const double ideal =
        std::min(127.0, std::max(-128.0, std::round(acc * real) + stage.zero_point));
    ASSERT_NEAR(got, ideal, 1.0) << "acc=" << acc << " real=" << real;
  }
}

TEST(FixedPoint, ActivationClampsFollowTflite) {
  ref::OutputStage stage;
  stage.zero_point = -10;
  ref::set_activation(stage, ref::Activation::kRelu, 0.05);
  EXPECT_EQ(stage.act_min, -10);
  EXPECT_EQ(stage.act_max, 127);
  ref::set_activation(stage, ref::Activation::kRelu6, 0.05);  // 6 / 0.05 = 120 steps
  EXPECT_EQ(stage.act_min, -10);
  EXPECT_EQ(stage.act_max, 110);
  ref::set_activation(stage, ref::Activation::kNone, 0.05);
  EXPECT_EQ(stage.act_min, -128);
  EXPECT_EQ(stage.act_max, 127);
  EXPECT_THROW(ref::set_activation(stage, ref::Activation::kRelu, 0.0), std::invalid_argument);
}
