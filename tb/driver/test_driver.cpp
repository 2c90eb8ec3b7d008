// SPDX-License-Identifier: Apache-2.0
// The driver library: .npy files, the device-memory allocator, the xdma and uio backends
// against a fake device tree (regular files in a temporary directory stand in for the
// device nodes and sysfs: what this does and does not verify is in docs/boards.md), the
// engine session's checks, and the operations end to end on the simulator, bit-exact
// against the reference model, including that a board would receive the same stream bytes.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>

#include "error_of.hpp"
#include "ops_tests.hpp"
#include "tessera/atomic_file.hpp"
#include "tessera/board_devices.hpp"
#include "tessera/engine.hpp"
#include "tessera/npy.hpp"
#include "tessera/ops.hpp"
#include "tessera/ref.hpp"
#include "test_device.hpp"
#include "test_seed.hpp"

namespace {

using tessera::test::error_of;

namespace fs = std::filesystem;
namespace drv = tessera::driver;
namespace regs = tessera::regs;

drv::Engine* sim_engine = nullptr;  // SystemC: one simulator per process

}  // namespace

drv::Engine& tessera::test::ops_engine() { return *sim_engine; }

namespace {

// A fresh temporary directory per test.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/tessera_test_XXXXXX";
    path_ = mkdtemp(pattern);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}
void sized_file(const std::string& path, std::size_t bytes, uint8_t fill = 0) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary);
  std::vector<char> zeros(bytes, char(fill));
  out.write(zeros.data(), std::streamsize(bytes));
}
void poke32(const std::string& path, uint32_t offset, uint32_t value) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(offset);
  f.write(reinterpret_cast<const char*>(&value), 4);
}
uint32_t peek32(const std::string& path, uint32_t offset) {
  std::ifstream f(path, std::ios::binary);
  f.seekg(offset);
  uint32_t v = 0;
  f.read(reinterpret_cast<char*>(&v), 4);
  return v;
}

// ---- .npy -------------------------------------------------------------------------------
TEST(Npy, RoundTripsInt8AndInt32OfAnyRank) {
  TempDir dir;
  std::mt19937_64 rng(tessera::test::test_seed());
  for (const std::vector<std::size_t>& shape :
       {std::vector<std::size_t>{7}, {3, 5}, {2, 3, 4}, {1, 2, 3, 4}, {0, 3}}) {
    std::size_t n = 1;
    for (auto d : shape) n *= d;
    std::vector<int8_t> a(n);
    std::vector<int32_t> b(n);
    for (auto& x : a) x = int8_t(rng());
    for (auto& x : b) x = int32_t(rng());
    tessera::npy::save(dir / "a.npy", tessera::npy::from(a, shape));
    tessera::npy::save(dir / "b.npy", tessera::npy::from(b, shape));
    const auto la = tessera::npy::load(dir / "a.npy"), lb = tessera::npy::load(dir / "b.npy");
    EXPECT_EQ(la.shape, shape);
    EXPECT_EQ(la.as_int8("a"), a);
    EXPECT_EQ(lb.shape, shape);
    EXPECT_EQ(lb.as_int32("b"), b);
    // NumPy's layout: the header pads the data to a 64-byte boundary.
    EXPECT_EQ(fs::file_size(dir / "a.npy") % 64, n % 64);
  }
}

TEST(Npy, RoundTripsUint8Float32AndInt64) {
  TempDir dir;
  std::mt19937_64 rng(tessera::test::test_seed());
  std::vector<uint8_t> u(24);
  std::vector<float> f(24);
  for (auto& x : u) x = uint8_t(rng());
  for (auto& x : f) x = float(int64_t(rng() % 2000001) - 1000000) / 1024.f;
  tessera::npy::save(dir / "u.npy", tessera::npy::from(u, {2, 3, 4}));
  tessera::npy::save(dir / "f.npy", tessera::npy::from(f, {4, 6}));
  const auto lu = tessera::npy::load(dir / "u.npy"), lf = tessera::npy::load(dir / "f.npy");
  EXPECT_EQ(lu.dtype, "u1");
  EXPECT_EQ(lu.shape, (std::vector<std::size_t>{2, 3, 4}));
  const auto ints = lu.as_integers("u");
  for (std::size_t i = 0; i < u.size(); ++i) EXPECT_EQ(ints[i], u[i]);
  EXPECT_EQ(lf.as_float32("f"), f);
  EXPECT_THROW(lf.as_integers("f"), std::invalid_argument);
  // int64, as NumPy writes labels by default
  tessera::npy::Array l;
  l.dtype = "i8";
  l.shape = {3};
  for (int64_t v : {int64_t(7), int64_t(-1), int64_t(1) << 40}) {
    for (int b = 0; b < 8; ++b) l.data.push_back(uint8_t(uint64_t(v) >> (8 * b)));
  }
  tessera::npy::save(dir / "l.npy", l);
  EXPECT_EQ(tessera::npy::load(dir / "l.npy").as_integers("l"),
            (std::vector<int64_t>{7, -1, int64_t(1) << 40}));
}

