// SPDX-License-Identifier: Apache-2.0
// The multiply-accumulate products of a training step, on the engine or on the host: the
// trainer (cnn.hpp) states every product as a GEMM or a stride-1 convolution of two
// operands, and a Products object runs it.
//   - EngineProducts: the operands quantized to int8 with one scale per tensor (symmetric:
//     real = scale * q), the product an int8 x int8 -> int32 operation on the engine
//     (driver::gemm_int32 / conv2d_int32), the result dequantized to float. Round to nearest
//     for activations and weights, stochastic rounding from a seeded generator for gradients
//     (unbiased, so that small gradients survive on average: NITI, Wang et al. 2022).
//   - FloatProducts: the same products in float32 on the host, the reference training.
// Transposed and rearranged operands (a weight gradient's patches, an input gradient's
// flipped kernel) are made on the host by moving bytes: no arithmetic.
#pragma once

#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "tessera/engine.hpp"

namespace tessera::train {

enum class Rounding { kNearest, kStochastic };

// An operand: int8 values and their scale (the engine), or float values (the host).
struct Operand {
  std::vector<int8_t> q;
  std::vector<float> f;
  float scale = 1.0f;
  bool is_int8() const { return f.empty(); }
  std::size_t size() const { return is_int8() ? q.size() : f.size(); }
};

// A rows x cols row-major matrix, transposed.
Operand transpose(const Operand& a, std::size_t rows, std::size_t cols);

// A stride-1 convolution over an NHWC batch: input B x H x W x C, weights [K][K][C][OC],
// PAD zero pixels on every side, output B x OH x OW x OC.
struct ConvShape {
  uint32_t batch = 1, h = 0, w = 0, c = 0, kernel = 1, out_channels = 0, pad = 0;
  uint32_t out_h() const { return h + 2 * pad - kernel + 1; }
  uint32_t out_w() const { return w + 2 * pad - kernel + 1; }
  uint64_t macs() const {
    return uint64_t(batch) * out_h() * out_w() * out_channels * kernel * kernel * c;
  }
};

// The patches of a convolution (no padding), transposed: K*K*C rows (kh, kw, c) of
// B*OH*OW columns (b, y, x). Times the output gradient (B*OH*OW x OC) it is the weight
// gradient in the weights' layout [K][K][C][OC].
Operand patches_transposed(const Operand& x, const ConvShape& s);

// The patches of a convolution (padding read as zero): B*OH*OW rows (b, y, x) of K*K*C
// columns (kh, kw, c), the reference model's im2col matrix (ref::im2col).
Operand patches(const Operand& x, const ConvShape& s);

// Weights [K][K][C][OC] rotated by 180 degrees and with C and OC exchanged: [K][K][OC][C],
// the kernel that convolves an output gradient (padded by K - 1) into the input gradient.
Operand flipped_kernel(const Operand& w, uint32_t kernel, uint32_t c, uint32_t oc);

// What one kind of product (a layer's forward, input gradient or weight gradient) cost.
struct ProductStats {
  std::string name;
  uint64_t calls = 0;
  uint64_t macs = 0;    // useful MACs: M*K*N, or the convolution's
  uint64_t cycles = 0;  // engine cycles (0 on the host)
  double seconds = 0;   // wall time inside the product, host-side work included
};

class Products {
 public:
  virtual ~Products() = default;
  // x as an operand: quantized (EngineProducts) or as it is (FloatProducts).
  virtual Operand operand(const std::vector<float>& x, Rounding rounding) = 0;
  // C[M x N] = A[M x K] * B[K x N], row-major, in real values.
  virtual std::vector<float> gemm(const std::string& name, const Operand& a, const Operand& b,
                                  uint32_t m, uint32_t k, uint32_t n) = 0;
  // The convolution `s` of x by w, in real values.
  virtual std::vector<float> conv(const std::string& name, const Operand& x, const Operand& w,
                                  const ConvShape& s) = 0;
  // Per product name, in the order first seen.
  const std::vector<ProductStats>& stats() const { return stats_; }

 protected:
  ProductStats& stats_for(const std::string& name);

 private:
  std::vector<ProductStats> stats_;
};

class EngineProducts : public Products {
 public:
  // `seed` seeds the stochastic rounding.
  EngineProducts(driver::Engine& engine, uint64_t seed);
  Operand operand(const std::vector<float>& x, Rounding rounding) override;
  std::vector<float> gemm(const std::string& name, const Operand& a, const Operand& b, uint32_t m,
                          uint32_t k, uint32_t n) override;
  std::vector<float> conv(const std::string& name, const Operand& x, const Operand& w,
                          const ConvShape& s) override;
  // Every int32 result so far, in order, when keep_results is set (the tests compare the
  // engine's outputs between backends).
  bool keep_results = false;
  std::vector<std::vector<int32_t>> results;

 private:
  // Runs `op` on the engine and counts it under `name`; its int32 result times `scale`.
  std::vector<float> run(const std::string& name, uint64_t macs, float scale,
                         const std::function<std::vector<int32_t>()>& op);
  driver::Engine& engine_;
  std::mt19937_64 rng_;
};

class FloatProducts : public Products {
 public:
  Operand operand(const std::vector<float>& x, Rounding rounding) override;
  std::vector<float> gemm(const std::string& name, const Operand& a, const Operand& b, uint32_t m,
                          uint32_t k, uint32_t n) override;
  std::vector<float> conv(const std::string& name, const Operand& x, const Operand& w,
                          const ConvShape& s) override;
};

// Symmetric per-tensor int8 quantization: scale = max|x| / 127 (1 for an all-zero tensor),
// q = x / scale rounded (to nearest, ties to even; or stochastically with u uniform in
// [0, 1): floor(x / scale + u)), clamped to [-127, 127].
Operand quantize(const std::vector<float>& x, Rounding rounding, std::mt19937_64& rng);

}  // namespace tessera::train
