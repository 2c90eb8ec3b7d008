// SPDX-License-Identifier: Apache-2.0
// tessera_compute_unit on a real scratchpad and accumulator (tessera_compute_harness), in
// two shapes: multi-tile GEMMs issued as COMPUTE commands (the first overwriting, the rest
// accumulating) with activations read at a stride, checked bit-exactly against the
// reference model; placements that make the activation and weight reads collide in one
// scratchpad bank; back-to-back tiles running without bubbles; and the vector path
// (RESCALE, TFLite ADD's input stage) interleaved with the array's commands on the same
// accumulator lines, in command order; the depthwise unit (DEPTHWISE) on random layers, at
// stride 1 and 2 (and in pairs of rows, DW_PAIR), between array commands, at a line per
// cycle, and beside the array (at once where their results are in different accumulator
// banks, in turn where they share one).
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <random>

#include "Vtessera_compute_harness_16.h"
#include "Vtessera_compute_harness_4.h"
#include "tessera/ref.hpp"
#include "tessera/verilated_support.hpp"
#include "test_seed.hpp"
#include "unit_ports.hpp"

namespace {

using tessera::sim::get_field;
using tessera::sim::set_field;

constexpr uint32_t kSpadLines = 2048, kAccLines = 256, kBankLines = kSpadLines / 4;

template <typename M, uint32_t N>
struct Shape {
  using Model = M;
  static constexpr uint32_t kN = N;
};
using Shapes =
    ::testing::Types<Shape<Vtessera_compute_harness_4, 4>, Shape<Vtessera_compute_harness_16, 16>>;
struct ShapeNames {
  template <typename S>
  static std::string GetName(int) {
    return std::to_string(S::kN) + "x" + std::to_string(S::kN);
  }
};

struct Cmd {
  uint32_t act_line, act_stride, vectors, wgt_line, acc_line;
  bool accumulate;
  uint32_t act_rows = 1, act_row_stride = 0;
  bool rescale = false;  // the vector path, with these parameters
  int32_t multiplier = 0;
  uint8_t right_shift = 0;
  int8_t zero_point = 0;
  bool depthwise = false, dw_stride_2 = false, dw_output = false;  // the depthwise unit
  uint16_t dw_block_pitch = 0;
  bool dw_pair = false;  // two rows, the second dw_pair_offset lines on
  int32_t dw_pair_offset = 0;
  uint8_t dw_pad = 0;  // the padding the unit makes (kDwPad*) of dw_zero_point bytes
  int8_t dw_zero_point = 0;
};

template <typename S>
class ComputeUnitTest : public ::testing::Test {
 protected:
  static constexpr uint32_t R = S::kN;

  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    context_ = tessera::sim::make_context(seed_);
    dut_ = std::make_unique<typename S::Model>(context_.get(), "compute");
    dut_->spad_wr_valid_i = dut_->cmd_valid_i = dut_->acc_rd_valid_i = 0;
    tessera::sim::apply_reset(*dut_);
  }

  void tick() {
    tessera::sim::tick(*dut_);
    ++cycle_;
    ASSERT_FALSE(context_->gotError()) << "RTL assertion failed at cycle " << cycle_;
  }

  void write_line(uint32_t line, const int8_t* bytes) {
    dut_->spad_wr_valid_i = 1;
    dut_->spad_wr_addr_i = line;
    for (uint32_t b = 0; b < R; ++b) set_field(dut_->spad_wr_data_i, 8 * b, 8, uint8_t(bytes[b]));
    tick();
    dut_->spad_wr_valid_i = 0;
  }