// A .npy file's first bytes with this header dict.
std::string npy_header(const std::string& dict) {
  std::string h = dict;
  h.append((64 - (10 + h.size() + 1) % 64) % 64, ' ');
  h += '\n';
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out += char(h.size() & 0xff);
  out += char(h.size() >> 8);
  return out + h;
}

TEST(Npy, ReadsTheHeaderAsTheFormatDefinesItAndNothingElse) {
  TempDir dir;
  struct Case {
    const char* dict;
    const char* error;  // nullptr: accepted
  };
  const Case cases[] = {
      {"{'descr': '|i1', 'fortran_order': False, 'shape': (2.5, 3), }",
       "shape entry '2.5' is not a dimension"},
      {"{'descr': '|i1', 'fortran_order': False, 'shape': (2 3), }", "separated by ','"},
      {"{'descr': '|i1', 'fortran_order': False, 'shape': (3), }", "shape (3) is not a tuple"},
      {"{'descr': '|i1', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }",
       "more than 2^36 elements"},
      {"{'descr': '|i1', 'fortran_order': 1, 'shape': (2,), }",
       "'fortran_order' must be True or False"},
      {"{'x': \"'descr': '|i1'\", 'descr': '<i4', 'fortran_order': False, 'shape': (2,), }",
       "unknown key 'x'"},
      {"{'descr': '|i1', 'descr': '|i1', 'fortran_order': False, 'shape': (2,), }",
       "'descr' appears twice"},
      {"{'descr': '|i1', 'shape': (2,), }", "lacks 'fortran_order'"},
      {"{'descr': '|i1', 'fortran_order': False, 'shape': (2,), } junk", "text after the header"},
      {"{'descr': '|i1', 'fortran_order': False, 'shape': (-2,), }",
       "shape entry '-2' is not a dimension"},
      {"{'descr': '|i1', 'fortran_order': False, 'shape': (2,) }", nullptr},
      {"{\"shape\": (2,), \"fortran_order\": False, \"descr\": \"|i1\"}", nullptr},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.dict);
    write_file(dir / "x.npy", npy_header(c.dict) + "ab");
    const std::string e = error_of([&] { tessera::npy::load(dir / "x.npy"); });
    if (c.error) {
      EXPECT_NE(e.find(c.error), std::string::npos) << e;
      EXPECT_NE(e.find(dir / "x.npy"), std::string::npos) << "the file is named: " << e;
    } else {
      EXPECT_EQ(e, "(no error)");
    }
  }
  // A small file announcing 2.9 GB is refused before anything is allocated.
  write_file(dir / "huge.npy",
             npy_header("{'descr': '<i4', 'fortran_order': False, 'shape': (30000, 25000), }"));
  EXPECT_NE(error_of([&] {
              tessera::npy::load(dir / "huge.npy");
            }).find("fewer than the 750000000 elements"),
            std::string::npos);
  // Empty arrays are arrays.
  write_file(dir / "empty.npy",
             npy_header("{'descr': '<i4', 'fortran_order': False, 'shape': (0,), }"));
  const auto empty = tessera::npy::load(dir / "empty.npy");
  EXPECT_EQ(empty.elements(), 0u);
  EXPECT_TRUE(empty.as_int32("e").empty());
}

