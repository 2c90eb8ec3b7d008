// Command-line numbers for the simulator programs: an unsigned integer in [lo, hi], or an
// error that names the flag, the text and the accepted range.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace tessera::sim {

inline uint64_t parse_uint(const std::string& flag, const char* text, uint64_t lo, uint64_t hi) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || text[0] == '-' || v < lo || v > hi) {
    throw std::invalid_argument(flag + " = '" + text + "' is not an integer in [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return v;
}

}  // namespace tessera::sim
