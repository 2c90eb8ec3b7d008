// SPDX-License-Identifier: Apache-2.0
// The depthwise unit's plan for a depthwise 3x3 convolution (ConvLayout::kDepthwiseUnit):
// the image streams through tessera_depthwise one input row per COMPUTE, each row loaded
// and computed once (the line buffer holds the two rows before it, across strips).
// Padding: the unit makes a column of the input zero point on each side and the rows above
// the first (DW_PAD), so a row streams as its W pixels; wider padding columns are in the
// scratchpad row, and padding rows below the image (or more than two above it) are
// COMPUTEs of one line of the zero point.
//
// Channels: in passes of up to 2 x (1 + MAX_EXTRA_PANELS) = 32 blocks (two of the groups of
// panels whose parameters the store unit holds), as even as they go; each pass streams the whole
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

#include <vector>

#include "tessera/conv_plan.hpp"

namespace tessera::isa::detail {

// Whether the depthwise unit can take `p` on this build: groups = C = OC, a 3x3 kernel,
// dilation 1, the same stride 1 or 2 on both axes, no pooling; a padded row of a block
// within the line buffer, an output row of a block within an accumulator region, the
// channels within the quantization table and their weights within a scratchpad bank, a square
// array.
bool depthwise_unit_fits(const ConvPlan& p, const BuildConfig& config);

// The command stream; throws std::invalid_argument if !depthwise_unit_fits(p).
void plan_depthwise(CommandStream& stream, const ConvPlan& p);

// The weights [3][3][1][C] as plan_depthwise loads them: block b's tap t in line b*DW_TAPS +
// t, lane l channel b*NumRows + l (lanes past C zero).
std::vector<int8_t> pack_depthwise_weights(const std::vector<int8_t>& weights, const ConvPlan& p,
                                           const BuildConfig& config);

// ---- The pieces plan_depthwise and the fused plan (fused_plan.hpp) share -----------------

// A padded row's columns: the unit makes a padding column on each side (DW_PAD LEFT and,
// where an output's window reaches the last one, RIGHT); wider padding is filled into the
// scratchpad row, which streams as VECTORS pixels: `fill_left` padding columns, the image's
// W pixels and `fill_right` padding columns. Without the unit's columns (a row of fewer
// than DW_KERNEL streamed pixels) all the padding is in the scratchpad.
struct DwColumns {
  bool left = false, right = false;  // the unit's
  uint32_t fill_left = 0, fill_right = 0, vectors = 0;
};
DwColumns dw_columns(const ConvPlan& p);

// The plan's shape: the image in passes of `blocks` channel blocks (the last may have
// fewer), each pass in strips of output rows.
struct DwShape {
  uint32_t blocks = 0;  // lines per pixel of a pass
  uint32_t passes = 0;
  DwColumns columns;
  uint32_t vectors = 0, hp = 0;  // a streamed row's pixels (VECTORS); the padded image's rows
  // The first padded row streamed: with padding on top, a row whose two rows above are
  // padding (or above the image), which the unit makes (DW_PAD TOP).
  uint32_t first_row = 0;
  uint32_t oh = 0, ow = 0, stride = 1;
  uint32_t strip_out = 0;  // output rows per strip (and accumulator region)
  // Stride 2 in DW_PAIR commands: output row o's rows 2o + 1 and 2o + 2 in one command (both
  // inside the image), the second row in the strip's pair region, the first in its buffer.
  bool pairs = false;
  uint32_t buffer_rows = 0;  // a strip buffer's padded rows (its pair region: strip_out)
  // The fused plan at stride 1: the image rows in a ring of `ring` row places in bank 0
  // instead of strip buffers (0: strip buffers), the weights then in bank 1 (the expansion
  // that fills the ring reads its rows in bank 2 and its weights in bank 3, so that the
  // array and the depthwise unit read four banks).
  uint32_t ring = 0;
  // Strip buffers: strip g's in bank g % slots (three for plan_depthwise; two for the fused
  // plan, whose expansion reads its input rows in bank 2 beside them).
  uint32_t slots = 3;
};
// plan_depthwise's shape on this build: passes of as many blocks as the line buffer, an
// accumulator region and a bank allow; strips of as many rows as a region and a bank hold.
DwShape dw_shape(const ConvPlan& p, const BuildConfig& config);
// A shape of `blocks` blocks per pass and one output row per strip (the fused plan's), at
// stride 1 with its rows in a ring of `ring` places (0: strip buffers).
DwShape dw_shape_of_rows(const ConvPlan& p, const BuildConfig& config, uint32_t blocks,
                         uint32_t ring = 0);

// Strip g: of an image and a pass (channels [c0, c1), `blocks` lines per pixel), output
// rows [o0, o1), padded rows [first, last] (each streamed once: the rows before first are in
// the line buffer).
struct DwStrip {
  uint32_t image, index, c0, c1, blocks, o0, o1, first, last;
};

// The layer's strips, their rows' places in the scratchpad and their COMPUTEs and STOREs
// (without tokens). Scratchpad: strip g's buffer at the start of bank g % slots, its pair region
// after the buffer of bank (g + 1) % slots (so that the three read ports, first rows, weights
// and second rows, read three banks); the weights at the start of bank 3 (with a ring, the
// fused plan's, bank 1); the zero-point line at the end of bank 2 (with a ring, of bank 0).
class DwLayer {
 public:
  DwLayer(const ConvPlan& p, const BuildConfig& config, const DwShape& shape);

  const DwShape& shape() const { return d_; }
  uint32_t strips() const { return uint32_t(strip_first_.size()); }  // per image and pass
  uint32_t total() const { return p_.batch * d_.passes * strips(); }
  DwStrip strip(uint32_t g) const;
  bool inside(uint32_t iy) const { return iy >= p_.pad_top && iy < p_.pad_top + p_.h; }
  // Padded row iy is the second row of a pair (it goes to the pair region).
  bool second_of_pair(uint32_t iy) const;
  uint32_t slot_line(uint32_t g) const { return g % d_.slots * bank_; }
  uint32_t pair_region(uint32_t g) const;
  // Where strip g keeps padded row iy (inside the image): its first line (with a ring, row
  // iy's place in it, whichever strip streams it).
  uint32_t row_line(uint32_t g, const DwStrip& t, uint32_t iy) const;
  uint32_t weight_line() const { return d_.ring ? bank_ : 3 * bank_; }  // bank 1 or 3
  // The padding rows' zero-point line: the end of bank 2, or with a ring the end of bank 0
  // (after the ring: the unit reads it on its row port, beside the array, which reads its
  // activations in bank 2).
  uint32_t zero_line() const { return d_.ring ? bank_ - 1 : 3 * bank_ - 1; }
  // Strip g's COMPUTEs (one per streamed row or pair), outputs from accumulator line
  // `acc_base`, DW_BLOCK_PITCH strip_out x OW.
  std::vector<Compute> computes(uint32_t g, uint32_t acc_base) const;
  // Strip g's STOREs to the output, their table entries from `entry_base` + the channel.
  std::vector<Store> stores(uint32_t g, uint32_t acc_base, uint32_t entry_base) const;

 private:
  const ConvPlan& p_;
  const BuildConfig& cfg_;
  DwShape d_;
  uint32_t bank_;
  std::vector<uint32_t> strip_first_;  // a pass's strips' first output rows
};

}  // namespace tessera::isa::detail
