// SPDX-License-Identifier: Apache-2.0
// Json and Report; see report.hpp.
#include "tessera/report.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>

namespace tessera {
namespace {

std::string quote(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

}  // namespace

Json Json::number(double v, int decimals) {
  Json j;
  j.kind_ = Kind::kNumber;
  j.number_ = v;
  j.decimals_ = decimals;
  return j;
}

Json Json::array() {
  Json j;
  j.kind_ = Kind::kArray;
  return j;
}

Json Json::object() {
  Json j;
  j.kind_ = Kind::kObject;
  return j;
}

Json& Json::set(const std::string& key, Json value) {
  if (kind_ != Kind::kObject) throw std::logic_error("Json::set on a value that is not an object");
  for (auto& [k, v] : members_) {
    if (k == key) {
      v = std::move(value);
      return *this;
    }
  }
  members_.emplace_back(key, std::move(value));
  return *this;
}

Json& Json::push(Json value) {
  if (kind_ != Kind::kArray) throw std::logic_error("Json::push on a value that is not an array");
  members_.emplace_back(std::string(), std::move(value));
  return *this;
}

std::string Json::dump() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kBool:
      return bool_ ? "true" : "false";
    case Kind::kInteger:
      return std::to_string(int_);
    case Kind::kUnsigned:
      return std::to_string(uint_);
    case Kind::kNumber: {
      if (!std::isfinite(number_)) return "null";  // JSON has no NaN or infinity
      char buf[64];
      if (decimals_ >= 0)
        std::snprintf(buf, sizeof buf, "%.*f", decimals_, number_);
      else
        std::snprintf(buf, sizeof buf, "%.17g", number_);
      return buf;
    }
    case Kind::kString:
      return quote(string_);
    case Kind::kArray: {
      std::string s = "[";
      for (std::size_t i = 0; i < members_.size(); ++i)
        s += (i ? ", " : "") + members_[i].second.dump();
      return s + "]";
    }
    case Kind::kObject: {
      std::string s = "{";
      for (std::size_t i = 0; i < members_.size(); ++i)
        s += (i ? ", " : "") + quote(members_[i].first) + ": " + members_[i].second.dump();
      return s + "}";
    }
  }
  return "null";
}

std::string Json::text() const { return kind_ == Kind::kString ? string_ : dump(); }

Report& Report::add(const std::string& key, const std::string& label, Json value) {
  items_.push_back({key, label, std::move(value)});
  return *this;
}

Json Report::json() const {
  Json j = Json::object();
  for (const Item& i : items_) j.set(i.key, i.value);
  return j;
}

void Report::print_text(std::FILE* out) const {
  for (const Item& i : items_)
    std::fprintf(out, "  %-42s %s\n", i.label.c_str(), i.value.text().c_str());
}

void Report::print(bool as_json, std::FILE* out) const {
  if (as_json)
    std::fprintf(out, "%s\n", json().dump().c_str());
  else
    print_text(out);
}

double utilization_percent(uint64_t useful_macs, uint64_t cycles, uint32_t rows, uint32_t cols) {
  if (cycles == 0 || rows == 0 || cols == 0) return 0;
  return 100.0 * double(useful_macs) / (double(cycles) * rows * cols);
}

std::function<void(std::size_t, std::size_t)> terminal_progress(std::FILE* out) {
  auto last = std::make_shared<int>(-1);
  return [out, last](std::size_t done, std::size_t total) {
    const int pct = total ? int(100 * done / total) : 100;
    if (pct == *last) return;
    *last = pct;
    std::fprintf(out, "\r  %3d%% of %zu commands%s", pct, total, pct == 100 ? "\r\033[K" : "");
    std::fflush(out);
  };
}

}  // namespace tessera
