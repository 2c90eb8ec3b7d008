// SPDX-License-Identifier: Apache-2.0
// tessera_postproc (4 lanes) bit-exact against tessera::ref::requantize: random and edge
// accumulators, biases that overflow int32, every shift in [-31, 30], multipliers from 0 to
// near 2^31, random zero points and clamp windows (ReLU / ReLU6 included), with random
// valid/ready on both sides; and the 4-cycle latency at full rate.
#include <gtest/gtest.h>

#include <deque>
#include <limits>
#include <random>

#include "Vtessera_postproc_l4.h"
#include "tessera/ref.hpp"
#include "tessera/verilated_support.hpp"
#include "test_seed.hpp"

namespace {

using tessera::sim::get_field;
using tessera::sim::set_field;
namespace ref = tessera::ref;
constexpr int kLanes = 4;

struct Vector {
  int32_t acc[kLanes], bias[kLanes], mult[kLanes];
  int shift[kLanes];
  int32_t zero_point, act_min, act_max;
  bool user;
};

class PostprocTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    context_ = tessera::sim::make_context(seed_);
    dut_ = std::make_unique<Vtessera_postproc_l4>(context_.get(), "postproc");
    dut_->in_valid_i = 0;
    dut_->out_ready_i = 0;
    tessera::sim::apply_reset(*dut_);
  }

  int32_t pick32() {
    static const int32_t edges[] = {std::numeric_limits<int32_t>::min(),
                                    std::numeric_limits<int32_t>::max(),
                                    0,
                                    1,
                                    -1,
                                    1 << 30,
                                    -(1 << 30),
                                    12345,
                                    -12345};
    switch (rng_() % 4) {
      case 0:
        return edges[rng_() % 9];
      case 1:
        return static_cast<int32_t>(rng_());
      default:
        return static_cast<int32_t>(rng_() % 2000001) - 1000000;  // typical sums
    }
  }

  Vector random_vector() {
    Vector v{};
    for (int l = 0; l < kLanes; ++l) {
      v.acc[l] = pick32();
      v.bias[l] = rng_() % 3 ? static_cast<int32_t>(rng_() % 20001) - 10000 : pick32();
      const int32_t mults[] = {0,
                               1,
                               1 << 30,
                               (1 << 30) + 1,
                               std::numeric_limits<int32_t>::max(),
                               std::numeric_limits<int32_t>::max() - 1};
      v.mult[l] =
          rng_() % 3 ? static_cast<int32_t>((1u << 30) + rng_() % (1u << 30)) : mults[rng_() % 6];
      v.shift[l] = static_cast<int>(rng_() % 62) - 31;  // [-31, 30]
    }
    v.zero_point = static_cast<int32_t>(rng_() % 256) - 128;
    v.act_min = static_cast<int32_t>(rng_() % 256) - 128;
    v.act_max = v.act_min + static_cast<int32_t>(rng_() % (128 - v.act_min));
    if (rng_() % 4 == 0) {  // a plain full range now and then
      v.act_min = -128;
      v.act_max = 127;
    }
    v.user = rng_() & 1;
    return v;
  }

  static std::vector<int8_t> expected(const Vector& v) {
    std::vector<int8_t> out(kLanes);
    ref::OutputStage stage;
    stage.zero_point = v.zero_point;
    stage.act_min = v.act_min;
    stage.act_max = v.act_max;
    for (int l = 0; l < kLanes; ++l) {
      const auto x =
          static_cast<int32_t>(static_cast<uint32_t>(v.acc[l]) + static_cast<uint32_t>(v.bias[l]));
      out[l] = ref::requantize(x, v.mult[l], v.shift[l], stage);
    }
    return out;
  }

  void drive(const Vector& v) {
    for (int l = 0; l < kLanes; ++l) {
      set_field(dut_->in_acc_i, 32 * l, 32, static_cast<uint32_t>(v.acc[l]));
      set_field(dut_->in_bias_i, 32 * l, 32, static_cast<uint32_t>(v.bias[l]));
      set_field(dut_->in_mult_i, 32 * l, 32, static_cast<uint32_t>(v.mult[l]));
      set_field(dut_->in_shift_i, 6 * l, 6, static_cast<uint32_t>(v.shift[l]) & 63);
    }
    dut_->in_zero_point_i = static_cast<uint8_t>(v.zero_point);
    dut_->in_act_min_i = static_cast<uint8_t>(v.act_min);
    dut_->in_act_max_i = static_cast<uint8_t>(v.act_max);
    dut_->in_user_i = v.user;
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vtessera_postproc_l4> dut_;
};

TEST_F(PostprocTest, BitExactWithReferenceUnderBackpressure) {
  std::deque<Vector> in_flight;
  std::uniform_real_distribution<double> p(0, 1);
  bool offering = false;
  Vector next = random_vector();
  uint64_t checked = 0;
  for (int cycle = 0; cycle < 200000; ++cycle) {
    if (!offering) offering = p(rng_) < 0.8;
    drive(next);
    dut_->in_valid_i = offering;
    dut_->out_ready_i = p(rng_) < 0.8;
    dut_->clk_i = 0;
    dut_->eval();
    if (dut_->out_valid_o && dut_->out_ready_i) {
      ASSERT_FALSE(in_flight.empty()) << "output with no input, cycle " << cycle;
      const Vector& v = in_flight.front();
      const auto want = expected(v);
      for (int l = 0; l < kLanes; ++l) {
        ASSERT_EQ(static_cast<int8_t>(get_field(dut_->out_data_o, 8 * l, 8)), want[l])
            << "lane " << l << ": acc=" << v.acc[l] << " bias=" << v.bias[l]
            << " mult=" << v.mult[l] << " shift=" << v.shift[l] << " zp=" << v.zero_point
            << " clamp=[" << v.act_min << "," << v.act_max << "]";
      }
      ASSERT_EQ(static_cast<bool>(dut_->out_user_o), v.user);
      in_flight.pop_front();
      ++checked;
    }
    if (offering && dut_->in_ready_o) {
      in_flight.push_back(next);
      next = random_vector();
      offering = false;
    }
    dut_->clk_i = 1;
    dut_->eval();
    ASSERT_FALSE(context_->gotError()) << "RTL assertion failed, cycle " << cycle;
  }
  EXPECT_GT(checked, 100000u);
}

TEST_F(PostprocTest, FourCycleLatencyAtFullRate) {
  dut_->out_ready_i = 1;
  std::deque<std::pair<int, std::vector<int8_t>>> sent;  // cycle accepted, expected output
  int received = 0;
  for (int cycle = 0; cycle < 100; ++cycle) {
    const Vector v = random_vector();
    drive(v);
    dut_->in_valid_i = 1;
    dut_->clk_i = 0;
    dut_->eval();
    ASSERT_TRUE(dut_->in_ready_o);  // never stalls with a ready consumer
    if (dut_->out_valid_o) {
      ASSERT_EQ(cycle - sent.front().first, 4);
      for (int l = 0; l < kLanes; ++l) {
        ASSERT_EQ(static_cast<int8_t>(get_field(dut_->out_data_o, 8 * l, 8)),
                  sent.front().second[l]);
      }
      sent.pop_front();
      ++received;
    }
    sent.emplace_back(cycle, expected(v));
    dut_->clk_i = 1;
    dut_->eval();
  }
  EXPECT_EQ(received, 96);
}

}  // namespace
