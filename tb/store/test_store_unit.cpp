// SPDX-License-Identifier: Apache-2.0
// tessera_store_unit on a real accumulator and quantization table, with the test playing
// the DMA write engine (random backpressure and completion status): raw int32 stores and
// requantized int8 stores, per tensor and per channel, checked bit-exactly against
// tessera::ref, row by row as the write engine receives them; a table shift out of range
// stops the command before anything is written; a DMA failure comes back as its error code.
// Pooled stores (2x2 max-pool of the requantized pixels) read their windows at random pitches.
// Rows of several panels (EXTRA_PANELS) put lines PANEL_PITCH apart back to back, each panel
// with its own entries, and the unit refetches entries it holds once the table is written.
// TO_SCRATCHPAD stores write each requantized (or pooled) line at its own scratchpad line,
// COLS bytes of it, against a stalling write port; one behind a host STORE whose status is
// late reports done after it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>

#include "Vtessera_store_harness_c16_b128.h"
#include "Vtessera_store_harness_c16_b512.h"
#include "Vtessera_store_harness_c4_b64.h"
#include "tessera/ref.hpp"
#include "tessera/verilated_support.hpp"
#include "test_seed.hpp"
#include "unit_ports.hpp"

namespace {

using tessera::sim::get_field;
using tessera::sim::set_field;
namespace ref = tessera::ref;

template <typename M, uint32_t Cols, uint32_t Bus>
struct Shape {
  using Model = M;
  static constexpr uint32_t kCols = Cols, kBusBytes = Bus / 8;
};
using Shapes = ::testing::Types<Shape<Vtessera_store_harness_c4_b64, 4, 64>,
                                Shape<Vtessera_store_harness_c16_b128, 16, 128>,
                                Shape<Vtessera_store_harness_c16_b512, 16, 512>>;
struct ShapeNames {
  template <typename S>
  static std::string GetName(int) {
    return std::to_string(S::kCols) + "cols_bus" + std::to_string(8 * S::kBusBytes);
  }
};

struct Entry {
  int32_t bias, mult, shift;
};

template <typename S>
class StoreUnitTest : public ::testing::Test {
 protected:
  static constexpr uint32_t C = S::kCols, B = S::kBusBytes;

  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    context_ = tessera::sim::make_context(seed_);
    dut_ = std::make_unique<typename S::Model>(context_.get(), "store");
    dut_->acc_wr_valid_i = dut_->qt_wr_valid_i = dut_->cmd_valid_i = 0;
    dut_->wr_desc_ready_i = dut_->wr_ready_i = dut_->wr_status_valid_i = 0;
    tessera::sim::apply_reset(*dut_);
    acc_.assign(64, std::vector<int32_t>(C));
    for (uint32_t line = 0; line < 64; ++line) {
      for (auto& v : acc_[line])
        v = rng_() % 3 ? int32_t(rng_() % 2000001) - 1000000 : int32_t(rng_());
      dut_->acc_wr_valid_i = 1;
      dut_->acc_wr_addr_i = line;
      for (uint32_t l = 0; l < C; ++l)
        set_field(dut_->acc_wr_data_i, 32 * l, 32, uint32_t(acc_[line][l]));
      tessera::sim::tick(*dut_);
    }
    dut_->acc_wr_valid_i = 0;
  }

  void write_entry(uint32_t index, const Entry& e) {
    dut_->qt_wr_valid_i = 1;
    dut_->qt_wr_addr_i = index;
    for (int w = 0; w < 4; ++w) dut_->qt_wr_data_i[w] = 0;
    dut_->qt_wr_data_i[0] = uint32_t(e.bias);
    dut_->qt_wr_data_i[1] = uint32_t(e.mult);
    dut_->qt_wr_data_i[2] = uint32_t(e.shift);
    tessera::sim::tick(*dut_);
    dut_->qt_wr_valid_i = 0;
  }

  // The harness's 64 entries, random, written into its table.
  std::vector<Entry> random_table() {
    std::vector<Entry> table(64);
    for (uint32_t i = 0; i < 64; ++i) {
      table[i] = random_entry();
      write_entry(i, table[i]);
    }
    return table;
  }

