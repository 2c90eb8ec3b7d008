// SPDX-License-Identifier: Apache-2.0
// GEMM and convolution on an Engine; see ops.hpp.
#include "tessera/ops.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

#include "fused_plan.hpp"
#include "messages.hpp"
#include "tessera/conv_plan.hpp"
#include "tessera/gemm_plan.hpp"

namespace tessera::driver {
namespace {

using detail::require_range;
using detail::require_size;

// The word the plans' FENCEs between groups of output channels write (gemm_plan.hpp).
constexpr std::size_t kBarrierBytes = 16;

// A plan's output stage from the requantization: zero point and clamp.
template <typename Plan>
void set_output_stage(Plan& plan, const Quantization& q) {
  plan.zero_point = int8_t(q.zero_point);
  plan.act_min = int8_t(q.act_min);
  plan.act_max = int8_t(q.act_max);
}

// The quantization table: per channel {bias, multiplier, shift}, per-tensor values repeated.
std::vector<uint8_t> table_for(const Quantization& q, const std::vector<int32_t>& bias,
                               uint32_t channels) {
  const std::size_t nm = q.multiplier.size(), ns = q.shift.size();
  if (nm != ns || (nm != 1 && nm != channels)) {
    throw std::invalid_argument("quantization: " + std::to_string(nm) + " multipliers and " +
                                std::to_string(ns) +
                                " shifts; expected 1 of each (per tensor) or " +
                                std::to_string(channels) + " of each (per channel)");
  }
  require_range("quantization zero_point", q.zero_point, -128, 127);
  require_range("quantization act_min", q.act_min, -128, 127);
  require_range("quantization act_max", q.act_max, q.act_min, 127);
  std::vector<int32_t> mult(channels), full_bias(channels, 0);
  std::vector<int> shift(channels);
  for (uint32_t c = 0; c < channels; ++c) {
    mult[c] = q.multiplier[nm == 1 ? 0 : c];
    shift[c] = q.shift[nm == 1 ? 0 : c];
    require_range("quantization multiplier[" + std::to_string(c) + "]", mult[c], 0, 2147483647);
    require_range("quantization shift[" + std::to_string(c) + "]", shift[c], -31, 30);
    if (!bias.empty()) full_bias[c] = bias[c];
  }
  return isa::qtable_entries(full_bias, mult, shift);
}

void check_gemm(const GemmArgs& g) {
  require_range("GEMM M", g.m, 1, 1ll << 31);
  require_range("GEMM K", g.k, 1, 1ll << 31);
  require_range("GEMM N", g.n, 1, 1ll << 31);
  require_size("GEMM A", g.a.size(), std::size_t(g.m) * g.k, "M x K");
  require_size("GEMM B", g.b.size(), std::size_t(g.k) * g.n, "K x N");
  if (!g.bias.empty()) require_size("GEMM bias", g.bias.size(), g.n, "N");
  require_range("GEMM a_zero_point", g.a_zero_point, -128, 127);
}

// The bias with A's zero point folded in.
std::vector<int32_t> gemm_bias(const GemmArgs& g) {
  return isa::zero_point_bias(g.bias, g.b, g.k, g.n, int8_t(g.a_zero_point));
}

// Runs plan_gemm with the operands in device memory; `out` receives C's bytes.
void run_gemm(Engine& e, const GemmArgs& g, bool raw, std::vector<uint8_t>& out) {
  const uint32_t cols = e.info().config.cols;
  const auto packed = isa::pack_weights(g.b, g.k, g.n, cols);
  const std::size_t out_bytes = std::size_t(g.m) * g.n * (raw ? 4 : 1);
  Buffer a(e, g.a.size()), b(e, packed.size()), c(e, out_bytes);
  a.write(g.a.data(), g.a.size());
  b.write(packed.data(), packed.size());
  std::vector<uint8_t> table;
  if (!raw) table = table_for(g.quant, gemm_bias(g), g.n);
  Buffer t(e, std::max<std::size_t>(table.size(), isa::qtable::kEntryBytes));
  if (!raw) t.write(table.data(), table.size());
  Buffer barrier(e, kBarrierBytes);
  isa::GemmPlan plan;
  plan.m = g.m;
  plan.k = g.k;
  plan.n = g.n;
  plan.a_addr = a.device_addr();
  plan.b_addr = b.device_addr();
  plan.b_packed = true;
  plan.c_addr = c.device_addr();
  plan.qtable_addr = t.device_addr();
  plan.barrier_addr = barrier.device_addr();
  plan.raw_int32 = raw;
  if (!raw) set_output_stage(plan, g.quant);
  isa::CommandStream stream = e.new_stream();
  isa::plan_gemm(stream, plan);
  e.run(stream);
  out.resize(out_bytes);
  c.read(out.data(), out_bytes);
}

}  // namespace

std::vector<int8_t> gemm_int8(Engine& engine, const GemmArgs& args) {
  check_gemm(args);
  std::vector<uint8_t> bytes;
  run_gemm(engine, args, false, bytes);
  return std::vector<int8_t>(bytes.begin(), bytes.end());
}

std::vector<int32_t> gemm_int32(Engine& engine, const GemmArgs& args) {
  check_gemm(args);
  // K beyond one plan's reach runs in parts of columns of A and rows of B whose int32
  // results are summed here (wrapping, as the accumulators wrap). A long K with many rows
  // is split further: a bank then holds kPartRows rows of A per block rather than a few,
  // so that each weight tile loaded serves that many rows (a weight gradient's K runs over
  // a batch's pixels: 288 x 7,744 x 64 runs at 28 % in one part, bus bound, 83 % in parts).
  // 64 rows measured best on the CNN's training (docs/training.md): 43,727 / 42,902 / 43,066
  // engine cycles per image with 32 / 64 / 128.
  constexpr uint32_t kPartRows = 64;
  const isa::BuildConfig& cfg = engine.info().config;
  const uint32_t max_k = isa::max_gemm_k(cfg);
  const uint32_t part_k = std::min(
      max_k, std::max(cfg.rows, max_k / std::min(args.m, kPartRows) / cfg.rows * cfg.rows));
  std::vector<uint32_t> sum(std::size_t(args.m) * args.n, 0);
  std::vector<uint8_t> bytes;
  for (uint32_t k0 = 0; k0 < args.k; k0 += part_k) {
    const uint32_t kp = std::min(part_k, args.k - k0);
    GemmArgs part;
    part.m = args.m, part.k = kp, part.n = args.n;
    if (kp == args.k) {
      run_gemm(engine, args, true, bytes);
    } else {
      part.a.resize(std::size_t(args.m) * kp);
      for (uint32_t i = 0; i < args.m; ++i)
        std::copy_n(args.a.begin() + std::ptrdiff_t(std::size_t(i) * args.k + k0), kp,
                    part.a.begin() + std::ptrdiff_t(std::size_t(i) * kp));
      part.b.assign(args.b.begin() + std::ptrdiff_t(std::size_t(k0) * args.n),
                    args.b.begin() + std::ptrdiff_t(std::size_t(k0 + kp) * args.n));
      run_gemm(engine, part, true, bytes);
    }
    for (std::size_t i = 0; i < sum.size(); ++i)
      sum[i] += uint32_t(bytes[4 * i]) | uint32_t(bytes[4 * i + 1]) << 8 |
                uint32_t(bytes[4 * i + 2]) << 16 | uint32_t(bytes[4 * i + 3]) << 24;
  }
  std::vector<int32_t> out(sum.size());
  const auto bias = gemm_bias(args);
  for (std::size_t i = 0; i < out.size(); ++i)
    out[i] = int32_t(sum[i] + uint32_t(bias[i % args.n]));
  return out;
}

namespace {

// The plan of a convolution's arguments, checked (`what` names it in messages; without
// `input` the input tensor is not one of them); the window fits.
isa::ConvPlan checked_plan(const Conv2dArgs& a, bool raw, const std::string& what = "conv2d",
                           bool input = true) {
  isa::ConvPlan plan;
  plan.batch = a.batch;
  plan.h = a.h;
  plan.w = a.w;
  plan.c = a.c;
  plan.kernel_h = a.kernel_h;
  plan.kernel_w = a.kernel_w;
  plan.out_channels = a.out_channels;
  plan.stride_h = a.stride_h;
  plan.stride_w = a.stride_w;
  plan.dilation_h = a.dilation_h;
  plan.dilation_w = a.dilation_w;
  plan.pad_top = a.pad_top;
  plan.pad_bottom = a.pad_bottom;
  plan.pad_left = a.pad_left;
  plan.pad_right = a.pad_right;
  plan.max_pool = a.max_pool;
  plan.raw_int32 = raw;
  plan.groups = a.groups;
  require_range(what + " input_zero_point", a.input_zero_point, -128, 127);
  plan.input_zero_point = int8_t(a.input_zero_point);
  for (const auto& [name, v] : {std::pair{"batch", a.batch},
                                {"H", a.h},
                                {"W", a.w},
                                {"C", a.c},
                                {"kernel_h", a.kernel_h},
                                {"kernel_w", a.kernel_w},
                                {"out_channels", a.out_channels},
                                {"stride_h", a.stride_h},
                                {"stride_w", a.stride_w},
                                {"dilation_h", a.dilation_h},
                                {"dilation_w", a.dilation_w},
                                {"groups", a.groups}}) {
    require_range(what + " " + name, v, 1, 65535);
  }
  if (input) {
    require_size((what + " input").c_str(), a.input.size(), std::size_t(a.batch) * a.h * a.w * a.c,
                 "batch x H x W x C");
  }
  if (a.c % a.groups != 0 || a.out_channels % a.groups != 0) {
    throw std::invalid_argument(what + " groups = " + std::to_string(a.groups) +
                                " must divide C = " + std::to_string(a.c) +
                                " and out_channels = " + std::to_string(a.out_channels));
  }
  require_size((what + " weights").c_str(), a.weights.size(),
               std::size_t(a.kernel_h) * a.kernel_w * (a.c / a.groups) * a.out_channels,
               "KH x KW x C/groups x OC");
  if (!a.bias.empty()) require_size((what + " bias").c_str(), a.bias.size(), a.out_channels, "OC");
  plan.out_h(), plan.out_w();  // check that the window fits
  plan.layout = a.layout;
  if (!raw) set_output_stage(plan, a.quant);
  return plan;
}

// The quantization table of a convolution: its bias with the input zero point's share.
std::vector<uint8_t> conv_table(const Conv2dArgs& a) {
  return table_for(a.quant,
                   isa::conv_bias(a.bias, a.weights, a.kernel_h, a.kernel_w, a.c / a.groups,
                                  a.out_channels, int8_t(a.input_zero_point)),
                   a.out_channels);
}

// Checks the arguments, runs plan_conv2d with the operands in device memory; `out` receives
// the output's bytes (int8, or int32 raw) and `r` its shape.
void run_conv2d(Engine& e, const Conv2dArgs& a, bool raw, Conv2dResult& r,
                std::vector<uint8_t>& out) {
  isa::ConvPlan plan = checked_plan(a, raw);
  const uint32_t oh = plan.out_h(), ow = plan.out_w();
  const auto& cfg = e.info().config;
  const auto packed = isa::pack_conv_weights(a.weights, plan, cfg);
  std::vector<uint8_t> table;
  if (!raw) table = conv_table(a);
  r.batch = a.batch;
  r.h = a.max_pool ? oh / 2 : oh;
  r.w = a.max_pool ? ow / 2 : ow;
  r.c = a.out_channels;
  const std::size_t out_bytes = std::size_t(r.batch) * r.h * r.w * r.c * (raw ? 4 : 1);
  Buffer in(e, a.input.size()), w(e, packed.size()), out_buf(e, out_bytes);
  Buffer t(e, std::max<std::size_t>(table.size(), isa::qtable::kEntryBytes));
  Buffer barrier(e, kBarrierBytes);
  in.write(a.input.data(), a.input.size());
  w.write(packed.data(), packed.size());
  if (!raw) t.write(table.data(), table.size());
  plan.input_addr = in.device_addr();
  plan.weight_addr = w.device_addr();
  plan.output_addr = out_buf.device_addr();
  plan.qtable_addr = t.device_addr();
  plan.barrier_addr = barrier.device_addr();
  isa::CommandStream stream = e.new_stream();
  isa::plan_conv2d(stream, plan);
  e.run(stream);
  out.resize(out_bytes);
  out_buf.read(out.data(), out_bytes);
}

}  // namespace

Conv2dResult conv2d(Engine& e, const Conv2dArgs& a) {
  Conv2dResult r;
  std::vector<uint8_t> bytes;
  run_conv2d(e, a, false, r, bytes);
  r.output.assign(bytes.begin(), bytes.end());
  return r;
}

Conv2dResult expand_depthwise(Engine& e, const Conv2dArgs& ex, const Conv2dArgs& dw) {
  isa::ConvPlan pe = checked_plan(ex, false, "expand_depthwise expansion");
  isa::ConvPlan pd = checked_plan(dw, false, "expand_depthwise depthwise", false);
  pe.layout = isa::ConvLayout::kPaddedImage;
  pd.layout = isa::ConvLayout::kDepthwiseUnit;
  const auto& cfg = e.info().config;
  if (std::string why; !isa::detail::expand_depthwise_fits(pe, pd, cfg, &why))
    throw std::invalid_argument("expand_depthwise: " + why);
  const auto ew = isa::pack_conv_weights(ex.weights, pe, cfg);
  const auto dwt = isa::pack_conv_weights(dw.weights, pd, cfg);
  const auto et = conv_table(ex), dt = conv_table(dw);
  Conv2dResult r;
  r.batch = dw.batch;
  r.h = pd.out_h();
  r.w = pd.out_w();
  r.c = dw.out_channels;
  Buffer in(e, ex.input.size()), w1(e, ew.size()), w2(e, dwt.size()), t1(e, et.size()),
      t2(e, dt.size()), out(e, std::size_t(r.batch) * r.h * r.w * r.c);
  in.write(ex.input.data(), ex.input.size());
  w1.write(ew.data(), ew.size());
  w2.write(dwt.data(), dwt.size());
  t1.write(et.data(), et.size());
  t2.write(dt.data(), dt.size());
  pe.input_addr = in.device_addr();
  pe.weight_addr = w1.device_addr();
  pe.qtable_addr = t1.device_addr();
  pd.weight_addr = w2.device_addr();
  pd.qtable_addr = t2.device_addr();
  pd.output_addr = out.device_addr();
  isa::CommandStream stream = e.new_stream();
  isa::detail::plan_expand_depthwise(stream, pe, pd);
  e.run(stream);
  r.output.resize(out.size());
  out.read(r.output.data(), r.output.size());
  return r;
}

Conv2dResult conv2d_int32(Engine& e, const Conv2dArgs& a) {
  if (a.max_pool) {
    throw std::invalid_argument("conv2d int32: max_pool needs requantized int8 outputs");
  }
  Conv2dResult r;
  std::vector<uint8_t> bytes;
  run_conv2d(e, a, true, r, bytes);
  const auto bias = isa::conv_bias(a.bias, a.weights, a.kernel_h, a.kernel_w, a.c / a.groups,
                                   a.out_channels, int8_t(a.input_zero_point));
  r.output32.resize(bytes.size() / 4);
  for (std::size_t i = 0; i < r.output32.size(); ++i) {
    uint32_t v;
    std::memcpy(&v, &bytes[4 * i], 4);
    r.output32[i] = int32_t(v + uint32_t(bias[i % a.out_channels]));  // wrapping, as the engine
  }
  return r;
}

std::vector<int8_t> add_int8(Engine& e, const AddArgs& a) {
  require_range("add elements", a.a.size(), 1, std::size_t(1) << 40);
  require_size("add b", a.b.size(), a.a.size(), "the elements of a");
  if (a.quant.multiplier.size() != 1 || a.quant.shift.size() != 1) {
    throw std::invalid_argument("add quantization: " + std::to_string(a.quant.multiplier.size()) +
                                " multipliers and " + std::to_string(a.quant.shift.size()) +
                                " shifts; expected 1 of each (per tensor)");
  }
  for (const auto& [name, in] : {std::pair{"a", a.a_scale}, {"b", a.b_scale}}) {
    require_range(std::string("add ") + name + " multiplier", in.multiplier, 0, 2147483647);
    require_range(std::string("add ") + name + " right_shift", int(in.right_shift), 0, 31);
  }
  const auto table = table_for(a.quant, {}, 1);
  Buffer in_a(e, a.a.size()), in_b(e, a.b.size()), out(e, a.a.size()), t(e, table.size());
  in_a.write(a.a.data(), a.a.size());
  in_b.write(a.b.data(), a.b.size());
  t.write(table.data(), table.size());
  isa::AddPlan plan;
  plan.elements = a.a.size();
  plan.a_addr = in_a.device_addr();
  plan.b_addr = in_b.device_addr();
  plan.out_addr = out.device_addr();
  plan.qtable_addr = t.device_addr();
  plan.a = a.a_scale;
  plan.b = a.b_scale;
  set_output_stage(plan, a.quant);
  isa::CommandStream stream = e.new_stream();
  isa::plan_add(stream, plan);
  e.run(stream);
  std::vector<int8_t> result(a.a.size());
  out.read(result.data(), result.size());
  return result;
}

}  // namespace tessera::driver
