// SPDX-License-Identifier: Apache-2.0
// The runtime; see runtime.hpp.
#include "tessera/model/runtime.hpp"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>
#include <string>

namespace tessera::model {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::string config_text(const isa::BuildConfig& c) {
  return std::to_string(c.rows) + "x" + std::to_string(c.cols) + " (" +
         std::to_string(c.scratchpad_lines) + " scratchpad lines, " +
         std::to_string(c.accumulator_lines) + " accumulator lines, " +
         std::to_string(c.qtable_entries) + " table entries, a " + std::to_string(8 * c.bus_bytes) +
         "-bit bus)";
}

bool same(const isa::BuildConfig& a, const isa::BuildConfig& b) {
  return a.rows == b.rows && a.cols == b.cols && a.scratchpad_lines == b.scratchpad_lines &&
         a.accumulator_lines == b.accumulator_lines && a.qtable_entries == b.qtable_entries &&
         a.bus_bytes == b.bus_bytes;
}

// Which tensor each input fills and whether it comes quantized; throws for a wrong input.
std::vector<int> bind_inputs(const Program& p, const std::vector<graph::Value>& inputs) {
  const graph::Graph& g = p.model.graph;
  if (inputs.size() != g.inputs.size()) {
    throw std::invalid_argument("the model has " + std::to_string(g.inputs.size()) +
                                " inputs; given " + std::to_string(inputs.size()));
  }
  std::vector<int> tensor(inputs.size());
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const graph::Port& port = g.inputs[i];
    const graph::Tensor& t = g.tensors[std::size_t(port.tensor)];
    const bool quantized = !inputs[i].i8.empty() && inputs[i].f32.empty();
    if (t.dtype == graph::DType::kFloat32 && quantized && port.quantized_tensor < 0) {
      throw std::invalid_argument("input '" + port.name +
                                  "' is float32 and the model does not simply quantize it: "
                                  "give float32 values");
    }
    if (t.dtype == graph::DType::kInt8 && !quantized) {
      throw std::invalid_argument("input '" + port.name + "' is " + port.dtype +
                                  ": give int8 values (uint8 minus 128)");
    }
    tensor[i] =
        t.dtype == graph::DType::kFloat32 && quantized ? port.quantized_tensor : port.tensor;
    const std::size_t want = std::size_t(p.options.batch) * t.elements();
    const std::size_t have = quantized ? inputs[i].i8.size() : inputs[i].f32.size();
    if (have != want) {
      throw std::invalid_argument("input '" + port.name + "' holds " + std::to_string(have) +
                                  " values; the program takes a batch of " +
                                  std::to_string(p.options.batch) + " x " +
                                  std::to_string(t.elements()) + " = " + std::to_string(want));
    }
  }
  return tensor;
}

}  // namespace

Runtime::Runtime(driver::Engine& engine, const Program& program)
    : engine_(engine), program_(program) {
  if (!same(engine.info().config, program.config)) {
    throw std::invalid_argument("the program was compiled for an engine of " +
                                config_text(program.config) + "; this engine is " +
                                config_text(engine.info().config) + ": compile it again for it");
  }
  const uint64_t bytes[kRegions] = {program.weights.size(), program.arena_bytes,
                                    16ull * program.timestamps};
  for (int r = 0; r < kRegions; ++r) {
    regions_[r] = std::make_unique<driver::Buffer>(engine, std::max<uint64_t>(bytes[r], 64));
  }
  regions_[int(Region::kWeights)]->write(program.weights.data(), program.weights.size());
  for (const Segment& s : program.segments) {
    std::vector<isa::Command> cmds = s.commands;
    for (const Relocation& r : s.relocations) {
      isa::Command& c = cmds[r.command];
      const isa::Field f = c.opcode() == isa::Opcode::kLoad    ? isa::load::kDramAddr
                           : c.opcode() == isa::Opcode::kStore ? isa::store::kDramAddr
                                                               : isa::fence::kDramAddr;
      const uint64_t offset = c.get(f);
      if (offset >= bytes[int(r.region)] && !(offset == 0 && bytes[int(r.region)] == 0)) {
        throw std::invalid_argument("program: command " + std::to_string(r.command) +
                                    " addresses offset " + std::to_string(offset) + " of the " +
                                    region_name(r.region) + " region of " +
                                    std::to_string(bytes[int(r.region)]) + " bytes");
      }
      c.set(f, regions_[int(r.region)]->device_addr() + offset);
    }
    isa::CommandStream stream(program.config);
    for (const auto& c : cmds) stream.push(c);  // the engine's checks, before anything runs
    streams_.push_back(std::move(stream));
  }
}

Runtime::~Runtime() = default;

