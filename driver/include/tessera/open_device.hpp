// SPDX-License-Identifier: Apache-2.0
// Opening a device by its spec, the text a user writes after --device (library
// tessera_devices; docs/driver.md):
//   KIND[:PATH][,KEY=VALUE]...       e.g. sim:latency=200   xdma:/dev/xdma0,mem=0:0x40000000
// Each backend registers its kind with a usage line and an opener. The board backends (xdma,
// uio) are always there; the simulator's (sim, library tessera_sim) and any other register
// themselves when their library is linked, so a program that links only tessera_devices
// opens boards without pulling in SystemC. open_device() throws std::invalid_argument for a
// spec it does not understand (naming the part and what is accepted) and DeviceError for a
// device that cannot be opened.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tessera/device.hpp"

namespace tessera::driver {

// A parsed spec. The options are taken one by one by the backend that opens it; whatever is
// left when it is done is an error naming the unknown keys.
class DeviceSpec {
 public:
  static DeviceSpec parse(const std::string& text);

  const std::string& text() const { return text_; }
  const std::string& kind() const { return kind_; }
  const std::string& path() const { return path_; }
  // The value of KEY and removes it; `fallback` when absent.
  std::string take(const std::string& key, const std::string& fallback = "");
  // KEY as an unsigned integer (decimal or 0x hex) in [lo, hi]; `fallback` when absent.
  uint64_t take_number(const std::string& key, uint64_t fallback, uint64_t lo, uint64_t hi);
  bool has(const std::string& key) const { return options_.count(key) != 0; }
  // Throws std::invalid_argument if an option is left, listing `accepted`.
  void finish(const std::vector<std::string>& accepted) const;

 private:
  std::string text_, kind_, path_;
  std::map<std::string, std::string> options_;
};

struct Backend {
  std::string kind;   // what a spec starts with
  std::string usage;  // the spec's form, e.g. "sim[:latency=CYCLES][,trace=FILE.fst]"
  std::function<std::unique_ptr<Device>(DeviceSpec&)> open;
};

// Adds a backend (a later one of the same kind replaces it).
void register_backend(Backend backend);
// The backends linked into this program, in registration order.
std::vector<Backend> backends();
std::unique_ptr<Device> open_device(const std::string& spec);

// Registers a backend when constructed: a namespace-scope object in the backend's library.
struct BackendRegistrar {
  explicit BackendRegistrar(Backend backend) { register_backend(std::move(backend)); }
};

}  // namespace tessera::driver
