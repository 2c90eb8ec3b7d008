// SPDX-License-Identifier: Apache-2.0
// The operations users call, identical on every backend: int8 GEMM, 2D convolution and the
// element-wise add of residual connections. Each
// validates its arguments (std::invalid_argument naming the value and the accepted range),
// places its tensors in device memory, plans the command stream for this engine's buffers
// (plan_gemm / plan_conv2d), runs it and returns the result.
#pragma once

#include <cstdint>
#include <vector>

#include "tessera/add_plan.hpp"
#include "tessera/conv_plan.hpp"
#include "tessera/engine.hpp"

namespace tessera::driver {

// Requantization to int8 (TFLite/gemmlowp semantics, docs/isa.md STORE): multiplier/shift
// hold one entry (per tensor) or one per output channel.
struct Quantization {
  std::vector<int32_t> multiplier;    // [0, 2^31 - 1]
  std::vector<int> shift;             // [-31, 30]
  int zero_point = 0;                 // [-128, 127]
  int act_min = -128, act_max = 127;  // clamp; ReLU: act_min = zero_point
};

struct GemmArgs {
  uint32_t m = 0, k = 0, n = 0;
  std::vector<int8_t> a;      // M x K, row-major
  std::vector<int8_t> b;      // K x N, row-major
  std::vector<int32_t> bias;  // N, or empty
  int a_zero_point = 0;       // [-128, 127]: A's values are A - a_zero_point
  Quantization quant;         // used by gemm_int8
};

// (A - a_zero_point) * B + bias, requantized to int8 (M x N). The zero point's share is
// folded into the bias (isa::zero_point_bias), so the engine multiplies A as stored.
std::vector<int8_t> gemm_int8(Engine& engine, const GemmArgs& args);
// (A - a_zero_point) * B + bias as int32 accumulators (M x N); the bias (and the zero
// point's share) is added by the host. Any K: beyond isa::max_gemm_k, or beyond what lets
// a bank hold 64 rows of A, the product runs in parts whose int32 results the host sums.
std::vector<int32_t> gemm_int32(Engine& engine, const GemmArgs& args);

struct Conv2dArgs {
  uint32_t batch = 1, h = 0, w = 0, c = 0;  // input NHWC
  uint32_t kernel_h = 1, kernel_w = 1, out_channels = 0;
  uint32_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  uint32_t groups = 1;          // grouped convolution; groups = C = OC is depthwise
  int input_zero_point = 0;     // [-128, 127]; the value of padded pixels
  std::vector<int8_t> input;    // batch x H x W x C
  std::vector<int8_t> weights;  // KH x KW x C/groups x OC
  std::vector<int32_t> bias;    // OC, or empty
  Quantization quant;
  bool max_pool = false;                            // 2x2 max-pool, stride 2, after requantization
  isa::ConvLayout layout = isa::ConvLayout::kAuto;  // the planner's choice, or forced
};

struct Conv2dResult {
  uint32_t batch = 0, h = 0, w = 0, c = 0;  // output NHWC
  std::vector<int8_t> output;               // conv2d
  std::vector<int32_t> output32;            // conv2d_int32
};

// The convolution + bias, requantized to int8 (and 2x2 max-pooled).
Conv2dResult conv2d(Engine& engine, const Conv2dArgs& args);
// An inverted-residual block's 1x1 expansion and the depthwise 3x3 convolution of its
// output in one command stream (driver/src/fused_plan.hpp): the expansion's int8 output
// reaches the depthwise unit through the scratchpad, never host memory. `depthwise.input`
// is unused (it is the expansion's output; its input_zero_point must be the expansion's
// output zero point). Throws std::invalid_argument naming the condition a pair that cannot
// run fused breaks (run the two as conv2d() then).
Conv2dResult expand_depthwise(Engine& engine, const Conv2dArgs& expansion,
                              const Conv2dArgs& depthwise);
// The convolution + bias as int32 accumulators, the input zero point subtracted (quant is
// unused; max_pool must be false: pooling compares int8). The bias is added by the host.
Conv2dResult conv2d_int32(Engine& engine, const Conv2dArgs& args);

// TFLite's quantized ADD of two int8 tensors of the same size (isa::plan_add): each input
// rescaled (multiplier, right shift, zero point: ref::rescale_for_add), summed, requantized
// with quant's single multiplier and shift, the zero point added, clamped.
struct AddArgs {
  std::vector<int8_t> a, b;
  isa::AddPlan::Input a_scale, b_scale;
  Quantization quant;  // per tensor: one multiplier and shift
};
std::vector<int8_t> add_int8(Engine& engine, const AddArgs& args);

}  // namespace tessera::driver