TEST(Npy, NamesWhatIsWrongWithAFile) {
  TempDir dir;
  auto header = npy_header;
  write_file(dir / "text.npy", "hello");
  write_file(
      dir / "double.npy",
      header("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }") + std::string(16, '\0'));
  write_file(
      dir / "big_endian.npy",
      header("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }") + std::string(8, '\0'));
  write_file(dir / "shape.npy",
             header("{'descr': '|i1', 'fortran_order': False, 'shape': (2, x), }") + "ab");
  write_file(dir / "fortran.npy",
             header("{'descr': '|i1', 'fortran_order': True, 'shape': (2, 2), }") + "abcd");
  write_file(dir / "short.npy",
             header("{'descr': '|i1', 'fortran_order': False, 'shape': (9,), }") + "ab");
  EXPECT_NE(error_of([&] { tessera::npy::load(dir / "text.npy"); }).find("is not a .npy file"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              tessera::npy::load(dir / "double.npy");
            }).find("dtype '<f8' is not supported"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              tessera::npy::load(dir / "big_endian.npy");
            }).find("dtype '>f4' is not supported"),
            std::string::npos);
  EXPECT_NE(error_of([&] { tessera::npy::load(dir / "shape.npy"); }).find("is not a dimension"),
            std::string::npos);
  EXPECT_NE(error_of([&] { tessera::npy::load(dir / "fortran.npy"); }).find("Fortran-order"),
            std::string::npos);
  EXPECT_NE(
      error_of([&] { tessera::npy::load(dir / "short.npy"); }).find("fewer than the 9 elements"),
      std::string::npos);
  EXPECT_NE(error_of([&] { tessera::npy::load(dir / "missing.npy"); }).find("cannot read"),
            std::string::npos);
  const auto i32 = tessera::npy::from(std::vector<int32_t>{1, 2}, {2});
  EXPECT_NE(error_of([&] { i32.as_int8("B"); }).find("B must be int8; it is int32"),
            std::string::npos);
  EXPECT_NE(error_of([&] { i32.as_float32("X"); }).find("X must be float32; it is int32"),
            std::string::npos);
  // A failed write leaves no file behind.
  EXPECT_THROW(tessera::npy::save(dir / "no/such/dir/x.npy", i32), std::runtime_error);
  EXPECT_FALSE(fs::exists(dir / "no/such/dir/x.npy.partial"));
}

// ---- Atomic file writes ----------------------------------------------------------------
// Whatever fails - the writer throwing half way, a directory that is not there, a full write
// target that is a directory - the target keeps its old contents and no temporary is left.
TEST(AtomicFile, AFailedWriteLeavesTheTargetAsItWasAndNothingElse) {
  TempDir dir;
  const std::string target = dir / "out.bin";
  const fs::path root = fs::path(target).parent_path();
  auto files = [&] {
    return std::distance(fs::directory_iterator(root), fs::directory_iterator{});
  };
  tessera::write_file_atomically(target, "old");
  EXPECT_THROW(tessera::write_file_atomically(target,
                                              [](std::ostream& out) {
                                                out << "half";
                                                throw std::runtime_error("the writer failed");
                                              }),
               std::runtime_error);
  std::ifstream in(target);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "old");
  EXPECT_EQ(files(), 1) << "a temporary file was left behind";
  EXPECT_NE(error_of([&] {
              tessera::write_file_atomically(dir / "no/dir/x", "x");
            }).find("cannot write " + (dir / "no/dir/x")),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              tessera::write_file_atomically(root.string(), "x");
            }).find("it is a directory"),
            std::string::npos);
  // A recording that cannot be written throws and leaves nothing (it used to leave its
  // temporary file).
  drv::Recording rec;
  rec.commands.push_back(tessera::isa::encode(tessera::isa::Fence{}));
  EXPECT_THROW(rec.save(dir / "no/dir/r.tsr"), std::runtime_error);
  rec.save(dir / "r.tsr");
  EXPECT_EQ(drv::Recording::load(dir / "r.tsr").commands.size(), 1u);
  EXPECT_EQ(files(), 2);
}

// ---- Device memory ----------------------------------------------------------------------
TEST(DeviceMemory, AllocatesAlignedFirstFitAndNamesWhatDoesNotFit) {
  drv::DeviceMemory m(0x1000, 4096);
  const uint64_t a = m.allocate(100), b = m.allocate(1000), c = m.allocate(64);
  EXPECT_EQ(a, 0x1000u);
  EXPECT_EQ(b % 64, 0u);
  EXPECT_GE(b, a + 100);
  EXPECT_GE(c, b + 1000);
  m.release(b);
  EXPECT_EQ(m.allocate(900), b) << "first fit reuses the hole";
  const std::string e = error_of([&] { m.allocate(5000); });
  EXPECT_NE(e.find("5000 bytes requested; the 4096-byte device memory has at most"),
            std::string::npos)
      << e;
  EXPECT_THROW(m.allocate(5000), drv::CapacityError);
}

