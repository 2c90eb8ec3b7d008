// SPDX-License-Identifier: Apache-2.0
// CoreLink: GEMMs tiled onto a board's bare core over a byte channel, and the POSIX serial
// port behind it (include/tessera/core_link.hpp; the protocol is rtl/tessera_core_link.sv's).
#include "tessera/core_link.hpp"

#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <sstream>
#include <stdexcept>

#include "messages.hpp"
#include "posix_file.hpp"

namespace tessera::driver {

namespace {

// Opcodes and reply tags (ASCII).
constexpr uint8_t kOpIdentify = 'I';
constexpr uint8_t kOpWeights = 'W';
constexpr uint8_t kOpVector = 'A';
constexpr uint8_t kOpLastVector = 'L';
constexpr uint8_t kTagResult = 'R';
constexpr uint8_t kTagError = 'E';
constexpr uint32_t kVersion = 1;
constexpr std::size_t kIdentifyBytes = 9;

// ---- POSIX serial port ------------------------------------------------------------------

speed_t baud_constant(uint32_t baud) {
  static const struct {
    uint32_t rate;
    speed_t constant;
  } rates[] = {{9600, B9600},      {19200, B19200},     {38400, B38400},     {57600, B57600},
               {115200, B115200},  {230400, B230400},   {460800, B460800},   {500000, B500000},
               {921600, B921600},  {1000000, B1000000}, {1500000, B1500000}, {2000000, B2000000},
               {3000000, B3000000}};
  std::string accepted;
  for (const auto& r : rates) {
    if (r.rate == baud) return r.constant;
    accepted += (accepted.empty() ? "" : ", ") + std::to_string(r.rate);
  }
  throw std::invalid_argument("baud rate " + std::to_string(baud) + " is not one of " + accepted);
}

class SerialPort : public ByteChannel {
 public:
  SerialPort(const std::string& path, uint32_t baud)
      : file_(path, O_RDWR | O_NOCTTY | O_CLOEXEC), baud_(baud) {
    const speed_t speed = baud_constant(baud);
    termios t{};
    if (::tcgetattr(file_.fd(), &t) != 0) {
      throw detail::system_error("not a serial port:", path);
    }
    ::cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(CSTOPB | PARENB | CRTSCTS);
    t.c_iflag &= ~(IXON | IXOFF | IXANY);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    if (::cfsetispeed(&t, speed) != 0 || ::cfsetospeed(&t, speed) != 0 ||
        ::tcsetattr(file_.fd(), TCSANOW, &t) != 0) {
      throw detail::system_error("cannot set 8N1 at " + std::to_string(baud) + " baud on", path);
    }
    ::tcflush(file_.fd(), TCIOFLUSH);
  }

  std::string name() const override {
    return "serial:" + file_.path() + "@" + std::to_string(baud_);
  }

  void write(const uint8_t* data, std::size_t bytes) override {
    while (bytes > 0) {
      const ssize_t n = ::write(file_.fd(), data, bytes);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw detail::system_error("write failed on", file_.path());
      data += n;
      bytes -= std::size_t(n);
    }
  }

  void read(uint8_t* data, std::size_t bytes, std::chrono::milliseconds timeout) override {
    std::size_t got = 0;
    while (got < bytes) {
      if (!file_.poll_readable(int(timeout.count()))) {
        throw TimeoutError("no byte from " + file_.path() + " within " +
                           std::to_string(timeout.count()) + " ms (" + std::to_string(got) +
                           " of " + std::to_string(bytes) + " received)");
      }
      const ssize_t n = ::read(file_.fd(), data + got, bytes - got);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n < 0) throw detail::system_error("read failed on", file_.path());
      if (n == 0) throw DeviceError(file_.path() + " was closed (the board unplugged?)");
      got += std::size_t(n);
    }
  }

  void send_break() override {
    // Bytes already written go out first; then the line stays low for 0.25 to 0.5 s.
    if (::tcdrain(file_.fd()) != 0 || ::tcsendbreak(file_.fd(), 0) != 0) {
      throw detail::system_error("cannot send a break on", file_.path());
    }
  }

