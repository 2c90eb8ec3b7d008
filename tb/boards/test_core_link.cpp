// SPDX-License-Identifier: Apache-2.0
// The iCEBreaker build end to end: the board's RTL (tessera_icebreaker: serial link and a
// 4x2 core), Verilated and clocked at 12 MHz, driven bit by bit over its serial pins by the
// driver's CoreLink - the code that talks to a real board. Random GEMMs are bit-exact
// against the reference model; the protocol's errors and its recovery are provoked on
// purpose. The serial port itself (termios) is tested over a pseudo-terminal.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <random>
#include <thread>

#include "icebreaker_model.hpp"
#include "tessera/core_link.hpp"
#include "tessera/ref.hpp"
#include "test_seed.hpp"

namespace {

namespace drv = tessera::driver;
using tessera::test::IcebreakerModel;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;

constexpr uint32_t kRows = 4, kCols = 2;  // constraints/icebreaker/tessera_icebreaker.sv

std::vector<int8_t> random_int8(std::mt19937_64& rng, std::size_t n) {
  std::vector<int8_t> v(n);
  for (auto& x : v) x = int8_t(int(rng() % 256) - 128);
  return v;
}

class CoreLinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    auto model = std::make_unique<IcebreakerModel>(seed_);
    board_ = model.get();
    link_ = std::make_unique<drv::CoreLink>(std::move(model), 200ms);
  }

  // A raw exchange on the channel, bypassing CoreLink.
  std::vector<uint8_t> exchange(const std::vector<uint8_t>& out, std::size_t reply_bytes) {
    board_->write(out.data(), out.size());
    std::vector<uint8_t> in(reply_bytes);
    board_->read(in.data(), in.size(), 50ms);
    return in;
  }

  void expect_gemm_matches(std::size_t m, std::size_t k, std::size_t n) {
    const auto a = random_int8(rng_, m * k);
    const auto b = random_int8(rng_, k * n);
    const auto got = link_->gemm(a, b, m, k, n);
    EXPECT_EQ(got, tessera::ref::gemm(a, b, {}, m, k, n))
        << m << " x " << k << " x " << n << ", seed " << seed_;
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
  IcebreakerModel* board_ = nullptr;  // owned by link_
  std::unique_ptr<drv::CoreLink> link_;
};

TEST_F(CoreLinkTest, IdentifiesTheBoardsCore) {
  const auto& info = link_->info();
  EXPECT_EQ(info.version, 1u);
  EXPECT_EQ(info.rows, kRows);
  EXPECT_EQ(info.cols, kCols);
  EXPECT_FALSE(info.product_register);
  EXPECT_EQ(info.rx_buffer_bytes, 512u);
  EXPECT_EQ(info.status, 0);
  EXPECT_EQ(board_->framing_errors(), 0u);
}

TEST_F(CoreLinkTest, RandomGemmsMatchTheReference) {
  // Shapes below, at and above a tile in every dimension, and a long one that keeps the
  // send window full (more bytes in flight than the board's 512-byte receive buffer).
  const std::size_t shapes[][3] = {{1, 1, 1}, {1, 4, 2},    {3, 5, 3},
                                   {7, 9, 5}, {16, 16, 16}, {200, 4, 2}};
  for (const auto& s : shapes) expect_gemm_matches(s[0], s[1], s[2]);
  for (int i = 0; i < 4; ++i) {
    expect_gemm_matches(1 + rng_() % 24, 1 + rng_() % 24, 1 + rng_() % 12);
  }
  EXPECT_EQ(board_->framing_errors(), 0u);
  EXPECT_FALSE(board_->led_red());
}

TEST_F(CoreLinkTest, ExtremeOperandsWrapLikeTheEngine) {
  // -128 * -128 * K: large sums, checked bit-exact (the host adds tiles with int32 wrap).
  const std::size_t m = 3, k = 40, n = 5;
  const std::vector<int8_t> a(m * k, -128), b(k * n, -128);
  EXPECT_EQ(link_->gemm(a, b, m, k, n), tessera::ref::gemm(a, b, {}, m, k, n));
}

TEST_F(CoreLinkTest, UnknownOpcodeIsAnsweredWithAnErrorAndTheLinkStaysInStep) {
  EXPECT_EQ(exchange({'Z'}, 3), (std::vector<uint8_t>{'E', 0x01, 'Z'}));
  EXPECT_EQ(exchange({0x00}, 3), (std::vector<uint8_t>{'E', 0x01, 0x00}));
  expect_gemm_matches(5, 6, 3);
}

TEST_F(CoreLinkTest, ResultsAndRepliesKeepTheOrderOfTheirRequests) {
  // An identify and a bad opcode sent right behind vectors are answered after their results.
  std::vector<uint8_t> out = {'W', 1, 2, 3,   4,   5, 6, 7, 8, 'A', 1,
                              1,   1, 1, 'I', 'L', 1, 0, 0, 0, 'Q'};
  const auto in = exchange(out, 9 + 9 + 9 + 3);
  EXPECT_EQ(in[0], 'R');
  EXPECT_EQ(in[1], 1 + 3 + 5 + 7);  // column 0 of (1 1 1 1) x W
  EXPECT_EQ(in[9], 'I');
  EXPECT_EQ(in[18], 'R');
  EXPECT_EQ(in[19], 1);  // column 0 of (1 0 0 0) x W
  EXPECT_EQ(in[27], 'E');
  EXPECT_EQ(in[29], 'Q');
}

