// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the recording reader (driver::Recording, `tessera run`'s input). Any input
// is read or refused with tessera::InputError, never allocating more than it holds.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tessera/checks.hpp"
#include "tessera/engine.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    const auto r = tessera::driver::Recording::parse(in, "input.tsr");
    std::size_t bytes = 64 * r.commands.size();
    for (const auto& reg : r.inputs) bytes += reg.bytes.size();
    for (const auto& reg : r.outputs) bytes += reg.bytes.size();
    if (bytes > size) __builtin_trap();
  } catch (const tessera::InputError&) {
  }
  return 0;
}