  void discard_input() override { ::tcflush(file_.fd(), TCIFLUSH); }

 private:
  detail::File file_;
  uint32_t baud_;
};

}  // namespace

std::unique_ptr<ByteChannel> open_serial_port(const std::string& path, uint32_t baud) {
  baud_constant(baud);  // a bad rate is refused before the port is touched
  return std::make_unique<SerialPort>(path, baud);
}

// ---- CoreLink ---------------------------------------------------------------------------

CoreLink::CoreLink(std::unique_ptr<ByteChannel> channel, std::chrono::milliseconds timeout)
    : channel_(std::move(channel)), timeout_(timeout) {
  if (!channel_) throw std::invalid_argument("CoreLink needs a channel");
  reset();
}

void CoreLink::reset() {
  channel_->send_break();
  channel_->discard_input();
  info_ = identify();
  if (info_.version != kVersion) {
    throw DeviceError(channel_->name() + ": core link version " + std::to_string(info_.version) +
                      ", this driver speaks version " + std::to_string(kVersion));
  }
  const std::size_t weight_frame = 1 + std::size_t(info_.rows) * info_.cols;
  const std::size_t vector_frame = 1 + std::size_t(info_.rows);
  if (info_.rows == 0 || info_.cols == 0 || info_.rx_buffer_bytes < weight_frame + vector_frame) {
    throw DeviceError(channel_->name() + ": a " + std::to_string(info_.rows) + " x " +
                      std::to_string(info_.cols) + " core with a " +
                      std::to_string(info_.rx_buffer_bytes) +
                      "-byte receive buffer cannot hold a weight frame and a vector");
  }
}

void CoreLink::send(const std::vector<uint8_t>& frame) {
  channel_->write(frame.data(), frame.size());
  bytes_sent_ += frame.size();
}

void CoreLink::receive(uint8_t* data, std::size_t bytes) {
  channel_->read(data, bytes, timeout_);
  bytes_received_ += bytes;
}

void CoreLink::fail_out_of_step(uint8_t got, const char* expected) {
  throw DeviceError(channel_->name() + ": the board sent " + detail::hex(got) + " where " +
                    expected +
                    " was expected; the link is out of step (open it again to reset it)");
}

CoreLinkInfo CoreLink::identify() {
  send({kOpIdentify});
  uint8_t r[kIdentifyBytes];
  receive(r, 1);
  if (r[0] != kOpIdentify) {
    throw DeviceError(channel_->name() + " answered " + detail::hex(r[0]) +
                      " to identify, not 'I': not a Tessera core link (is it the board's "
                      "serial port, and its bitstream loaded?)");
  }
  receive(r + 1, kIdentifyBytes - 1);
  if (r[1] != 'T' || r[2] != 'L') {
    throw DeviceError(channel_->name() + " answered 'I' " + detail::hex(r[1]) + " " +
                      detail::hex(r[2]) + " to identify, not 'I' 'T' 'L': not a Tessera core link");
  }
  if (r[8] > 20) {
    throw DeviceError(channel_->name() + ": receive buffer of 2^" + std::to_string(r[8]) +
                      " bytes reported; the link is out of step");
  }
  CoreLinkInfo info;
  info.version = r[3];
  info.rows = r[4];
  info.cols = r[5];
  info.product_register = (r[6] & 1) != 0;
  info.status = r[7];
  info.rx_buffer_bytes = 1u << r[8];
  return info;
}

void CoreLink::receive_result(int32_t* out) {
  uint8_t tag;
  receive(&tag, 1);
  if (tag == kTagError) {
    uint8_t e[2];
    receive(e, 2);
    throw DeviceError(channel_->name() + ": the board rejected opcode " + detail::hex(e[1]) +
                      " (error " + std::to_string(e[0]) + ")");
  }
  if (tag != kTagResult) fail_out_of_step(tag, "a result ('R')");
  std::vector<uint8_t> bytes(std::size_t(info_.cols) * 4);
  receive(bytes.data(), bytes.size());
  for (std::size_t c = 0; c < info_.cols; ++c) {
    const uint32_t v = uint32_t(bytes[4 * c]) | uint32_t(bytes[4 * c + 1]) << 8 |
                       uint32_t(bytes[4 * c + 2]) << 16 | uint32_t(bytes[4 * c + 3]) << 24;
    out[c] = int32_t(v);
  }
}

