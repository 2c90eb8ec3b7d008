// SPDX-License-Identifier: Apache-2.0
// The products of a training step on the engine and on the host; see products.hpp.
#include "tessera/train/products.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "tessera/ops.hpp"
#include "tessera/ref.hpp"

namespace tessera::train {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// An operand of n elements made from `in` by fill(from, to), called with the element type
// the operand holds (int8_t or float); the scale is kept. The fills are loop nests, not an
// index function per element: they move megabytes per step (a batch's patches), and a
// division per element cost more than the engine's run (1.17 s against 0.08 s).
template <class Fill>
Operand rearranged(const Operand& in, std::size_t n, Fill fill) {
  Operand out;
  out.scale = in.scale;
  if (in.is_int8()) {
    out.q.resize(n);
    fill(in.q.data(), out.q.data());
  } else {
    out.f.resize(n);
    fill(in.f.data(), out.f.data());
  }
  return out;
}

}  // namespace

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
  ref::Conv2dParams p;
  p.kernel_h = p.kernel_w = s.kernel;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = s.pad;
  const ref::Nhwc shape{s.batch, s.h, s.w, s.c};
  Operand out;
  out.scale = x.scale;
  if (x.is_int8()) {
    out.q = ref::im2col(x.q, shape, p);
  } else {
    out.f = ref::im2col(x.f, shape, p);
  }
  return out;
}

Operand flipped_kernel(const Operand& w, uint32_t kernel, uint32_t c, uint32_t oc) {
  const std::size_t k = kernel;
  return rearranged(w, k * k * c * oc, [&](const auto* in, auto* out) {
    for (std::size_t kh = 0; kh < k; ++kh)
      for (std::size_t kw = 0; kw < k; ++kw) {
        const auto* tap = in + ((k - 1 - kh) * k + (k - 1 - kw)) * c * oc;  // [C][OC]
        for (std::size_t o = 0; o < oc; ++o)
          for (std::size_t ci = 0; ci < c; ++ci) *out++ = tap[ci * oc + o];
      }
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
