// SPDX-License-Identifier: Apache-2.0
// What the driver's error messages share (internal): hexadecimal values, and the checks
// whose messages name the value and the accepted range or size (tessera/checks.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "tessera/checks.hpp"

namespace tessera::driver::detail {

inline std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

inline void require_range(const std::string& what, long long v, long long lo, long long hi) {
  tessera::require_range<long long>(what, v, lo, hi);
}

inline void require_size(const char* what, std::size_t got, std::size_t want, const char* shape) {
  if (got != want) {
    throw std::invalid_argument(std::string(what) + " has " + std::to_string(got) + " elements; " +
                                shape + " = " + std::to_string(want));
  }
}

}  // namespace tessera::driver::detail
