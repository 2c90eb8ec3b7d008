// SPDX-License-Identifier: Apache-2.0
// tessera_dma at one bus width (TESSERA_DMA_WIDTH) against the SystemC AXI memory model:
// random 2D descriptors with odd alignments and strides under random latency, bandwidth
// and stalls, every byte checked (for writes also the bytes around the destination, which
// must stay untouched); error responses, the address window and bad descriptors, each
// followed by a clean transfer; and bus efficiency at 100 cycles of memory latency.
// The memory model checks the AXI protocol on every cycle; any violation fails the test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <random>

#include "tessera/dma_bench.hpp"
#include "test_seed.hpp"

// CMake names the width's Verilated model: TESSERA_DMA_WIDTH, TESSERA_DMA_MODEL (the class)
// and TESSERA_DMA_HEADER (its header).
#include TESSERA_DMA_HEADER

namespace {

using namespace tessera::sim;
constexpr int kWidth = TESSERA_DMA_WIDTH;
constexpr int kBytes = kWidth / 8;
using Bench = DmaBench<TESSERA_DMA_MODEL, kWidth>;
Bench* bench = nullptr;

// Codes from tessera_pkg.
constexpr uint32_t kOk = 0, kErrWindow = 1, kErrSlave = 2, kErrDecode = 3, kErrDesc = 4;

// Random descriptors per test at this width: the 128-bit default gets the most.
constexpr int kRandomRounds = kWidth == 128 ? 2000 : 300;

class DmaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    seed_ = tessera::test::test_seed();
    rng_.seed(seed_);
    bench->mem.clear();
    bench->mem.clear_errors();
    bench->mem.configure({});
    bench->set_window(0, ~uint64_t{0});
    bench->set_local_flow({}, seed_);
    bench->reset();
    bench->mem.clear_violations();
    bench->mem.clear_stats();
  }
  void TearDown() override {
    for (const auto& v : bench->mem.violations()) ADD_FAILURE() << "AXI protocol: " << v;
    EXPECT_FALSE(Verilated::gotError()) << "an RTL assertion failed (see the log above)";
    Verilated::gotError(false);
  }

  std::vector<uint8_t> random_bytes(std::size_t n) {
    std::vector<uint8_t> v(n);
    for (auto& b : v) b = static_cast<uint8_t>(rng_());
    return v;
  }

  // A descriptor of 1 byte .. max_bytes in total (log-uniform), 1..64 rows, rows apart by
  // their length plus a random gap, starting at a random byte in [base, base + 16 MiB).
  DmaDescriptor random_descriptor(uint64_t base, uint64_t max_bytes) {
    const double log_total =
        std::uniform_real_distribution<double>(0, std::log2(double(max_bytes)))(rng_);
    const uint64_t total = std::max<uint64_t>(1, uint64_t(std::exp2(log_total)));
    DmaDescriptor d;
    d.rows = rng_() % 3 == 0 ? 1 : uint32_t(1 + rng_() % std::min<uint64_t>(64, total));
    d.row_bytes = uint32_t(std::max<uint64_t>(1, total / d.rows));
    d.stride = d.row_bytes + (rng_() % 2 ? 0 : rng_() % 300);
    d.addr = base + rng_() % (16u << 20);
    return d;
  }

  void expect_read_matches_memory(const DmaReadJob& job) {
    ASSERT_EQ(job.error, kOk);
    ASSERT_EQ(job.rows.size(), job.desc.rows);
    for (uint32_t r = 0; r < job.desc.rows; ++r) {
      const auto want = bench->mem.read(job.desc.addr + r * job.desc.stride, job.desc.row_bytes);
      ASSERT_EQ(job.rows[r], want)
          << "row " << r << " of read at 0x" << std::hex << job.desc.addr << std::dec << " ("
          << job.desc.rows << " x " << job.desc.row_bytes << ", stride " << job.desc.stride << ")";
    }
  }

  // The bytes [lo, hi) around a write: expected contents given the data written.
  struct Region {
    uint64_t lo, hi;
    std::vector<uint8_t> expected;
  };
  Region expect_after_write(const DmaDescriptor& d, const std::vector<uint8_t>& data,
                            uint64_t margin = 64) {
    Region g{d.addr - margin, d.addr + (d.rows - 1) * d.stride + d.row_bytes + margin, {}};
    g.expected = bench->mem.read(g.lo, g.hi - g.lo);
    for (uint32_t r = 0; r < d.rows; ++r) {
      std::copy_n(data.begin() + uint64_t(r) * d.row_bytes, d.row_bytes,
                  g.expected.begin() + (d.addr + r * d.stride - g.lo));
    }
    return g;
  }
  void check_region(const Region& g) {
    const auto got = bench->mem.read(g.lo, g.hi - g.lo);
    for (std::size_t i = 0; i < got.size(); ++i) {
      ASSERT_EQ(got[i], g.expected[i]) << "byte at 0x" << std::hex << g.lo + i;
    }
  }

  void random_memory_timing() {
    AxiMemoryConfig c;
    c.read_latency = rng_() % 200;
    c.write_latency = rng_() % 200;
    c.read_beats_per_cycle = std::uniform_real_distribution<double>(0.25, 1.0)(rng_);
    c.max_reads = 1 + rng_() % 16;
    c.max_writes = 1 + rng_() % 16;
    c.ready_probability = std::uniform_real_distribution<double>(0.3, 1.0)(rng_);
    c.valid_probability = std::uniform_real_distribution<double>(0.3, 1.0)(rng_);
    c.seed = rng_();
    bench->mem.configure(c);
    LocalFlow f;
    f.out_ready = std::uniform_real_distribution<double>(0.3, 1.0)(rng_);
    f.in_valid = std::uniform_real_distribution<double>(0.3, 1.0)(rng_);
    f.status_ready = std::uniform_real_distribution<double>(0.3, 1.0)(rng_);
    bench->set_local_flow(f, rng_());
  }

  // Descriptors that fail, each with its code: one whose middle row's response is SLVERR (a
  // range at bad_base), one whose last rows leave the window [0, kWindowEnd), one whose only
  // row does. Sets up the memory's error range and the window.
  static constexpr uint64_t kWindowEnd = 0x7000'0000;
  struct Failing {
    DmaDescriptor desc;
    uint32_t code;
  };
  std::vector<Failing> failing_descriptors(uint64_t bad_base) {
    bench->mem.inject_error(bad_base + 8192, 64, AxiResp::kSlvErr);
    bench->set_window(0, kWindowEnd - 1);
    return {{{bad_base + 4096 - 100, 300, 3, 4096}, kErrSlave},
            {{kWindowEnd - 2 * 4096, 1000, 4, 4096}, kErrWindow},
            {{kWindowEnd - 16, 32, 1, 32}, kErrWindow}};
  }

  // Cycles from the first job's descriptor to the last job's end, printed.
  template <typename Jobs>
  static uint64_t span_cycles(const Jobs& jobs, const char* what) {
    const uint64_t cycles = jobs.back().end_cycle - jobs.front().start_cycle;
    std::printf("[   INFO   ] %zu %s at latency 100: %llu cycles\n", jobs.size(), what,
                (unsigned long long)cycles);
    return cycles;
  }

  uint64_t seed_ = 0;
  std::mt19937_64 rng_;
};

