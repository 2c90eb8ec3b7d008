// SPDX-License-Identifier: Apache-2.0
// tessera_load_unit fed with the DMA reader's row-packed stream (as tessera_dma_reader
// documents it), in three shapes that exercise every path of its line packer: 4x4 on a
// 128-bit bus (4-byte scratchpad lines: a beat splits into lines), 16x16 on 64 bits (lines
// and 64-byte accumulator lines gather beats) and 16x16 on 512 bits. Random LOADs to all
// three destinations with random gaps and accumulator backpressure; every line written is
// checked, including the zeroed tail of a row's last line and that nothing else is written;
// a failed transfer reports its DMA error and writes nothing more. FILL loads (mixed in)
// write the fill byte with the same layout and never touch the DMA. LOADs back to back to a
// DMA that holds two descriptors: the next one's descriptor goes out early, and the lines
// still come in command order.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "Vtessera_load_unit_r16_b512.h"
#include "Vtessera_load_unit_r16_b64.h"
#include "Vtessera_load_unit_r4_b128.h"
#include "tessera/verilated_support.hpp"
#include "test_seed.hpp"
#include "unit_ports.hpp"

namespace {

using tessera::sim::get_field;
using tessera::sim::set_field;

template <typename M, uint32_t Rows, uint32_t Bus>
struct Shape {
  using Model = M;
  static constexpr uint32_t kRows = Rows, kBusBytes = Bus / 8;
};
using Shapes = ::testing::Types<Shape<Vtessera_load_unit_r4_b128, 4, 128>,
                                Shape<Vtessera_load_unit_r16_b64, 16, 64>,
                                Shape<Vtessera_load_unit_r16_b512, 16, 512>>;
struct ShapeNames {
  template <typename S>
  static std::string GetName(int) {
    return std::to_string(S::kRows) + "x" + std::to_string(S::kRows) + "_bus" +
           std::to_string(8 * S::kBusBytes);
  }
};

using Line = std::vector<uint8_t>;

template <typename S>
class LoadUnitTest : public ::testing::Test {
 protected:
  static constexpr uint32_t kSpadLines = 256, kAccLines = 64, kEntries = 64;
  static constexpr uint32_t kUnits[3] = {S::kRows, 4 * S::kRows, 16};  // spad, acc, table

  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    context_ = tessera::sim::make_context(seed_);
    dut_ = std::make_unique<typename S::Model>(context_.get(), "load");
    dut_->cmd_valid_i = dut_->rd_desc_ready_i = dut_->rd_valid_i = 0;
    dut_->acc_wr_ready_i = 0;
    tessera::sim::apply_reset(*dut_);
  }

  struct Beat {
    std::vector<uint8_t> data;
    uint32_t bytes;
    bool row_last, last;
    uint32_t error;
  };

