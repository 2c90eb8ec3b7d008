// SPDX-License-Identifier: Apache-2.0
// Saved programs; see program.hpp. The file (little-endian, docs/models.md):
//   "TESSPROG" u32 version | build config, batch, reuse, fuse | the ONNX bytes and source name |
//   weights | arena bytes, timestamps, tensor offsets | layers | segments (commands and
//   relocations) | u64 FNV-1a checksum of everything before it.
// Loading re-imports the carried model (and re-runs the graph passes) for the host steps and
// the reference; the engine's part - weights, streams, memory plan - is the file's, checked
// for consistency with that graph: every place, layer, segment and relocation in range.
#include <cstring>
#include <variant>

#include "tessera/atomic_file.hpp"
#include "tessera/model/program.hpp"

namespace tessera::model {
namespace {

constexpr char kMagic[8] = {'T', 'E', 'S', 'S', 'P', 'R', 'O', 'G'};
// 2: the bus width (a STORE's panels depend on it); 3: fused layers (CompileOptions::fuse,
// Layer::fused).
constexpr uint32_t kVersion = 3;

uint64_t fnv1a(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

class Writer {
 public:
  template <typename T>
  void put(T v) {
    char b[sizeof(T)];
    std::memcpy(b, &v, sizeof(T));
    out_.append(b, sizeof(T));
  }
  void bytes(const void* p, std::size_t n) { out_.append(static_cast<const char*>(p), n); }
  void string(const std::string& s) {
    put<uint64_t>(s.size());
    out_ += s;
  }
  std::string& text() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  Reader(const std::string& s, const std::string& path) : s_(s), path_(path) {}
  template <typename T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, s_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return v;
  }
  void bytes(void* p, std::size_t n) {
    need(n);
    std::memcpy(p, s_.data() + at_, n);
    at_ += n;
  }
  std::string string() {
    const auto n = get<uint64_t>();
    need(n);
    std::string v = s_.substr(at_, std::size_t(n));
    at_ += std::size_t(n);
    return v;
  }
  uint32_t count(const char* what, uint64_t limit) {
    const auto n = get<uint32_t>();
    if (n > limit)
      fail(std::string("implausible number of ") + what + " (" + std::to_string(n) + ")");
    return n;
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ModelError(path_ + ": not a valid Tessera program: " + what);
  }

 private:
  void need(uint64_t n) const {
    if (n > s_.size() - at_) fail("it ends early (truncated?)");
  }
  const std::string& s_;
  std::string path_;
  std::size_t at_ = 0;
};

}  // namespace

void Program::save(const std::string& path) const {
  Writer w;
  w.bytes(kMagic, sizeof kMagic);
  w.put(kVersion);
  for (uint32_t v : {config.rows, config.cols, config.scratchpad_lines, config.accumulator_lines,
                     config.qtable_entries, config.bus_bytes, options.batch,
                     uint32_t(options.reuse_memory), uint32_t(options.fuse)}) {
    w.put(v);
  }
  w.string(onnx);
  w.string(model.source);
  w.put<uint64_t>(weights.size());
  w.bytes(weights.data(), weights.size());
  w.put(arena_bytes);
  w.put(timestamps);
  w.put<uint32_t>(uint32_t(arena_offset.size()));
  for (int64_t o : arena_offset) w.put(o);
  w.put<uint32_t>(uint32_t(layers.size()));
  for (const Layer& l : layers) {
    w.put<int32_t>(l.node);
    w.put<uint8_t>(l.on_engine);
    w.put<uint8_t>(l.fused);
    w.string(l.reason);
    for (uint32_t v : {l.segment, l.first_command, l.commands, l.timestamp}) w.put(v);
    for (uint64_t v : {l.useful_macs, l.engine_macs, l.dma_read_bytes, l.dma_write_bytes}) w.put(v);
  }
  w.put<uint32_t>(uint32_t(segments.size()));
  for (const Segment& s : segments) {
    for (uint32_t v : {s.first_layer, s.layers, s.first_timestamp}) w.put(v);
    w.put<uint32_t>(uint32_t(s.commands.size()));
    for (const auto& c : s.commands) w.bytes(c.bytes().data(), c.bytes().size());
    w.put<uint32_t>(uint32_t(s.relocations.size()));
    for (const auto& r : s.relocations) {
      w.put(r.command);
      w.put<uint8_t>(uint8_t(r.region));
    }
  }
  w.put(fnv1a(w.text()));
  write_file_atomically(path, w.text());
}

Program Program::load(const std::string& path) {
  const std::string file = read_model_file(path);  // the same errors for a missing file
  if (file.size() < sizeof kMagic + 12 || std::memcmp(file.data(), kMagic, sizeof kMagic) != 0) {
    throw ModelError(path +
                     ": not a Tessera program (no TESSPROG header); compile one with "
                     "`tessera model compile MODEL.onnx -o FILE`");
  }
  uint64_t stored;
  std::memcpy(&stored, file.data() + file.size() - 8, 8);
  const std::string body = file.substr(0, file.size() - 8);
  Reader r(body, path);
  if (fnv1a(body) != stored) r.fail("its checksum does not match (damaged or truncated)");
  char magic[8];
  r.bytes(magic, 8);
  const auto version = r.get<uint32_t>();
  if (version != kVersion) {
    r.fail("format version " + std::to_string(version) + "; this tessera reads version " +
           std::to_string(kVersion) + " (recompile the model)");
  }
  isa::BuildConfig cfg;
  cfg.rows = r.get<uint32_t>();
  cfg.cols = r.get<uint32_t>();
  cfg.scratchpad_lines = r.get<uint32_t>();
  cfg.accumulator_lines = r.get<uint32_t>();
  cfg.qtable_entries = r.get<uint32_t>();
  cfg.bus_bytes = r.get<uint32_t>();
  CompileOptions opt;
  opt.batch = r.get<uint32_t>();
  opt.reuse_memory = r.get<uint32_t>() != 0;
  opt.fuse = r.get<uint32_t>() != 0;
  Program p;
  p.config = cfg;
  p.options = opt;
  p.onnx = r.string();
  const std::string source = r.string();
  p.model = import_onnx(p.onnx, source);  // the graph: host steps and the reference
  prepare_graph(p.model.graph);
  const graph::Graph& g = p.model.graph;
  const auto weights = r.get<uint64_t>();
  if (weights > body.size()) r.fail("its weights region is larger than the file");
  p.weights.resize(std::size_t(weights));
  r.bytes(p.weights.data(), p.weights.size());
  p.arena_bytes = r.get<uint64_t>();
  p.timestamps = r.get<uint32_t>();
  p.arena_offset.resize(r.count("tensors", body.size()));
  if (p.arena_offset.size() != g.tensors.size()) {
    r.fail("it places " + std::to_string(p.arena_offset.size()) + " tensors; its model has " +
           std::to_string(g.tensors.size()));
  }
  for (std::size_t t = 0; t < p.arena_offset.size(); ++t) {
    p.arena_offset[t] = r.get<int64_t>();
    const uint64_t bytes = uint64_t(opt.batch) * g.tensors[t].elements();
    if (p.arena_offset[t] >= 0 && uint64_t(p.arena_offset[t]) + bytes > p.arena_bytes) {
      r.fail("tensor '" + g.tensors[t].name + "' lies outside the arena");
    }
  }
  p.layers.resize(r.count("layers", body.size()));
  if (p.layers.size() != g.nodes.size()) {
    r.fail(std::to_string(p.layers.size()) + " layers for a model of " +
           std::to_string(g.nodes.size()) + " nodes");
  }
  for (std::size_t i = 0; i < p.layers.size(); ++i) {
    Layer& l = p.layers[i];
    l.node = r.get<int32_t>();
    l.on_engine = r.get<uint8_t>() != 0;
    l.fused = r.get<uint8_t>() != 0;
    l.reason = r.string();
    l.segment = r.get<uint32_t>();
    l.first_command = r.get<uint32_t>();
    l.commands = r.get<uint32_t>();
    l.timestamp = r.get<uint32_t>();
    l.useful_macs = r.get<uint64_t>();
    l.engine_macs = r.get<uint64_t>();
    l.dma_read_bytes = r.get<uint64_t>();
    l.dma_write_bytes = r.get<uint64_t>();
    if (l.node != int(i))
      r.fail("layer " + std::to_string(i) + " is not node " + std::to_string(i));
    const auto& op = g.nodes[i].op;
    if (l.on_engine && !std::holds_alternative<graph::Conv2d>(op) &&
        !std::holds_alternative<graph::FullyConnected>(op)) {
      r.fail("layer " + std::to_string(i) + " (" + graph::op_name(op) +
             ") cannot run on the engine");
    }
    if (l.on_engine && l.timestamp + 1 >= p.timestamps)
      r.fail("a layer's timestamp slot is outside the region");
    if (l.fused && (!l.on_engine || i + 1 >= p.layers.size()))
      r.fail("layer " + std::to_string(i) + " is fused with no engine layer after it");
  }
  p.segments.resize(r.count("segments", body.size()));
  for (std::size_t si = 0; si < p.segments.size(); ++si) {
    Segment& s = p.segments[si];
    s.first_layer = r.get<uint32_t>();
    s.layers = r.get<uint32_t>();
    s.first_timestamp = r.get<uint32_t>();
    s.commands.resize(r.count("commands", body.size() / isa::kCommandBytes));
    for (auto& c : s.commands) {
      uint8_t b[isa::kCommandBytes];
      r.bytes(b, sizeof b);
      c = isa::Command::from_bytes(b);
    }
    s.relocations.resize(r.count("relocations", body.size()));
    for (auto& rel : s.relocations) {
      rel.command = r.get<uint32_t>();
      const auto region = r.get<uint8_t>();
      if (rel.command >= s.commands.size() || region >= kRegions)
        r.fail("a relocation is out of range");
      rel.region = Region(region);
    }
    if (uint64_t(s.first_layer) + s.layers > p.layers.size())
      r.fail("a segment's layers are out of range");
    for (uint32_t i = s.first_layer; i < s.first_layer + s.layers; ++i) {
      const Layer& l = p.layers[i];
      if (!l.on_engine || l.segment != si ||
          uint64_t(l.first_command) + l.commands > s.commands.size()) {
        r.fail("layer " + std::to_string(i) + " does not lie in segment " + std::to_string(si));
      }
    }
  }
  for (const Layer& l : p.layers) {
    if (l.on_engine && l.segment >= p.segments.size()) r.fail("a layer names a missing segment");
  }
  return p;
}

}  // namespace tessera::model