  Entry random_entry() {
    int32_t mult = 0;
    int shift = 0;
    ref::quantize_multiplier(
        std::exp2(-double(1 + rng_() % 20)) * (1 + double(rng_() % 1000) / 1000), mult, shift);
    return {int32_t(rng_() % 20001) - 10000, mult, shift};
  }

  struct SpadWrite {
    uint32_t line, strobe;
    std::vector<uint8_t> bytes;  // NumCols of them
  };
  struct Result {
    uint32_t error = ~0u;
    bool desc_seen = false, released = false;
    std::vector<std::vector<uint8_t>> rows;
    std::vector<SpadWrite> spad;  // TO_SCRATCHPAD: the lines written, in order
    uint32_t table_reads = 0;     // entries fetched from the quantization table
  };

  // Runs one STORE, playing the write engine; status_error is what the engine reports.
  struct Pool {
    bool on = false;
    uint16_t width = 0, pitch = 0;
  };

  Result run(uint16_t rows, uint8_t acc_line, uint16_t cols, bool requant, bool per_channel,
             int8_t zp, int8_t lo, int8_t hi, uint8_t entry, uint32_t status_error = 0,
             Pool pool = {}) {
    tessera::isa::Store store;
    store.requantize = requant;
    store.per_channel = per_channel;
    store.dram_addr = 0x4000;
    store.rows = rows;
    store.acc_line = acc_line;
    store.dram_stride = 100;
    store.cols = cols;
    store.zero_point = zp;
    store.act_min = lo;
    store.act_max = hi;
    store.qparam_entry = entry;
    store.pool = pool.on;
    store.pool_width = pool.width;
    store.acc_pitch = pool.pitch;
    return run(store, status_error);
  }

