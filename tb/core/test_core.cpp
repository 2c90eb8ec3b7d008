// SPDX-License-Identifier: Apache-2.0
// tessera_core, Verilated in three shapes (4x4, 8x4 and the 16x16 default), as Yosys's
// gate-level netlist of the 4x4 core (the post-synthesis check), with the PEs' product
// register (ProductRegister, 4x4) and with two MACs per multiplier (PackedPairs, 4x4 with
// and without the product register, and 16x16): random GEMMs bit-exact
// against the reference model under random valid/ready backpressure, and the latency and
// back-to-back throughput its header documents, asserted cycle-exactly.
#include <gtest/gtest.h>

#include <random>

#include "Vtessera_core_16x16.h"
#include "Vtessera_core_16x16_packed.h"
#include "Vtessera_core_4x4.h"
#include "Vtessera_core_4x4_packed.h"
#include "Vtessera_core_4x4_packed_product_reg.h"
#include "Vtessera_core_4x4_product_reg.h"
#include "Vtessera_core_8x4.h"
#include "Vtessera_core_netlist_4x4.h"
#include "tessera/core_harness.hpp"
#include "tessera/ref.hpp"
#include "test_seed.hpp"

namespace {

using tessera::sim::CoreHarness;
using tessera::sim::FlowControl;

template <typename M, std::size_t R, std::size_t C, bool Netlist = false,
          bool ProductRegister = false, bool Packed = false>
struct Shape {
  using Model = M;
  static constexpr std::size_t kRows = R;
  static constexpr std::size_t kCols = C;
  static constexpr bool kNetlist = Netlist;
  static constexpr bool kProductRegister = ProductRegister;
  static constexpr bool kPacked = Packed;  // the same ports and timing: the name only
};

using Shapes =
    ::testing::Types<Shape<Vtessera_core_4x4, 4, 4>, Shape<Vtessera_core_8x4, 8, 4>,
                     Shape<Vtessera_core_16x16, 16, 16>,
                     Shape<Vtessera_core_netlist_4x4, 4, 4, true>,
                     Shape<Vtessera_core_4x4_product_reg, 4, 4, false, true>,
                     Shape<Vtessera_core_4x4_packed, 4, 4, false, false, true>,
                     Shape<Vtessera_core_4x4_packed_product_reg, 4, 4, false, true, true>,
                     Shape<Vtessera_core_16x16_packed, 16, 16, false, false, true>>;

struct ShapeNames {
  template <typename S>
  static std::string GetName(int) {
    return std::to_string(S::kRows) + "x" + std::to_string(S::kCols) +
           (S::kNetlist ? "_yosys_netlist" : "") + (S::kPacked ? "_packed" : "") +
           (S::kProductRegister ? "_product_reg" : "");
  }
};

template <typename S>
class CoreTest : public ::testing::Test {
 protected:
  static constexpr std::size_t R = S::kRows;
  static constexpr std::size_t C = S::kCols;
  // Documented in tessera_core.sv: one more cycle with the PEs' product register.
  static constexpr uint64_t kLatency = R + C + (S::kProductRegister ? 1 : 0);

  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    core_ = std::make_unique<CoreHarness<typename S::Model>>(R, C, seed_);
  }

  std::vector<int8_t> random_matrix(std::size_t count, int lo = -128, int hi = 127) {
    std::uniform_int_distribution<int> byte(lo, hi);
    std::vector<int8_t> v(count);
    for (auto& x : v) x = static_cast<int8_t>(byte(rng_));
    return v;
  }

  // Runs A*B on the core and checks every element against the reference model.
  tessera::sim::RunStats check_gemm(const std::vector<int8_t>& a, const std::vector<int8_t>& b,
                                    std::size_t m, std::size_t k, std::size_t n,
                                    const FlowControl& flow = {}) {
    const auto got = core_->run_gemm(a, b, m, k, n, flow);
    const auto want = tessera::ref::gemm(a, b, {}, m, k, n);
    EXPECT_EQ(got.c.size(), want.size());
    std::size_t bad = 0;
    for (std::size_t i = 0; i < want.size() && bad < 5; ++i) {
      if (got.c[i] != want[i]) {
        ++bad;
        ADD_FAILURE() << "C[" << i / n << "][" << i % n << "] = " << got.c[i] << ", expected "
                      << want[i] << " (M=" << m << " K=" << k << " N=" << n << ")";
      }
    }
    return got.stats;
  }