// ---- xdma against a fake device tree ------------------------------------------------------
struct FakeXdma {
  TempDir dir;
  std::string prefix = dir / "xdma0";
  FakeXdma() {
    sized_file(prefix + "_user", 64 * 1024);
    sized_file(prefix + "_h2c_0", 0);
    fs::create_symlink(prefix + "_h2c_0", prefix + "_c2h_0");  // one card memory
    write_file(prefix + "_events_0", "\x01\x00\x00\x00");
  }
  // The registers a Tessera build reports, as the simulator's engine does.
  void tessera_registers(uint32_t isa_version = tessera::isa::kVersion) {
    poke32(prefix + "_user", regs::kId, regs::kExpectedId);
    poke32(prefix + "_user", regs::kIsaVersion, isa_version);
    poke32(prefix + "_user", regs::kConfigArray, 16u | 16u << 16);
    poke32(prefix + "_user", regs::kConfigScratchpad, 256 * 1024);
    poke32(prefix + "_user", regs::kConfigAccumulator, 64 * 1024);
    poke32(prefix + "_user", regs::kConfigBus, 128);
    poke32(prefix + "_user", regs::kConfigQtable, 1024);
  }
  drv::XdmaOptions options() const {
    drv::XdmaOptions o;
    o.prefix = prefix;
    o.memory_base = 0x8000'0000;  // the simulator's window, so streams can be compared
    o.memory_size = 1ull << 30;
    return o;
  }
};

