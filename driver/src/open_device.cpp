// SPDX-License-Identifier: Apache-2.0
// Device specs and the backend registry; see open_device.hpp. The board backends are
// registered here; others register themselves (BackendRegistrar) from their libraries.
#include "tessera/open_device.hpp"

#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <stdexcept>

#include "tessera/board_devices.hpp"

namespace tessera::driver {
namespace {

uint64_t parse_number(const std::string& what, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (text.empty() || text[0] == '-' || text[0] == '+' || *end || errno) {
    throw std::invalid_argument(what + " = '" + text + "' is not a non-negative integer");
  }
  return v;
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

std::unique_ptr<Device> open_xdma(DeviceSpec& spec) {
  XdmaOptions o;
  if (!spec.path().empty()) o.prefix = spec.path();
  o.bar = spec.take("bar");
  o.events = spec.take("events");
  o.channel = unsigned(spec.take_number("channel", 0, 0, 3));
  if (spec.has("mem")) {
    const std::string m = spec.take("mem");
    const std::size_t sep = m.find(':');
    if (sep == std::string::npos)
      throw std::invalid_argument("xdma mem = '" + m + "' is not BASE:SIZE");
    o.memory_base = parse_number("xdma mem base", m.substr(0, sep));
    o.memory_size = parse_number("xdma mem size", m.substr(sep + 1));
  }
  spec.finish({"bar", "events", "channel", "mem"});
  return open_xdma_device(o);
}

std::unique_ptr<Device> open_uio(DeviceSpec& spec) {
  UioOptions o;
  if (!spec.path().empty()) o.uio = spec.path();
  o.dmabuf = spec.take("buf", o.dmabuf);
  o.irq = spec.take("irq");
  o.sysfs = spec.take("sysfs", o.sysfs);
  spec.finish({"buf", "irq", "sysfs"});
  return open_uio_device(o);
}

struct Registry {
  std::mutex mutex;
  std::vector<Backend> backends{
      {"xdma", "xdma:/dev/xdma0[,mem=BASE:SIZE][,channel=N][,bar=PATH][,events=PATH]", open_xdma},
      {"uio", "uio:/dev/uio0[,buf=/dev/udmabuf0][,irq=PATH][,sysfs=DIR]", open_uio}};
};

Registry& registry() {
  static Registry r;  // constructed on first use, also from other libraries' registrars
  return r;
}

}  // namespace

DeviceSpec DeviceSpec::parse(const std::string& text) {
  DeviceSpec s;
  s.text_ = text;
  const std::size_t colon = text.find(':');
  s.kind_ = text.substr(0, colon);
  if (s.kind_.empty()) throw std::invalid_argument("device '" + text + "' names no backend");
  const std::string rest = colon == std::string::npos ? "" : text.substr(colon + 1);
  std::size_t pos = 0;
  bool first = true;
  while (pos <= rest.size() && !rest.empty()) {
    const std::size_t comma = rest.find(',', pos);
    const std::string part =
        rest.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? rest.size() + 1 : comma + 1;
    const std::size_t eq = part.find('=');
    if (first && eq == std::string::npos) {
      s.path_ = part;
    } else if (!part.empty()) {
      if (eq == std::string::npos || eq == 0) {
        throw std::invalid_argument(s.kind_ + " device option '" + part + "' is not KEY=VALUE");
      }
      const std::string key = part.substr(0, eq);
      if (s.options_.count(key)) {
        throw std::invalid_argument(s.kind_ + " device option '" + key + "' is given twice");
      }
      s.options_[key] = part.substr(eq + 1);
    }
    first = false;
  }
  return s;
}

std::string DeviceSpec::take(const std::string& key, const std::string& fallback) {
  const auto it = options_.find(key);
  if (it == options_.end()) return fallback;
  std::string v = it->second;
  options_.erase(it);
  return v;
}

uint64_t DeviceSpec::take_number(const std::string& key, uint64_t fallback, uint64_t lo,
                                 uint64_t hi) {
  if (!has(key)) return fallback;
  const std::string text = take(key);
  const uint64_t v = parse_number(kind_ + " " + key, text);
  if (v < lo || v > hi) {
    throw std::invalid_argument(kind_ + " " + key + " = " + text + " is out of range [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return v;
}

void DeviceSpec::finish(const std::vector<std::string>& accepted) const {
  if (options_.empty()) return;
  std::vector<std::string> left;
  for (const auto& [key, value] : options_) left.push_back(key + "=" + value);
  throw std::invalid_argument(kind_ + " device option '" + join(left) + "' is not one of " +
                              (accepted.empty() ? std::string("(none)") : join(accepted)) +
                              " (KEY=VALUE)");
}

void register_backend(Backend backend) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  for (Backend& b : r.backends) {
    if (b.kind == backend.kind) {
      b = std::move(backend);
      return;
    }
  }
  r.backends.push_back(std::move(backend));
}

std::vector<Backend> backends() {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  return r.backends;
}

std::unique_ptr<Device> open_device(const std::string& text) {
  DeviceSpec spec = DeviceSpec::parse(text);
  std::vector<std::string> forms;
  for (const Backend& b : backends()) {
    if (b.kind == spec.kind()) return b.open(spec);
    forms.push_back(b.usage);
  }
  throw std::invalid_argument("device '" + text + "' names no backend of this program; it has " +
                              join(forms));
}

}  // namespace tessera::driver