  // Issues the commands back to back and runs until all are done; returns the cycles from
  // the first command handshake to the last done pulse.
  uint64_t run(std::deque<Cmd> cmds) {
    const std::size_t total = cmds.size();
    std::size_t done = 0;
    uint64_t first = 0, last = 0;
    bool started = false;
    for (uint64_t guard = 0; done < total; ++guard) {
      EXPECT_LT(guard, 1'000'000u) << "compute unit hung";
      if (guard >= 1'000'000u) return 0;
      dut_->cmd_valid_i = !cmds.empty();
      if (!cmds.empty()) {
        const Cmd& c = cmds.front();
        tessera::isa::Compute k;
        k.accumulate = c.accumulate;
        k.act_line = c.act_line;
        k.act_stride = c.act_stride;
        k.vectors = c.vectors;
        k.act_rows = c.act_rows;
        k.act_row_stride = c.act_row_stride;
        k.wgt_line = c.wgt_line;
        k.acc_line = c.acc_line;
        k.k_valid = uint16_t(R);
        k.n_valid = uint16_t(R - 1);
        k.rescale = c.rescale;
        k.rescale_multiplier = c.multiplier;
        k.rescale_right_shift = c.right_shift;
        k.rescale_zero_point = c.zero_point;
        k.depthwise = c.depthwise;
        k.dw_stride_2 = c.dw_stride_2;
        k.dw_output = c.dw_output;
        k.dw_block_pitch = c.dw_block_pitch;
        k.dw_pair = c.dw_pair;
        k.dw_pair_offset = c.dw_pair_offset;
        k.dw_pad = c.dw_pad;
        k.dw_zero_point = c.dw_zero_point;
        tessera::test::put_command(dut_->cmd_i, tessera::isa::encode(k));
      }
      dut_->clk_i = 0;
      dut_->eval();
      const bool fire = dut_->cmd_valid_i && dut_->cmd_ready_o;
      // The MAC counter's share comes with the handshake, from the command's fields.
      uint32_t macs = 0;
      if (fire && cmds.front().depthwise) {  // 3x3 windows of R - 1 lanes (N_VALID)
        const Cmd& c = cmds.front();
        const uint32_t columns = c.vectors + bool(c.dw_pad & tessera::isa::kDwPadLeft) +
                                 bool(c.dw_pad & tessera::isa::kDwPadRight);
        const uint32_t outputs = (columns - 3) / (c.dw_stride_2 ? 2 : 1) + 1;
        macs = c.dw_output ? outputs * c.act_rows * 9 * (R - 1) : 0;
      } else if (fire && !cmds.front().rescale) {
        macs = cmds.front().vectors * cmds.front().act_rows * R * (R - 1);
      }
      EXPECT_EQ(dut_->macs_o, macs);
      EXPECT_EQ(dut_->error_o, 0u);
      if (dut_->done_o) {
        ++done;
        last = cycle_;
      }
      if (fire) {
        if (!started) first = cycle_;
        started = true;
        cmds.pop_front();
      }
      dw_busy_ += dut_->dw_busy_o;  // the cycle that ends with this edge
      both_write_ += dut_->arr_acc_valid_o && dut_->dw_acc_valid_o;
      dut_->clk_i = 1;
      dut_->eval();
      ++cycle_;
      if (context_->gotError()) {
        ADD_FAILURE() << "RTL assertion failed at cycle " << cycle_;
        return 0;
      }
    }
    dut_->cmd_valid_i = 0;
    for (int i = 0; i < 4; ++i) tick();
    EXPECT_TRUE(dut_->idle_o);
    return last - first;
  }

  std::vector<int32_t> read_acc(uint32_t line) {
    dut_->acc_rd_valid_i = 1;
    dut_->acc_rd_addr_i = line;
    dut_->clk_i = 0;
    dut_->eval();
    EXPECT_TRUE(dut_->acc_rd_ready_o);
    tick();
    dut_->acc_rd_valid_i = 0;
    dut_->clk_i = 0;
    dut_->eval();
    EXPECT_TRUE(dut_->acc_rsp_valid_o);
    std::vector<int32_t> v(R);
    for (uint32_t c = 0; c < R; ++c) v[c] = int32_t(get_field(dut_->acc_rsp_data_o, 32 * c, 32));
    return v;
  }

