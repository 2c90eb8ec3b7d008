// SPDX-License-Identifier: Apache-2.0
// tessera_cmd_fetch against a host that publishes commands into a small ring and rings the
// doorbell, with the test serving the DMA read engine's side from the ring's bytes: every
// command comes out once, in order, with its ring index and contents, across many wraps;
// descriptors stay inside the ring and batch limits; a failed fetch, a bad ring and the
// enable bit behave as docs/isa.md says; a soft reset recovers.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <random>

#include "Vtessera_cmd_fetch_b128.h"
#include "Vtessera_cmd_fetch_b64.h"
#include "tessera/verilated_support.hpp"
#include "test_seed.hpp"
#include "unit_ports.hpp"

namespace {

using tessera::sim::get_field;
using tessera::sim::set_field;

constexpr uint64_t kBase = 0x10000;
constexpr uint32_t kMaxBatch = 16;  // tessera_cmd_fetch's default

template <typename M, uint32_t Bus>
struct Shape {
  using Model = M;
  static constexpr uint32_t kBusBytes = Bus / 8;
};
using Shapes =
    ::testing::Types<Shape<Vtessera_cmd_fetch_b128, 128>, Shape<Vtessera_cmd_fetch_b64, 64>>;
struct ShapeNames {
  template <typename S>
  static std::string GetName(int) {
    return "bus" + std::to_string(8 * S::kBusBytes);
  }
};

using Cmd = std::vector<uint8_t>;  // 64 bytes

template <typename S>
class FetchTest : public ::testing::Test {
 protected:
  static constexpr uint32_t B = S::kBusBytes;

  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    context_ = tessera::sim::make_context(seed_);
    dut_ = std::make_unique<typename S::Model>(context_.get(), "fetch");
    dut_->clr_i = dut_->enable_i = dut_->rd_desc_ready_i = dut_->rd_valid_i = dut_->cmd_ready_i = 0;
    dut_->ring_base_i = kBase;
    dut_->ring_size_i = 8;
    dut_->ring_tail_i = 0;
    tessera::sim::apply_reset(*dut_);
  }

  Cmd random_cmd() {
    Cmd c(64);
    for (auto& b : c) b = uint8_t(rng_());
    return c;
  }

  // Serves descriptors from the ring; `fail_at` makes the n-th descriptor fail after one beat.
  struct Reader {
    std::deque<std::pair<std::vector<uint8_t>, uint32_t>> beats;  // data, flags
    int descriptors = 0;
  };

  // One cycle. Returns the command popped this cycle, if any (index, bytes).
  std::optional<std::pair<uint32_t, Cmd>> cycle(Reader& rd, const std::vector<Cmd>& ring,
                                                int fail_at = -1) {
    std::uniform_real_distribution<double> p(0, 1);
    dut_->rd_desc_ready_i = rd.beats.empty() && p(rng_) < 0.5;
    const bool offer = !rd.beats.empty() && (dut_->rd_valid_i || p(rng_) < 0.7);
    dut_->rd_valid_i = offer;
    if (offer) {
      const auto& [data, flags] = rd.beats.front();
      for (uint32_t i = 0; i < B; ++i) set_field(dut_->rd_data_i, 8 * i, 8, data[i]);
      dut_->rd_bytes_i = flags & 0xff;
      dut_->rd_row_last_i = (flags >> 8) & 1;
      dut_->rd_last_i = (flags >> 9) & 1;
      dut_->rd_error_i = (flags >> 10) & 7;
    }
    dut_->cmd_ready_i = p(rng_) < consume_rate_;
    dut_->clk_i = 0;
    dut_->eval();
    std::optional<std::pair<uint32_t, Cmd>> popped;
    if (dut_->cmd_valid_o && dut_->cmd_ready_i) {
      Cmd c(64);
      for (uint32_t i = 0; i < 64; ++i) c[i] = uint8_t(get_field(dut_->cmd_o, 8 * i, 8));
      popped = {dut_->cmd_index_o, c};
    }
    if (offer && dut_->rd_ready_o) rd.beats.pop_front();
    if (dut_->rd_desc_valid_o && dut_->rd_desc_ready_i) {
      const auto desc = tessera::test::get_desc(dut_->rd_desc_o);
      const uint64_t addr = desc.addr;
      const uint32_t rows = desc.rows, size = dut_->ring_size_i;
      EXPECT_EQ(desc.row_bytes, 64u);
      EXPECT_EQ(desc.stride, 64u);
      EXPECT_EQ((addr - kBase) % 64, 0u);
      const uint32_t slot = uint32_t((addr - kBase) / 64);
      EXPECT_EQ(slot, dut_->head_o % size) << "fetch does not start at the head";
      EXPECT_GE(rows, 1u);
      EXPECT_LE(rows, kMaxBatch);
      EXPECT_LE(slot + rows, size) << "batch runs past the ring's end";
      EXPECT_EQ(rows, std::min({dut_->ring_tail_i - dut_->head_o, size - slot, kMaxBatch}))
          << "a batch was cut short";
      const bool fail = rd.descriptors++ == fail_at;
      for (uint32_t r = 0; r < rows && !fail; ++r) {
        for (uint32_t off = 0; off < 64; off += B) {
          std::vector<uint8_t> d(ring[slot + r].begin() + off, ring[slot + r].begin() + off + B);
          const bool row_last = off + B >= 64, last = row_last && r + 1 == rows;
          rd.beats.push_back({d, B | (row_last << 8) | (last << 9)});
        }
      }
      if (fail) {
        std::vector<uint8_t> first(ring[slot].begin(), ring[slot].begin() + B);
        rd.beats.push_back({first, B});  // one beat arrives
        rd.beats.push_back({std::vector<uint8_t>(B), 0 | (1 << 8) | (1 << 9) | (2 << 10)});
      }
    }
    dut_->clk_i = 1;
    dut_->eval();
    EXPECT_FALSE(context_->gotError()) << "RTL assertion failed";
    return popped;
  }