  // Runs one LOAD (a FILL with fill_value if fill >= 0); returns {done error code, the lines
  // written per destination}.
  std::pair<uint32_t, std::map<uint32_t, Line>> run(
      uint32_t dest, uint32_t rows, uint32_t row_bytes, uint32_t line, uint32_t stride,
      const std::vector<uint8_t>& data, uint32_t fail_after_beats = ~0u, int fill = -1) {
    const uint32_t B = S::kBusBytes;
    std::vector<Beat> beats;
    for (uint32_t r = 0; r < rows && fill < 0; ++r) {
      for (uint32_t off = 0; off < row_bytes; off += B) {
        Beat b{std::vector<uint8_t>(B), std::min(B, row_bytes - off), off + B >= row_bytes, false,
               0};
        for (uint32_t i = 0; i < b.bytes; ++i) b.data[i] = data[r * row_bytes + off + i];
        for (uint32_t i = b.bytes; i < B; ++i) b.data[i] = uint8_t(rng_());  // junk lanes
        beats.push_back(b);
      }
    }
    if (!beats.empty()) beats.back().last = true;
    if (fail_after_beats < beats.size()) {
      beats.resize(fail_after_beats);
      beats.push_back({std::vector<uint8_t>(B), 0, true, true, 2});  // SLVERR terminator
    }
    std::map<uint32_t, Line> written;
    std::uniform_real_distribution<double> p(0, 1);
    bool cmd_sent = false, desc_seen = false;
    std::size_t next = 0;
    tessera::isa::Load load;
    load.dest = dest == 1   ? tessera::isa::Load::Dest::kAccumulator
                : dest == 2 ? tessera::isa::Load::Dest::kQTable
                            : tessera::isa::Load::Dest::kScratchpad;
    load.fill = fill >= 0;
    load.fill_value = int8_t(fill);
    load.dram_addr = 0x1000;
    load.row_bytes = row_bytes;
    load.rows = rows;
    load.dram_stride = row_bytes + 7;
    load.sram_line = line;
    load.sram_stride = stride;
    tessera::test::put_command(dut_->cmd_i, tessera::isa::encode(load));
    for (int guard = 0; guard < 200000; ++guard) {
      dut_->cmd_valid_i = !cmd_sent;
      dut_->rd_desc_ready_i = p(rng_) < 0.5;
      const bool offer = desc_seen && next < beats.size() && (dut_->rd_valid_i || p(rng_) < 0.7);
      dut_->rd_valid_i = offer;
      if (offer) {
        const Beat& b = beats[next];
        for (uint32_t i = 0; i < B; ++i) set_field(dut_->rd_data_i, 8 * i, 8, b.data[i]);
        dut_->rd_bytes_i = b.bytes;
        dut_->rd_row_last_i = b.row_last;
        dut_->rd_last_i = b.last;
        dut_->rd_error_i = b.error;
      }
      dut_->acc_wr_ready_i = p(rng_) < 0.6;
      dut_->clk_i = 0;
      dut_->eval();
      if (dut_->cmd_valid_i && dut_->cmd_ready_o) cmd_sent = true;
      if (dut_->rd_desc_valid_o && dut_->rd_desc_ready_i) {
        EXPECT_FALSE(desc_seen);
        EXPECT_LT(fill, 0) << "a FILL asked the DMA for data";
        const auto desc = tessera::test::get_desc(dut_->rd_desc_o);
        EXPECT_EQ(desc.rows, rows);
        EXPECT_EQ(desc.row_bytes, row_bytes);
        EXPECT_EQ(desc.stride, row_bytes + 7u);
        EXPECT_EQ(desc.addr, 0x1000u);
        desc_seen = true;
      }
      auto record = [&](uint32_t addr, auto& port, uint32_t bytes) {
        EXPECT_FALSE(written.count(addr)) << "line " << addr << " written twice";
        Line l(bytes);
        for (uint32_t i = 0; i < bytes; ++i) l[i] = uint8_t(get_field(port, 8 * i, 8));
        written[addr] = l;
      };
      if (dut_->spad_wr_valid_o) record(dut_->spad_wr_addr_o, dut_->spad_wr_data_o, kUnits[0]);
      if (dut_->acc_wr_valid_o && dut_->acc_wr_ready_i)
        record(dut_->acc_wr_addr_o, dut_->acc_wr_data_o, kUnits[1]);
      if (dut_->qt_wr_valid_o) record(dut_->qt_wr_addr_o, dut_->qt_wr_data_o, kUnits[2]);
      EXPECT_EQ(dut_->spad_wr_valid_o + (dut_->acc_wr_valid_o && 1) + dut_->qt_wr_valid_o <= 1,
                true);
      const bool done = dut_->done_o;
      const uint32_t error = dut_->error_o;
      if (offer && dut_->rd_ready_o) ++next;
      dut_->clk_i = 1;
      dut_->eval();
      if (context_->gotError()) {
        ADD_FAILURE() << "RTL assertion failed";
        break;
      }
      if (done) {
        EXPECT_EQ(next, beats.size());
        EXPECT_TRUE(dut_->cmd_ready_o);
        return {error, written};
      }
    }
    ADD_FAILURE() << "load unit never finished";
    return {~0u, written};
  }

  // A scratchpad write: its line, the bytes under its strobes (the rest 0) and the strobes.
  struct Write {
    uint32_t line;
    Line bytes;
    uint32_t strobes;
    bool operator==(const Write& o) const {
      return line == o.line && bytes == o.bytes && strobes == o.strobes;
    }
  };

