// SPDX-License-Identifier: Apache-2.0
// The checks every layer shares (driver, tools, importer): a value in its range, and text
// read as a number, with errors that name the value and what is accepted. They throw
// std::invalid_argument, which the tools report as bad input (exit status 2).
#pragma once

#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace tessera {

// A file that cannot be read, or does not hold what it should (a .npy array, a recording, an
// IDX data set, a command stream): bad input, like a bad option (the tools exit with 2).
class InputError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// Throws "WHAT = V is out of range [LO, HI]" unless lo <= v <= hi (NaN never is).
template <typename T>
void require_range(const std::string& what, T v, T lo, T hi) {
  bool ok = v >= lo && v <= hi;
  if constexpr (std::is_floating_point_v<T>) ok = ok && !std::isnan(v);
  if (!ok) {
    std::ostringstream s;
    s << what << " = " << v << " is out of range [" << lo << ", " << hi << "]";
    throw std::invalid_argument(s.str());
  }
}

// TEXT as an unsigned integer in [lo, hi]: decimal or 0x hexadecimal, no sign, nothing after
// it. Throws "WHAT = 'TEXT' is not an integer in [LO, HI]".
uint64_t parse_unsigned(const std::string& what, const std::string& text, uint64_t lo, uint64_t hi);
// TEXT as a signed integer in [lo, hi], likewise.
int64_t parse_signed(const std::string& what, const std::string& text, int64_t lo, int64_t hi);
// TEXT as a finite number in [lo, hi] (NaN and infinities are refused).
double parse_real(const std::string& what, const std::string& text, double lo, double hi);
// A number as a message shows it: 0.02, -1, 1e-30 (a stream's default format).
std::string number_text(double v);

// TEXT as a cycle window START:END, END exclusive and above START, or START: (end = 0: to
// the end); `what` names it in the errors (e.g. "--trace-window").
struct CycleWindow {
  uint64_t start = 0, end = 0;
};
CycleWindow parse_cycle_window(const std::string& what, const std::string& text);

}  // namespace tessera
