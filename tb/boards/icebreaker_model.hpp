// SPDX-License-Identifier: Apache-2.0
// The iCEBreaker build (constraints/icebreaker/tessera_icebreaker.sv) as a ByteChannel: its
// Verilated model clocked at the board's 12 MHz, with a host-side UART that drives the
// model's receive pin and samples its transmit pin bit by bit, as the FT2232H would.
// CoreLink runs over it unchanged, so the tests exercise the same bytes as a real board.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "Vtessera_icebreaker.h"
#include "tessera/core_link.hpp"
#include "tessera/verilated_support.hpp"

namespace tessera::test {

class IcebreakerModel : public driver::ByteChannel {
 public:
  static constexpr uint64_t kClockHz = 12000000;
  static constexpr unsigned kClocksPerBit = 12;  // 1 Mbaud, the board's rate

  explicit IcebreakerModel(uint64_t reset_seed) : context_(sim::make_context(reset_seed)) {
    model_ = std::make_unique<Vtessera_icebreaker>(context_.get(), "icebreaker");
    model_->button_ni = 1;
    model_->uart_rx_i = 1;
    // The power-on reset: the board's counter holds the link in reset for its first cycles.
    for (int i = 0; i < 32; ++i) step();
  }

  std::string name() const override { return "icebreaker-model"; }

  void write(const uint8_t* data, std::size_t bytes) override {
    for (std::size_t i = 0; i < bytes; ++i) queue_frame(data[i], true);
  }

  void read(uint8_t* data, std::size_t bytes, std::chrono::milliseconds timeout) override {
    const uint64_t limit = uint64_t(timeout.count()) * (kClockHz / 1000);
    uint64_t idle = 0;
    for (std::size_t got = 0; got < bytes;) {
      if (received_.empty()) {
        if (++idle > limit) {
          throw driver::TimeoutError("icebreaker-model: no byte within " +
                                     std::to_string(timeout.count()) + " ms of board time (" +
                                     std::to_string(got) + " of " + std::to_string(bytes) +
                                     " received)");
        }
        step();
        continue;
      }
      idle = 0;
      data[got++] = received_.front();
      received_.pop_front();
    }
  }

  void send_break() override {
    run_until_sent();
    line_.insert(line_.end(), 20, false);  // two frames low
    line_.insert(line_.end(), 10, true);
    run_until_sent();
  }

  void discard_input() override { received_.clear(); }

  // Test hooks: a byte with a bad stop bit; running until every queued bit has been sent;
  // the user button; bytes that arrived with a bad stop bit from the board (must be none).
  void write_damaged(uint8_t byte) {
    queue_frame(byte, false);
    line_.insert(line_.end(), 10, true);  // idle, for the receiver to find the next start
  }
  void run_until_sent() {
    while (!line_.empty()) step();
  }
  void run_cycles(uint64_t n) {
    for (uint64_t i = 0; i < n; ++i) step();
  }
  void press_button(uint64_t cycles) {
    model_->button_ni = 0;
    run_cycles(cycles);
    model_->button_ni = 1;
    run_cycles(8);
  }
  // Bytes received from the board so far, handed over (for a bridge to a real port).
  std::vector<uint8_t> take_received() {
    std::vector<uint8_t> out(received_.begin(), received_.end());
    received_.clear();
    return out;
  }
  bool sending() const { return !line_.empty(); }
  bool led_red() const { return !model_->led_red_no; }
  bool led_green() const { return !model_->led_green_no; }
  uint64_t cycles() const { return cycles_; }
  uint64_t framing_errors() const { return framing_errors_; }

 private:
  void queue_frame(uint8_t byte, bool stop) {
    line_.push_back(false);  // start bit
    for (int b = 0; b < 8; ++b) line_.push_back(((byte >> b) & 1) != 0);
    line_.push_back(stop);
  }

  // One clock cycle: the host's transmitter presents the current bit; its receiver samples
  // the board's transmit pin in the middle of each bit.
  void step() {
    if (!line_.empty()) {
      model_->uart_rx_i = line_.front();
      if (++bit_clock_ == kClocksPerBit) {
        bit_clock_ = 0;
        line_.pop_front();
      }
    } else {
      model_->uart_rx_i = 1;
    }
    model_->clk_12mhz_i = 0;
    model_->eval();
    model_->clk_12mhz_i = 1;
    model_->eval();
    ++cycles_;
    if (context_->gotError()) {
      throw std::runtime_error("RTL assertion failed at board cycle " + std::to_string(cycles_));
    }
    sample_board_tx(model_->uart_tx_o != 0);
  }

  void sample_board_tx(bool level) {
    if (rx_bit_ < 0) {  // idle: a falling edge starts a frame
      if (!level) {
        rx_bit_ = 0;
        rx_clock_ = kClocksPerBit / 2;
      }
      return;
    }
    if (--rx_clock_ > 0) return;
    rx_clock_ = kClocksPerBit;
    if (rx_bit_ == 0) {
      if (level)
        rx_bit_ = -1;  // not a start bit after all
      else
        rx_bit_ = 1, rx_byte_ = 0;
    } else if (rx_bit_ <= 8) {
      rx_byte_ |= uint8_t((level ? 1 : 0) << (rx_bit_ - 1));
      ++rx_bit_;
    } else {
      if (!level) ++framing_errors_;
      received_.push_back(rx_byte_);
      rx_bit_ = -1;
    }
  }

  std::unique_ptr<VerilatedContext> context_;
  std::unique_ptr<Vtessera_icebreaker> model_;
  std::deque<bool> line_;  // host -> board line levels still to send, a bit time each
  unsigned bit_clock_ = 0;
  std::deque<uint8_t> received_;
  int rx_bit_ = -1;  // -1 idle, 0 start bit, 1..8 data bits, 9 stop bit
  unsigned rx_clock_ = 0;
  uint8_t rx_byte_ = 0;
  uint64_t cycles_ = 0;
  uint64_t framing_errors_ = 0;
};

}  // namespace tessera::test
