// SPDX-License-Identifier: Apache-2.0
// The depthwise unit's plan for a depthwise 3x3 convolution (ConvLayout::kDepthwiseUnit):
// the image streams through tessera_depthwise one input row per COMPUTE, each row loaded
// and computed once (the line buffer holds the two rows before it, across strips).
// Padding: the unit makes a column of the input zero point on each side and the rows above
// the first (DW_PAD), so a row streams as its W pixels; wider padding columns are in the
// scratchpad row, and padding rows below the image (or more than two above it) are
// COMPUTEs of one line of the zero point.
//
// Channels: in passes of up to 2 x (1 + MAX_EXTRA_PANELS) = 32 blocks (the store unit holds
// the parameters of two groups of panels), as even as they go; each pass streams the whole
// image with only its blocks (G lines per pixel), so a pass's STOREs never fetch their
// parameters again.
// Strips: a pass's output rows in strips of as many rows as an accumulator region and a
// bank hold, but the first and the last strip one row (a pass starts after fewer rows'
// loads and ends after fewer rows' STOREs).
// Scratchpad: strip j's rows in bank 0, 1 or 2 (j % 3; row r at line r*V*G, V pixels a
// streamed row), the scratchpad's padding columns (if any) filled with the input zero point
// by the first strip in each bank (again when a pass changes the layout); the padding rows
// are not stored but read from one line of the zero point at the end of bank 2 (the
// COMPUTE's strides 0); bank 3 holds the weights, DW_TAPS lines per channel block. At stride 2 (at
// most one padding row on top), output row o's padded rows 2o + 1 and 2o + 2 are one DW_PAIR
// COMPUTE: the first row in strip j's buffer, the second in its pair region, after the buffer of
// bank (j + 1) % 3, so that the activation, weight and pair ports read three banks. The table is
// loaded after the first strip's rows. Accumulator: strip j's output rows in half j % 2, block b's
// pixels from line b*pitch on (pitch = strip rows x OW), so that one STORE writes up to 1 +
// MAX_EXTRA_PANELS blocks of a pixel as one burst. Tokens: a strip's last LOAD gives its COMPUTEs
// one, their last gives its STOREs one and frees the buffer (and pair region) for strip j + 3; its
// last STORE frees the half for strip j + 2.
#pragma once

#include "tessera/conv_plan.hpp"

namespace tessera::isa::detail {

// Whether the depthwise unit can take `p` on this build: groups = C = OC, a 3x3 kernel,
// dilation 1, the same stride 1 or 2 on both axes, no pooling; a padded row of a block
// within the line buffer, an output row of a block within an accumulator region, the
// channels within the quantization table and their weights within a bank, a square array.
bool depthwise_unit_fits(const ConvPlan& p, const BuildConfig& config);

// The command stream; throws std::invalid_argument if !depthwise_unit_fits(p).
void plan_depthwise(CommandStream& stream, const ConvPlan& p);

// The weights [3][3][1][C] as plan_depthwise loads them: block b's tap t in line b*DW_TAPS +
// t, lane l channel b*NumRows + l (lanes past C zero).
std::vector<int8_t> pack_depthwise_weights(const std::vector<int8_t>& weights, const ConvPlan& p,
                                           const BuildConfig& config);

}  // namespace tessera::isa::detail
