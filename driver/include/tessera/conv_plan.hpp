// SPDX-License-Identifier: Apache-2.0
// plan_conv2d: the command stream for one int8 2D convolution with per-channel
// requantization: output[OH x OW x OC] = requantize(conv(input[H x W x C], weights) + bias),
// NHWC, weights [KH][KW][C][OC], any stride, dilation and padding.
//
// No im2col copy exists anywhere. A block of input rows is loaded once into a scratchpad
// bank, laid out as the padded image (Wp = pad_left + W + pad_right pixels per row, each
// pixel ceil(C/NumRows) lines), with the padding written by LOAD FILL as the input zero
// point. The convolution is then a GEMM whose K tiles are the (ky, kx, channel block)
// taps: the COMPUTE of tap (ky, kx) reads the activation lines of output pixel (oy, ox) at
// ((oy*stride_h + ky*dilation_h)*Wp + ox*stride_w + kx*dilation_w) lines-per-pixel +
// channel block: one COMPUTE per tap covers a block's output rows with ACT_LINE, ACT_STRIDE
// (along a row) and ACT_ROW_STRIDE (between rows). Each input byte crosses the bus once per
// block instead of KH*KW times. The schedule around it (weight panels, accumulator regions,
// tokens) is GEMM's: driver/src/panel_schedule.hpp.
//
// Layers with few input channels (the first layer's C = 1 or 3) would use C of NumRows rows
// of each weight tile that way. For them the plan packs the taps into K instead: the output
// pixels' K vectors - KH*KW*C bytes in (ky, kx, c) order - are built in the scratchpad by
// LOAD WINDOWS, each input row read once per kernel row and cut into its overlapping
// windows, so a tile holds NumRows taps (the CNN's 3x3 first layer: 9 of 16 rows, not 1).
// conv_layout() picks the layout from the cycles each would take.
//
// The engine sums input * weight with the padding at the zero point; subtracting the zero
// point's share is a per-channel constant, folded into the bias (conv_bias()).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "tessera/isa.hpp"

namespace tessera::isa {

// How the input reaches the engine: the padded image on the array (a tile per tap and
// channel block), the taps packed into K (a tile per NumRows taps), or the padded image
// through the depthwise unit (depthwise 3x3, stride 1 or 2: driver/src/depthwise_plan.hpp);
// kAuto lets the planner choose.
enum class ConvLayout { kAuto, kPaddedImage, kPackedTaps, kDepthwiseUnit };
const char* layout_name(ConvLayout layout);  // "auto", "padded image", "packed taps", ...

struct ConvPlan {
  uint32_t batch = 1, h = 0, w = 0, c = 0;  // input, NHWC
  uint32_t kernel_h = 1, kernel_w = 1, out_channels = 0;
  uint32_t stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  uint32_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  // Grouped convolution (C and OC split into `groups` equal parts, groups = C depthwise):
  // each panel of NumCols output channels reads the channel blocks of its groups only, its
  // weight tiles zero outside them (a depthwise tile is diagonal: 1 of NumRows rows useful
  // per column). Always the padded-image layout.
  uint32_t groups = 1;
  int8_t input_zero_point = 0;
  uint64_t input_addr = 0;   // int8 batch x H x W x C
  uint64_t weight_addr = 0;  // pack_conv_weights() of the [KH][KW][C/groups][OC] weights
  uint64_t output_addr = 0;  // int8 batch x OH x OW x OC (pooled: OH/2 x OW/2); int32 raw
  uint64_t qtable_addr = 0;  // OC entries, with the bias from conv_bias() (unused raw)
  bool raw_int32 = false;    // the int32 accumulators (no bias, table or clamp; no pooling)
  // A 4-byte host word for the FENCEs between groups of output channels, needed when there
  // are more than the quantization table's entries (the plan then reloads the table).
  std::optional<uint64_t> barrier_addr;
  int8_t zero_point = 0, act_min = -128, act_max = 127;
  bool max_pool = false;  // 2x2 max-pool, stride 2, after requantization (odd sizes: floor)
  ConvLayout layout = ConvLayout::kAuto;

  // The convolution's output size (before pooling); throw std::invalid_argument if the
  // window does not fit.
  uint32_t out_h() const;  // throw std::invalid_argument if the window does not fit
  uint32_t out_w() const;
};

// Appends the convolution's commands; throws std::invalid_argument naming the value and
// its accepted range (zero sizes, a window larger than the padded input, a layer too wide or
// deep for this build's buffers) or InvalidCommand.
void plan_conv2d(CommandStream& stream, const ConvPlan& plan);

// The layout plan_conv2d uses for `plan` on this build (kAuto resolved: the depthwise unit
// for the depthwise layers it takes, other grouped layers on the padded image; the packed
// taps when they take under 90 % of the padded image's estimated cycles). Throws like plan_conv2d
// for a plan that cannot run.
ConvLayout conv_layout(const ConvPlan& plan, const BuildConfig& config);

// The weights [KH][KW][C/groups][OC] as the plan for that layout loads them: K rows in tile
// order (padded image: each tap's C rows padded with zero rows to whole NumRows-row tiles;
// packed taps: all KH*KW*C rows back to back), zero rows up to a whole tile, then
// pack_weights() panels of NumCols columns. Grouped: each panel's own channel blocks per
// tap, zero outside each column's group. The depthwise unit: DW_TAPS lines per channel
// block, a tap per line.
std::vector<int8_t> pack_conv_weights(const std::vector<int8_t>& weights, const ConvPlan& plan,
                                      const BuildConfig& config);

// zero_point_bias() (gemm_plan.hpp) over the K = KH*KW*C rows of each output channel: with
// it in the quantization table, the engine's sum over input * weight (padding at the zero
// point) equals the reference's sum over (input - input_zero_point) * weight plus bias.
std::vector<int32_t> conv_bias(const std::vector<int32_t>& bias, const std::vector<int8_t>& weights,
                               uint32_t kernel_h, uint32_t kernel_w, uint32_t c,
                               uint32_t out_channels, int8_t input_zero_point);

}  // namespace tessera::isa
