// SPDX-License-Identifier: Apache-2.0
// The products of a training step on the engine and on the host; see products.hpp.
#include "tessera/train/products.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "tessera/ops.hpp"

namespace tessera::train {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// Loop nests rather than rearrange()'s index function: these move megabytes per step (the
// patches of a batch), and a division per element would cost more than the engine's run.
Operand transpose(const Operand& a, std::size_t rows, std::size_t cols) {
  return rearranged(a, rows * cols, [&](const auto* in, auto* out) {
    constexpr std::size_t kBlock = 32;  // cache blocking
    for (std::size_t r0 = 0; r0 < rows; r0 += kBlock)
      for (std::size_t c0 = 0; c0 < cols; c0 += kBlock)
        for (std::size_t r = r0; r < std::min(rows, r0 + kBlock); ++r)
          for (std::size_t c = c0; c < std::min(cols, c0 + kBlock); ++c)
            out[c * rows + r] = in[r * cols + c];
  });
}

Operand patches_transposed(const Operand& x, const ConvShape& s) {
  if (s.pad != 0) throw std::invalid_argument("patches_transposed: padding is not supported");
  const std::size_t oh = s.out_h(), ow = s.out_w(), cols = std::size_t(s.batch) * oh * ow;
  const std::size_t rows = std::size_t(s.kernel) * s.kernel * s.c;
  return rearranged(x, rows * cols, [&](const auto* in, auto* out) {
    for (std::size_t kh = 0; kh < s.kernel; ++kh)
      for (std::size_t kw = 0; kw < s.kernel; ++kw)
        for (std::size_t c = 0; c < s.c; ++c) {
          auto* row = out + ((kh * s.kernel + kw) * s.c + c) * cols;
          for (std::size_t b = 0; b < s.batch; ++b)
            for (std::size_t y = 0; y < oh; ++y) {
              const auto* src = in + ((b * s.h + y + kh) * s.w + kw) * s.c + c;
              for (std::size_t xx = 0; xx < ow; ++xx) *row++ = src[xx * s.c];
            }
        }
  });
}

Operand patches(const Operand& x, const ConvShape& s) {
  const std::size_t oh = s.out_h(), ow = s.out_w(), k = s.kernel;
  const std::size_t rows = std::size_t(s.batch) * oh * ow, cols = k * k * s.c;
  return rearranged(x, rows * cols, [&](const auto* in, auto* out) {
    for (std::size_t r = 0, b = 0; b < s.batch; ++b)
      for (std::size_t y = 0; y < oh; ++y)
        for (std::size_t xx = 0; xx < ow; ++xx, ++r) {
          auto* row = out + r * cols;
          for (std::size_t kh = 0; kh < k; ++kh)
            for (std::size_t kw = 0; kw < k; ++kw, row += s.c) {
              const std::ptrdiff_t iy = std::ptrdiff_t(y + kh) - s.pad,
                                   ix = std::ptrdiff_t(xx + kw) - s.pad;
              if (iy < 0 || ix < 0 || iy >= std::ptrdiff_t(s.h) || ix >= std::ptrdiff_t(s.w)) {
                std::fill(row, row + s.c, 0);  // padding
              } else {
                std::copy_n(in + ((b * s.h + std::size_t(iy)) * s.w + std::size_t(ix)) * s.c, s.c,
                            row);
              }
            }
        }
  });
}

Operand flipped_kernel(const Operand& w, uint32_t kernel, uint32_t c, uint32_t oc) {
  const std::size_t k = kernel;
  return rearrange(w, k * k * c * oc, [&](std::size_t i) {
    const std::size_t kh = i / (k * oc * c), kw = i / (oc * c) % k, o = i / c % oc, ci = i % c;
    return (((k - 1 - kh) * k + (k - 1 - kw)) * c + ci) * oc + o;
  });
}

ProductStats& Products::stats_for(const std::string& name) {
  for (ProductStats& s : stats_)
    if (s.name == name) return s;
  stats_.push_back(ProductStats{name});
  return stats_.back();
}

Operand quantize(const std::vector<float>& x, Rounding rounding, std::mt19937_64& rng) {
  float max_abs = 0;
  for (float v : x) max_abs = std::max(max_abs, std::fabs(v));
  Operand o;
  o.scale = max_abs > 0 ? max_abs / 127.0f : 1.0f;
  o.q.resize(x.size());
  const float inv = 1.0f / o.scale;
  for (std::size_t i = 0; i < x.size(); ++i) {
    float v = x[i] * inv;
    if (rounding == Rounding::kNearest) {
      v = std::nearbyint(v);
    } else {
      const float u = float(double(rng() >> 11) * 0x1.0p-53);  // [0, 1)
      v = std::floor(v + u);
    }
    o.q[i] = int8_t(std::clamp(v, -127.0f, 127.0f));
  }
  return o;
}

EngineProducts::EngineProducts(driver::Engine& engine, uint64_t seed)
    : engine_(engine), rng_(seed) {}

uint32_t EngineProducts::array_rows() const { return engine_.info().config.rows; }
uint32_t EngineProducts::array_cols() const { return engine_.info().config.cols; }

Operand EngineProducts::operand(const std::vector<float>& x, Rounding rounding) {
  return quantize(x, rounding, rng_);
}

std::vector<float> EngineProducts::run(const std::string& name, uint64_t macs, float scale,
                                       const std::function<std::vector<int32_t>()>& op) {
  const auto t0 = std::chrono::steady_clock::now();
  engine_.clear_counters();
  const std::vector<int32_t> acc = op();
  ProductStats& st = stats_for(name);
  st.cycles += engine_.counters()[regs::Counter::kCycles];
  st.macs += macs;
  ++st.calls;
  if (keep_results) results.push_back(acc);
  std::vector<float> out(acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) out[i] = float(acc[i]) * scale;
  st.seconds += seconds_since(t0);
  return out;
}

std::vector<float> EngineProducts::gemm(const std::string& name, const Operand& a, const Operand& b,
                                        uint32_t m, uint32_t k, uint32_t n) {
  if (!a.is_int8() || !b.is_int8())
    throw std::invalid_argument("EngineProducts::gemm " + name + ": operands must be int8");
  driver::GemmArgs g;
  g.m = m, g.k = k, g.n = n;
  g.a = a.q;
  g.b = b.q;
  return run(name, uint64_t(m) * k * n, a.scale * b.scale,
             [&] { return driver::gemm_int32(engine_, g); });
}

std::vector<float> EngineProducts::conv(const std::string& name, const Operand& x, const Operand& w,
                                        const ConvShape& s) {
  if (!x.is_int8() || !w.is_int8())
    throw std::invalid_argument("EngineProducts::conv " + name + ": operands must be int8");
  driver::Conv2dArgs a;
  a.batch = s.batch, a.h = s.h, a.w = s.w, a.c = s.c;
  a.kernel_h = a.kernel_w = s.kernel;
  a.out_channels = s.out_channels;
  a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = s.pad;
  a.input = x.q;
  a.weights = w.q;
  return run(name, s.macs(), x.scale * w.scale,
             [&] { return driver::conv2d_int32(engine_, a).output32; });
}

Operand FloatProducts::operand(const std::vector<float>& x, Rounding) {
  Operand o;
  o.f = x;
  return o;
}

std::vector<float> FloatProducts::gemm(const std::string& name, const Operand& a, const Operand& b,
                                       uint32_t m, uint32_t k, uint32_t n) {
  if (a.is_int8() || b.is_int8())
    throw std::invalid_argument("FloatProducts::gemm " + name + ": operands must be float");
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<float> c(std::size_t(m) * n, 0.0f);
  for (uint32_t i = 0; i < m; ++i) {
    float* row = &c[std::size_t(i) * n];
    for (uint32_t p = 0; p < k; ++p) {
      const float av = a.f[std::size_t(i) * k + p];
      if (av == 0.0f) continue;
      const float* brow = &b.f[std::size_t(p) * n];
      for (uint32_t j = 0; j < n; ++j) row[j] += av * brow[j];
    }
  }
  ProductStats& st = stats_for(name);
  st.macs += uint64_t(m) * k * n;
  ++st.calls;
  st.seconds += seconds_since(t0);
  return c;
}

std::vector<float> FloatProducts::conv(const std::string& name, const Operand& x, const Operand& w,
                                       const ConvShape& s) {
  // As a GEMM of the patches (B*OH*OW x K*K*C, padding read as zero) by the weights.
  const uint32_t rows = s.batch * s.out_h() * s.out_w(), cols = s.kernel * s.kernel * s.c;
  return gemm(name, patches(x, s), w, rows, cols, s.out_channels);
}

}  // namespace tessera::train