std::vector<int32_t> CoreLink::gemm(const std::vector<int8_t>& a, const std::vector<int8_t>& b,
                                    std::size_t m, std::size_t k, std::size_t n) {
  constexpr long long kMaxDim = 1 << 20;
  detail::require_range("M", static_cast<long long>(m), 1, kMaxDim);
  detail::require_range("K", static_cast<long long>(k), 1, kMaxDim);
  detail::require_range("N", static_cast<long long>(n), 1, kMaxDim);
  detail::require_size("A", a.size(), m * k, "M x K");
  detail::require_size("B", b.size(), k * n, "K x N");
  const std::size_t rows = info_.rows, cols = info_.cols;
  std::vector<uint32_t> acc(m * n, 0);  // uint32: wraps like the engine's int32 accumulator
  std::vector<int32_t> partial(cols);

  // Frames sent and not yet answered, oldest first. Their bytes never exceed the board's
  // receive buffer, so none is dropped: a weight frame counts until the next vector's
  // result arrives (frames are handled in order).
  struct Pending {
    std::size_t bytes;
    bool vector;
    std::size_t row, col0;
  };
  std::deque<Pending> pending;
  std::size_t outstanding = 0;
  const auto take_oldest_result = [&] {
    while (!pending.front().vector) {
      outstanding -= pending.front().bytes;
      pending.pop_front();
    }
    const Pending p = pending.front();
    receive_result(partial.data());
    for (std::size_t c = 0; c < cols && p.col0 + c < n; ++c) {
      acc[p.row * n + p.col0 + c] += uint32_t(partial[c]);
    }
    outstanding -= p.bytes;
    pending.pop_front();
  };
  const auto post = [&](const std::vector<uint8_t>& frame, const Pending& p) {
    while (outstanding + frame.size() > info_.rx_buffer_bytes) take_oldest_result();
    send(frame);
    pending.push_back(p);
    outstanding += frame.size();
  };

  std::vector<uint8_t> weights(1 + rows * cols), vector(1 + rows);
  for (std::size_t k0 = 0; k0 < k; k0 += rows) {
    for (std::size_t n0 = 0; n0 < n; n0 += cols) {
      weights[0] = kOpWeights;
      for (std::size_t r = 0; r < rows; ++r) {
        for (std::size_t c = 0; c < cols; ++c) {
          const bool inside = k0 + r < k && n0 + c < n;
          weights[1 + r * cols + c] = inside ? uint8_t(b[(k0 + r) * n + n0 + c]) : 0;
        }
      }
      post(weights, {weights.size(), false, 0, 0});
      for (std::size_t i = 0; i < m; ++i) {
        vector[0] = i + 1 == m ? kOpLastVector : kOpVector;
        for (std::size_t r = 0; r < rows; ++r) {
          vector[1 + r] = k0 + r < k ? uint8_t(a[i * k + k0 + r]) : 0;
        }
        post(vector, {vector.size(), true, i, n0});
      }
    }
  }
  while (!pending.empty()) take_oldest_result();

  const CoreLinkInfo after = identify();
  if (after.status != 0) {
    throw DeviceError(channel_->name() + ": the board " +
                      ((after.status & 1) ? "dropped a byte (its receive buffer was full)"
                                          : "received a damaged byte (bad stop bit)") +
                      " during this GEMM: its results are not trusted (status " +
                      detail::hex(after.status) + ")");
  }
  std::vector<int32_t> out(acc.size());
  for (std::size_t i = 0; i < acc.size(); ++i) out[i] = int32_t(acc[i]);
  return out;
}

}  // namespace tessera::driver