  // Runs one LOAD WINDOWS, the test playing the DMA reader with random gaps; returns the
  // error code and every scratchpad write in order (or an empty list when it hung).
  std::pair<uint32_t, std::vector<Write>> run_windows(const tessera::isa::Load& load,
                                                      const std::vector<uint8_t>& data) {
    const uint32_t B = S::kBusBytes, R = S::kRows;
    std::vector<Beat> beats;
    for (uint32_t r = 0; r < load.rows; ++r) {
      for (uint32_t off = 0; off < load.row_bytes; off += B) {
        Beat b{std::vector<uint8_t>(B), std::min(B, load.row_bytes - off),
               off + B >= load.row_bytes, false, 0};
        for (uint32_t i = 0; i < B; ++i)
          b.data[i] = i < b.bytes ? data[r * load.row_bytes + off + i] : uint8_t(rng_());
        beats.push_back(b);
      }
    }
    beats.back().last = true;
    tessera::test::put_command(dut_->cmd_i, tessera::isa::encode(load));
    std::vector<Write> writes;
    std::uniform_real_distribution<double> p(0, 1);
    bool cmd_sent = false, desc_seen = false;
    std::size_t next = 0;
    for (int guard = 0; guard < 200000; ++guard) {
      dut_->cmd_valid_i = !cmd_sent;
      dut_->rd_desc_ready_i = p(rng_) < 0.5;
      const bool offer = desc_seen && next < beats.size() && (dut_->rd_valid_i || p(rng_) < 0.7);
      dut_->rd_valid_i = offer;
      if (offer) {
        const Beat& b = beats[next];
        for (uint32_t i = 0; i < B; ++i) set_field(dut_->rd_data_i, 8 * i, 8, b.data[i]);
        dut_->rd_bytes_i = b.bytes;
        dut_->rd_row_last_i = b.row_last;
        dut_->rd_last_i = b.last;
        dut_->rd_error_i = 0;
      }
      dut_->clk_i = 0;
      dut_->eval();
      if (dut_->cmd_valid_i && dut_->cmd_ready_o) cmd_sent = true;
      if (dut_->rd_desc_valid_o && dut_->rd_desc_ready_i) desc_seen = true;
      if (dut_->spad_wr_valid_o) {
        Write w{dut_->spad_wr_addr_o, Line(R, 0), uint32_t(get_field(dut_->spad_wr_strb_o, 0, R))};
        for (uint32_t i = 0; i < R; ++i)
          if (w.strobes >> i & 1) w.bytes[i] = uint8_t(get_field(dut_->spad_wr_data_o, 8 * i, 8));
        writes.push_back(w);
      }
      EXPECT_FALSE(dut_->acc_wr_valid_o || dut_->qt_wr_valid_o);
      const bool done = dut_->done_o;
      const uint32_t error = dut_->error_o;
      if (offer && dut_->rd_ready_o) ++next;
      dut_->clk_i = 1;
      dut_->eval();
      if (context_->gotError()) {
        ADD_FAILURE() << "RTL assertion failed";
        break;
      }
      if (done) {
        EXPECT_EQ(next, beats.size()) << "the unit finished before taking the whole transfer";
        return {error, writes};
      }
    }
    ADD_FAILURE() << "load unit never finished";
    return {~0u, {}};
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<typename S::Model> dut_;
};

TYPED_TEST_SUITE(LoadUnitTest, Shapes, ShapeNames);

TYPED_TEST(LoadUnitTest, RandomLoadsWriteExactlyTheirLines) {
  auto& rng = this->rng_;
  for (int trial = 0; trial < 150; ++trial) {
    const bool fill = rng() % 4 == 0;  // FILL writes the scratchpad only
    const uint32_t dest = fill ? 0 : rng() % 3, unit = TestFixture::kUnits[dest];
    const uint32_t size = dest == 0   ? TestFixture::kSpadLines
                          : dest == 1 ? TestFixture::kAccLines
                                      : TestFixture::kEntries;
    const uint32_t rows = 1 + rng() % 5;
    const uint32_t row_bytes = dest == 0 ? 1 + rng() % (5 * unit) : unit * (1 + rng() % 3);
    const uint32_t span = (row_bytes + unit - 1) / unit, stride = span + rng() % 3;
    const uint32_t line = rng() % (size - (rows - 1) * stride - span + 1);
    std::vector<uint8_t> data(rows * row_bytes);
    for (auto& b : data) b = uint8_t(rng());
    const int fill_value = fill ? int(rng() % 256) : -1;
    if (fill) std::fill(data.begin(), data.end(), uint8_t(fill_value));
    SCOPED_TRACE("trial " + std::to_string(trial) + " dest " + std::to_string(dest) + " rows " +
                 std::to_string(rows) + " row_bytes " + std::to_string(row_bytes) +
                 (fill ? " fill " + std::to_string(fill_value) : ""));
    const auto [error, written] =
        this->run(dest, rows, row_bytes, line, stride, data, ~0u, fill_value);
    EXPECT_EQ(error, 0u);
    std::map<uint32_t, Line> want;
    for (uint32_t r = 0; r < rows; ++r) {
      for (uint32_t k = 0; k < span; ++k) {
        Line l(unit, 0);
        for (uint32_t i = 0; i < unit && k * unit + i < row_bytes; ++i)
          l[i] = data[r * row_bytes + k * unit + i];
        want[line + r * stride + k] = l;
      }
    }
    ASSERT_EQ(written, want);
  }
}

// LOADs given back to back to a DMA that holds two descriptors (as tessera_dma_reader does):
// the unit takes the next command while one runs and hands its descriptor over early, and
// every command still writes exactly its lines, in command order, each finishing in turn.
TYPED_TEST(LoadUnitTest, BackToBackLoadsHandTheNextDescriptorEarly) {
  constexpr uint32_t B = TypeParam::kBusBytes;
  auto& rng = this->rng_;
  struct Write {
    uint32_t dest, addr;
    Line bytes;
    bool operator==(const Write& o) const {
      return dest == o.dest && addr == o.addr && bytes == o.bytes;
    }
  };
  using Beat = typename TestFixture::Beat;
  std::vector<tessera::isa::Load> loads;
  std::vector<std::vector<Beat>> streams;  // per DMA command, its beats
  std::vector<Write> want;
  for (int i = 0; i < 60; ++i) {
    const bool fill = rng() % 5 == 0;
    const uint32_t dest = fill ? 0 : rng() % 3, unit = TestFixture::kUnits[dest];
    const uint32_t size = dest == 0   ? TestFixture::kSpadLines
                          : dest == 1 ? TestFixture::kAccLines
                                      : TestFixture::kEntries;
    const uint32_t rows = 1 + rng() % 4;
    const uint32_t row_bytes = dest == 0 ? 1 + rng() % (5 * unit) : unit * (1 + rng() % 3);
    const uint32_t span = (row_bytes + unit - 1) / unit, stride = span + rng() % 3;
    const uint32_t line = rng() % (size - (rows - 1) * stride - span + 1);
    const uint8_t fill_value = uint8_t(rng());
    std::vector<uint8_t> data(rows * row_bytes);
    for (auto& b : data) b = fill ? fill_value : uint8_t(rng());
    tessera::isa::Load load;
    load.dest = dest == 1   ? tessera::isa::Load::Dest::kAccumulator
                : dest == 2 ? tessera::isa::Load::Dest::kQTable
                            : tessera::isa::Load::Dest::kScratchpad;
    load.fill = fill;
    load.fill_value = int8_t(fill_value);
    load.dram_addr = 0x1000 + 0x100 * uint64_t(i);
    load.row_bytes = row_bytes;
    load.rows = rows;
    load.dram_stride = row_bytes;
    load.sram_line = line;
    load.sram_stride = stride;
    loads.push_back(load);
    for (uint32_t r = 0; r < rows; ++r) {
      for (uint32_t k = 0; k < span; ++k) {
        Line l(unit, 0);
        for (uint32_t j = 0; j < unit && k * unit + j < row_bytes; ++j)
          l[j] = data[r * row_bytes + k * unit + j];
        want.push_back({dest, line + r * stride + k, l});
      }
    }
    if (fill) continue;
    std::vector<Beat> beats;
    for (uint32_t r = 0; r < rows; ++r) {
      for (uint32_t off = 0; off < row_bytes; off += B) {
        Beat bt{std::vector<uint8_t>(B), std::min(B, row_bytes - off), off + B >= row_bytes, false,
                0};
        for (uint32_t j = 0; j < B; ++j)
          bt.data[j] = j < bt.bytes ? data[r * row_bytes + off + j] : uint8_t(rng());
        beats.push_back(bt);
      }
    }
    beats.back().last = true;
    streams.push_back(beats);
  }

  auto* dut = this->dut_.get();
  std::uniform_real_distribution<double> p(0, 1);
  std::vector<Write> got;
  std::size_t cmds_sent = 0, descs = 0, dones = 0, beat = 0, early = 0;
  std::size_t streaming = 0;  // the DMA command whose beats are offered
  for (int guard = 0; guard < 400000 && dones < loads.size(); ++guard) {
    dut->cmd_valid_i = cmds_sent < loads.size();
    if (dut->cmd_valid_i)
      tessera::test::put_command(dut->cmd_i, tessera::isa::encode(loads[cmds_sent]));
    dut->rd_desc_ready_i = descs - streaming < 2 && p(rng) < 0.5;  // the DMA holds two
    const bool offer = streaming < descs && (dut->rd_valid_i || p(rng) < 0.8);
    dut->rd_valid_i = offer;
    if (offer) {
      const Beat& bt = streams[streaming][beat];
      for (uint32_t j = 0; j < B; ++j) set_field(dut->rd_data_i, 8 * j, 8, bt.data[j]);
      dut->rd_bytes_i = bt.bytes;
      dut->rd_row_last_i = bt.row_last;
      dut->rd_last_i = bt.last;
      dut->rd_error_i = 0;
    }
    dut->acc_wr_ready_i = p(rng) < 0.6;
    dut->clk_i = 0;
    dut->eval();
    if (dut->cmd_valid_i && dut->cmd_ready_o) ++cmds_sent;
    if (dut->rd_desc_valid_o && dut->rd_desc_ready_i) {
      ASSERT_LT(descs, streams.size()) << "more descriptors than transfers";
      const auto desc = tessera::test::get_desc(dut->rd_desc_o);
      std::size_t want_index = 0;  // the descs-th non-FILL command
      for (std::size_t i = 0, k = 0; i < loads.size(); ++i) {
        if (loads[i].fill) continue;
        if (k++ == descs) {
          want_index = i;
          break;
        }
      }
      EXPECT_EQ(desc.addr, loads[want_index].dram_addr) << "descriptors out of order";
      if (want_index > dones) ++early;  // handed over before the command ahead finished
      ++descs;
    }
    auto record = [&](uint32_t dest, uint32_t addr, auto& port, uint32_t bytes) {
      Line l(bytes);
      for (uint32_t j = 0; j < bytes; ++j) l[j] = uint8_t(get_field(port, 8 * j, 8));
      got.push_back({dest, addr, l});
    };
    if (dut->spad_wr_valid_o)
      record(0, dut->spad_wr_addr_o, dut->spad_wr_data_o, TestFixture::kUnits[0]);
    if (dut->acc_wr_valid_o && dut->acc_wr_ready_i)
      record(1, dut->acc_wr_addr_o, dut->acc_wr_data_o, TestFixture::kUnits[1]);
    if (dut->qt_wr_valid_o) record(2, dut->qt_wr_addr_o, dut->qt_wr_data_o, TestFixture::kUnits[2]);
    if (dut->done_o) {
      EXPECT_EQ(dut->error_o, 0u);
      ++dones;
    }
    if (offer && dut->rd_ready_o && ++beat == streams[streaming].size()) {
      ++streaming;
      beat = 0;
    }
    dut->clk_i = 1;
    dut->eval();
    ASSERT_FALSE(this->context_->gotError()) << "RTL assertion failed";
  }
  EXPECT_EQ(dones, loads.size());
  EXPECT_EQ(streaming, streams.size());
  EXPECT_GT(early, 10u) << "the next descriptor never went out early";
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) ASSERT_EQ(got[i], want[i]) << "write " << i;
}

