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
// COMPUTEs never wait for the STOREs just before them); the passes follow each other
// without a FENCE, the next pass's expansion beside this pass's last depthwise rows. An
// expansion group: up to group_rows consecutive image rows (at stride 1 as many as make up
// to 35 pixels; at stride 2 a strip's two rows where the accumulator holds four chunks of
// two panels, else one), loaded as one LOAD (Cin bytes a pixel); for each chunk of its
// panels (the pass's channel blocks) the array computes all its pixels (a one-panel chunk
// in two COMPUTEs) and a STORE per row writes them requantized into the row's place. At
// stride 1 one chunk also goes between two strips' depthwise rows (of rows no further on
// than strip g + group_rows + 1's, and of the next pass at most), so that the unit's next
// row does not wait for the last row's STOREs.
// Scratchpad: at stride 2 two strip buffers in banks 0 and 1 (each strip's pair region in
// the other), the two buffers of an expansion group's input rows at the end of bank 2
// (below the zero-point line) and bank 3 the depthwise weights and the expansion's; at
// stride 1 a ring of 2 x group_rows + 4 row places in bank 0 (its last line the zero-point
// line), the depthwise weights in bank 1, the two input buffers at the end of bank 2 and
// the expansion's weights in bank 3: the array and the depthwise unit, which run at once,
// read four banks. The expansion's weights: a panel per LOAD, streamed among the COMPUTEs
// three panels ahead of their first reader; where they do not all fit beside the depthwise
// layer's, each pass loads its panels into places of a panel taking turns (a place loaded
// again once its last reader is done). Accumulator: the depthwise output rows' region at
// line 0 (bank 0; two of them at stride 1 where bank 0 holds them); at stride 1 at least
// two chunk regions in bank 1 (the compute unit runs the array beside the depthwise unit
// only on banks of their own); at stride 2 the rest in regions of a chunk. Table: the
// expansion's entries, then the depthwise layer's; where both tables (2 x C entries) do not
// fit at once, each pass loads its channels' entries of both into one half of the table,
// the halves taking turns: a pass's table LOADs go after its first COMPUTE, which waits for
// the STOREs of the pass two back (the half's last readers), and before its last.
// Tokens (fused_plan.cpp): load <-> compute from what each command reads and overwrites
// (a COMPUTE waits for the last LOAD it reads past those waited for before it, a LOAD for
// the last COMPUTE that read what it overwrites past those); compute -> store, each group's
// last COMPUTE for its first STORE; store -> compute, a group's first COMPUTE waits for the
// STOREs it needs (a chunk for the one a region count back and a pass's first chunk for the
// pass two back's; a strip for its rows' chunks and the strip a region count back) where
// they go past those waited for before.
// The depthwise unit runs beside the array (the depthwise rows' results in accumulator bank
// 0, the chunks' in bank 1, so that the compute unit runs both at once), so a fused pair
// costs about its expansion: the network compiler fuses every pair that fits (each of
// MobileNet-v2's gains, docs/performance.md).
#pragma once

#include <string>

#include "tessera/conv_plan.hpp"

namespace tessera::isa::detail {

// Whether the pair runs fused on this build: `expand` a requantized 1x1 convolution (stride
// 1, no padding, one group) whose output channels are `depthwise`'s input, `depthwise` one
// the depthwise unit takes (depthwise_unit_fits) with at most a pixel of padding on each
// side, and a pass's channel blocks' rows, tables and weights within the line buffer, the
// quantization table and the scratchpad (half of the table a pass where both tables do not
// fit at once). If not and `why` is given, it names the first condition that fails.
bool expand_depthwise_fits(const ConvPlan& expand, const ConvPlan& depthwise,
                           const BuildConfig& config, std::string* why = nullptr);

// The command stream: the input from expand.input_addr, the expansion's packed weights
// (pack_conv_weights, padded-image layout) and table at expand's weight_addr and
// qtable_addr, the depthwise layer's at its own; the output at depthwise.output_addr
// (depthwise.input_addr is unused). Throws std::invalid_argument with expand_depthwise_fits'
// reason if the pair does not fit.
void plan_expand_depthwise(CommandStream& stream, const ConvPlan& expand,
                           const ConvPlan& depthwise);

}  // namespace tessera::isa::detail