  // Runs `store` (its address and stride are the test's: 0x4000 and 100).
  Result run(tessera::isa::Store store, uint32_t status_error = 0) {
    Result res;
    store.dram_addr = 0x4000;
    store.dram_stride = 100;
    const uint32_t out_rows = store.pool ? uint32_t(store.rows) * store.pool_width : store.rows;
    const uint32_t want_row_bytes =
        (store.requantize ? store.cols : 4u * store.cols) * (store.extra_panels + 1u);
    const uint32_t spad_lines = store.to_scratchpad ? out_rows * (store.extra_panels + 1u) : 0;
    std::uniform_real_distribution<double> p(0, 1);
    bool cmd_sent = false, status_offered = false;
    std::vector<uint8_t> row;
    uint32_t row_bytes = 0;
    tessera::test::put_command(dut_->cmd_i, tessera::isa::encode(store));
    for (int guard = 0; guard < 100000; ++guard) {
      dut_->cmd_valid_i = !cmd_sent;
      dut_->wr_desc_ready_i = p(rng_) < 0.5;
      dut_->wr_ready_i = res.desc_seen && p(rng_) < 0.7;
      // Status, like the write engine's, is held once offered until it is taken.
      dut_->wr_status_valid_i =
          status_offered || (res.desc_seen && res.rows.size() == out_rows && p(rng_) < 0.5);
      status_offered = dut_->wr_status_valid_i;
      dut_->wr_status_error_i = status_error;
      dut_->spad_wr_ready_i = p(rng_) < 0.7;  // the load unit writes meanwhile
      dut_->clk_i = 0;
      dut_->eval();
      if (dut_->cmd_valid_i && dut_->cmd_ready_o) cmd_sent = true;
      res.table_reads += dut_->qt_rd_en_o;
      EXPECT_FALSE(store.to_scratchpad && (dut_->wr_desc_valid_o || dut_->wr_valid_o))
          << "a TO_SCRATCHPAD STORE used the write engine";
      if (dut_->spad_wr_valid_o && dut_->spad_wr_ready_i) {
        SpadWrite w{uint32_t(dut_->spad_wr_addr_o), uint32_t(dut_->spad_wr_strb_o), {}};
        for (uint32_t i = 0; i < C; ++i)
          w.bytes.push_back(uint8_t(get_field(dut_->spad_wr_data_o, 8 * i, 8)));
        res.spad.push_back(w);
      }
      if (dut_->wr_desc_valid_o && dut_->wr_desc_ready_i) {
        EXPECT_FALSE(res.desc_seen);
        res.desc_seen = true;
        const auto desc = tessera::test::get_desc(dut_->wr_desc_o);
        row_bytes = desc.row_bytes;
        EXPECT_EQ(row_bytes, want_row_bytes);
        EXPECT_EQ(desc.rows, out_rows);
        EXPECT_EQ(desc.stride, 100u);
        EXPECT_EQ(desc.addr, 0x4000u);
      }
      if (dut_->wr_valid_o && dut_->wr_ready_i) {
        for (uint32_t i = 0; i < B && row.size() < row_bytes; ++i)
          row.push_back(uint8_t(get_field(dut_->wr_data_o, 8 * i, 8)));
        if (row.size() == row_bytes) {
          res.rows.push_back(row);
          row.clear();
          EXPECT_EQ(static_cast<bool>(dut_->wr_last_o), res.rows.size() == out_rows);
        } else {
          EXPECT_FALSE(dut_->wr_last_o);
        }
      }
      if (dut_->wr_status_valid_i && dut_->wr_status_ready_o) status_offered = false;
      // The release (the PUSH_PREV token) comes once, when the last beat goes out, or with
      // the done of a STORE that fails before streaming; never after the done.
      if (dut_->release_o) {
        EXPECT_FALSE(res.released) << "a second release";
        EXPECT_TRUE(res.rows.size() == out_rows || res.spad.size() == spad_lines || dut_->done_o)
            << "released with " << res.rows.size() << " of " << out_rows << " rows out";
        res.released = true;
      }
      const bool done = dut_->done_o;
      if (done) {
        EXPECT_TRUE(res.released) << "done before its release";
      }
      res.error = dut_->error_o;
      dut_->clk_i = 1;
      dut_->eval();
      if (context_->gotError()) {
        ADD_FAILURE() << "RTL assertion failed";
        return res;
      }
      if (done) return res;
    }
    ADD_FAILURE() << "store unit never finished";
    return res;
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<typename S::Model> dut_;
  std::vector<std::vector<int32_t>> acc_;
};

TYPED_TEST_SUITE(StoreUnitTest, Shapes, ShapeNames);

TYPED_TEST(StoreUnitTest, RawAndRequantizedRowsMatchTheReference) {
  constexpr uint32_t C = TestFixture::C;
  auto& rng = this->rng_;
  std::vector<Entry> table = this->random_table();
  for (int trial = 0; trial < 60; ++trial) {
    const uint16_t rows = 1 + rng() % 12, cols = 1 + rng() % C;
    const uint8_t line = rng() % (64 - rows);
    const int mode = trial % 3;  // raw, per tensor, per channel
    const int8_t zp = int8_t(rng() % 256 - 128), lo = int8_t(-128 + rng() % 128);
    const int8_t hi = int8_t(lo + rng() % (128 - lo));
    const uint8_t entry = rng() % (64 - C);
    SCOPED_TRACE("trial " + std::to_string(trial) + " mode " + std::to_string(mode));
    const auto res = this->run(rows, line, cols, mode > 0, mode == 2, zp, lo, hi, entry);
    ASSERT_EQ(res.error, 0u);
    ASSERT_EQ(res.rows.size(), rows);
    for (uint32_t r = 0; r < rows; ++r) {
      for (uint32_t l = 0; l < cols; ++l) {
        const int32_t acc = this->acc_[line + r][l];
        if (mode == 0) {
          int32_t got;
          std::memcpy(&got, &res.rows[r][4 * l], 4);
          ASSERT_EQ(got, acc) << "row " << r << " lane " << l;
        } else {
          const Entry& e = table[entry + (mode == 2 ? l : 0)];
          ref::OutputStage stage;
          stage.zero_point = zp;
          stage.act_min = lo;
          stage.act_max = hi;
          const auto x = int32_t(uint32_t(acc) + uint32_t(e.bias));
          ASSERT_EQ(int8_t(res.rows[r][l]), ref::requantize(x, e.mult, e.shift, stage))
              << "row " << r << " lane " << l;
        }
      }
    }
  }
}

TYPED_TEST(StoreUnitTest, PooledRowsMatchTheReference) {
  constexpr uint32_t C = TestFixture::C;
  auto& rng = this->rng_;
  std::vector<Entry> table = this->random_table();
  for (int trial = 0; trial < 40; ++trial) {
    typename TestFixture::Pool pool{true, uint16_t(1 + rng() % 5), 0};
    pool.pitch = uint16_t(2 * pool.width + rng() % 4);
    const uint16_t rows = uint16_t(1 + rng() % std::max<uint32_t>(1, 64 / (2 * pool.pitch)));
    const uint32_t span = (2 * rows - 1) * pool.pitch + 2 * pool.width;  // lines read
    if (span > 64) continue;
    const uint8_t line = uint8_t(rng() % (64 - span + 1));
    const uint16_t cols = uint16_t(1 + rng() % C);
    const bool per_channel = rng() % 2;
    const int8_t zp = int8_t(rng() % 256 - 128), lo = int8_t(-128 + rng() % 128);
    const int8_t hi = int8_t(lo + rng() % (128 - lo));
    const uint8_t entry = uint8_t(rng() % (64 - C));
    SCOPED_TRACE("trial " + std::to_string(trial) + " rows " + std::to_string(rows) + " width " +
                 std::to_string(pool.width) + " pitch " + std::to_string(pool.pitch));
    const auto res = this->run(rows, line, cols, true, per_channel, zp, lo, hi, entry, 0, pool);
    ASSERT_EQ(res.error, 0u);
    ASSERT_EQ(res.rows.size(), uint32_t(rows) * pool.width);
    ref::OutputStage stage;
    stage.zero_point = zp;
    stage.act_min = lo;
    stage.act_max = hi;
    for (uint32_t y = 0; y < rows; ++y) {
      for (uint32_t x = 0; x < pool.width; ++x) {
        for (uint32_t l = 0; l < cols; ++l) {
          const Entry& e = table[entry + (per_channel ? l : 0)];
          int want = -129;
          for (uint32_t d : {0u, 1u, uint32_t(pool.pitch), pool.pitch + 1u}) {
            const int32_t acc = this->acc_[line + 2 * y * pool.pitch + 2 * x + d][l];
            const auto v = int32_t(uint32_t(acc) + uint32_t(e.bias));
            want = std::max<int>(want, ref::requantize(v, e.mult, e.shift, stage));
          }
          ASSERT_EQ(int8_t(res.rows[y * pool.width + x][l]), want)
              << "pooled pixel (" << y << ", " << x << ") lane " << l;
        }
      }
    }
  }
}

TYPED_TEST(StoreUnitTest, RowsOfSeveralPanelsMatchTheReference) {
  constexpr uint32_t C = TestFixture::C, B = TestFixture::B;
  auto& rng = this->rng_;
  std::vector<Entry> table = this->random_table();
  // The requantizing STOREs' distinct entries, the most recently used first: the first
  // STORE_PARAM_GROUPS are the groups of parameters the unit holds (while the table is
  // unchanged), and a STORE that asks for one of them fetches nothing.
  std::vector<tessera::isa::Store> recent;
  auto same_entries = [](const tessera::isa::Store& a, const tessera::isa::Store& b) {
    return a.qparam_entry == b.qparam_entry && a.per_channel == b.per_channel &&
           (!a.per_channel || (a.cols == b.cols && a.extra_panels == b.extra_panels));
  };
  constexpr uint32_t kGroups = tessera::isa::kStoreParamGroups;
  int panel_trials = 0, requant_trials = 0, held_trials = 0;
  for (int trial = 0; trial < 80; ++trial) {
    const int mode = trial % 3;  // raw, per tensor, per channel
    // COLS whose lines are whole bus beats; none for int8 lines narrower than the bus.
    std::vector<uint16_t> cols_ok;
    for (uint32_t c = 1; c <= C; ++c)
      if ((mode > 0 ? c : 4 * c) % B == 0) cols_ok.push_back(uint16_t(c));
    if (cols_ok.empty()) continue;
    tessera::isa::Store s;
    if (trial % 4 == 3 && !recent.empty()) {
      // The same entries as an earlier STORE's: held if among the last kGroups distinct
      // ones, unless the table changed (it then holds none).
      s = recent[rng() % std::min<std::size_t>(recent.size(), kGroups + 1)];
      if (rng() % 4 == 0) {
        const uint32_t i = rng() % 64;
        table[i] = this->random_entry();
        this->write_entry(i, table[i]);
        recent.clear();
      }
    } else {
      s.requantize = mode > 0;
      s.per_channel = mode == 2;
      s.cols = cols_ok[rng() % cols_ok.size()];
      // Per channel, the harness's 64 entries hold 64 / COLS panels.
      const uint32_t most = s.per_channel
                                ? std::min(64u / s.cols, tessera::isa::kMaxExtraPanels + 1)
                                : tessera::isa::kMaxExtraPanels + 1;
      if (most < 2) continue;
      const uint32_t panels = 2 + rng() % (most - 1);
      s.extra_panels = uint16_t(panels - 1);
      s.rows = uint16_t(1 + rng() % 6);
      s.panel_pitch = uint16_t(rng() % 9);  // overlapping panels are allowed
      if ((panels - 1) * s.panel_pitch + s.rows > 64) continue;
      s.acc_line = rng() % (64 - (panels - 1) * s.panel_pitch - s.rows + 1);
      s.zero_point = int8_t(rng() % 256 - 128);
      s.act_min = int8_t(-128 + rng() % 128);
      s.act_max = int8_t(s.act_min + rng() % (128 - s.act_min));
      const uint32_t entries = s.per_channel ? panels * s.cols : 1;
      s.qparam_entry = rng() % (64 - entries + 1);
    }
    uint32_t want_reads = 0;
    if (s.requantize) {
      auto it = std::find_if(recent.begin(), recent.end(),
                             [&](const tessera::isa::Store& r) { return same_entries(r, s); });
      const bool held = it != recent.end() && it - recent.begin() < std::ptrdiff_t(kGroups);
      want_reads = held ? 0 : (s.per_channel ? (s.extra_panels + 1u) * s.cols : 1u);
      held_trials += held;
      ++requant_trials;
      if (it != recent.end()) recent.erase(it);
      recent.insert(recent.begin(), s);
    }
    ++panel_trials;
    SCOPED_TRACE("trial " + std::to_string(trial) + " panels " +
                 std::to_string(s.extra_panels + 1) + " pitch " + std::to_string(s.panel_pitch) +
                 " cols " + std::to_string(s.cols));
    const auto res = this->run(s);
    ASSERT_EQ(res.error, 0u);
    ASSERT_EQ(res.rows.size(), s.rows);
    EXPECT_EQ(res.table_reads, want_reads) << "entries fetched";
    ref::OutputStage stage;
    stage.zero_point = s.zero_point;
    stage.act_min = s.act_min;
    stage.act_max = s.act_max;
    const uint32_t line_bytes = s.requantize ? s.cols : 4u * s.cols;
    for (uint32_t r = 0; r < s.rows; ++r) {
      for (uint32_t p = 0; p <= s.extra_panels; ++p) {
        for (uint32_t l = 0; l < s.cols; ++l) {
          const int32_t acc = this->acc_[s.acc_line + p * s.panel_pitch + r][l];
          const uint8_t* got = &res.rows[r][p * line_bytes];
          if (!s.requantize) {
            int32_t v;
            std::memcpy(&v, &got[4 * l], 4);
            ASSERT_EQ(v, acc) << "row " << r << " panel " << p << " lane " << l;
            continue;
          }
          const Entry& e = table[s.qparam_entry + (s.per_channel ? p * s.cols + l : 0)];
          const auto x = int32_t(uint32_t(acc) + uint32_t(e.bias));
          ASSERT_EQ(int8_t(got[l]), ref::requantize(x, e.mult, e.shift, stage))
              << "row " << r << " panel " << p << " lane " << l;
        }
      }
    }
  }
  EXPECT_GT(panel_trials, 0) << "no shape of this build takes several panels";
  // (Buses wider than a line of int8 results take no requantized rows of several panels.)
  if (requant_trials > 5) {
    EXPECT_GT(held_trials, 0) << "no STORE found its entries held";
  }
}

TYPED_TEST(StoreUnitTest, AShiftOutOfRangeStopsBeforeWriting) {
  this->write_entry(3, {0, 1 << 30, 31});  // shift 31: outside [-31, 30]
  const auto res = this->run(2, 0, 1, true, false, 0, -128, 127, 3);
  EXPECT_EQ(res.error, 9u);  // BAD_CLAMP
  EXPECT_FALSE(res.desc_seen);
  EXPECT_TRUE(res.rows.empty());
  this->write_entry(3, {0, 1 << 30, -32});
  EXPECT_EQ(this->run(2, 0, 1, true, false, 0, -128, 127, 3).error, 9u);
}

TYPED_TEST(StoreUnitTest, ADmaFailureIsReported) {
  const auto res = this->run(3, 5, 2, false, false, 0, -128, 127, 0, /*status_error=*/1);
  EXPECT_EQ(res.error, 6u);                                                // DMA_WINDOW
  EXPECT_EQ(this->run(1, 5, 2, false, false, 0, -128, 127, 0).error, 0u);  // and then works
}

// The requantized (with POOL_2X2, pooled) int8 value of lane l of a STORE's output line i of
// panel p, from the test's accumulator and table.
int8_t want_lane(const std::vector<std::vector<int32_t>>& acc, const tessera::isa::Store& s,
                 const std::vector<Entry>& table, uint32_t i, uint32_t p, uint32_t l) {
  ref::OutputStage stage;
  stage.zero_point = s.zero_point;
  stage.act_min = s.act_min;
  stage.act_max = s.act_max;
  const Entry& e = table[s.qparam_entry + (s.per_channel ? p * s.cols + l : 0)];
  auto q = [&](uint32_t line) {
    const auto v = int32_t(uint32_t(acc[line][l]) + uint32_t(e.bias));
    return ref::requantize(v, e.mult, e.shift, stage);
  };
  if (!s.pool) return q(s.acc_line + p * s.panel_pitch + i);
  const uint32_t top = s.acc_line + (i / s.pool_width) * 2 * s.acc_pitch + 2 * (i % s.pool_width);
  return int8_t(std::max(std::max(q(top), q(top + 1)),
                         std::max(q(top + s.acc_pitch), q(top + s.acc_pitch + 1))));
}

TYPED_TEST(StoreUnitTest, ScratchpadLinesMatchTheReference) {
  constexpr uint32_t C = TestFixture::C;
  auto& rng = this->rng_;
  std::vector<Entry> table = this->random_table();
  int trials = 0;
  for (int trial = 0; trial < 60; ++trial) {
    tessera::isa::Store s;
    s.requantize = s.to_scratchpad = true;
    s.per_channel = rng() % 2;
    s.cols = uint16_t(1 + rng() % C);  // any COLS: lines need not be whole bus beats
    s.zero_point = int8_t(rng() % 256 - 128);
    s.act_min = int8_t(-128 + rng() % 128);
    s.act_max = int8_t(s.act_min + rng() % (128 - s.act_min));
    uint32_t out_lines = 0, panels = 1;
    if (trial % 4 == 3) {  // pooled pixels, one panel
      s.pool = true;
      s.pool_width = uint16_t(1 + rng() % 3);
      s.acc_pitch = uint16_t(2 * s.pool_width + rng() % 3);
      s.rows = uint16_t(1 + rng() % 3);
      const uint32_t span = (2 * s.rows - 1) * s.acc_pitch + 2 * s.pool_width;
      if (span > 64) continue;
      s.acc_line = rng() % (64 - span + 1);
      out_lines = uint32_t(s.rows) * s.pool_width;
    } else {
      panels = 1 + rng() % std::min(4u, s.per_channel ? 64u / s.cols : 4u);
      s.extra_panels = uint16_t(panels - 1);
      s.panel_pitch = panels > 1 ? uint16_t(rng() % 9) : 0;
      s.rows = uint16_t(1 + rng() % 6);
      if ((panels - 1) * s.panel_pitch + s.rows > 64) continue;
      s.acc_line = rng() % (64 - (panels - 1) * s.panel_pitch - s.rows + 1);
      out_lines = s.rows;
    }
    const uint32_t entries = s.per_channel ? panels * s.cols : 1;
    s.qparam_entry = rng() % (64 - entries + 1);
    // Scratchpad lines: row (or pooled pixel) i of panel p at line + i*stride + p*pitch.
    s.sram_stride = rng() % 2 ? 1 : uint32_t(panels + rng() % 3);
    s.sram_panel_pitch = panels > 1 ? uint32_t(rng() % 2 ? out_lines : 1 + rng() % 4) : 0;
    const uint32_t last = (out_lines - 1) * s.sram_stride + (panels - 1) * s.sram_panel_pitch;
    if (last >= 64) continue;
    s.sram_line = uint32_t(rng() % (64 - last));
    ++trials;
    SCOPED_TRACE("trial " + std::to_string(trial) + " lines " + std::to_string(out_lines) +
                 " panels " + std::to_string(panels) + " pooled " + std::to_string(s.pool));
    const auto res = this->run(s);
    ASSERT_EQ(res.error, 0u);
    EXPECT_TRUE(res.released);
    ASSERT_EQ(res.spad.size(), out_lines * panels);
    const uint32_t strobe = uint32_t((uint64_t(1) << s.cols) - 1);
    for (uint32_t i = 0, n = 0; i < out_lines; ++i) {
      for (uint32_t p = 0; p < panels; ++p, ++n) {  // a row's panels, then the next row
        const auto& w = res.spad[n];
        ASSERT_EQ(w.line, s.sram_line + i * s.sram_stride + p * s.sram_panel_pitch)
            << "line " << i << " panel " << p;
        ASSERT_EQ(w.strobe, strobe);
        for (uint32_t l = 0; l < s.cols; ++l)
          ASSERT_EQ(int8_t(w.bytes[l]), want_lane(this->acc_, s, table, i, p, l))
              << "line " << i << " panel " << p << " lane " << l;
      }
    }
  }
  EXPECT_GT(trials, 20);
}

// A STORE into the scratchpad behind a host STORE whose write status is late: it streams
// and releases its accumulator lines meanwhile, but reports done only after the host one.
TYPED_TEST(StoreUnitTest, AScratchpadStoreIsDoneAfterTheStoresBeforeIt) {
  auto& dut = *this->dut_;
  this->write_entry(0, {0, 1 << 30, 0});
  tessera::isa::Store host;
  host.rows = 2;
  host.cols = 1;
  host.dram_addr = 0x4000;
  host.dram_stride = 4;
  tessera::isa::Store spad;
  spad.requantize = spad.to_scratchpad = true;
  spad.rows = 3;
  spad.cols = 1;
  spad.sram_line = 10;
  spad.sram_stride = 1;
  const tessera::isa::Command cmds[] = {tessera::isa::encode(host), tessera::isa::encode(spad)};
  int sent = 0, dones = 0, spad_lines = 0, releases = 0, status_cycle = -1;
  bool host_beats_out = false;
  for (int cycle = 0; cycle < 2000 && dones < 2; ++cycle) {
    if (sent < 2) tessera::test::put_command(dut.cmd_i, cmds[sent]);
    dut.cmd_valid_i = sent < 2;
    dut.wr_desc_ready_i = dut.wr_ready_i = dut.spad_wr_ready_i = 1;
    // The host STORE's status comes 200 cycles after its beats, long after the other's lines.
    dut.wr_status_valid_i = host_beats_out && spad_lines == 3 && cycle >= 200;
    dut.wr_status_error_i = 0;
    dut.clk_i = 0;
    dut.eval();
    if (dut.cmd_valid_i && dut.cmd_ready_o) ++sent;
    if (dut.wr_valid_o && dut.wr_ready_i && dut.wr_last_o) host_beats_out = true;
    if (dut.spad_wr_valid_o && dut.spad_wr_ready_i) ++spad_lines;
    if (dut.wr_status_valid_i && dut.wr_status_ready_o) status_cycle = cycle;
    if (dut.release_o) ++releases;
    if (dut.done_o) {
      ++dones;
      EXPECT_EQ(dut.error_o, 0u);
      EXPECT_GE(status_cycle, 0) << "done " << dones << " before the host STORE's status";
      EXPECT_EQ(releases, 2) << "the scratchpad STORE's lines were released after its done";
    }
    dut.clk_i = 1;
    dut.eval();
    ASSERT_FALSE(this->context_->gotError()) << "RTL assertion failed";
  }
  EXPECT_EQ(dones, 2);
  EXPECT_EQ(spad_lines, 3);
}

}  // namespace