  // C[M x R] = A[M x K] * B[K x R] with K = kt * R, A's M rows in `groups` activation rows
  // of M/groups vectors (COMPUTE's ACT_ROWS), `gap` lines between them: vector i = (g, j) in
  // lines act_base + g*(M/groups*kt + gap) + j*kt + t; weights of tile t in lines
  // wgt_base + t*R + r; results in acc_base. gemm_setup() writes A and B and returns the
  // commands (a tile each, the first overwriting), `want` the reference's C.
  std::deque<Cmd> gemm_setup(uint32_t m, uint32_t kt, uint32_t act_base, uint32_t wgt_base,
                             uint32_t acc_base, std::vector<int32_t>& want, uint32_t groups = 1,
                             uint32_t gap = 0) {
    const uint32_t per_row = m / groups, row_stride = per_row * kt + gap;
    const uint32_t k = kt * R;
    std::uniform_int_distribution<int> byte(-128, 127);
    std::vector<int8_t> a(m * k), b(k * R);
    for (auto& x : a) x = int8_t(byte(rng_));
    for (auto& x : b) x = int8_t(byte(rng_));
    for (uint32_t i = 0; i < m; ++i) {
      const uint32_t line = act_base + (i / per_row) * row_stride + (i % per_row) * kt;
      for (uint32_t t = 0; t < kt; ++t) write_line(line + t, &a[i * k + t * R]);
    }
    for (uint32_t r = 0; r < k; ++r) write_line(wgt_base + r, &b[r * R]);
    std::deque<Cmd> cmds;
    for (uint32_t t = 0; t < kt; ++t) {
      cmds.push_back(
          {act_base + t, kt, per_row, wgt_base + t * R, acc_base, t > 0, groups, row_stride});
    }
    want = tessera::ref::gemm(a, b, {}, m, k, R);
    return cmds;
  }

  void check_gemm(uint32_t m, uint32_t acc_base, const std::vector<int32_t>& want) {
    for (uint32_t i = 0; i < m; ++i) {
      const auto got = read_acc(acc_base + i);
      for (uint32_t c = 0; c < R; ++c)
        EXPECT_EQ(got[c], want[i * R + c]) << "C[" << i << "][" << c << "] (M=" << m << ")";
      if (::testing::Test::HasFailure()) return;
    }
  }

  uint64_t gemm(uint32_t m, uint32_t kt, uint32_t act_base, uint32_t wgt_base, uint32_t acc_base,
                uint32_t groups = 1, uint32_t gap = 0) {
    std::vector<int32_t> want;
    const uint64_t cycles = run(gemm_setup(m, kt, act_base, wgt_base, acc_base, want, groups, gap));
    check_gemm(m, acc_base, want);
    return cycles;
  }