TYPED_TEST(LoadUnitTest, AFailedTransferReportsItsErrorAndStopsWriting) {
  const uint32_t unit = TestFixture::kUnits[0], row_bytes = 3 * unit + 1, rows = 4;
  std::vector<uint8_t> data(rows * row_bytes, 0x5a);
  const auto [error, written] = this->run(0, rows, row_bytes, 0, 4, data, /*fail_after_beats=*/1);
  EXPECT_EQ(error, 7u);  // AXI_SLVERR (docs/isa.md): the DMA failure as an engine error
  for (const auto& [line, bytes] : written) EXPECT_LT(line, 8u);  // only the first row(s)
  // And the next command is unaffected: a failure may leave a line half gathered (a unit
  // wider than a beat), which must not leak into the next command's first line.
  const auto [error2, written2] = this->run(0, 1, unit, 100, 1, std::vector<uint8_t>(unit, 7));
  EXPECT_EQ(error2, 0u);
  ASSERT_EQ(written2.size(), 1u);
  EXPECT_EQ(written2.begin()->second, std::vector<uint8_t>(unit, 7));
}

// LOAD WINDOWS: each row cut into overlapping (or sparse) windows, each written with its byte
// strobes at BYTE_OFFSET of its own line, in order; the bytes no window covers (between
// sparse windows and after the last) are dropped, and the transfer is taken whole.
TYPED_TEST(LoadUnitTest, WindowsCutEachRowIntoStrobedWindows) {
  constexpr uint32_t R = TypeParam::kRows;
  auto& rng = this->rng_;
  for (int trial = 0; trial < 60; ++trial) {
    tessera::isa::Load l;
    l.window_bytes = uint16_t(1 + rng() % R);
    l.byte_offset = uint8_t(rng() % (R - l.window_bytes + 1));
    // Steps below, at and above the window (overlapping, adjacent, sparse windows) and
    // beyond a bus beat.
    l.window_step = trial % 4 == 3 ? 1 + rng() % 70 : 1 + rng() % (l.window_bytes + 2);
    l.windows = uint16_t(1 + rng() % 30);
    l.rows = 1 + rng() % 4;
    l.row_bytes = (l.windows - 1u) * l.window_step + l.window_bytes + rng() % 20;
    l.window_line_stride = rng() % 3;  // 0: every window of a row on one line
    l.sram_stride = rng() % 20;        // the unit's model has 256 lines: stay inside
    l.sram_line = rng() % 50;
    l.dram_addr = 0x1000;
    l.dram_stride = l.row_bytes;
    std::vector<uint8_t> data(l.rows * l.row_bytes);
    for (auto& b : data) b = uint8_t(rng());
    SCOPED_TRACE("trial " + std::to_string(trial) + ": " +
                 tessera::isa::disassemble(tessera::isa::encode(l)));
    const auto [error, writes] = this->run_windows(l, data);
    EXPECT_EQ(error, 0u);
    std::vector<typename TestFixture::Write> want;
    for (uint32_t r = 0; r < l.rows; ++r) {
      for (uint32_t i = 0; i < l.windows; ++i) {
        typename TestFixture::Write w{l.sram_line + r * l.sram_stride + i * l.window_line_stride,
                                      Line(R, 0), ((1u << l.window_bytes) - 1) << l.byte_offset};
        for (uint32_t b = 0; b < l.window_bytes; ++b)
          w.bytes[l.byte_offset + b] = data[r * l.row_bytes + i * l.window_step + b];
        want.push_back(w);
      }
    }
    ASSERT_EQ(writes.size(), want.size());
    for (std::size_t k = 0; k < want.size(); ++k)
      ASSERT_TRUE(writes[k] == want[k]) << "write " << k << " (line " << writes[k].line << ")";
  }
}

}  // namespace
