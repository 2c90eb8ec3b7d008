// open_device(); see open_device.hpp.
#include "tessera/open_device.hpp"

#include <map>
#include <stdexcept>

#include "tessera/board_devices.hpp"
#include "tessera/sim_device.hpp"

namespace tessera::driver {
namespace {

uint64_t number(const std::string& key, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (text.empty() || text[0] == '-' || *end || errno) {
    throw std::invalid_argument("device option " + key + " = '" + text +
                                "' is not a non-negative integer");
  }
  return v;
}

// "path,key=value,key=value" -> path and options; every key must be known.
std::map<std::string, std::string> options(const std::string& text, std::string& path,
                                           const std::string& kind,
                                           std::initializer_list<const char*> known) {
  std::map<std::string, std::string> out;
  std::size_t pos = 0;
  bool first = true;
  while (pos <= text.size()) {
    const std::size_t comma = text.find(',', pos);
    const std::string part = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? text.size() + 1 : comma + 1;
    const std::size_t eq = part.find('=');
    if (first && eq == std::string::npos) {
      path = part;
      first = false;
      continue;
    }
    first = false;
    if (part.empty()) continue;
    const std::string key = part.substr(0, eq);
    const bool ok = eq != std::string::npos;
    bool is_known = false;
    std::string names;
    for (const char* k : known) {
      is_known = is_known || key == k;
      names += std::string(names.empty() ? "" : ", ") + k;
    }
    if (!ok || !is_known) {
      throw std::invalid_argument(kind + " device option '" + part + "' is not one of " + names +
                                  " (key=value)");
    }
    out[key] = part.substr(eq + 1);
  }
  return out;
}

}  // namespace

std::unique_ptr<Device> open_device(const std::string& spec) {
  const std::size_t colon = spec.find(':');
  const std::string kind = spec.substr(0, colon);
  const std::string rest = colon == std::string::npos ? "" : spec.substr(colon + 1);
  std::string path;
  if (kind == "sim") {
    auto o = options(rest, path, "sim", {"latency", "trace"});
    if (!path.empty()) throw std::invalid_argument("sim takes no path (got '" + path + "')");
    sim::SimDeviceOptions so;
    if (o.count("latency")) {
      const uint64_t latency = number("latency", o["latency"]);
      if (latency > 10000) {
        throw std::invalid_argument("sim latency = " + o["latency"] +
                                    " is out of range [0, 10000] cycles");
      }
      so.memory.read_latency = so.memory.write_latency = unsigned(latency);
    }
    so.trace = o["trace"];
    return sim::open_sim_device(so);
  }
  if (kind == "xdma") {
    auto o = options(rest, path, "xdma", {"bar", "events", "channel", "mem"});
    XdmaOptions xo;
    if (!path.empty()) xo.prefix = path;
    xo.bar = o["bar"];
    xo.events = o["events"];
    if (o.count("channel")) xo.channel = unsigned(number("channel", o["channel"]));
    if (o.count("mem")) {
      const std::string m = o["mem"];
      const std::size_t sep = m.find(':');
      if (sep == std::string::npos)
        throw std::invalid_argument("xdma mem = '" + m + "' is not BASE:SIZE");
      xo.memory_base = number("mem base", m.substr(0, sep));
      xo.memory_size = number("mem size", m.substr(sep + 1));
    }
    return open_xdma_device(xo);
  }
  if (kind == "uio") {
    auto o = options(rest, path, "uio", {"buf", "irq", "sysfs"});
    UioOptions uo;
    if (!path.empty()) uo.uio = path;
    if (o.count("buf")) uo.dmabuf = o["buf"];
    uo.irq = o["irq"];
    if (o.count("sysfs")) uo.sysfs = o["sysfs"];
    return open_uio_device(uo);
  }
  throw std::invalid_argument("device '" + spec + "' is not sim, xdma:PATH or uio:PATH");
}

}  // namespace tessera::driver
