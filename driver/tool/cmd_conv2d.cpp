// SPDX-License-Identifier: Apache-2.0
// tessera conv2d: an int8 NHWC convolution with requantization (and ReLU, 2x2 max-pool),
// from .npy files or random tensors; --check compares every output with the reference.
#include <chrono>
#include <cstdio>

#include "commands.hpp"
#include "common.hpp"
#include "tessera/atomic_file.hpp"
#include "tessera/checks.hpp"
#include "tessera/npy.hpp"

namespace tessera::cli {

int run_conv2d(int argc, char** argv) {
  Common c;
  QuantOptions q;
  driver::Conv2dArgs a;
  std::string in_path, w_path, bias_path, out_path, pads;
  uint32_t h = 0, w = 0, ch = 0, oc = 0, kernel = 3, stride = 1, pad = 0, dilation = 1, batch = 1;
  uint32_t groups = 1;
  int izp = 0;
  bool check = false, int32 = false;
  auto d = common_options(c);
  po::options_description g("conv2d: NHWC int8 input, [KH x KW x C/groups x OC] weights");
  g.add_options()("input", po::value(&in_path), "input.npy, int8 N x H x W x C (or H x W x C)")(
      "weights", po::value(&w_path), "weights.npy, int8 KH x KW x C/groups x OC")(
      "bias", po::value(&bias_path), "bias.npy, int32 OC")(
      "out", po::value(&out_path), "output.npy to write")("batch", po::value(&batch),
                                                          "random input: images")(
      "h", po::value(&h), "random input: height")("w", po::value(&w), "random input: width")(
      "c", po::value(&ch), "random input: channels")("oc", po::value(&oc),
                                                     "random weights: output channels")(
      "kernel", po::value(&kernel), "random weights: K for a K x K kernel")(
      "stride", po::value(&stride), "stride (both axes)")("pad", po::value(&pad),
                                                          "padding (all sides)")(
      "pads", po::value(&pads), "padding top,bottom,left,right")("dilation", po::value(&dilation),
                                                                 "dilation (both axes)")(
      "groups", po::value(&groups),
      "grouped convolution: C and OC in this many equal groups (C = OC = groups: depthwise)")(
      "input-zero-point", po::value(&izp), "input zero point (the padding value)")(
      "pool", po::bool_switch(&a.max_pool), "2x2 max-pool after requantization")(
      "int32", po::bool_switch(&int32), "raw int32 accumulators + bias, no requantization")(
      "check", po::bool_switch(&check), "compare with the reference model");
  add_quant_options(g, q);
  d.add(g);
  const auto vm = parse(argc, argv, d, {},
                        "conv2d [--input X.npy --weights W.npy | --h --w --c --oc] [options]");
  require_not_both(vm, "input", {"batch", "h", "w", "c"}, "the input and its shape");
  require_not_both(vm, "weights", {"oc", "kernel"}, "the weights and their shape");

  std::mt19937_64 rng(c.seed);
  require_range("--groups", groups, 1u, 65535u);
  a.groups = groups;
  std::vector<std::size_t> in_shape;
  if (!in_path.empty()) {
    const auto x = npy::load(in_path);
    in_shape = x.shape;
    if (x.shape.size() == 3) {
      a.batch = 1, a.h = uint32_t(x.shape[0]), a.w = uint32_t(x.shape[1]),
      a.c = uint32_t(x.shape[2]);
    } else if (x.shape.size() == 4) {
      a.batch = uint32_t(x.shape[0]), a.h = uint32_t(x.shape[1]), a.w = uint32_t(x.shape[2]);
      a.c = uint32_t(x.shape[3]);
    } else {
      throw UsageError(in_path + ": the input must be N x H x W x C or H x W x C");
    }
    a.input = x.as_int8(in_path);
  } else {
    if (!h || !w || !ch) throw UsageError("give --input X.npy, or --h, --w and --c (>= 1)");
    a.batch = batch, a.h = h, a.w = w, a.c = ch;
    a.input =
        random_int8(rng, std::size_t(batch) * h * w * ch, "--batch x --h x --w x --c (the input)");
  }
  if (!w_path.empty()) {
    const auto wt = npy::load(w_path);
    if (wt.shape.size() != 4 || wt.shape[2] * groups != a.c) {
      // An input in PyTorch's NCHW (its C at axis 1 where the weights expect it) is the
      // input's fault, not the weights'.
      if (wt.shape.size() == 4 && in_shape.size() == 4 && in_shape[1] == wt.shape[2] * groups) {
        throw UsageError(in_path + ": shape " + shape_text(in_shape) +
                         " looks like NCHW (C = " + std::to_string(in_shape[1]) +
                         " at axis 1, as the weights have it); the input must be NHWC, "
                         "N x H x W x C (NumPy: x.transpose(0, 2, 3, 1))");
      }
      throw UsageError(w_path + ": weights must be KH x KW x C/groups x OC with C/groups = " +
                       std::to_string(a.c / groups) + " (C = " + std::to_string(a.c) +
                       ", --groups " + std::to_string(groups) + ")");
    }
    a.kernel_h = uint32_t(wt.shape[0]), a.kernel_w = uint32_t(wt.shape[1]);
    a.out_channels = uint32_t(wt.shape[3]);
    a.weights = wt.as_int8(w_path);
  } else {
    if (!oc) throw UsageError("give --weights W.npy, or --oc (>= 1) for random weights");
    require_range("--kernel", kernel, 1u, 65535u);
    if (a.c % groups != 0 || oc % groups != 0) {
      throw UsageError("--groups " + std::to_string(groups) + " must divide C = " +
                       std::to_string(a.c) + " and --oc " + std::to_string(oc));
    }
    a.kernel_h = a.kernel_w = kernel;
    a.out_channels = oc;
    a.weights = random_int8(rng, std::size_t(kernel) * kernel * (a.c / groups) * oc,
                            "--kernel^2 x C/groups x --oc (the weights)");
  }
  if (!bias_path.empty()) a.bias = load_bias(bias_path, a.out_channels, "OC, the output channels");
  a.stride_h = a.stride_w = stride;
  a.dilation_h = a.dilation_w = dilation;
  a.pad_top = a.pad_bottom = a.pad_left = a.pad_right = pad;
  if (!pads.empty()) {  // four unsigned numbers; "-1" is refused, not wrapped
    std::vector<uint32_t> v;
    std::string rest = pads;
    for (const char* side : {"top", "bottom", "left", "right"}) {
      const auto comma = rest.find(',');
      if ((comma == std::string::npos) != (std::string(side) == "right")) {
        throw UsageError("--pads = '" + pads + "' is not TOP,BOTTOM,LEFT,RIGHT");
      }
      v.push_back(
          uint32_t(parse_unsigned(std::string("--pads ") + side, rest.substr(0, comma), 0, 65535)));
      rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
    }
    a.pad_top = v[0], a.pad_bottom = v[1], a.pad_left = v[2], a.pad_right = v[3];
  }
  a.input_zero_point = izp;
  a.quant = quantization(q, uint64_t(a.kernel_h) * a.kernel_w * (a.c / groups), a.out_channels);

  require_distinct_outputs("--out", out_path, "--record", c.record);
  if (!out_path.empty()) require_writable(out_path);  // before the work, not after
  Session s(c);
  const auto t0 = std::chrono::steady_clock::now();
  const auto result = int32 ? driver::conv2d_int32(*s.engine, a) : driver::conv2d(*s.engine, a);
  const double wall = seconds_since(t0);
  ref::Conv2dParams p;
  p.kernel_h = a.kernel_h, p.kernel_w = a.kernel_w, p.stride_h = a.stride_h,
  p.stride_w = a.stride_w;
  p.dilation_h = a.dilation_h, p.dilation_w = a.dilation_w;
  p.pad_top = a.pad_top, p.pad_bottom = a.pad_bottom, p.pad_left = a.pad_left,
  p.pad_right = a.pad_right;
  p.input_zero_point = a.input_zero_point;
  p.groups = groups;
  const ref::Nhwc shape{a.batch, a.h, a.w, a.c};
  auto conv_shape = p.output_shape(shape, a.out_channels);
  Report r;
  r.add("operation", "operation",
        "conv2d " + std::to_string(a.batch) + "x" + std::to_string(a.h) + "x" +
            std::to_string(a.w) + "x" + std::to_string(a.c) + " -> " +
            std::to_string(result.batch) + "x" + std::to_string(result.h) + "x" +
            std::to_string(result.w) + "x" + std::to_string(result.c));
  // The MACs the outputs need: pooling drops an odd last row and column.
  const uint64_t computed = a.max_pool ? uint64_t(conv_shape.n) * (conv_shape.h / 2 * 2) *
                                             (conv_shape.w / 2 * 2) * a.out_channels
                                       : uint64_t(conv_shape.elements());
  add_run_report(r, *s.engine, computed * a.kernel_h * a.kernel_w * (a.c / groups), c.clock_mhz,
                 wall);
  bool ok = true;
  if (check) {
    const auto acc = ref::conv2d(a.input, shape, a.weights, a.out_channels, a.bias, p);
    std::size_t bad = 0;
    if (int32) {
      for (std::size_t i = 0; i < acc.size(); ++i) bad += acc[i] != result.output32[i];
    } else {
      auto want = ref::requantize(acc, conv_shape.n * conv_shape.h * conv_shape.w, a.out_channels,
                                  stage_of(a.quant, a.out_channels));
      if (a.max_pool) want = ref::max_pool_2x2(want, conv_shape);
      for (std::size_t i = 0; i < want.size(); ++i) bad += want[i] != result.output[i];
    }
    r.add("mismatches", "outputs differing from the reference", bad);
    ok = bad == 0;
  }
  if (int32)
    save_npy(out_path, result.output32, {result.batch, result.h, result.w, result.c});
  else
    save_npy(out_path, result.output, {result.batch, result.h, result.w, result.c});
  s.finish();
  r.print(c.json);
  return ok ? 0 : 1;
}

}  // namespace tessera::cli