TEST(XdmaBackend, MapsTheBarAndMovesCardMemoryThroughTheDmaNodes) {
  FakeXdma fake;
  auto dev = drv::open_xdma_device(fake.options());
  dev->write32(0x6c, 0xabcd1234);
  EXPECT_EQ(peek32(fake.prefix + "_user", 0x6c), 0xabcd1234u) << "the write reached the BAR";
  poke32(fake.prefix + "_user", 0x70, 77);
  EXPECT_EQ(dev->read32(0x70), 77u);
  const std::vector<uint8_t> data = {1, 2, 3, 4, 5, 6, 7};
  dev->write_memory(0x8000'1003, data.data(), data.size());
  EXPECT_EQ(fs::file_size(fake.prefix + "_h2c_0"), 0x8000'100au) << "offset = card address";
  std::vector<uint8_t> back(7);
  dev->read_memory(0x8000'1003, back.data(), back.size());
  EXPECT_EQ(back, data);
  EXPECT_EQ(dev->host_pointer(0x8000'0000), nullptr);
  EXPECT_TRUE(dev->wait_interrupt(std::chrono::milliseconds(10)));
  EXPECT_THROW(dev->read32(64 * 1024), std::out_of_range);
  EXPECT_THROW(dev->write_memory(0x10, data.data(), 1), std::out_of_range);
}

TEST(XdmaBackend, OneProgramAtATimeAndTheErrorNamesTheOtherOne) {
  // While a program drives a board, another `tessera info` must not rewrite its registers.
  FakeXdma fake;
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  const pid_t child = fork();
  if (child == 0) {  // holds the device until killed
    auto dev = drv::open_xdma_device(fake.options());
    const char c = 'y';
    if (write(ready[1], &c, 1) != 1) _exit(1);
    pause();
    _exit(0);
  }
  char c = 0;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  const std::string e = error_of([&] { drv::open_xdma_device(fake.options()); });
  EXPECT_NE(e.find(fake.prefix + "_user is in use by process " + std::to_string(child)),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("one program at a time drives an engine"), std::string::npos) << e;
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  close(ready[0]);
  close(ready[1]);
  EXPECT_NO_THROW(drv::open_xdma_device(fake.options())) << "the lock went with its holder";
  auto first = drv::open_xdma_device(fake.options());
  EXPECT_NE(error_of([&] { drv::open_xdma_device(fake.options()); }).find("already open here"),
            std::string::npos);
}

TEST(XdmaBackend, NamesTheNodeItCannotOpen) {
  FakeXdma fake;
  fs::remove(fake.prefix + "_events_0");
  const std::string e = error_of([&] { drv::open_xdma_device(fake.options()); });
  EXPECT_NE(e.find("cannot open " + fake.prefix + "_events_0: No such file or directory"),
            std::string::npos)
      << e;
  drv::XdmaOptions o = fake.options();
  o.prefix = "/nonexistent/xdma7";
  EXPECT_THROW(drv::open_xdma_device(o), drv::DeviceError);
}

TEST(Engine, RefusesADeviceThatDoesNotAnswerOrSpeaksAnotherIsa) {
  FakeXdma fake;
  sized_file(fake.prefix + "_user", 64 * 1024, 0xff);  // a PCIe read of a dead BAR
  std::string e = error_of([&] { drv::Engine(drv::open_xdma_device(fake.options())); });
  EXPECT_NE(
      e.find("ID register reads 0xffffffff, not Tessera's 0x54455353 (the device does not answer)"),
      std::string::npos)
      << e;
  fake.tessera_registers(/*isa_version=*/7);
  e = error_of([&] { drv::Engine(drv::open_xdma_device(fake.options())); });
  EXPECT_NE(
      e.find("ISA version 7; this driver knows version " + std::to_string(tessera::isa::kVersion)),
      std::string::npos)
      << e;
}

// ---- uio against a fake device tree -------------------------------------------------------
struct FakeUio {
  TempDir dir;
  FakeUio() {
    sized_file(dir / "dev/uio0", 64 * 1024);
    sized_file(dir / "dev/uio0_irq", 0);
    sized_file(dir / "dev/udmabuf0", 1 << 20);
    write_file(dir / "sys/class/uio/uio0/maps/map0/size", "0x10000\n");
    write_file(dir / "sys/class/u-dma-buf/udmabuf0/phys_addr", "0x70000000\n");
    write_file(dir / "sys/class/u-dma-buf/udmabuf0/size", "1048576\n");
  }
  drv::UioOptions options() const {
    drv::UioOptions o;
    o.uio = dir / "dev/uio0";
    o.irq = dir / "dev/uio0_irq";
    o.dmabuf = dir / "dev/udmabuf0";
    o.sysfs = dir / "sys";
    return o;
  }
};

TEST(UioBackend, TakesItsWindowFromSysfsAndMapsRegistersAndTheDmaBuffer) {
  FakeUio fake;
  auto dev = drv::open_uio_device(fake.options());
  EXPECT_EQ(dev->memory_base(), 0x7000'0000u);
  EXPECT_EQ(dev->memory_size(), 1u << 20);
  dev->write32(0x40, 1);
  EXPECT_EQ(peek32(fake.dir / "dev/uio0", 0x40), 1u);
  const uint32_t word = 0x11223344;
  dev->write_memory(0x7000'0100, &word, 4);
  EXPECT_EQ(peek32(fake.dir / "dev/udmabuf0", 0x100), word) << "physical address - phys_addr";
  ASSERT_NE(dev->host_pointer(0x7000'0100), nullptr);
  EXPECT_EQ(std::memcmp(dev->host_pointer(0x7000'0100), &word, 4), 0);
  EXPECT_THROW(dev->read_memory(0x6fff'fff0, nullptr, 4), std::out_of_range);
  // An interrupt wait unmasks it first (writes 1 to the UIO node), then reads.
  write_file(fake.dir / "dev/uio0_irq", "");
  EXPECT_TRUE(dev->wait_interrupt(std::chrono::milliseconds(10)));
  EXPECT_EQ(peek32(fake.dir / "dev/uio0_irq", 0), 1u);
}

TEST(UioBackend, NamesTheMissingOrBrokenSysfsAttribute) {
  FakeUio fake;
  fs::remove(fake.dir / "sys/class/u-dma-buf/udmabuf0/phys_addr");
  std::string e = error_of([&] { drv::open_uio_device(fake.options()); });
  EXPECT_NE(e.find("u-dma-buf/udmabuf0/phys_addr (is the driver loaded?)"), std::string::npos) << e;
  write_file(fake.dir / "sys/class/u-dma-buf/udmabuf0/phys_addr", "banana\n");
  e = error_of([&] { drv::open_uio_device(fake.options()); });
  EXPECT_NE(e.find("holds 'banana', not a number"), std::string::npos) << e;
}

TEST(Engine, ALostInterruptCostsAPollNotTheTimeout) {
  // With INTR_ENABLE clear the fence's interrupt never comes: the driver still sees the
  // fence's record at its next look (at most 100 ms of wall-clock time later).
  drv::Engine& e = *sim_engine;
  e.set_timeout(std::chrono::seconds(20));
  e.device().write32(regs::kIntrEnable, 0);
  drv::GemmArgs g;
  g.m = g.k = g.n = 3;
  g.a = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  g.b = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  EXPECT_EQ(drv::gemm_int32(e, g), std::vector<int32_t>({1, 2, 3, 4, 5, 6, 7, 8, 9}));
  e.device().write32(regs::kIntrEnable,
                     regs::kIntrEnableFence.mask() | regs::kIntrEnableError.mask());
  e.set_timeout(std::chrono::seconds(60));
}

TEST(Engine, TheTimeoutIsWallClockTimeAndTheMessageSaysWhatTheEngineIsDoing) {
#ifdef TESSERA_TEST_ON_FSIM
  GTEST_SKIP() << "the golden model finishes before any deadline";
#endif
  drv::Engine& e = *sim_engine;
  e.set_timeout(std::chrono::milliseconds(300));
  drv::GemmArgs g;  // seconds of simulation, over 2,000 commands (2 blocks x 512 panels x 2)
  g.m = 1024, g.k = 64, g.n = 8192;
  g.a.assign(std::size_t(g.m) * g.k, 1);
  g.b.assign(std::size_t(g.k) * g.n, 1);
  const auto t0 = std::chrono::steady_clock::now();
  const std::string m = error_of([&] { drv::gemm_int32(e, g); });
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  // Longer than the ring: it times out waiting for a free slot.
  EXPECT_NE(m.find("the engine did not free a ring slot within 300 ms"), std::string::npos) << m;
  EXPECT_NE(m.find("commands fetched, STATUS 0x1 (busy)"), std::string::npos) << m;
  EXPECT_NE(m.find("the load, compute and store units"), std::string::npos) << m;
  EXPECT_LT(s, 30.0) << "the deadline was not kept (device time instead of wall-clock time?)";
  e.set_timeout(std::chrono::seconds(60));
  e.reset();
  g.m = g.k = g.n = 3;
  g.a = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  g.b = {1, 0, 0, 0, 1, 0, 0, 0, 1};
  EXPECT_EQ(drv::gemm_int32(e, g), std::vector<int32_t>({1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(Ops, ABoardReceivesTheSameStreamBytesAsTheSimulator) {
  // The same GEMM, once on the simulator and once on the xdma backend (a fake card: the run
  // times out there, but the stream is written into its ring first). Both engines report
  // the same build and memory window, so the recorded streams - and the bytes in the fake
  // card's ring - must be identical.
  std::mt19937_64 rng(tessera::test::test_seed());
  drv::GemmArgs g;
  g.m = 40, g.k = 50, g.n = 20;
  g.a.resize(std::size_t(g.m) * g.k);
  g.b.resize(std::size_t(g.k) * g.n);
  for (auto& x : g.a) x = int8_t(rng());
  for (auto& x : g.b) x = int8_t(rng());
  g.quant = tessera::test::random_quant(rng, 1, g.k);

  FakeXdma fake;
  fake.tessera_registers();
  drv::Engine board(drv::open_xdma_device(fake.options()), std::chrono::milliseconds(200));
  drv::Recording on_board, on_sim;
  board.record_to(&on_board);
  EXPECT_THROW(drv::gemm_int8(board, g), drv::TimeoutError);
  // The simulator's engine has run other tests: a fresh one would place the ring first, as
  // the board's did. Compare against a stream planned the same way on the simulator.
  drv::Engine& sim = *sim_engine;
  sim.record_to(&on_sim);
  drv::gemm_int8(sim, g);
  sim.record_to(nullptr);
  ASSERT_EQ(on_board.commands.size(), on_sim.commands.size());
  // Addresses of the tensors depend on what else was allocated; with the same allocation
  // history (both engines free all buffers after an operation) they coincide.
  for (std::size_t i = 0; i < on_sim.commands.size(); ++i) {
    ASSERT_EQ(tessera::isa::disassemble(on_board.commands[i]),
              tessera::isa::disassemble(on_sim.commands[i]))
        << "command " << i;
  }
  // And what the fake card's ring holds is that stream.
  std::ifstream card(fake.prefix + "_h2c_0", std::ios::binary);
  std::vector<char> ring(64 * on_board.commands.size());
  card.seekg(0x8000'0000);
  card.read(ring.data(), std::streamsize(ring.size()));
  for (std::size_t i = 0; i < on_board.commands.size(); ++i) {
    ASSERT_EQ(std::memcmp(ring.data() + 64 * i, on_board.commands[i].bytes().data(), 64), 0)
        << "ring slot " << i;
  }
}

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  sim_engine = new drv::Engine(tessera::test::open_test_device());
  return RUN_ALL_TESTS();
}
