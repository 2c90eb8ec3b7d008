// SPDX-License-Identifier: Apache-2.0
// An inverted-residual block's 1x1 expansion and the depthwise 3x3 convolution after it as
// one plan (plan_expand_depthwise): the expansion's int8 rows go from the accumulator to
// the depthwise unit's strip buffers through the scratchpad (STORE TO_SCRATCHPAD) and never
// cross the bus, so the depthwise layer streams at the unit's rate (a line a cycle, two
// rows' lines at stride 2 with DW_PAIR) instead of its input's transfer.
//
// Order: for each image, each pass of the depthwise layer's channel blocks, each strip (one
// depthwise output row, driver/src/depthwise_plan.hpp's DwLayer): the expansion groups of
// the rows strip g + 1 streams, then the depthwise rows of strip g (so that the unit's
// COMPUTEs never wait for the STOREs just before them). An expansion group: up to
// group_rows consecutive image rows (one at stride 2; at stride 1 as many as make up to 48
// pixels), loaded as one LOAD (Cin bytes a pixel); for each chunk of its panels (the pass's
// channel blocks) the array computes all its pixels (a one-panel chunk in two COMPUTEs) and
// a STORE per row writes them requantized into the row's place. At stride 1 one chunk also
// goes between two strips' depthwise rows (of rows no further on than strip g +
// group_rows + 1's), so that the unit's next row does not wait for the last row's STOREs.
// Scratchpad: at stride 2 the strip buffers in banks 0 to 2 as in plan_depthwise, two
// buffers of an expansion group's input rows at the ends of banks 0 and 1, and bank 3 the
// depthwise weights and the expansion's; at stride 1 a ring of 2 x group_rows + 4 row
// places in bank 0 (no LOADs into either), the depthwise weights in bank 1, the two input
// buffers at the end of bank 2 and the expansion's weights in bank 3, so that the array
// and the depthwise unit, which run at once, read four banks. The expansion's weights come
// a panel per LOAD among the first group's COMPUTEs, each with a token for its panel's
// first COMPUTE, so that the array starts after one panel's weights. Accumulator: the
// depthwise output row's region at line 0 (bank 0); at stride 1 at least two chunk regions
// in bank 1 (the compute unit runs the array beside the depthwise unit only on banks of
// their own); at stride 2 the rest in regions of a chunk (at least four where a one-panel
// chunk allows). Table: the expansion's entries, then the
// depthwise layer's. Where both tables (2 x C entries) or both layers' weights do not fit at
// once, each pass is a span of its own behind a FENCE on the depthwise plan's barrier
// address, loading its channels' entries of both tables or its expansion weights (the
// depthwise weights stay: they fit a bank's part).
// Tokens: load -> compute, an expansion group's LOAD (the first group's: its panels'
// weights) for its first COMPUTE; compute -> load, a group's last COMPUTE frees its input
// buffer for the group two on; compute -> store, each group's last COMPUTE for its first
// STORE; store -> compute, each COMPUTE waits for the STOREs it needs (a chunk for the one a
// region count back, a strip for its rows' chunks and the strip before it), a token at a
// time, counted in store order (fused_plan.cpp).
// The depthwise unit runs beside the array (the depthwise rows' results in accumulator bank
// 0, the chunks' in bank 1, so that the compute unit runs both at once), so a fused pair
// costs about its expansion: the network compiler fuses the pairs that gain
// (expand_depthwise_gains).
#pragma once

#include <string>

#include "tessera/conv_plan.hpp"

namespace tessera::isa::detail {

// Whether the pair runs fused on this build: `expand` a requantized 1x1 convolution (stride
// 1, no padding, one group) whose output channels are `depthwise`'s input, `depthwise` one
// the depthwise unit takes (depthwise_unit_fits) with at most a pixel of padding on each
// side, and a pass's channel blocks' rows, tables and weights within the line buffer, the
// quantization table and the scratchpad (both tables and weights reloaded per pass need
// depthwise.barrier_addr). If not and `why` is given, it names the first condition that fails.
bool expand_depthwise_fits(const ConvPlan& expand, const ConvPlan& depthwise,
                           const BuildConfig& config, std::string* why = nullptr);

// Whether the fused pair is expected to beat the two layers' own plans on this build (so
// that the network compiler plans it fused): it fits without reloading the expansion's
// weights per pass, and reloads the tables per pass only at stride 1 (the ring of rows).
// Measured on MobileNet-v2's blocks on the RTL (docs/performance.md): the depthwise unit
// runs beside the array, so a fused pair costs about its expansion (the depthwise rows in
// its shadow, nothing through host memory); a FENCE per pass drains both, which costs
// less than that saves for two passes of stride-1 rows (14²×96 → 576) but more with the
// weights streamed again per pass (7²×160 → 960) or at stride 2 (14²×96 → 576).
bool expand_depthwise_gains(const ConvPlan& expand, const ConvPlan& depthwise,
                            const BuildConfig& config);

// The command stream: the input from expand.input_addr, the expansion's packed weights
// (pack_conv_weights, padded-image layout) and table at expand's weight_addr and
// qtable_addr, the depthwise layer's at its own; the output at depthwise.output_addr
// (depthwise.input_addr is unused). Throws std::invalid_argument with expand_depthwise_fits'
// reason if the pair does not fit.
void plan_expand_depthwise(CommandStream& stream, const ConvPlan& expand,
                           const ConvPlan& depthwise);

}  // namespace tessera::isa::detail
