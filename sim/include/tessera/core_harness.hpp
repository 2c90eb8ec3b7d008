// SPDX-License-Identifier: Apache-2.0
// CoreHarness: drives a Verilated tessera_core through its three streams.
//
// One harness owns one model with its own VerilatedContext, so tests can build many.
// run_gemm() tiles C = A * B onto the core (N tiles outer, K tiles inner, zero padding at
// the edges), streams weights and activations, accumulates the K tiles of each output
// on the host and returns C with cycle statistics. Streams are generated on the fly, so a
// 512x512x512 GEMM needs no more memory than its matrices.
//
// Flow-control knobs make each cycle's valid/ready random with a seeded generator; valid,
// once raised, stays high with stable data until the handshake, as the core requires.
#pragma once

#include <verilated.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/verilated_support.hpp"

namespace tessera::sim {

// ---- Packing byte and int32 lanes into Verilator port types -------------------------------

template <typename Port>
void pack_bytes(Port& port, const int8_t* bytes, std::size_t count) {
  uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) {
    value |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  }
  port = static_cast<Port>(value);
}

template <std::size_t Words>
void pack_bytes(VlWide<Words>& port, const int8_t* bytes, std::size_t count) {
  for (std::size_t w = 0; w < Words; ++w) port[w] = 0;
  for (std::size_t i = 0; i < count; ++i) {
    port[i / 4] |= static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << (8 * (i % 4));
  }
}

template <typename Port>
int32_t lane32(const Port& port, std::size_t lane) {
  return static_cast<int32_t>(static_cast<uint64_t>(port) >> (32 * lane));
}

template <std::size_t Words>
int32_t lane32(const VlWide<Words>& port, std::size_t lane) {
  return static_cast<int32_t>(port[lane]);
}

// ---- Run configuration and results ---------------------------------------------------------

struct FlowControl {
  double wgt_valid = 1.0;  // probability that an idle weight stream offers a row this cycle
  double act_valid = 1.0;  // same for activation vectors
  double out_ready = 1.0;  // probability that the consumer is ready this cycle
  uint64_t seed = 1;
};

struct RunStats {
  uint64_t cycles = 0;           // clock edges from start to the last output handshake
  uint64_t first_wgt_cycle = 0;  // cycle index of each stream's first and last handshake
  uint64_t first_act_cycle = 0;
  uint64_t last_act_cycle = 0;
  uint64_t first_out_cycle = 0;
  uint64_t act_vectors = 0;  // vectors streamed (M per tile)
  uint64_t tiles = 0;
  uint64_t useful_macs = 0;  // M*K*N of the GEMM (padding excluded)
  double utilization(std::size_t rows, std::size_t cols) const {
    return cycles ? static_cast<double>(useful_macs) / (static_cast<double>(cycles) * rows * cols)
                  : 0.0;
  }
};

struct GemmResult {
  std::vector<int32_t> c;  // M x N, row-major
  RunStats stats;
};

// ---- The harness ---------------------------------------------------------------------------

template <typename Model>
class CoreHarness {
 public:
  // rows/cols must match the parameters the model was Verilated with. reset_seed picks
  // the random power-up values (+verilator+rand+reset+2) so missing resets show up.
  CoreHarness(std::size_t rows, std::size_t cols, uint64_t reset_seed = 1)
      : rows_(rows), cols_(cols), context_(make_context(reset_seed)) {
    model_ = std::make_unique<Model>(context_.get(), "core");
    reset();
  }

  std::size_t rows() const { return rows_; }
  std::size_t cols() const { return cols_; }

  void reset() {
    model_->wgt_valid_i = 0;
    model_->act_valid_i = 0;
    model_->out_ready_i = 0;
    apply_reset(*model_);
  }

