// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the .npy reader (tessera/npy.hpp). Any input is either read - and then its
// values convert as its dtype says - or refused with tessera::InputError; nothing else.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tessera/checks.hpp"
#include "tessera/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  tessera::npy::Array a;
  try {
    a = tessera::npy::parse(in, "input.npy");
  } catch (const tessera::InputError&) {
    return 0;
  }
  if (a.data.size() % (a.elements() ? a.elements() : 1) != 0) __builtin_trap();
  try {
    if (a.dtype == "f4") {
      if (a.as_float32("x").size() != a.elements()) __builtin_trap();
    } else if (a.as_integers("x").size() != a.elements()) {
      __builtin_trap();
    }
  } catch (const std::invalid_argument&) {
    __builtin_trap();  // every dtype the reader accepts converts
  }
  return 0;
}