TEST_F(CoreLinkTest, OverrunIsReportedAndABreakRecovers) {
  // 400 vectors (2 009 bytes) in one go: each result (9 bytes) takes longer to send than
  // its vector (5 bytes) to arrive, so the board's 512-byte receive buffer overflows.
  std::vector<uint8_t> flood = {'W', 1, 1, 1, 1, 1, 1, 1, 1};
  for (int i = 0; i < 400; ++i) flood.insert(flood.end(), {'A', 1, 2, 3, 4});
  board_->write(flood.data(), flood.size());
  board_->run_until_sent();
  EXPECT_TRUE(board_->led_red());
  // The link is out of step now (frames lost bytes): a reset gets it back and reports it.
  link_->reset();
  EXPECT_EQ(link_->info().status & 1, 1) << "the overrun must survive the break";
  EXPECT_FALSE(board_->led_red()) << "the identify after the break reported and cleared it";
  EXPECT_EQ(link_->identify().status, 0);
  expect_gemm_matches(9, 7, 5);
}

TEST_F(CoreLinkTest, DamagedByteIsDroppedAndReported) {
  board_->write_damaged('I');  // a bad stop bit: not an identify
  EXPECT_EQ(link_->identify().status, 2);
  EXPECT_EQ(link_->identify().status, 0);
  // A GEMM that sees a damaged byte on the way is not trusted.
  const std::vector<int8_t> a(8, 1), b(8, 1);
  board_->write_damaged(0x41);
  EXPECT_THAT([&] { link_->gemm(a, b, 2, 4, 2); },
              ThrowsMessage<drv::DeviceError>(HasSubstr("received a damaged byte")));
}

TEST_F(CoreLinkTest, BreakInTheMiddleOfAFrameResetsTheLinkAndTheCore) {
  // Half a weight tile, then a break: the core's half-loaded bank must not survive.
  const std::vector<uint8_t> half = {'W', 9, 9, 9};
  board_->write(half.data(), half.size());
  link_->reset();
  EXPECT_EQ(link_->info().status, 0);
  expect_gemm_matches(6, 8, 4);
}

TEST_F(CoreLinkTest, ButtonResetsTheBoard) {
  const std::vector<uint8_t> half = {'A', 1, 2};
  board_->write(half.data(), half.size());
  board_->run_until_sent();
  board_->press_button(100);
  EXPECT_EQ(link_->identify().status, 0);
  expect_gemm_matches(3, 4, 2);
}

TEST_F(CoreLinkTest, BadArgumentsNameTheValue) {
  const std::vector<int8_t> a(6), b(6);
  EXPECT_THAT([&] { link_->gemm(a, b, 0, 6, 1); },
              ThrowsMessage<std::invalid_argument>("M = 0 is out of range [1, 1048576]"));
  EXPECT_THAT([&] { link_->gemm(a, b, 2, 3, 3); },
              ThrowsMessage<std::invalid_argument>("B has 6 elements; K x N = 9"));
}

// ---- Channels that are not a board ----------------------------------------------------

// Answers every byte with `reply` (or never, when empty).
class FakeChannel : public drv::ByteChannel {
 public:
  explicit FakeChannel(std::vector<uint8_t> reply) : reply_(std::move(reply)) {}
  std::string name() const override { return "fake"; }
  void write(const uint8_t*, std::size_t) override { pending_ = reply_; }
  void read(uint8_t* d, std::size_t n, std::chrono::milliseconds) override {
    if (pending_.size() < n) throw drv::TimeoutError("fake: no answer");
    std::copy(pending_.begin(), pending_.begin() + long(n), d);
    pending_.erase(pending_.begin(), pending_.begin() + long(n));
  }
  void send_break() override {}
  void discard_input() override {}

 private:
  std::vector<uint8_t> reply_, pending_;
};

TEST(CoreLinkOpen, SilentBoardTimesOut) {
  EXPECT_THROW(drv::CoreLink(std::make_unique<FakeChannel>(std::vector<uint8_t>{})),
               drv::TimeoutError);
}

TEST(CoreLinkOpen, SomethingElseOnThePortIsRefused) {
  EXPECT_THAT([] { drv::CoreLink(std::make_unique<FakeChannel>(std::vector<uint8_t>(9, 'x'))); },
              ThrowsMessage<drv::DeviceError>(HasSubstr("not a Tessera core link")));
}

TEST(CoreLinkOpen, UnknownVersionIsRefused) {
  const std::vector<uint8_t> v2 = {'I', 'T', 'L', 2, 4, 2, 0, 0, 9};
  EXPECT_THAT([&] { drv::CoreLink(std::make_unique<FakeChannel>(v2)); },
              ThrowsMessage<drv::DeviceError>(
                  HasSubstr("core link version 2, this driver speaks version 1")));
}

