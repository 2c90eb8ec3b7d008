// SPDX-License-Identifier: Apache-2.0
// Reports the tools print (`tessera`, `tessera_sim`, the benchmarks): one writer for both
// forms, so every program's JSON has the same shape and key names (docs/driver.md).
//   - Json: a JSON value (null, bool, integer, number, string, array, object with ordered
//     keys) and its compact one-line text.
//   - Report: labelled items in order; printed as aligned "label  value" lines for people,
//     or as one JSON object (the items' keys) for programs.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace tessera {

class Json {
 public:
  enum class Kind { kNull, kBool, kInteger, kUnsigned, kNumber, kString, kArray, kObject };

  Json() = default;
  Json(bool v) : kind_(Kind::kBool), bool_(v) {}                        // NOLINT: implicit
  Json(int v) : kind_(Kind::kInteger), int_(v) {}                       // NOLINT
  Json(long v) : kind_(Kind::kInteger), int_(v) {}                      // NOLINT
  Json(long long v) : kind_(Kind::kInteger), int_(v) {}                 // NOLINT
  Json(unsigned v) : kind_(Kind::kUnsigned), uint_(v) {}                // NOLINT
  Json(unsigned long v) : kind_(Kind::kUnsigned), uint_(v) {}           // NOLINT
  Json(unsigned long long v) : kind_(Kind::kUnsigned), uint_(v) {}      // NOLINT
  Json(const char* v) : kind_(Kind::kString), string_(v) {}             // NOLINT
  Json(std::string v) : kind_(Kind::kString), string_(std::move(v)) {}  // NOLINT
  // A number with `decimals` digits after the point (fixed notation); -1: shortest exact.
  static Json number(double v, int decimals = -1);
  static Json array();
  static Json object();

  Kind kind() const { return kind_; }
  // Object: sets KEY (replacing an earlier value, keeping its place). Array: appends.
  Json& set(const std::string& key, Json value);
  Json& push(Json value);
  const std::vector<std::pair<std::string, Json>>& items() const { return members_; }

  std::string dump() const;  // compact JSON, one line
  std::string text() const;  // for people: strings unquoted, numbers as dump()

 private:
  Kind kind_ = Kind::kNull;
  bool bool_ = false;
  long long int_ = 0;
  unsigned long long uint_ = 0;
  double number_ = 0;
  int decimals_ = -1;
  std::string string_;
  std::vector<std::pair<std::string, Json>> members_;  // array items have empty keys
};

class Report {
 public:
  // An item: KEY in JSON, LABEL in text.
  Report& add(const std::string& key, const std::string& label, Json value);
  Json json() const;
  void print_text(std::FILE* out) const;  // "  label   value" lines
  void print(bool as_json, std::FILE* out = stdout) const;

 private:
  struct Item {
    std::string key, label;
    Json value;
  };
  std::vector<Item> items_;
};

// A progress line for Engine::progress on a terminal: "\r  37% of 1080 commands", redrawn
// when the percentage changes and erased at 100 %. For the tools (`tessera`, `tessera_sim`).
std::function<void(std::size_t done, std::size_t total)> terminal_progress(std::FILE* out);

// A MAC utilization in percent: useful MACs over cycles x array MACs, 0 with no cycles.
double utilization_percent(uint64_t useful_macs, uint64_t cycles, uint32_t rows, uint32_t cols);

}  // namespace tessera