  FlowControl random_flow() {
    std::uniform_real_distribution<double> p(0.2, 1.0);
    return {p(rng_), p(rng_), p(rng_), rng_()};
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<CoreHarness<typename S::Model>> core_;
};

TYPED_TEST_SUITE(CoreTest, Shapes, ShapeNames);

TYPED_TEST(CoreTest, RandomGemmsUnderBackpressure) {
  constexpr std::size_t R = TestFixture::R, C = TestFixture::C;
  const int trials = R * C > 64 ? 40 : 150;
  for (int t = 0; t < trials; ++t) {
    // M not a multiple of the array height, K and N spanning partial and several tiles.
    const std::size_t m = 1 + this->rng_() % (3 * R + 2);
    const std::size_t k = 1 + this->rng_() % (3 * R + 2);
    const std::size_t n = 1 + this->rng_() % (3 * C + 2);
    const auto flow = this->random_flow();
    SCOPED_TRACE("trial " + std::to_string(t) + " M=" + std::to_string(m) +
                 " K=" + std::to_string(k) + " N=" + std::to_string(n));
    this->check_gemm(this->random_matrix(m * k), this->random_matrix(k * n), m, k, n, flow);
  }
}

TYPED_TEST(CoreTest, DegenerateShapes) {
  constexpr std::size_t R = TestFixture::R, C = TestFixture::C;
  for (auto [m, k, n] : {std::tuple<std::size_t, std::size_t, std::size_t>{1, 1, 1},
                         {1, R, C},
                         {R + 1, 1, 1},
                         {1, 2 * R + 1, 1},
                         {2, 1, 2 * C + 1}}) {
    this->check_gemm(this->random_matrix(m * k), this->random_matrix(k * n), m, k, n,
                     this->random_flow());
  }
}

TYPED_TEST(CoreTest, ExtremeOperandsWithLongK) {
  // K = 1024 of -128 * -128 sums to 2^24 per output: the widest products the array sees.
  constexpr std::size_t R = TestFixture::R, C = TestFixture::C;
  const std::size_t m = R + 3, k = 1024, n = C + 1;
  std::vector<int8_t> a(m * k, -128), b(k * n, -128);
  this->check_gemm(a, b, m, k, n);
  std::fill(b.begin(), b.end(), 127);
  this->check_gemm(a, b, m, k, n, this->random_flow());
  // Mixed extremes.
  for (auto& x : a) x = (this->rng_() & 1) ? 127 : -128;
  for (auto& x : b) x = (this->rng_() & 1) ? 127 : -128;
  this->check_gemm(a, b, m, k, n, this->random_flow());
}

TYPED_TEST(CoreTest, RandomLongReductions) {
  // K well past 1024 with random operands, partial tiles and backpressure.
  constexpr std::size_t R = TestFixture::R, C = TestFixture::C;
  const std::size_t m = 1 + this->rng_() % (2 * R), k = 1024 + this->rng_() % 200;
  const std::size_t n = 1 + this->rng_() % (2 * C);
  this->check_gemm(this->random_matrix(m * k), this->random_matrix(k * n), m, k, n,
                   this->random_flow());
}

TYPED_TEST(CoreTest, StalledConsumerLosesNothing) {
  constexpr std::size_t R = TestFixture::R, C = TestFixture::C;
  const std::size_t m = 4 * R + 1, k = 2 * R, n = 2 * C;
  FlowControl flow;
  flow.out_ready = 0.05;  // the consumer takes one vector in twenty cycles
  flow.seed = this->rng_();
  this->check_gemm(this->random_matrix(m * k), this->random_matrix(k * n), m, k, n, flow);
}

TYPED_TEST(CoreTest, LatencyIsRowsPlusCols) {
  constexpr std::size_t R = TestFixture::R, C = TestFixture::C;
  const auto st = this->check_gemm(this->random_matrix(R), this->random_matrix(R * C), 1, R, C);
  EXPECT_EQ(st.first_wgt_cycle, 0u);
  EXPECT_EQ(st.first_act_cycle, R);  // the tile's rows take cycles 0..R-1
  EXPECT_EQ(st.first_out_cycle - st.first_act_cycle, TestFixture::kLatency);
  EXPECT_EQ(st.cycles, R + 1 + TestFixture::kLatency);
}

TYPED_TEST(CoreTest, BackToBackTilesHaveNoBubble) {
  constexpr std::size_t R = TestFixture::R, C = TestFixture::C;
  // T tiles of M >= R vectors: R + T*M + Latency cycles, activations on every cycle.
  for (std::size_t m : {R, 2 * R + 3, 5 * R}) {
    const std::size_t k = 3 * R, n = 2 * C;  // 6 tiles
    const auto st =
        this->check_gemm(this->random_matrix(m * k), this->random_matrix(k * n), m, k, n);
    ASSERT_EQ(st.tiles, 6u);
    EXPECT_EQ(st.cycles, R + st.tiles * m + TestFixture::kLatency) << "M=" << m;
    EXPECT_EQ(st.last_act_cycle - st.first_act_cycle + 1, st.act_vectors) << "M=" << m;
  }
}

TYPED_TEST(CoreTest, ShortTilesAreBoundByWeightLoad) {
  constexpr std::size_t R = TestFixture::R, C = TestFixture::C;
  // With M < R a tile occupies R cycles (the weight load): T*R + M + Latency in all.
  if (R < 2) GTEST_SKIP();
  const std::size_t m = R / 2, k = 2 * R, n = 2 * C;  // 4 tiles
  const auto st = this->check_gemm(this->random_matrix(m * k), this->random_matrix(k * n), m, k, n);
  EXPECT_EQ(st.cycles, st.tiles * R + m + TestFixture::kLatency);
}

TYPED_TEST(CoreTest, LongStreamApproachesFullUtilization) {
  constexpr std::size_t R = TestFixture::R, C = TestFixture::C;
  const std::size_t m = 2048, k = 2 * R, n = 2 * C;
  const auto st = this->check_gemm(this->random_matrix(m * k), this->random_matrix(k * n), m, k, n);
  EXPECT_EQ(st.cycles, R + st.tiles * m + TestFixture::kLatency);
  EXPECT_GT(st.utilization(R, C), 0.99);
}

TYPED_TEST(CoreTest, ResetBetweenRunsRecovers) {
  constexpr std::size_t R = TestFixture::R, C = TestFixture::C;
  const std::size_t m = R + 1, k = 2 * R + 1, n = C + 1;
  const auto a = this->random_matrix(m * k), b = this->random_matrix(k * n);
  this->check_gemm(a, b, m, k, n, this->random_flow());
  this->core_->reset();
  const auto st = this->check_gemm(a, b, m, k, n);
  // After reset the timing is that of a fresh core.
  EXPECT_EQ(st.first_act_cycle, R);
}

}  // namespace