TEST_F(DmaTest, RandomConcurrentReadsAndWrites) {
  constexpr uint64_t kReadBase = 0x1000'0000, kWriteBase = 0x4000'0000;
  for (int round = 0; round < kRandomRounds; ++round) {
    random_memory_timing();
    // Sizes up to 1 MiB, most of them small: the tail keeps the run time in check.
    const uint64_t max_bytes = round % 20 == 0 ? (1u << 20) : (round % 4 == 0 ? 65536 : 4096);
    const auto rd = random_descriptor(kReadBase, max_bytes);
    const auto wr = random_descriptor(kWriteBase, max_bytes);
    auto data = random_bytes(uint64_t(wr.rows) * wr.row_bytes);
    const Region region = expect_after_write(wr, data);
    auto& rjob = bench->read(rd);
    auto& wjob = bench->write(wr, std::move(data));
    ASSERT_NO_THROW(bench->run(50'000'000)) << "round " << round;
    SCOPED_TRACE("round " + std::to_string(round));
    expect_read_matches_memory(rjob);
    ASSERT_EQ(wjob.error, kOk);
    check_region(region);
    bench->read_jobs().clear();
    bench->write_jobs().clear();
    if (HasFailure()) return;
  }
  const auto& st = bench->mem.stats();
  std::printf("[   INFO   ] %d rounds: %llu cycles, %llu read and %llu write beats\n",
              kRandomRounds, (unsigned long long)st.cycles, (unsigned long long)st.read_beats,
              (unsigned long long)st.write_beats);
}

