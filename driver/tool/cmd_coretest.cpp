// SPDX-License-Identifier: Apache-2.0
// tessera coretest: the iCEBreaker build - the bare core over a serial port (docs/boards.md),
// not an engine: random GEMMs tiled onto it, checked against the reference model.
#include <chrono>
#include <cstdio>

#include "commands.hpp"
#include "common.hpp"
#include "tessera/checks.hpp"
#include "tessera/core_link.hpp"

namespace tessera::cli {

int run_coretest(int argc, char** argv) {
  std::string serial;
  uint32_t baud = driver::kCoreLinkBaud;
  unsigned count = 10;
  uint64_t seed = 1;
  double timeout_s = 2;
  bool json = false;
  po::options_description d("Options");
  d.add_options()("help,h", "show this help")("serial", po::value(&serial)->required(),
                                              "the board's serial port, e.g. /dev/ttyUSB1")(
      "baud", po::value(&baud)->default_value(driver::kCoreLinkBaud),
      "the link's rate (the bitstream's: 1000000)")("count", po::value(&count)->default_value(10),
                                                    "random GEMMs")(
      "seed", po::value(&seed)->default_value(1), "seed for the random GEMMs")(
      "timeout", po::value(&timeout_s)->default_value(2), "seconds to wait for a byte")(
      "json", po::bool_switch(&json), "print the report as one JSON object");
  parse(argc, argv, d, {}, "coretest --serial /dev/ttyUSB1 [options]");
  require_range("--count", count, 1u, 100000u);
  require_range("--timeout", timeout_s, 0.001, 3600.0);
  std::unique_ptr<driver::ByteChannel> port;
  try {
    port = driver::open_serial_port(serial, baud);
  } catch (const driver::DeviceError&) {
    throw;
  } catch (const std::invalid_argument& e) {
    throw UsageError(std::string("--baud: ") + e.what());
  }
  driver::CoreLink link(std::move(port), std::chrono::milliseconds(int64_t(timeout_s * 1000)));
  const auto& info = link.info();
  std::mt19937_64 rng(seed);
  unsigned passed = 0;
  uint64_t macs = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (unsigned i = 0; i < count; ++i) {
    const std::size_t m = 1 + rng() % 48, k = 1 + rng() % 48, n = 1 + rng() % 24;
    const auto a = random_int8(rng, m * k, "A"), b = random_int8(rng, k * n, "B");
    const bool ok = link.gemm(a, b, m, k, n) == ref::gemm(a, b, {}, m, k, n);
    passed += ok;
    macs += uint64_t(m) * k * n;
    if (!json) std::printf("  gemm %zux%zux%zu %s\n", m, k, n, ok ? "ok" : "MISMATCH");
  }
  const double wall = seconds_since(t0);
  Report r;
  r.add("port", "port", serial);
  r.add("core", "core (rows x cols)",
        std::to_string(info.rows) + " x " + std::to_string(info.cols));
  r.add("rx_buffer_bytes", "board receive buffer (bytes)", info.rx_buffer_bytes);
  r.add("gemms", "GEMMs", count);
  r.add("passed", "bit-exact against the reference model", passed);
  r.add("macs", "MACs", macs);
  r.add("macs_per_second", "MACs per second (the link's rate bounds it)",
        Json::number(wall > 0 ? double(macs) / wall : 0.0, 0));
  r.add("link_bytes_per_second", "link bytes per second, both ways",
        Json::number(wall > 0 ? double(link.bytes_sent() + link.bytes_received()) / wall : 0.0, 0));
  r.print(json);
  return passed == count ? 0 : 1;
}

}  // namespace tessera::cli
