// SPDX-License-Identifier: Apache-2.0
// tessera gemm: C[M x N] = A[M x K] * B[K x N] + bias, int8 requantized or raw int32, from
// .npy files or random tensors; --check compares every output with the reference model.
#include <chrono>

#include "commands.hpp"
#include "common.hpp"
#include "tessera/atomic_file.hpp"
#include "tessera/npy.hpp"

namespace tessera::cli {

int run_gemm(int argc, char** argv) {
  Common c;
  QuantOptions q;
  uint32_t m = 0, k = 0, n = 0;
  std::string a_path, b_path, bias_path, out_path;
  bool int32 = false, check = false;
  driver::GemmArgs args;
  auto d = common_options(c);
  po::options_description g("GEMM: C[M x N] = (A[M x K] - zp) * B[K x N] + bias");
  g.add_options()("m", po::value(&m), "rows of A (random A)")("k", po::value(&k), "columns of A")(
      "n", po::value(&n), "columns of B")("a", po::value(&a_path), "A.npy, int8 M x K")(
      "b", po::value(&b_path), "B.npy, int8 K x N")("bias", po::value(&bias_path),
                                                    "bias.npy, int32 N")(
      "out", po::value(&out_path), "C.npy to write (int8, or int32 with --int32)")(
      "a-zero-point", po::value(&args.a_zero_point)->default_value(0),
      "A's zero point, [-128, 127]: C = (A - zp) * B + bias")(
      "int32", po::bool_switch(&int32), "raw int32 accumulators + bias, no requantization")(
      "check", po::bool_switch(&check), "compare with the reference model");
  add_quant_options(g, q);
  d.add(g);
  const auto vm =
      parse(argc, argv, d, {}, "gemm [--a A.npy --b B.npy | --m M --k K --n N] [options]");
  require_not_both(vm, "a", {"m", "k"}, "A and its shape");
  require_not_both(vm, "b", {"n"}, "B and its shape");

  std::mt19937_64 rng(c.seed);
  if (!a_path.empty()) {
    const auto a = npy::load(a_path);
    if (a.shape.size() != 2) throw UsageError(a_path + ": A must be 2-D (M x K)");
    args.m = uint32_t(a.shape[0]);
    args.k = uint32_t(a.shape[1]);
    args.a = a.as_int8(a_path);
  } else {
    if (!m || !k) throw UsageError("give --a A.npy, or --m and --k (>= 1) for a random A");
    args.m = m;
    args.k = k;
    args.a = random_int8(rng, std::size_t(m) * k, "--m x --k (A)");
  }
  if (!b_path.empty()) {
    const auto b = npy::load(b_path);
    if (b.shape.size() != 2 || b.shape[0] != args.k) {
      throw UsageError(b_path + ": B must be 2-D with K = " + std::to_string(args.k) + " rows");
    }
    args.n = uint32_t(b.shape[1]);
    args.b = b.as_int8(b_path);
  } else {
    if (!n) throw UsageError("give --b B.npy, or --n (>= 1) for a random B");
    args.n = n;
    args.b = random_int8(rng, std::size_t(args.k) * n, "K x --n (B)");
  }
  if (!bias_path.empty()) args.bias = load_bias(bias_path, args.n, "N, the output columns");
  args.quant = quantization(q, args.k, args.n);

  require_distinct_outputs("--out", out_path, "--record", c.record);
  if (!out_path.empty()) require_writable(out_path);  // before the work, not after
  Session s(c);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int8_t> c8;
  std::vector<int32_t> c32;
  if (int32)
    c32 = driver::gemm_int32(*s.engine, args);
  else
    c8 = driver::gemm_int8(*s.engine, args);
  const double wall = seconds_since(t0);
  Report r;
  r.add("operation", "operation",
        "gemm " + std::to_string(args.m) + "x" + std::to_string(args.k) + "x" +
            std::to_string(args.n) + (int32 ? " int32" : " int8"));
  add_run_report(r, *s.engine, uint64_t(args.m) * args.k * args.n, c.clock_mhz, wall);
  bool ok = true;
  if (check) {
    const auto acc =
        ref::gemm(args.a, args.b, args.bias, args.m, args.k, args.n, args.a_zero_point);
    std::size_t bad = 0;
    if (int32) {
      for (std::size_t i = 0; i < acc.size(); ++i) bad += acc[i] != c32[i];
    } else {
      const auto want = ref::requantize(acc, args.m, args.n, stage_of(args.quant, args.n));
      for (std::size_t i = 0; i < want.size(); ++i) bad += want[i] != c8[i];
    }
    r.add("mismatches", "outputs differing from the reference", bad);
    ok = bad == 0;
  }
  if (int32)
    save_npy(out_path, c32, {args.m, args.n});
  else
    save_npy(out_path, c8, {args.m, args.n});
  s.finish();
  r.print(c.json);
  return ok ? 0 : 1;
}

}  // namespace tessera::cli