  // A depthwise 3x3 layer on an H x W image of `blocks` x R channels: pixel (y, x)'s block b
  // in line act_base + (y*W + x)*blocks + b, block b's tap t in line wgt_base + b*9 + t,
  // output (oy, ox) of block b in acc_base + b*OH*OW + oy*OW + ox. One DEPTHWISE command
  // per input row, the rows before the first output and between outputs (stride 2) without
  // DW_OUTPUT; with `pairs` (stride 2) the first row alone and then two rows in one DW_PAIR
  // command, the second row read from a copy of the image `copy` lines on (0: the image
  // itself). With `padding` (its zero point), a pixel of it on every side, the unit's DW_PAD
  // (LEFT; RIGHT where an output's window reaches it; TOP on the first row) and below the
  // image a row of the zero point's line after the image, streamed with strides 0.
  // `between` goes after command `at`. Checked against the reference's grouped convolution
  // of the padded image; returns the cycles.
  uint64_t depthwise(uint32_t h, uint32_t w, uint32_t blocks, uint32_t stride, uint32_t act_base,
                     uint32_t wgt_base, uint32_t acc_base, std::deque<Cmd> between = {},
                     std::size_t at = 0, bool pairs = false, uint32_t copy = 0,
                     std::optional<int8_t> padding = {}) {
    const uint32_t pad = padding ? 1 : 0, hp = h + 2 * pad, wp = w + 2 * pad;
    const uint32_t c = blocks * R, oh = (hp - 3) / stride + 1, ow = (wp - 3) / stride + 1;
    std::uniform_int_distribution<int> byte(-128, 127);
    std::vector<int8_t> in(h * w * c), wt(9 * c);
    for (auto& x : in) x = int8_t(byte(rng_));
    for (auto& x : wt) x = int8_t(byte(rng_));
    const uint32_t zero_line = act_base + h * w * blocks;  // after the image
    if (padding) {
      const std::vector<int8_t> zeros(R, *padding);
      write_line(zero_line, zeros.data());
    }
    for (uint32_t p = 0; p < h * w; ++p) {
      for (uint32_t b = 0; b < blocks; ++b) {
        write_line(act_base + p * blocks + b, &in[p * c + b * R]);
        if (copy) write_line(act_base + copy + p * blocks + b, &in[p * c + b * R]);
      }
    }
    for (uint32_t b = 0; b < blocks; ++b) {
      for (uint32_t t = 0; t < 9; ++t) write_line(wgt_base + b * 9 + t, &wt[t * c + b * R]);
    }
    std::deque<Cmd> cmds;
    // Padded rows y from pad (the first image row; the row above it is TOP's), a command's
    // last row `last`.
    const bool right = padding && 2 + (ow - 1) * stride == wp - 1;  // reaches the column
    for (uint32_t y = pad; y < hp; ++y) {
      const bool image_row = y < pad + h;
      Cmd k{image_row ? act_base + (y - pad) * w * blocks : zero_line,
            image_row ? blocks : 0,
            w,
            wgt_base,
            0,
            false,
            blocks,
            image_row ? 1u : 0u};
      k.depthwise = true;
      k.dw_stride_2 = stride == 2;
      k.dw_pair = pairs && y % 2 == 1 && y + 1 < pad + h;  // rows y and y + 1
      if (k.dw_pair) k.dw_pair_offset = int32_t(copy + w * blocks);
      const uint32_t last = k.dw_pair ? y + 1 : y;  // the command's last row
      k.dw_output = last >= 2 && (last - 2) % stride == 0 && (last - 2) / stride < oh;
      if (!image_row && !k.dw_output) break;  // no output needs the row below
      if (padding) {
        k.dw_pad = uint8_t(tessera::isa::kDwPadLeft | (right ? tessera::isa::kDwPadRight : 0) |
                           (y == pad ? tessera::isa::kDwPadTop : 0));
        k.dw_zero_point = *padding;
      }
      if (k.dw_output) {
        k.acc_line = acc_base + (last - 2) / stride * ow;
        k.dw_block_pitch = uint16_t(oh * ow);
      }
      cmds.push_back(k);
      y = last;
    }
    cmds.insert(cmds.begin() + std::ptrdiff_t(std::min(at, cmds.size())), between.begin(),
                between.end());
    const uint64_t cycles = run(cmds);
    std::vector<int8_t> padded(hp * wp * c, padding.value_or(0));
    for (uint32_t y = 0; y < h; ++y)
      std::copy_n(&in[y * w * c], w * c, &padded[((y + pad) * wp + pad) * c]);
    tessera::ref::Conv2dParams p;
    p.kernel_h = p.kernel_w = 3;
    p.stride_h = p.stride_w = stride;
    p.groups = c;
    const auto want = tessera::ref::conv2d(padded, {1, hp, wp, c}, wt, c, {}, p);
    const std::string what = std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(c) +
                             " stride " + std::to_string(stride) + (pairs ? " in pairs" : "") +
                             (padding ? " padded" : "");
    for (uint32_t b = 0; b < blocks; ++b) {
      for (uint32_t o = 0; o < oh * ow; ++o) {
        const auto got = read_acc(acc_base + b * oh * ow + o);
        for (uint32_t l = 0; l < R; ++l) {
          EXPECT_EQ(got[l], want[o * c + b * R + l])
              << "output " << o << " channel " << b * R + l << " (" << what << ")";
        }
        if (::testing::Test::HasFailure()) return cycles;
      }
    }
    return cycles;
  }