TEST_F(DmaTest, OneMebibyteTransfers) {
  // 1 MiB as one row and as 256 rows of 4 KiB + 7 at an odd address, under random timing.
  random_memory_timing();
  for (const DmaDescriptor d : {DmaDescriptor{0x7000'0000, 1u << 20, 1, 1u << 20},
                                DmaDescriptor{0x7800'0003, 4096 + 7, 256, 4096 + 7 + 33}}) {
    auto data = random_bytes(uint64_t(d.rows) * d.row_bytes);
    const Region region = expect_after_write(d, data);
    bench->write(d, std::move(data));
    ASSERT_NO_THROW(bench->run(50'000'000));
    EXPECT_EQ(bench->write_jobs().back().error, kOk);
    check_region(region);
    bench->read(d);
    ASSERT_NO_THROW(bench->run(50'000'000));
    expect_read_matches_memory(bench->read_jobs().back());
  }
}

TEST_F(DmaTest, EveryAlignmentAndShortLength) {
  // Each start lane x each length up to three beats, back to back, with rows two apart.
  for (uint64_t offset = 0; offset < kBytes; ++offset) {
    for (uint32_t len = 1; len <= 3 * kBytes; len += (len < 2 * kBytes ? 1 : 5)) {
      DmaDescriptor d{0x2000'0000 + offset + len * 4096, len, 3, uint64_t(len) + 2 * kBytes + 1};
      auto data = random_bytes(uint64_t(d.rows) * len);
      const Region region = expect_after_write(d, data);
      bench->write(d, std::move(data));
      bench->read(d);
      ASSERT_NO_THROW(bench->run(100'000));
      check_region(region);
      // The read ran concurrently with the write, so compare it with what was there before
      // or after; both engines run one descriptor at a time, in order of submission.
      ASSERT_EQ(bench->write_jobs().back().error, kOk);
      bench->read_jobs().clear();
      bench->read(d);
      ASSERT_NO_THROW(bench->run(100'000));
      expect_read_matches_memory(bench->read_jobs().back());
      bench->read_jobs().clear();
      bench->write_jobs().clear();
      if (HasFailure()) return;
    }
  }
}

TEST_F(DmaTest, ErrorResponsesEndTheTransferAndTheEngineRecovers) {
  constexpr uint64_t kBad = 0x3000'0000;
  bench->mem.inject_error(kBad + 8192, 64, AxiResp::kSlvErr);
  bench->mem.inject_error(kBad + 3 * 8192, 64, AxiResp::kDecErr);
  random_memory_timing();
  struct Case {
    uint64_t offset;
    uint32_t code;
  };
  for (const Case c : {Case{8192, kErrSlave}, Case{3 * 8192, kErrDecode}}) {
    // Reads: a 3-row descriptor whose middle row touches the failing range.
    const DmaDescriptor rd{kBad + c.offset - 4096 - 100, 300, 3, 4096};
    bench->read(rd);
    // Writes: the failing burst is dropped by the memory, the others land.
    const auto before = bench->mem.read(kBad + c.offset, 64);
    const DmaDescriptor wr{kBad + c.offset - 4096 - 100, 300, 3, 4096};
    bench->write(wr, random_bytes(900));
    ASSERT_NO_THROW(bench->run(1'000'000));
    EXPECT_EQ(bench->read_jobs().back().error, c.code);
    EXPECT_EQ(bench->write_jobs().back().error, c.code);
    EXPECT_EQ(bench->mem.read(kBad + c.offset, 64), before);
  }
  // Both engines work normally afterwards.
  const DmaDescriptor ok{0x3800'0000 + 5, 1000, 4, 1500};
  auto data = random_bytes(4000);
  const Region region = expect_after_write(ok, data);
  bench->write(ok, std::move(data));
  ASSERT_NO_THROW(bench->run(1'000'000));
  EXPECT_EQ(bench->write_jobs().back().error, kOk);
  check_region(region);
  bench->read(ok);
  ASSERT_NO_THROW(bench->run(1'000'000));
  expect_read_matches_memory(bench->read_jobs().back());
}

TEST_F(DmaTest, WindowViolationsTouchNothingOutsideTheWindow) {
  constexpr uint64_t kBase = 0x5000'0000, kLimit = 0x5001'0000 - 1;  // a 64 KiB window
  bench->set_window(kBase, kLimit);
  random_memory_timing();
  const auto below = bench->mem.read(kBase - 4096, 4096);
  const auto above = bench->mem.read(kLimit + 1, 8192);
  const DmaDescriptor cases[] = {
      {kBase - 1, 16, 1, 16},                  // starts one byte below
      {kLimit - 15, 17, 1, 17},                // ends one byte above
      {kBase + 100, 1000, 80, 1000},           // later rows run past the limit
      {kBase + 32, 64, 2, uint64_t(1) << 40},  // second row far away
  };
  for (const auto& d : cases) {
    bench->read(d);
    bench->write(d, random_bytes(uint64_t(d.rows) * d.row_bytes));
    ASSERT_NO_THROW(bench->run(2'000'000));
    EXPECT_EQ(bench->read_jobs().back().error, kErrWindow) << std::hex << d.addr;
    EXPECT_EQ(bench->write_jobs().back().error, kErrWindow) << std::hex << d.addr;
  }
  EXPECT_EQ(bench->mem.read(kBase - 4096, 4096), below);
  EXPECT_EQ(bench->mem.read(kLimit + 1, 8192), above);
  // The whole window, exactly, is fine.
  const DmaDescriptor whole{kBase, 65536, 1, 65536};
  auto data = random_bytes(65536);
  const Region region = expect_after_write(whole, data, 0);
  bench->write(whole, std::move(data));
  ASSERT_NO_THROW(bench->run(2'000'000));
  EXPECT_EQ(bench->write_jobs().back().error, kOk);
  check_region(region);
}

TEST_F(DmaTest, AddressWrapAndBadDescriptorsAreRefused) {
  const DmaDescriptor cases[] = {
      {~uint64_t{0} - 15, 32, 1, 32},  // wraps past the top of the address space
      {0x1000, 0, 4, 16},              // zero bytes per row
      {0x1000, 16, 0, 16},             // zero rows
  };
  const uint32_t codes[] = {kErrWindow, kErrDesc, kErrDesc};
  for (int i = 0; i < 3; ++i) {
    bench->read(cases[i]);
    bench->write(cases[i], random_bytes(uint64_t(cases[i].rows) * cases[i].row_bytes));
    ASSERT_NO_THROW(bench->run(100'000));
    EXPECT_EQ(bench->read_jobs().back().error, codes[i]) << "case " << i;
    EXPECT_EQ(bench->write_jobs().back().error, codes[i]) << "case " << i;
  }
}

TEST_F(DmaTest, SustainsTheBusAtLongLatency) {
  // 64 KiB each way, 100-cycle memory latency, no stalls, counted in simulated cycles from
  // the descriptor handshake to the last beat (read) or the status (write). The only loss
  // allowed is filling the pipeline once: cycles <= beats + latency + 8. At 64 and 128 bits
  // that is >= 95% of the bus; at 512 bits 64 KiB is only 1024 beats, so the fixed latency
  // weighs more.
  AxiMemoryConfig c;
  c.read_latency = c.write_latency = 100;
  c.max_reads = c.max_writes = 16;
  bench->mem.configure(c);
  const DmaDescriptor d{0x6000'0000, 65536, 1, 65536};
  bench->write(d, random_bytes(65536));
  ASSERT_NO_THROW(bench->run(1'000'000));
  bench->read(d);
  ASSERT_NO_THROW(bench->run(1'000'000));
  const double beats = 65536.0 / kBytes;
  const auto& w = bench->write_jobs().back();
  const auto& r = bench->read_jobs().back();
  const double write_eff = beats / double(w.end_cycle - w.start_cycle);
  const double read_eff = beats / double(r.end_cycle - r.start_cycle);
  std::printf("[   INFO   ] %d-bit bus, latency 100: read %.1f%%, write %.1f%% of peak\n", kWidth,
              100 * read_eff, 100 * write_eff);
  std::printf("[   INFO   ] first read beat %llu cycles after the descriptor\n",
              (unsigned long long)(r.first_beat_cycle - r.start_cycle));
  // AR 3 cycles after the descriptor, the model's first beat latency + 1 after the AR, one
  // cycle from R to the engine's output (tessera_dma_reader's header).
  EXPECT_EQ(r.first_beat_cycle - r.start_cycle, c.read_latency + 5);
  EXPECT_LE(double(r.end_cycle - r.start_cycle), beats + c.read_latency + 8);
  EXPECT_LE(double(w.end_cycle - w.start_cycle), beats + c.write_latency + 8);
  if (kWidth <= 128) {
    EXPECT_GE(read_eff, 0.95);
    EXPECT_GE(write_eff, 0.95);
  }
  expect_read_matches_memory(r);
}

TEST_F(DmaTest, BackToBackReadsHideTheLatencyAndKeepTheirErrorsApart) {
  // Four 16 KiB reads queued at once at latency 100: each descriptor is taken while the one
  // before still streams, so only the first pays the latency.
  AxiMemoryConfig c;
  c.read_latency = 100;
  c.max_reads = 16;
  bench->mem.configure(c);
  constexpr uint32_t kBytesEach = 16384;
  for (int i = 0; i < 4; ++i) {
    const DmaDescriptor d{0x6100'0000 + uint64_t(i) * 65536, kBytesEach, 1, kBytesEach};
    bench->mem.write(d.addr, random_bytes(kBytesEach));
    bench->read(d);
  }
  ASSERT_NO_THROW(bench->run(1'000'000));
  const auto& jobs = bench->read_jobs();
  for (const auto& j : jobs) expect_read_matches_memory(j);
  const double beats = 4.0 * kBytesEach / kBytes;
  EXPECT_LE(double(span_cycles(jobs, "reads")), beats + c.read_latency + 8);
  bench->read_jobs().clear();

  // Behind a good read, one that fails: the good one is whole, the failing one has its
  // code; one queued behind the failure either ran whole or ended with the same code (an
  // error response ends both descriptors in the engine); the engine then works normally.
  random_memory_timing();
  for (const Failing& k : failing_descriptors(0x3100'0000)) {
    const DmaDescriptor good{0x6200'0000 + 7, 5000, 3, 6000}, after{0x6300'0000, 3000, 2, 3001};
    bench->read(good);
    bench->read(k.desc);
    bench->read(after);
    ASSERT_NO_THROW(bench->run(2'000'000));
    expect_read_matches_memory(bench->read_jobs()[0]);
    EXPECT_EQ(bench->read_jobs()[1].error, k.code);
    // A window error is taken only once the read before it has ended, before the read
    // behind it can be taken: that one runs whole.
    const auto& last = bench->read_jobs()[2];
    if (k.code == kErrWindow || last.error == kOk) {
      expect_read_matches_memory(last);
    } else {
      EXPECT_EQ(last.error, k.code);
    }
    bench->read_jobs().clear();
    bench->read(after);
    ASSERT_NO_THROW(bench->run(2'000'000));
    expect_read_matches_memory(bench->read_jobs().back());
    bench->read_jobs().clear();
    if (HasFailure()) return;
  }
}

TEST_F(DmaTest, BackToBackWritesHideTheLatencyAndKeepTheirErrorsApart) {
  // Four 16 KiB writes queued at once at latency 100: each descriptor is taken while the one
  // before waits for its responses, so only the last waits a latency for them.
  AxiMemoryConfig c;
  c.write_latency = 100;
  c.max_writes = 16;
  bench->mem.configure(c);
  constexpr uint32_t kBytesEach = 16384;
  std::vector<Region> regions;
  for (int i = 0; i < 4; ++i) {
    const DmaDescriptor d{0x6400'0000 + uint64_t(i) * 65536, kBytesEach, 1, kBytesEach};
    auto data = random_bytes(kBytesEach);
    regions.push_back(expect_after_write(d, data));
    bench->write(d, std::move(data));
  }
  ASSERT_NO_THROW(bench->run(1'000'000));
  for (const auto& j : bench->write_jobs()) EXPECT_EQ(j.error, kOk);
  for (const auto& g : regions) check_region(g);
  const auto& jobs = bench->write_jobs();
  const double beats = 4.0 * kBytesEach / kBytes;
  // A few cycles per hand-over: the next AW goes out 3 cycles after its descriptor, taken
  // once the previous one's input is all in.
  EXPECT_LE(double(span_cycles(jobs, "writes")), beats + c.write_latency + 4 * 8);
  bench->write_jobs().clear();

  // Between good writes, one that fails: the writes before and after it land whole with
  // their own status, the failing one reports its code, and its bad burst touches nothing.
  random_memory_timing();
  constexpr uint64_t kBad = 0x3200'0000;
  for (const Failing& k : failing_descriptors(kBad)) {
    const DmaDescriptor before{0x6500'0000 + 7, 5000, 3, 6000}, after{0x6600'0000, 3000, 2, 3001};
    auto d0 = random_bytes(15000), d2 = random_bytes(6000);
    const Region r0 = expect_after_write(before, d0), r2 = expect_after_write(after, d2);
    const auto untouched = bench->mem.read(kBad + 8192, 64);
    bench->write(before, std::move(d0));
    bench->write(k.desc, random_bytes(uint64_t(k.desc.rows) * k.desc.row_bytes));
    bench->write(after, std::move(d2));
    ASSERT_NO_THROW(bench->run(2'000'000));
    EXPECT_EQ(bench->write_jobs()[0].error, kOk);
    EXPECT_EQ(bench->write_jobs()[1].error, k.code);
    EXPECT_EQ(bench->write_jobs()[2].error, kOk);
    check_region(r0);
    check_region(r2);
    EXPECT_EQ(bench->mem.read(kBad + 8192, 64), untouched);
    bench->write_jobs().clear();
    if (HasFailure()) return;
  }
}

}  // namespace

int sc_main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  // As for the C++ models: random power-up values, and a failing RTL assertion fails the
  // test instead of ending the program.
  Verilated::fatalOnError(false);
  Verilated::randReset(2);
  bench = new Bench("bench");  // SystemC: one elaboration per process
  return RUN_ALL_TESTS();
}