BatchRun Runtime::run(const std::vector<graph::Value>& inputs, const RunOptions& options) {
  const bool every_tensor = options.every_tensor;
  const Program& p = program_;
  const graph::Graph& g = p.model.graph;
  if (every_tensor && p.options.reuse_memory) {
    throw std::invalid_argument(
        "reading every tensor needs a program compiled without memory "
        "reuse (CompileOptions::reuse_memory = false)");
  }
  const std::vector<int> given = bind_inputs(p, inputs);
  const auto t0 = Clock::now();
  const std::size_t batch = p.options.batch;
  const double engine_before = engine_.run_seconds();
  const driver::Counters counters_before =
      options.counters ? engine_.counters() : driver::Counters{};
  BatchRun out;
  out.layers.resize(p.layers.size());
  std::vector<graph::Value> values(g.tensors.size());
  std::vector<bool> on_host(g.tensors.size(), false), given_tensor(g.tensors.size(), false);
  driver::Buffer& arena = *regions_[int(Region::kArena)];
  auto to_device = [&](int t) {
    const int64_t at = p.arena_offset[std::size_t(t)];
    if (at >= 0)
      arena.write(values[std::size_t(t)].i8.data(), values[std::size_t(t)].i8.size(), uint64_t(at));
  };
  auto to_host = [&](int t) {
    if (on_host[std::size_t(t)]) return;
    const graph::Tensor& tensor = g.tensors[std::size_t(t)];
    const int64_t at = p.arena_offset[std::size_t(t)];
    if (tensor.dtype != graph::DType::kInt8 || at < 0) {
      throw std::logic_error("runtime: tensor '" + tensor.name +
                             "' is neither on the host nor in the arena");
    }
    auto& v = values[std::size_t(t)].i8;
    v.resize(batch * tensor.elements());
    arena.read(v.data(), v.size(), uint64_t(at));
    on_host[std::size_t(t)] = true;
  };
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const int t = given[i];
    values[std::size_t(t)] = inputs[i];
    on_host[std::size_t(t)] = given_tensor[std::size_t(t)] = true;
    if (g.tensors[std::size_t(t)].dtype == graph::DType::kInt8) to_device(t);
  }
  for (std::size_t li = 0; li < p.layers.size(); ++li) {
    const Layer& layer = p.layers[li];
    const graph::Node& node = g.nodes[std::size_t(layer.node)];
    if (given_tensor[std::size_t(node.output)]) continue;  // an input given quantized
    if (!layer.on_engine) {
      const auto h0 = Clock::now();
      for (int t : node.inputs) to_host(t);
      graph::run_node(g, node, batch, values);
      on_host[std::size_t(node.output)] = true;
      if (g.tensors[std::size_t(node.output)].dtype == graph::DType::kInt8) to_device(node.output);
      out.layers[li].host_seconds = since(h0);
      continue;
    }
    const Segment& seg = p.segments[layer.segment];
    engine_.run(streams_[layer.segment]);
    const uint32_t slots =
        p.layers[seg.first_layer + seg.layers - 1].timestamp + 2 - seg.first_timestamp;
    std::vector<uint8_t> ts(16ull * slots);
    regions_[int(Region::kTimestamps)]->read(ts.data(), ts.size(), 16ull * seg.first_timestamp);
    // A record: {VALUE, DW_BUSY, CYCLES} (FENCE TIMESTAMP).
    auto record = [&](uint32_t slot, uint32_t& dw_busy) {
      uint32_t value;
      uint64_t cycles;
      std::memcpy(&value, &ts[16 * slot], 4);
      std::memcpy(&dw_busy, &ts[16 * slot + 4], 4);
      std::memcpy(&cycles, &ts[16 * slot + 8], 8);
      if (value != seg.first_timestamp + slot) {
        throw driver::DeviceError("runtime: timestamp record " +
                                  std::to_string(seg.first_timestamp + slot) + " holds value " +
                                  std::to_string(value) + ": the engine did not write it");
      }
      return cycles;
    };
    for (uint32_t k = 0; k < seg.layers; ++k) {
      const Layer& l = p.layers[seg.first_layer + k];
      const uint32_t slot = l.timestamp - seg.first_timestamp;
      uint32_t dw0 = 0, dw1 = 0;
      const uint64_t c = record(slot + 1, dw1) - record(slot, dw0);
      // A fused pair's span: the depthwise unit's cycles (DW_BUSY, a 32-bit count that
      // wraps) the second layer's, the rest the first's.
      const uint64_t dw = std::min<uint64_t>(uint32_t(dw1 - dw0), c);
      out.layers[seg.first_layer + k].cycles = l.fused ? c - dw : c;
      if (l.fused) out.layers[seg.first_layer + ++k].cycles = dw;
      out.engine_cycles += c;
      on_host[std::size_t(g.nodes[std::size_t(l.node)].output)] = false;
      on_host[std::size_t(g.nodes[std::size_t(p.layers[seg.first_layer + k].node)].output)] = false;
    }
    li = seg.first_layer + seg.layers - 1;
  }
  out.outputs.resize(g.outputs.size());
  for (std::size_t i = 0; i < g.outputs.size(); ++i) {
    to_host(g.outputs[i].tensor);
    out.outputs[i] = values[std::size_t(g.outputs[i].tensor)];
  }
  if (every_tensor) {
    for (std::size_t t = 0; t < g.tensors.size(); ++t) {
      if (!on_host[t] && p.arena_offset[t] >= 0) to_host(int(t));
    }
    out.tensors = std::move(values);
  }
  if (options.counters) {
    const driver::Counters after = engine_.counters();
    for (uint32_t c = 0; c < regs::kNumCounters; ++c) {
      out.counters.value[c] = after.value[c] - counters_before.value[c];
    }
  }
  out.engine_seconds = engine_.run_seconds() - engine_before;
  out.host_seconds = since(t0) - out.engine_seconds;
  return out;
}

std::vector<graph::Value> reference(const Program& program,
                                    const std::vector<graph::Value>& inputs) {
  bind_inputs(program, inputs);  // the same checks
  return graph::run(program.model.graph, inputs, program.options.batch);
}

}  // namespace tessera::model
