// SPDX-License-Identifier: Apache-2.0
// tessera selftest: random GEMMs and convolutions on the device against the reference model.
#include <cstdio>

#include "commands.hpp"
#include "common.hpp"
#include "tessera/checks.hpp"

namespace tessera::cli {

int run_selftest(int argc, char** argv) {
  Common c;
  unsigned count = 20;
  auto d = common_options(c);
  d.add_options()("count", po::value(&count)->default_value(20), "random operations");
  parse(argc, argv, d, {}, "selftest [--count N] [options]");
  require_range("--count", count, 1u, 100000u);
  Session s(c);
  std::mt19937_64 rng(c.seed);
  unsigned passed = 0;
  for (unsigned i = 0; i < count; ++i) {
    std::string what;
    bool ok = true;
    if (i % 2 == 0) {
      driver::GemmArgs g;
      g.m = 1 + rng() % 80, g.k = 1 + rng() % 100, g.n = 1 + rng() % 50;
      g.a = random_int8(rng, std::size_t(g.m) * g.k, "A");
      g.b = random_int8(rng, std::size_t(g.k) * g.n, "B");
      g.bias.resize(g.n);
      for (auto& b : g.bias) b = int32_t(rng() % 2001) - 1000;
      g.a_zero_point = int(rng() % 256) - 128;
      QuantOptions q;
      q.zero_point = int(rng() % 256) - 128;
      g.quant = quantization(q, g.k, g.n);
      what = "gemm " + std::to_string(g.m) + "x" + std::to_string(g.k) + "x" + std::to_string(g.n);
      const auto got = driver::gemm_int8(*s.engine, g);
      const auto want = ref::requantize(ref::gemm(g.a, g.b, g.bias, g.m, g.k, g.n, g.a_zero_point),
                                        g.m, g.n, stage_of(g.quant, g.n));
      ok = got == want;
    } else {
      driver::Conv2dArgs a;
      const uint32_t kernels[] = {1, 3, 5, 7};
      a.h = 1 + rng() % 14, a.w = 1 + rng() % 14, a.c = 1 + rng() % 40,
      a.out_channels = 1 + rng() % 40;
      a.kernel_h = a.kernel_w = kernels[rng() % 4];
      a.stride_h = a.stride_w = 1 + rng() % 2;
      const uint32_t pad = a.kernel_h / 2;
      a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = pad;
      a.input_zero_point = int(rng() % 256) - 128;
      a.input = random_int8(rng, std::size_t(a.h) * a.w * a.c, "the input");
      a.weights = random_int8(rng, std::size_t(a.kernel_h) * a.kernel_w * a.c * a.out_channels,
                              "the weights");
      a.quant =
          quantization(QuantOptions{}, uint64_t(a.kernel_h) * a.kernel_w * a.c, a.out_channels);
      what = "conv2d " + std::to_string(a.h) + "x" + std::to_string(a.w) + "x" +
             std::to_string(a.c) + " k" + std::to_string(a.kernel_h) + " s" +
             std::to_string(a.stride_h) + " -> " + std::to_string(a.out_channels);
      ref::Conv2dParams p;
      p.kernel_h = p.kernel_w = a.kernel_h;
      p.stride_h = p.stride_w = a.stride_h;
      p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
      p.input_zero_point = a.input_zero_point;
      const ref::Nhwc shape{1, a.h, a.w, a.c};
      const auto os = p.output_shape(shape, a.out_channels);
      const auto got = driver::conv2d(*s.engine, a);
      const auto want =
          ref::requantize(ref::conv2d(a.input, shape, a.weights, a.out_channels, {}, p),
                          os.h * os.w, a.out_channels, stage_of(a.quant, a.out_channels));
      ok = got.output == want;
    }
    passed += ok;
    if (!c.json) std::printf("  %-44s %s\n", what.c_str(), ok ? "ok" : "MISMATCH");
  }
  if (c.json)
    std::printf("{\"count\": %u, \"passed\": %u}\n", count, passed);
  else
    std::printf("selftest: %u of %u operations match the reference model (seed %llu)\n", passed,
                count, (unsigned long long)c.seed);
  s.finish();
  return passed == count ? 0 : 1;
}

}  // namespace tessera::cli