// ---- The serial port, over a pseudo-terminal ---------------------------------------------

class PseudoTerminal {
 public:
  PseudoTerminal() : master_(::posix_openpt(O_RDWR | O_NOCTTY)) {
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0) {
      throw std::runtime_error("no pseudo-terminal");
    }
    slave_ = ::ptsname(master_);
  }
  ~PseudoTerminal() { ::close(master_); }
  int master() const { return master_; }
  const std::string& slave() const { return slave_; }

 private:
  int master_;
  std::string slave_;
};

TEST(SerialPort, MovesBytesBothWaysAndTimesOut) {
  PseudoTerminal pty;
  auto port = drv::open_serial_port(pty.slave(), drv::kCoreLinkBaud);
  EXPECT_EQ(port->name(), "serial:" + pty.slave() + "@1000000");
  // Raw mode: every byte value passes unchanged, both ways (no echo, no CR/LF mapping).
  std::vector<uint8_t> all(256);
  for (int i = 0; i < 256; ++i) all[std::size_t(i)] = uint8_t(i);
  port->write(all.data(), all.size());
  std::vector<uint8_t> seen(256);
  std::size_t got = 0;
  while (got < seen.size()) {
    const ssize_t n = ::read(pty.master(), seen.data() + got, seen.size() - got);
    ASSERT_GT(n, 0);
    got += std::size_t(n);
  }
  EXPECT_EQ(seen, all);
  ASSERT_EQ(::write(pty.master(), all.data(), all.size()), 256);
  std::vector<uint8_t> back(256);
  port->read(back.data(), back.size(), 1000ms);
  EXPECT_EQ(back, all);
  uint8_t one;
  EXPECT_THROW(port->read(&one, 1, 20ms), drv::TimeoutError);
  // discard_input drops what arrived unread.
  ASSERT_EQ(::write(pty.master(), all.data(), 3), 3);
  std::this_thread::sleep_for(20ms);
  port->discard_input();
  EXPECT_THROW(port->read(&one, 1, 20ms), drv::TimeoutError);
}

TEST(SerialPort, ErrorsNameThePathAndTheRate) {
  EXPECT_THAT([] { drv::open_serial_port("/nonexistent/ttyUSB1", drv::kCoreLinkBaud); },
              ThrowsMessage<drv::DeviceError>(HasSubstr("cannot open /nonexistent/ttyUSB1")));
  EXPECT_THAT([] { drv::open_serial_port("/dev/null", drv::kCoreLinkBaud); },
              ThrowsMessage<drv::DeviceError>(HasSubstr("not a serial port: /dev/null")));
  EXPECT_THAT(
      [] { drv::open_serial_port("/dev/null", 12345); },
      ThrowsMessage<std::invalid_argument>(HasSubstr("baud rate 12345 is not one of 9600, ")));
}

// The board model served on a pseudo-terminal by a thread, as a board's FTDI port would
// serve it: the `tessera coretest` program then runs against it unchanged.
class PtyBoard {
 public:
  explicit PtyBoard(uint64_t seed) : model_(seed), thread_([this] { serve(); }) {}
  ~PtyBoard() {
    stop_ = true;
    thread_.join();
  }
  const std::string& port() const { return pty_.slave(); }

 private:
  void serve() {
    std::vector<uint8_t> buf(4096);
    while (!stop_) {
      pollfd p{pty_.master(), POLLIN, 0};
      ssize_t n = 0;
      if (::poll(&p, 1, 0) > 0 && (p.revents & POLLIN))
        n = ::read(pty_.master(), buf.data(), buf.size());
      if (n > 0) model_.write(buf.data(), std::size_t(n));
      model_.run_cycles(1200);  // 100 us of board time a turn
      const auto out = model_.take_received();
      if (!out.empty() && ::write(pty_.master(), out.data(), out.size()) != ssize_t(out.size())) {
        ADD_FAILURE() << "pseudo-terminal write failed";
      }
      if (n <= 0 && out.empty() && !model_.sending())
        std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }

  PseudoTerminal pty_;
  IcebreakerModel model_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(CoretestCommand, RunsAgainstTheBoardOnASerialPort) {
  PtyBoard board(tessera::test::test_seed());
  const std::string command = std::string(TESSERA_CLI) + " coretest --serial " + board.port() +
                              " --count 3 --seed 7 --json 2>&1";
  FILE* p = ::popen(command.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char line[512];
  while (std::fgets(line, sizeof line, p) != nullptr) output += line;
  const int status = ::pclose(p);
  EXPECT_EQ(status, 0) << output;
  std::printf("%s", output.c_str());
  EXPECT_NE(output.find("\"core\": \"4 x 2\""), std::string::npos) << output;
  EXPECT_NE(output.find("\"gemms\": 3, \"passed\": 3"), std::string::npos) << output;
}

}  // namespace