  // run()'s cycles with dw_busy_o, and with both sides writing the accumulator.
  uint64_t seed_ = 0, cycle_ = 0, dw_busy_ = 0, both_write_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<typename S::Model> dut_;
};

TYPED_TEST_SUITE(ComputeUnitTest, Shapes, ShapeNames);

TYPED_TEST(ComputeUnitTest, RandomGemmsMatchTheReference) {
  constexpr uint32_t R = TestFixture::R;
  for (int trial = 0; trial < (R > 4 ? 6 : 30); ++trial) {
    // Half the trials in several activation rows (ACT_ROWS) with gaps between them.
    const uint32_t groups = trial % 2 ? 1 + this->rng_() % 3 : 1, gap = this->rng_() % 5;
    const uint32_t m = groups * (1 + this->rng_() % (3 * R + 5) / groups);
    const uint32_t kt = 1 + this->rng_() % 4;
    // Activations in bank 0; weights in bank 2, or (every third trial) in bank 0 too, so that
    // the two read ports collide and the weight port waits.
    const uint32_t act_base = this->rng_() % (kBankLines - m * kt - groups * gap);
    const uint32_t wgt_base =
        (trial % 3 == 0 ? act_base + m * kt + groups * gap : 2 * kBankLines) + this->rng_() % 8;
    const uint32_t acc_base = this->rng_() % (kAccLines - m);
    SCOPED_TRACE("trial " + std::to_string(trial) + " groups " + std::to_string(groups));
    this->gemm(m, kt, act_base, wgt_base, acc_base, groups, gap);
    if (this->HasFailure()) return;
  }
}

// RESCALE and array commands alternate on the same accumulator lines (overwrite, then
// accumulate): each result sees every command before it, whichever path it took.
TYPED_TEST(ComputeUnitTest, RescaleCommandsAndTilesKeepCommandOrder) {
  constexpr uint32_t R = TestFixture::R;
  std::uniform_int_distribution<int> byte(-128, 127);
  for (int trial = 0; trial < 4; ++trial) {
    const uint32_t m = 1 + this->rng_() % (2 * R + 3), acc_base = this->rng_() % (kAccLines - m);
    const uint32_t wgt_base = 2 * kBankLines, act_base = 0, vec_base = kBankLines;
    std::vector<int8_t> a(m * R), b(R * R), v(2 * m * R);
    for (auto* t : {&a, &b, &v})
      for (auto& x : *t) x = int8_t(byte(this->rng_));
    for (uint32_t i = 0; i < m; ++i) this->write_line(act_base + i, &a[i * R]);
    for (uint32_t r = 0; r < R; ++r) this->write_line(wgt_base + r, &b[r * R]);
    for (uint32_t i = 0; i < 2 * m; ++i) this->write_line(vec_base + i, &v[i * R]);
    const auto tile = tessera::ref::gemm(a, b, {}, m, R, R);
    Cmd rescale[2];
    std::vector<uint32_t> want(m * R, 0);
    for (int h = 0; h < 2; ++h) {
      rescale[h] = {vec_base + uint32_t(h) * m, 1, m, 0, acc_base, h > 0};
      rescale[h].rescale = true;
      rescale[h].multiplier = int32_t((1u << 30) + this->rng_() % (1u << 30));
      rescale[h].right_shift = uint8_t(this->rng_() % 32);
      rescale[h].zero_point = int8_t(byte(this->rng_));
      for (uint32_t i = 0; i < m * R; ++i) {
        want[i] += uint32_t(tessera::ref::rescale_for_add(v[h * m * R + i], rescale[h].zero_point,
                                                          rescale[h].multiplier,
                                                          rescale[h].right_shift)) +
                   uint32_t(tile[i]);  // and one tile after each
      }
    }
    const Cmd gemm{act_base, 1, m, wgt_base, acc_base, true};
    this->run({rescale[0], gemm, rescale[1], gemm});
    SCOPED_TRACE("trial " + std::to_string(trial) + ", M " + std::to_string(m));
    for (uint32_t i = 0; i < m; ++i) {
      const auto got = this->read_acc(acc_base + i);
      for (uint32_t c = 0; c < R; ++c)
        ASSERT_EQ(uint32_t(got[c]), want[i * R + c]) << i << "," << c;
    }
  }
}