  // C = A (M x K) * B (K x N), int8 in, int32 out, accumulated over K on the host.
  // max_cycles bounds the run so that a hang fails instead of spinning forever.
  GemmResult run_gemm(const std::vector<int8_t>& a, const std::vector<int8_t>& b, std::size_t m,
                      std::size_t k, std::size_t n, const FlowControl& flow = {},
                      uint64_t max_cycles = 0) {
    if (m == 0 || k == 0 || n == 0) {
      throw std::invalid_argument("GEMM dimensions must be >= 1 (M=" + std::to_string(m) +
                                  ", K=" + std::to_string(k) + ", N=" + std::to_string(n) + ")");
    }
    if (a.size() != m * k || b.size() != k * n) {
      throw std::invalid_argument("A/B sizes do not match M x K and K x N");
    }
    const std::size_t k_tiles = (k + rows_ - 1) / rows_;
    const std::size_t n_tiles = (n + cols_ - 1) / cols_;
    const uint64_t tiles = k_tiles * n_tiles;
    const uint64_t total_wgt_rows = tiles * rows_;
    const uint64_t total_acts = tiles * m;
    if (max_cycles == 0) {
      // Generous bound: every handshake at the slowest flow-control probability, plus
      // pipeline fill and drain per tile.
      const double p = std::max(1e-3, std::min({flow.wgt_valid, flow.act_valid, flow.out_ready}));
      max_cycles = static_cast<uint64_t>(
          (static_cast<double>(total_wgt_rows + total_acts) / p + 4.0 * tiles * (rows_ + cols_)) *
              4.0 +
          10000.0);
    }

    GemmResult result;
    result.c.assign(m * n, 0);
    RunStats& st = result.stats;
    st.tiles = tiles;
    st.act_vectors = total_acts;
    st.useful_macs = static_cast<uint64_t>(m) * k * n;

    std::mt19937_64 rng(flow.seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    // Certain events draw no random number, so full-rate runs cost nothing extra.
    auto chance = [&](double p) { return p >= 1.0 || uniform(rng) < p; };
    std::vector<int8_t> row_buf(std::max(rows_, cols_));

    uint64_t wgt_sent = 0, act_sent = 0, out_got = 0, cycle = 0;
    bool wgt_offer = false, act_offer = false;

    while (out_got < total_acts) {
      if (cycle >= max_cycles) {
        throw std::runtime_error("core did not finish within " + std::to_string(max_cycles) +
                                 " cycles (" + std::to_string(out_got) + "/" +
                                 std::to_string(total_acts) + " outputs)");
      }
      // Weight row: tile t = (n tile, k tile), row r of B[k0 + r][n0 .. n0 + cols).
      if (!wgt_offer && wgt_sent < total_wgt_rows) wgt_offer = chance(flow.wgt_valid);
      if (wgt_offer) {
        const uint64_t t = wgt_sent / rows_;
        const std::size_t kr = (t % k_tiles) * rows_ + wgt_sent % rows_;
        const std::size_t n0 = (t / k_tiles) * cols_;
        for (std::size_t c = 0; c < cols_; ++c) {
          row_buf[c] = (kr < k && n0 + c < n) ? b[kr * n + n0 + c] : 0;
        }
        pack_bytes(model_->wgt_data_i, row_buf.data(), cols_);
      }
      // Activation vector: A[mi][k0 .. k0 + rows), last at the end of each tile.
      if (!act_offer && act_sent < total_acts) act_offer = chance(flow.act_valid);
      if (act_offer) {
        const uint64_t t = act_sent / m;
        const std::size_t mi = act_sent % m;
        const std::size_t k0 = (t % k_tiles) * rows_;
        for (std::size_t r = 0; r < rows_; ++r) {
          row_buf[r] = (k0 + r < k) ? a[mi * k + k0 + r] : 0;
        }
        pack_bytes(model_->act_data_i, row_buf.data(), rows_);
        model_->act_last_i = (mi == m - 1);
      }
      const bool out_ready = chance(flow.out_ready);
      model_->wgt_valid_i = wgt_offer;
      model_->act_valid_i = act_offer;
      model_->out_ready_i = out_ready;

      model_->clk_i = 0;
      model_->eval();
      const bool wgt_fire = wgt_offer && model_->wgt_ready_o;
      const bool act_fire = act_offer && model_->act_ready_o;
      const bool out_fire = out_ready && model_->out_valid_o;
      if (out_fire) {
        const uint64_t t = out_got / m;
        const std::size_t mi = out_got % m;
        const std::size_t n0 = (t / k_tiles) * cols_;
        const bool expect_last = (mi == m - 1);
        if (static_cast<bool>(model_->out_last_o) != expect_last) {
          throw std::runtime_error("out_last_o mismatch at output " + std::to_string(out_got));
        }
        for (std::size_t c = 0; c < cols_ && n0 + c < n; ++c) {
          int32_t& dst = result.c[mi * n + n0 + c];
          dst = static_cast<int32_t>(static_cast<uint32_t>(dst) +
                                     static_cast<uint32_t>(lane32(model_->out_data_o, c)));
        }
        if (out_got == 0) st.first_out_cycle = cycle;
        ++out_got;
      }
      if (wgt_fire) {
        if (wgt_sent == 0) st.first_wgt_cycle = cycle;
        ++wgt_sent;
        wgt_offer = false;
      }
      if (act_fire) {
        if (act_sent == 0) st.first_act_cycle = cycle;
        st.last_act_cycle = cycle;
        ++act_sent;
        act_offer = false;
      }
      model_->clk_i = 1;
      model_->eval();
      ++cycle;
      if (context_->gotError()) {
        throw std::runtime_error("RTL assertion failed at cycle " + std::to_string(cycle));
      }
    }
    model_->wgt_valid_i = 0;
    model_->act_valid_i = 0;
    model_->out_ready_i = 0;
    st.cycles = cycle;
    return result;
  }

 private:
  std::size_t rows_, cols_;
  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Model> model_;
};

}  // namespace tessera::sim
