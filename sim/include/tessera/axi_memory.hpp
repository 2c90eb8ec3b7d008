// SPDX-License-Identifier: Apache-2.0
// AxiMemory: a SystemC AXI4 slave memory for Tessera's simulations.
//
//  - Timing knobs: read and write latency, read bandwidth (beats per cycle, fractional),
//    outstanding-burst limits, and seeded random stalls on every ready and valid it drives.
//  - A sparse backing store the host side reads and writes directly (tests, later the
//    driver). Bytes never written read as a fixed pattern of their address, so a test can
//    tell that a byte was left alone.
//  - A protocol checker that runs on every cycle: handshake signals held stable while
//    valid && !ready, INCR bursts only (the engine issues nothing else), legal sizes, no
//    burst across 4 KiB, WLAST on the burst's last beat and nowhere else. Violations are
//    collected for the test to fail on.
//  - Error injection: bursts that touch chosen address ranges get SLVERR or DECERR; such
//    writes change nothing.
//
// One clocked process samples every input at the rising edge (the values before the edge,
// as a flip-flop would) and drives the outputs for the next cycle.
#pragma once

#include <systemc.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <random>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "tessera/axi_memory_config.hpp"

namespace tessera::sim {

// The C++ type Verilator's SystemC output uses for a port of `Bits` bits.
template <int Bits>
using ScPort =
    std::conditional_t<Bits == 1, bool,
                       std::conditional_t<Bits <= 32, uint32_t,
                                          std::conditional_t<Bits <= 64, uint64_t, sc_bv<Bits>>>>;

// Bytes <-> port values, for every port type above.
template <int Bits>
void bytes_to_port(const uint8_t* bytes, ScPort<Bits>& value) {
  if constexpr (Bits <= 64) {
    uint64_t v = 0;
    for (int i = 0; i < Bits / 8; ++i) v |= static_cast<uint64_t>(bytes[i]) << (8 * i);
    value = static_cast<ScPort<Bits>>(v);
  } else {
    for (int w = 0; w < Bits / 32; ++w) {
      uint32_t v = 0;
      for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(bytes[4 * w + i]) << (8 * i);
      value.set_word(w, v);
    }
  }
}

template <int Bits>
void port_to_bytes(const ScPort<Bits>& value, uint8_t* bytes) {
  if constexpr (Bits <= 64) {
    const auto v = static_cast<uint64_t>(value);
    for (int i = 0; i < Bits / 8; ++i) bytes[i] = static_cast<uint8_t>(v >> (8 * i));
  } else {
    for (int w = 0; w < Bits / 32; ++w) {
      const uint32_t v = value.get_word(w);
      for (int i = 0; i < 4; ++i) bytes[4 * w + i] = static_cast<uint8_t>(v >> (8 * i));
    }
  }
}

enum class AxiResp : uint32_t { kOkay = 0, kSlvErr = 2, kDecErr = 3 };

struct AxiMemoryStats {
  uint64_t cycles = 0, read_beats = 0, write_beats = 0, read_bursts = 0, write_bursts = 0;
};

template <int DataWidth>
SC_MODULE(AxiMemory) {
  static constexpr int kBytes = DataWidth / 8;
  using Data = ScPort<DataWidth>;
  using Strb = ScPort<kBytes>;

  sc_in<bool> clk;
  sc_in<bool> rst_n;
  // Write address, data, response
  sc_in<bool> awvalid;
  sc_out<bool> awready;
  sc_in<uint32_t> awid, awlen, awsize, awburst, awcache, awprot;
  sc_in<uint64_t> awaddr;
  sc_in<bool> wvalid;
  sc_out<bool> wready;
  sc_in<Data> wdata;
  sc_in<Strb> wstrb;
  sc_in<bool> wlast;
  sc_out<bool> bvalid;
  sc_in<bool> bready;
  sc_out<uint32_t> bid, bresp;
  // Read address, data
  sc_in<bool> arvalid;
  sc_out<bool> arready;
  sc_in<uint32_t> arid, arlen, arsize, arburst, arcache, arprot;
  sc_in<uint64_t> araddr;
  sc_out<bool> rvalid;
  sc_in<bool> rready;
  sc_out<uint32_t> rid, rresp;
  sc_out<Data> rdata;
  sc_out<bool> rlast;

  SC_CTOR(AxiMemory) {
    SC_METHOD(on_clock);
    sensitive << clk.pos();
    dont_initialize();
  }

  // ---- Host side ------------------------------------------------------------------------

  void configure(const AxiMemoryConfig& config) {
    config_ = config;
    rng_.seed(config.seed);
  }
  const AxiMemoryConfig& config() const { return config_; }

  void write(uint64_t addr, const uint8_t* bytes, std::size_t count) {
    for (std::size_t i = 0; i < count; ++i) byte(addr + i) = bytes[i];
  }
  void write(uint64_t addr, const std::vector<uint8_t>& bytes) {
    write(addr, bytes.data(), bytes.size());
  }
  std::vector<uint8_t> read(uint64_t addr, std::size_t count) const {
    std::vector<uint8_t> out(count);
    for (std::size_t i = 0; i < count; ++i) out[i] = peek(addr + i);
    return out;
  }
  // The value a never-written byte reads as.
  static uint8_t background(uint64_t addr) {
    uint64_t x = addr * 0x9e3779b97f4a7c15ull;
    return static_cast<uint8_t>((x >> 56) ^ (x >> 29));
  }
  void clear() { pages_.clear(); }

  // Bursts touching [base, base + size) get `resp` (writes to them change nothing).
  void inject_error(uint64_t base, uint64_t size, AxiResp resp) {
    errors_.push_back({base, size, resp});
  }
  void clear_errors() { errors_.clear(); }

  const std::vector<std::string>& violations() const { return violations_; }
  void clear_violations() { violations_.clear(); }
  const AxiMemoryStats& stats() const { return stats_; }
  // Opt-in: measure the wall-clock time spent in the model's clock process (benchmarks).
  void set_profiling(bool on) { profiling_ = on; }
  double profiled_seconds() const { return profiled_seconds_; }
  void clear_stats() { stats_ = {}; }
  bool idle() const {
    return reads_.empty() && writes_.empty() && wbeats_.empty() && bqueue_.empty();
  }

 private:
  struct Burst {
    uint64_t addr;
    unsigned beats, size, id;
    uint64_t ready_at;  // first cycle a beat or response may be presented
    AxiResp resp;
    unsigned done = 0;  // beats transferred so far
  };
  struct WBeat {
    std::array<uint8_t, kBytes> data;
    uint64_t strb;
    bool last;
  };
  struct ErrorRange {
    uint64_t base, size;
    AxiResp resp;
  };
  struct AddrSample {
    bool valid = false;
    uint64_t addr = 0;
    uint32_t len = 0, size = 0, burst = 0, id = 0;
    bool operator!=(const AddrSample& o) const {
      return addr != o.addr || len != o.len || size != o.size || burst != o.burst || id != o.id;
    }
  };

  using Page = std::array<uint8_t, 4096>;

  uint8_t& byte(uint64_t addr) {
    auto [it, inserted] = pages_.try_emplace(addr >> 12);
    if (inserted) {
      for (unsigned i = 0; i < 4096; ++i) it->second[i] = background((addr & ~0xfffull) + i);
    }
    return it->second[addr & 0xfff];
  }
  uint8_t peek(uint64_t addr) const {
    const auto it = pages_.find(addr >> 12);
    return it == pages_.end() ? background(addr) : it->second[addr & 0xfff];
  }

  bool chance(double p) {
    return p >= 1.0 || std::uniform_real_distribution<double>(0, 1)(rng_) < p;
  }

  void violation(const std::string& what) {
    if (violations_.size() < 100) {
      violations_.push_back("cycle " + std::to_string(stats_.cycles) + ": " + what);
    }
  }

  AxiResp response_for(uint64_t addr, uint64_t bytes) const {
    for (const auto& e : errors_) {
      if (addr < e.base + e.size && e.base < addr + bytes) return e.resp;
    }
    return AxiResp::kOkay;
  }

  // Checks an address channel's payload and builds the burst.
  Burst accept(const AddrSample& s, const char* channel, uint64_t ready_at) {
    const unsigned beats = s.len + 1, bytes = 1u << s.size;
    if (s.burst != 1)
      violation(std::string(channel) + ": burst type " + std::to_string(s.burst) + " is not INCR");
    if (bytes > kBytes)
      violation(std::string(channel) + ": size " + std::to_string(bytes) +
                " bytes exceeds the bus");
    const uint64_t start = s.addr & ~uint64_t(bytes - 1);
    const uint64_t last = start + uint64_t(beats) * bytes - 1;
    if ((start >> 12) != (last >> 12)) {
      violation(std::string(channel) + ": burst at 0x" + to_hex(s.addr) + " of " +
                std::to_string(beats) + " beats crosses a 4 KiB boundary");
    }
    if (start < config_.allowed_base || last > config_.allowed_limit) {
      violation(std::string(channel) + ": burst at 0x" + to_hex(s.addr) + " of " +
                std::to_string(beats) + " beats leaves the allowed range [0x" +
                to_hex(config_.allowed_base) + ", 0x" + to_hex(config_.allowed_limit) + "]");
    }
    return {s.addr, beats, s.size, s.id, ready_at, response_for(start, last - start + 1)};
  }

  static std::string to_hex(uint64_t v) {
    char buf[20];
    std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
    return buf;
  }

  // Address of beat i of a burst (AXI4 INCR: first beat at addr, then size-aligned).
  static uint64_t beat_addr(const Burst& b, unsigned i) {
    const uint64_t bytes = 1ull << b.size;
    return i == 0 ? b.addr : (b.addr & ~(bytes - 1)) + i * bytes;
  }

  void check_stable(const char* channel, const AddrSample& now, const AddrSample& before,
                    bool stalled_before) {
    if (!stalled_before) return;
    if (!now.valid)
      violation(std::string(channel) + "VALID dropped before its handshake");
    else if (now != before)
      violation(std::string(channel) + " payload changed while stalled");
  }

  void reset_state() {
    reads_.clear();
    writes_.clear();
    wbeats_.clear();
    bqueue_.clear();
    r_presenting_ = b_presenting_ = false;
    ar_stalled_ = aw_stalled_ = w_stalled_ = false;
    tokens_ = 0;
    arready.write(false);
    awready.write(false);
    wready.write(false);
    rvalid.write(false);
    bvalid.write(false);
  }

  void on_clock() {
    if (!profiling_) return step();
    const auto start = std::chrono::steady_clock::now();
    step();
    profiled_seconds_ +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  void step() {
    if (!rst_n.read()) {
      reset_state();
      return;
    }
    ++stats_.cycles;
    const uint64_t now = stats_.cycles;

    // ---- Sample the handshakes that happened at this edge -------------------------------
    const AddrSample ar{arvalid.read(), araddr.read(),  arlen.read(),
                        arsize.read(),  arburst.read(), arid.read()};
    const AddrSample aw{awvalid.read(), awaddr.read(),  awlen.read(),
                        awsize.read(),  awburst.read(), awid.read()};
    check_stable("AR", ar, ar_prev_, ar_stalled_);
    check_stable("AW", aw, aw_prev_, aw_stalled_);
    const bool ar_fire = ar.valid && arready.read();
    const bool aw_fire = aw.valid && awready.read();
    const bool w_valid = wvalid.read();
    WBeat w{};
    port_to_bytes<DataWidth>(wdata.read(), w.data.data());
    w.strb = static_cast<uint64_t>(strb_bits(wstrb.read()));
    w.last = wlast.read();
    if (w_stalled_ &&
        (!w_valid || w.data != w_prev_.data || w.strb != w_prev_.strb || w.last != w_prev_.last)) {
      violation("W changed or dropped while stalled");
    }
    const bool w_fire = w_valid && wready.read();
    const bool r_fire = r_presenting_ && rready.read();
    const bool b_fire = b_presenting_ && bready.read();
    ar_stalled_ = ar.valid && !arready.read();
    aw_stalled_ = aw.valid && !awready.read();
    w_stalled_ = w_valid && !wready.read();
    ar_prev_ = ar;
    aw_prev_ = aw;
    w_prev_ = w;

    // ---- Apply them ---------------------------------------------------------------------
    if (ar_fire) {
      reads_.push_back(accept(ar, "AR", now + config_.read_latency));
      ++stats_.read_bursts;
    }
    if (aw_fire) {
      writes_.push_back(accept(aw, "AW", 0));
      ++stats_.write_bursts;
    }
    if (w_fire) {
      wbeats_.push_back(w);
      ++stats_.write_beats;
    }
    if (r_fire) {
      Burst& b = reads_.front();
      ++b.done;
      ++stats_.read_beats;
      tokens_ -= 1.0;
      if (b.done == b.beats) reads_.pop_front();
      r_presenting_ = false;
    }
    if (b_fire) {
      bqueue_.pop_front();
      b_presenting_ = false;
    }
    complete_writes(now);

    // ---- Drive the next cycle ------------------------------------------------------------
    arready.write(reads_.size() < config_.max_reads && chance(config_.ready_probability));
    awready.write(writes_.size() + bqueue_.size() < config_.max_writes &&
                  chance(config_.ready_probability));
    wready.write(chance(config_.ready_probability));

    tokens_ = std::min(1.0, tokens_ + config_.read_beats_per_cycle);
    if (!r_presenting_ && !reads_.empty() && reads_.front().ready_at <= now && tokens_ >= 1.0 &&
        chance(config_.valid_probability)) {
      const Burst& b = reads_.front();
      std::array<uint8_t, kBytes> lanes{};
      const uint64_t a = beat_addr(b, b.done);
      const uint64_t base = a & ~uint64_t(kBytes - 1);
      for (int i = 0; i < kBytes; ++i) lanes[i] = peek(base + i);
      Data value{};
      bytes_to_port<DataWidth>(lanes.data(), value);
      rdata.write(value);
      rresp.write(static_cast<uint32_t>(b.resp));
      rid.write(b.id);
      rlast.write(b.done + 1 == b.beats);
      r_presenting_ = true;
    }
    rvalid.write(r_presenting_);

    if (!b_presenting_ && !bqueue_.empty() && bqueue_.front().ready_at <= now &&
        chance(config_.valid_probability)) {
      bresp.write(static_cast<uint32_t>(bqueue_.front().resp));
      bid.write(bqueue_.front().id);
      b_presenting_ = true;
    }
    bvalid.write(b_presenting_);
  }

  template <typename S>
  static uint64_t strb_bits(const S& s) {
    if constexpr (std::is_integral_v<S>)
      return static_cast<uint64_t>(s);
    else
      return s.to_uint64();
  }

  // Matches W beats to accepted AW bursts in order; a complete burst is written (unless it
  // drew an error) and its response queued.
  void complete_writes(uint64_t now) {
    while (!writes_.empty() && !wbeats_.empty()) {
      Burst& b = writes_.front();
      const WBeat& beat = wbeats_.front();
      const bool last_expected = b.done + 1 == b.beats;
      if (beat.last != last_expected) {
        violation("WLAST " + std::string(beat.last ? "on" : "missing from") + " beat " +
                  std::to_string(b.done) + " of a " + std::to_string(b.beats) + "-beat burst");
      }
      if (b.resp == AxiResp::kOkay) {
        const uint64_t a = beat_addr(b, b.done);
        const uint64_t base = a & ~uint64_t(kBytes - 1);
        for (int i = 0; i < kBytes; ++i) {
          if ((beat.strb >> i) & 1) byte(base + i) = beat.data[i];
        }
      }
      wbeats_.pop_front();
      if (++b.done == b.beats) {
        b.ready_at = now + config_.write_latency;
        bqueue_.push_back(b);
        writes_.pop_front();
      }
    }
  }

  AxiMemoryConfig config_;
  std::mt19937_64 rng_{1};
  std::unordered_map<uint64_t, Page> pages_;
  std::vector<ErrorRange> errors_;
  std::vector<std::string> violations_;
  AxiMemoryStats stats_;
  std::deque<Burst> reads_, writes_, bqueue_;
  std::deque<WBeat> wbeats_;
  bool r_presenting_ = false, b_presenting_ = false;
  bool ar_stalled_ = false, aw_stalled_ = false, w_stalled_ = false;
  AddrSample ar_prev_, aw_prev_;
  WBeat w_prev_{};
  double tokens_ = 0;
  bool profiling_ = false;
  double profiled_seconds_ = 0;
};

}  // namespace tessera::sim