TYPED_TEST(ComputeUnitTest, BackToBackTilesHaveNoBubble) {
  constexpr uint32_t R = TestFixture::R;
  const uint32_t m = 2 * R, kt = 8;
  const uint64_t cycles = this->gemm(m, kt, 0, 2 * kBankLines, 0, /*groups=*/2, /*gap=*/3);
  // Every tile's vectors stream on consecutive cycles, across its activation rows too; only
  // the first weight load (R), the core's latency (R + C) and four stage registers (the
  // array's command queue and three more) come on top (tessera_compute_unit).
  std::printf("[   INFO   ] %ux%u: %u tiles of %u vectors in %llu cycles\n", R, R, kt, m,
              (unsigned long long)cycles);
  EXPECT_EQ(cycles, uint64_t(kt) * m + 2 * R + R + 4);
}

}  // namespace

namespace {

TYPED_TEST(ComputeUnitTest, DepthwiseLayersMatchTheReference) {
  for (int trial = 0; trial < 8; ++trial) {
    const uint32_t stride = 1 + trial % 2, blocks = 1 + this->rng_() % 3;
    const uint32_t h = 3 + this->rng_() % 6, w = 3 + this->rng_() % 9;
    const uint32_t oh = (h - 3) / stride + 1, ow = (w - 3) / stride + 1;
    const uint32_t act_base = this->rng_() % (kBankLines - h * w * blocks);
    // Weights in bank 2, or (odd trials) in bank 0 beside the image: the ports collide.
    const uint32_t wgt_base =
        trial % 3 == 1 ? act_base + h * w * blocks : 2 * kBankLines + this->rng_() % 64;
    const uint32_t acc_base = this->rng_() % (kAccLines - oh * ow * blocks);
    SCOPED_TRACE("trial " + std::to_string(trial));
    this->depthwise(h, w, blocks, stride, act_base, wgt_base, acc_base);
    if (this->HasFailure()) return;
  }
}

// Stride 2 in DW_PAIR commands (two rows each), the second row read from the image itself
// (its reads share banks with the first row's) or from a copy in another bank, with the
// weights in bank 2 or beside the image.
TYPED_TEST(ComputeUnitTest, DepthwisePairsOfRowsMatchTheReference) {
  for (int trial = 0; trial < 8; ++trial) {
    const uint32_t blocks = 1 + this->rng_() % 3;
    const uint32_t h = 3 + this->rng_() % 8, w = 3 + this->rng_() % 9;
    const uint32_t oh = (h - 3) / 2 + 1, ow = (w - 3) / 2 + 1;
    const uint32_t act_base = this->rng_() % (kBankLines - h * w * blocks);
    const uint32_t copy = trial % 2 ? kBankLines : 0;
    const uint32_t wgt_base =
        trial % 4 == 2 ? act_base + h * w * blocks : 2 * kBankLines + this->rng_() % 64;
    const uint32_t acc_base = this->rng_() % (kAccLines - oh * ow * blocks);
    SCOPED_TRACE("trial " + std::to_string(trial));
    this->depthwise(h, w, blocks, 2, act_base, wgt_base, acc_base, {}, 0, true, copy);
    if (this->HasFailure()) return;
  }
}

// The unit's own padding (DW_PAD, a random zero point): a column before and after each
// block's pixels, the first row's line buffer as padding, and the row below the image as
// the zero point's line; at strides 1 and 2, one row a command or in pairs.
TYPED_TEST(ComputeUnitTest, DepthwisePaddedLayersMatchTheReference) {
  for (int trial = 0; trial < 12; ++trial) {
    const uint32_t stride = 1 + trial % 2, blocks = 1 + this->rng_() % 3;
    const bool pairs = stride == 2 && trial % 4 == 3;
    const uint32_t h = 1 + this->rng_() % 8, w = 3 + this->rng_() % 9;
    const uint32_t oh = (h - 1) / stride + 1, ow = (w - 1) / stride + 1;
    const uint32_t act_base = this->rng_() % (kBankLines - h * w * blocks - 1);
    const uint32_t copy = pairs && trial % 8 == 7 ? kBankLines : 0;
    const uint32_t wgt_base = 2 * kBankLines + this->rng_() % 64;
    const uint32_t acc_base = this->rng_() % (kAccLines - oh * ow * blocks);
    const auto zero_point = int8_t(this->rng_());
    SCOPED_TRACE("trial " + std::to_string(trial) + ", zero point " + std::to_string(zero_point));
    this->depthwise(h, w, blocks, stride, act_base, wgt_base, acc_base, {}, 0, pairs, copy,
                    zero_point);
    if (this->HasFailure()) return;
  }
}

// Array commands between a layer's rows, on accumulator lines of their own: both kinds'
// results are right, whichever order the port and the accumulator see them in.
TYPED_TEST(ComputeUnitTest, DepthwiseRowsAndArrayTilesInterleave) {
  constexpr uint32_t R = TestFixture::R;
  std::uniform_int_distribution<int> byte(-128, 127);
  const uint32_t m = R + 3, gemm_act = kBankLines, gemm_wgt = 3 * kBankLines;
  std::vector<int8_t> a(m * R), b(R * R);
  for (auto* t : {&a, &b})
    for (auto& x : *t) x = int8_t(byte(this->rng_));
  for (uint32_t i = 0; i < m; ++i) this->write_line(gemm_act + i, &a[i * R]);
  for (uint32_t r = 0; r < R; ++r) this->write_line(gemm_wgt + r, &b[r * R]);
  const uint32_t gemm_acc = kAccLines - m;
  const Cmd gemm{gemm_act, 1, m, gemm_wgt, gemm_acc, false};
  const Cmd again{gemm_act, 1, m, gemm_wgt, gemm_acc, true};
  this->depthwise(7, 9, 2, 1, 0, 2 * kBankLines, 0, {gemm, again}, 3);
  const auto want = tessera::ref::gemm(a, b, {}, m, R, R);
  for (uint32_t i = 0; i < m; ++i) {
    const auto got = this->read_acc(gemm_acc + i);
    for (uint32_t c = 0; c < R; ++c) ASSERT_EQ(got[c], 2 * want[i * R + c]) << i << "," << c;
  }
}

// Blocks of at least DW_TAPS pixels stream at a line per cycle: the weight reader keeps a
// block ahead, and rows follow each other with no bubble.
TYPED_TEST(ComputeUnitTest, DepthwiseStreamsALinePerCycle) {
  const uint32_t h = 6, w = 11, blocks = 3;
  const uint64_t cycles = this->depthwise(h, w, blocks, 1, 0, 2 * kBankLines, 0);
  // From the first command to the last done: every line once, the first block's nine weight
  // reads before it, and four registers: the weight response's and tessera_depthwise's
  // three stages (its done pulses with the last write).
  std::printf("[   INFO   ] %u rows of %u blocks x %u pixels in %llu cycles\n", h, blocks, w,
              (unsigned long long)cycles);
  EXPECT_EQ(cycles, uint64_t(h) * w * blocks + 9 + 4);
  // The depthwise unit holds a command from the first handshake to its last write: the
  // DEPTHWISE_BUSY counter's cycles.
  EXPECT_EQ(this->dw_busy_, cycles);
}

// DW_PAD's columns cost nothing before a block and a cycle after it; TOP costs nothing.
TYPED_TEST(ComputeUnitTest, DepthwisePaddingColumnAfterABlockTakesACycle) {
  const uint32_t h = 6, w = 11, blocks = 3;
  const uint64_t cycles =
      this->depthwise(h, w, blocks, 1, 0, 2 * kBankLines, 0, {}, 0, false, 0, int8_t(-7));
  // The image's rows and the zero row below them, each block w pixels and the column after
  // them; the first weights and four registers as in DepthwiseStreamsALinePerCycle.
  EXPECT_EQ(cycles, uint64_t(h + 1) * (w + 1) * blocks + 9 + 4);
}

// In pairs, each command takes a pixel's two rows a cycle: the second rows come on their
// own port (here from another bank than the first rows and the weights), read ahead into
// the unit's FIFO while the row before streams, so pairs follow each other with no bubble.
TYPED_TEST(ComputeUnitTest, DepthwisePairsStreamTwoRowsPerCycle) {
  const uint32_t h = 7, w = 20, blocks = 3, pairs = (h - 1) / 2;
  const uint64_t cycles =
      this->depthwise(h, w, blocks, 2, 0, 2 * kBankLines, 0, {}, 0, true, kBankLines);
  std::printf("[   INFO   ] %u rows of %u blocks x %u pixels in pairs in %llu cycles\n", h, blocks,
              w, (unsigned long long)cycles);
  // Row 0 alone and then the pairs, a pixel a cycle; the first weights and four registers
  // as in DepthwiseStreamsALinePerCycle (the same rows one per command: 433 cycles).
  EXPECT_EQ(cycles, uint64_t(1 + pairs) * w * blocks + 9 + 4);
}

// The depthwise unit runs beside the array: a GEMM's tiles issued after a depthwise layer's
// first two rows (which fill the unit's queue), with results in the two accumulator banks,
// take less than the two alone minus half the shorter, both sides writing in the same
// cycles; with the GEMM's results in the layer's bank, its output rows wait for the GEMM
// (the compute unit's interlock; the first two rows write nothing and run beside it), and
// both are still right.
TYPED_TEST(ComputeUnitTest, DepthwiseRunsBesideTheArray) {
  constexpr uint32_t R = TestFixture::R;
  const uint32_t h = 6, w = 11, blocks = 3, m = 2 * R, kt = 8;
  const uint32_t gemm_act = kBankLines, gemm_wgt = 3 * kBankLines;
  const uint64_t alone_gemm = this->gemm(m, kt, gemm_act, gemm_wgt, kAccLines / 2);
  const uint64_t alone_dw = this->depthwise(h, w, blocks, 1, 0, 2 * kBankLines, 0);
  uint64_t beside_cycles = 0;
  // Bank 1, then right after the layer's outputs in bank 0.
  for (const uint32_t gemm_acc : {kAccLines / 2, (h - 2) * (w - 2) * blocks}) {
    const bool beside = gemm_acc >= kAccLines / 2;
    SCOPED_TRACE(beside ? "other bank" : "same bank");
    std::vector<int32_t> want;
    const std::deque<Cmd> tiles = this->gemm_setup(m, kt, gemm_act, gemm_wgt, gemm_acc, want);
    this->both_write_ = 0;
    const uint64_t cycles = this->depthwise(h, w, blocks, 1, 0, 2 * kBankLines, 0, tiles, 2);
    this->check_gemm(m, gemm_acc, want);
    std::printf("[   INFO   ] %s: GEMM %llu, depthwise %llu cycles alone, %llu together\n",
                beside ? "other bank" : "same bank", (unsigned long long)alone_gemm,
                (unsigned long long)alone_dw, (unsigned long long)cycles);
    if (beside) {
      EXPECT_GT(this->both_write_, 0u);
      EXPECT_LT(cycles, alone_gemm + alone_dw - std::min(alone_gemm, alone_dw) / 2);
      beside_cycles = cycles;
    } else {
      EXPECT_EQ(this->both_write_, 0u);
      EXPECT_GT(cycles, beside_cycles);
    }
  }
}

}  // namespace