  double consume_rate_ = 0.6;  // probability the command consumer is ready in a cycle
  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<typename S::Model> dut_;
};

TYPED_TEST_SUITE(FetchTest, Shapes, ShapeNames);

TYPED_TEST(FetchTest, EveryCommandOnceInOrderAcrossWraps) {
  constexpr uint32_t kSize = 64, kTotal = 600;  // batches of every size up to kMaxBatch
  std::vector<Cmd> ring(kSize, Cmd(64, 0));
  std::vector<Cmd> published;
  typename TestFixture::Reader rd;
  this->dut_->ring_size_i = kSize;
  this->dut_->enable_i = 1;
  uint32_t tail = 0, received = 0;
  for (int c = 0; c < 100000 && received < kTotal; ++c) {
    // Phases of a fast and a slow consumer: the queue runs empty and fills up.
    this->consume_rate_ = (c / 1500) % 2 ? 0.03 : 0.6;
    // The host writes into free slots (before head + size) and rings the doorbell.
    if (tail < kTotal && tail - this->dut_->head_o < kSize && this->rng_() % 3 == 0) {
      const uint32_t n = 1 + this->rng_() % 24;
      for (uint32_t i = 0; i < n && tail < kTotal && tail - this->dut_->head_o < kSize;
           ++i, ++tail) {
        ring[tail % kSize] = this->random_cmd();
        published.push_back(ring[tail % kSize]);
      }
      this->dut_->ring_tail_i = tail;
    }
    if (auto got = this->cycle(rd, ring)) {
      ASSERT_EQ(got->first, received) << "index";
      ASSERT_EQ(got->second, published[received]) << "command " << received;
      ++received;
    }
    ASSERT_FALSE(this->HasFailure());
  }
  EXPECT_EQ(received, kTotal);
  EXPECT_EQ(this->dut_->head_o, kTotal);
  EXPECT_FALSE(this->dut_->error_o);
}

TYPED_TEST(FetchTest, AFailedFetchStopsWithTheIndexAndSoftResetRecovers) {
  std::vector<Cmd> ring(8);
  for (auto& c : ring) c = this->random_cmd();
  typename TestFixture::Reader rd;
  this->dut_->enable_i = 1;
  this->dut_->ring_tail_i = 8;
  bool stopped = false;
  uint32_t got = 0;
  for (int c = 0; c < 2000 && !stopped; ++c) {
    if (this->cycle(rd, ring, /*fail_at=*/0)) ++got;
    if (this->dut_->error_o) {
      EXPECT_EQ(this->dut_->error_code_o, 7u);  // AXI_SLVERR
      EXPECT_EQ(this->dut_->error_index_o, 0u);
      stopped = true;
    }
  }
  ASSERT_TRUE(stopped);
  for (int c = 0; c < 50; ++c) this->cycle(rd, ring);  // stays stopped, fetches nothing
  EXPECT_EQ(rd.descriptors, 1);
  EXPECT_EQ(got, 0u);
  // Soft reset: the ring restarts at the tail; new commands are fetched normally.
  this->dut_->clr_i = 1;
  this->cycle(rd, ring);
  this->dut_->clr_i = 0;
  EXPECT_EQ(this->dut_->head_o, 8u);
  ring[0] = this->random_cmd();
  this->dut_->ring_tail_i = 9;
  std::optional<std::pair<uint32_t, Cmd>> cmd;
  for (int c = 0; c < 2000 && !cmd; ++c) cmd = this->cycle(rd, ring);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->first, 8u);
  EXPECT_EQ(cmd->second, ring[0]);
}

TYPED_TEST(FetchTest, ABadRingOrADisabledEngineFetchesNothing) {
  std::vector<Cmd> ring(8, Cmd(64, 1));
  typename TestFixture::Reader rd;
  this->dut_->ring_tail_i = 3;
  for (int c = 0; c < 100; ++c) this->cycle(rd, ring);  // not enabled
  EXPECT_EQ(rd.descriptors, 0);
  this->dut_->ring_size_i = 6;  // not a power of two
  this->dut_->enable_i = 1;
  bool error = false;
  for (int c = 0; c < 100; ++c) {
    this->cycle(rd, ring);
    if (this->dut_->error_o) {
      error = true;
      EXPECT_EQ(this->dut_->error_code_o, 10u);  // BAD_RING
      EXPECT_EQ(this->dut_->error_index_o, 0u);
    }
  }
  EXPECT_TRUE(error);
  EXPECT_EQ(rd.descriptors, 0);
}

}  // namespace
