// SPDX-License-Identifier: Apache-2.0
// The serial link to a board that carries the bare systolic core: the iCEBreaker build
// (constraints/icebreaker, rtl/tessera_core_link.sv; protocol in docs/boards.md). No iCE40
// holds the whole engine, so this board takes weight tiles and activation vectors and
// returns int32 results; CoreLink tiles a GEMM onto it and sums the partial products here.
//
// Errors are exceptions, as everywhere in the driver: DeviceError for a port that cannot
// be used or a board that answers out of protocol, TimeoutError for one that stops
// answering, std::invalid_argument for bad arguments (naming the value and its range).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tessera/device.hpp"

namespace tessera::driver {

// A byte stream to a board: a serial port, or a model of the board in tests.
class ByteChannel {
 public:
  virtual ~ByteChannel() = default;
  virtual std::string name() const = 0;
  virtual void write(const uint8_t* data, std::size_t bytes) = 0;
  // Reads exactly `bytes` bytes; TimeoutError when `timeout` passes with no byte arriving.
  virtual void read(uint8_t* data, std::size_t bytes, std::chrono::milliseconds timeout) = 0;
  // Holds the line low for longer than a frame: the board resets its link and its core.
  virtual void send_break() = 0;
  // Drops whatever was received and not read yet.
  virtual void discard_input() = 0;
};

// The baud rates open_serial_port accepts (the board's is kCoreLinkBaud).
inline constexpr uint32_t kCoreLinkBaud = 1000000;
// A serial port (POSIX termios), raw 8N1 without flow control. DeviceError names the path
// and the reason when it cannot be opened or is not a terminal; std::invalid_argument for a
// baud rate the system has no constant for.
std::unique_ptr<ByteChannel> open_serial_port(const std::string& path, uint32_t baud);

// What the board reports about itself ('I').
struct CoreLinkInfo {
  uint32_t version = 0;
  uint32_t rows = 0;  // the core's NumRows: K per tile
  uint32_t cols = 0;  // its NumCols: N per tile
  bool product_register = false;
  uint32_t rx_buffer_bytes = 0;  // the board's receive queue: the host's send window
  uint8_t status = 0;            // bit 0 a byte was dropped (queue full), bit 1 a damaged byte
};

class CoreLink {
 public:
  // Resets the board's link with a break and identifies it. DeviceError when the board does
  // not answer as a Tessera core link of a known version.
  explicit CoreLink(std::unique_ptr<ByteChannel> channel,
                    std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

  // Resets the board's link and core with a break and identifies it again: the way back
  // after a timeout or an out-of-step error. info().status then says whether the board had
  // dropped or damaged bytes before (the break does not clear it; the identify does).
  void reset();

  const CoreLinkInfo& info() const { return info_; }
  // Asks again ('I'); the status bits it returns are cleared on the board.
  CoreLinkInfo identify();

  // C (m x n, int32, row-major) = A (m x k) * B (k x n), both int8 row-major, any shape:
  // B is cut into rows x cols tiles (zero-padded at the edges), each tile's partial sums
  // come back from the board and add up here with int32 wrap-around, as the engine's
  // accumulator does. Afterwards the board is asked for its status: DeviceError if it
  // dropped or damaged a byte.
  std::vector<int32_t> gemm(const std::vector<int8_t>& a, const std::vector<int8_t>& b,
                            std::size_t m, std::size_t k, std::size_t n);

  // Bytes sent and received so far (for throughput figures).
  uint64_t bytes_sent() const { return bytes_sent_; }
  uint64_t bytes_received() const { return bytes_received_; }

 private:
  void send(const std::vector<uint8_t>& frame);
  void receive(uint8_t* data, std::size_t bytes);
  void receive_result(int32_t* out);
  void fail_out_of_step(uint8_t got, const char* expected);

  std::unique_ptr<ByteChannel> channel_;
  std::chrono::milliseconds timeout_;
  CoreLinkInfo info_;
  uint64_t bytes_sent_ = 0;
  uint64_t bytes_received_ = 0;
};

}  // namespace tessera::driver
