// SPDX-License-Identifier: Apache-2.0
// Number parsing; see checks.hpp.
#include "tessera/checks.hpp"

#include <cctype>
#include <cerrno>
#include <cstdlib>

namespace tessera {
namespace {

std::invalid_argument not_in(const std::string& what, const std::string& text,
                             const std::string& kind, const std::string& lo,
                             const std::string& hi) {
  return std::invalid_argument(what + " = '" + text + "' is not " + kind + " in [" + lo + ", " +
                               hi + "]");
}

std::string shortest(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

uint64_t parse_unsigned(const std::string& what, const std::string& text, uint64_t lo,
                        uint64_t hi) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])) || *end || errno ||
      v < lo || v > hi) {
    throw not_in(what, text, "an integer", std::to_string(lo), std::to_string(hi));
  }
  return v;
}

int64_t parse_signed(const std::string& what, const std::string& text, int64_t lo, int64_t hi) {
  char* end = nullptr;
  errno = 0;
  const long long v = std::strtoll(text.c_str(), &end, 0);
  const bool starts = !text.empty() && (std::isdigit(static_cast<unsigned char>(text[0])) ||
                                        ((text[0] == '-' || text[0] == '+') && text.size() > 1 &&
                                         std::isdigit(static_cast<unsigned char>(text[1]))));
  if (!starts || *end || errno || v < lo || v > hi) {
    throw not_in(what, text, "an integer", std::to_string(lo), std::to_string(hi));
  }
  return v;
}

std::string number_text(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

CycleWindow parse_cycle_window(const std::string& what, const std::string& text) {
  const auto colon = text.find(':');
  if (colon == std::string::npos)
    throw std::invalid_argument(what + " = '" + text + "' is not START:END (cycles)");
  CycleWindow w;
  w.start = parse_unsigned(what + " START", text.substr(0, colon), 0, ~uint64_t(0) - 1);
  if (colon + 1 < text.size())
    w.end = parse_unsigned(what + " END", text.substr(colon + 1), w.start + 1, ~uint64_t(0));
  return w;
}

double parse_real(const std::string& what, const std::string& text, double lo, double hi) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || std::isspace(static_cast<unsigned char>(text[0])) || *end || errno ||
      !std::isfinite(v) || v < lo || v > hi) {
    throw not_in(what, text, "a number", shortest(lo), shortest(hi));
  }
  return v;
}

}  // namespace tessera
