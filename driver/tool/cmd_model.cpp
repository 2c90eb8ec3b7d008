// SPDX-License-Identifier: Apache-2.0
// tessera model info|compile|run: whole int8 networks from ONNX files (docs/models.md).
//   info MODEL       layers, shapes, where each runs, MACs, weights, device memory
//   compile MODEL -o FILE   the program for this device's engine, saved
//   run MODEL --input X [--labels Y] [--out OUT.npy] [--batch N] [--check]
// MODEL is an .onnx file or a compiled program (tessera model compile).
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "tessera/atomic_file.hpp"
#include "tessera/checks.hpp"
#include "tessera/idx.hpp"
#include "tessera/model/program.hpp"
#include "tessera/model/runtime.hpp"
#include "tessera/npy.hpp"

namespace tessera::cli {
namespace {

bool is_program(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[8] = {};
  in.read(magic, 8);
  return in && std::memcmp(magic, "TESSPROG", 8) == 0;
}

// The program for `path`: loaded, or compiled for this engine (batch 0: the default;
// without `fuse`, no layers planned together).
model::Program program_for(const std::string& path, const isa::BuildConfig& config, uint32_t batch,
                           bool reuse, bool fuse = true) {
  if (is_program(path)) {
    model::Program p = model::Program::load(path);
    if (batch && batch != p.options.batch) {
      throw UsageError(path + " was compiled for batch " + std::to_string(p.options.batch) +
                       "; --batch " + std::to_string(batch) + " needs the .onnx model");
    }
    if ((!reuse && p.options.reuse_memory) || (!fuse && p.options.fuse)) {
      // --check reads every layer's tensor back, --no-fuse plans each layer alone:
      // recompile the carried model for that.
      model::CompileOptions o = p.options;
      o.reuse_memory = o.reuse_memory && reuse;
      o.fuse = o.fuse && fuse;
      return model::compile(p.onnx, p.model.source, config, o);
    }
    return p;
  }
  model::CompileOptions o;
  o.batch = batch ? batch : 1;
  o.reuse_memory = reuse;
  o.fuse = fuse;
  return model::compile_file(path, config, o);
}

// A tensor's per-image dimensions as "13x13x32".
std::string dims_text(const std::vector<uint32_t>& s) {
  std::string t;
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? "x" : "") + std::to_string(s[i]);
  return t.empty() ? "1" : t;
}

uint64_t weight_bytes(const graph::Node& n) {
  if (const auto* c = std::get_if<graph::Conv2d>(&n.op))
    return c->weights.size() + 4 * c->bias.size();
  if (const auto* f = std::get_if<graph::FullyConnected>(&n.op))
    return f->weights.size() + 4 * f->bias.size();
  return 0;
}

// The layer table, for people.
void print_layers(const model::Program& p, const std::vector<model::LayerRun>* runs,
                  uint32_t batches) {
  const graph::Graph& g = p.model.graph;
  std::printf("  %-3s %-34s %-16s %-7s %-12s %12s %11s", "#", "layer", "op", "runs on", "output",
              "MACs/image", "weights B");
  if (runs) std::printf(" %12s %7s %12s", "cycles", "util %", "DMA bytes");
  std::printf("\n");
  for (std::size_t i = 0; i < p.layers.size(); ++i) {
    const auto& l = p.layers[i];
    const auto& n = g.nodes[std::size_t(l.node)];
    const auto& out = g.tensors[std::size_t(n.output)];
    std::string name = n.name.size() > 34 ? n.name.substr(0, 31) + "..." : n.name;
    std::string op = graph::op_name(n.op);
    if (const auto* c = std::get_if<graph::Conv2d>(&n.op); c && c->max_pool_2x2) op += "+pool";
    if (l.fused) op += " (fused)";  // with the next layer
    std::printf(
        "  %-3zu %-34s %-16s %-7s %-12s %12llu %11llu", i, name.c_str(), op.c_str(),
        l.on_engine ? "engine" : "host",
        (dims_text(out.shape) + " " + (out.dtype == graph::DType::kInt8 ? "i8" : "f32")).c_str(),
        (unsigned long long)g.macs(n), (unsigned long long)weight_bytes(n));
    if (runs) {
      const uint64_t cycles = (*runs)[i].cycles / std::max(1u, batches);
      if (l.on_engine) {
        std::printf(" %12llu %7.2f %12llu", (unsigned long long)cycles,
                    utilization_percent(l.engine_macs, cycles, p.config.rows, p.config.cols),
                    (unsigned long long)(l.dma_read_bytes + l.dma_write_bytes));
      } else {
        std::printf(" %12s %7s %12s", "-", "-", "-");
      }
    }
    std::printf("\n");
  }
  for (const auto& l : p.layers) {
    if (!l.on_engine) {
      std::printf("  host: %s: %s\n", g.nodes[std::size_t(l.node)].name.c_str(), l.reason.c_str());
    }
  }
}

Json layers_json(const model::Program& p, const std::vector<model::LayerRun>* runs,
                 uint32_t batches) {
  const graph::Graph& g = p.model.graph;
  Json a = Json::array();
  for (std::size_t i = 0; i < p.layers.size(); ++i) {
    const auto& l = p.layers[i];
    const auto& n = g.nodes[std::size_t(l.node)];
    const auto& out = g.tensors[std::size_t(n.output)];
    Json j = Json::object();
    j.set("name", n.name).set("op", graph::op_name(n.op));
    if (const auto* c = std::get_if<graph::Conv2d>(&n.op)) {
      j.set("max_pool_2x2", c->max_pool_2x2);
      j.set("kernel", std::to_string(c->params.kernel_h) + "x" + std::to_string(c->params.kernel_w))
          .set("stride", uint64_t(c->params.stride_h))
          .set("groups", uint64_t(c->params.groups))
          .set("input_channels", uint64_t(g.tensors[std::size_t(n.inputs[0])].shape[2]));
    }
    j.set("runs_on", l.on_engine ? "engine" : "host");
    if (!l.on_engine) j.set("reason", l.reason);
    if (l.fused) j.set("fused_with_next", true);
    Json shape = Json::array();
    for (uint32_t d : out.shape) shape.push(d);
    j.set("output_shape", shape).set("output_dtype", graph::dtype_name(out.dtype));
    j.set("macs_per_image", g.macs(n)).set("weight_bytes", weight_bytes(n));
    if (l.on_engine) {
      j.set("commands", l.commands).set("engine_macs_per_batch", l.engine_macs);
      j.set("dma_read_bytes_per_batch", l.dma_read_bytes)
          .set("dma_write_bytes_per_batch", l.dma_write_bytes);
    }
    if (runs) {
      const uint64_t cycles = (*runs)[i].cycles / std::max(1u, batches);
      if (l.on_engine) {
        j.set("cycles_per_batch", cycles);
        j.set("utilization_percent",
              Json::number(utilization_percent(l.engine_macs, cycles, p.config.rows, p.config.cols),
                           2));
      } else {
        j.set("host_seconds_per_batch",
              Json::number((*runs)[i].host_seconds / std::max(1u, batches), 6));
      }
    }
    a.push(j);
  }
  return a;
}

void add_program_report(Report& r, const model::Program& p) {
  const graph::Graph& g = p.model.graph;
  r.add("model", "model", p.model.source);
  if (!p.model.producer.empty()) r.add("producer", "producer", p.model.producer);
  r.add("opset", "opset", p.model.opset);
  Json in = Json::array(), out = Json::array();
  std::string in_text, out_text;
  for (const auto& port : g.inputs) {
    in.push(Json::object()
                .set("name", port.name)
                .set("dtype", port.dtype)
                .set("shape", shape_text(port.shape)));
    in_text +=
        (in_text.empty() ? "" : ", ") + port.name + " " + port.dtype + " " + shape_text(port.shape);
  }
  for (const auto& port : g.outputs) {
    out.push(Json::object()
                 .set("name", port.name)
                 .set("dtype", port.dtype)
                 .set("shape", shape_text(port.shape)));
    out_text += (out_text.empty() ? "" : ", ") + port.name + " " + port.dtype + " " +
                shape_text(port.shape);
  }
  r.add("inputs", "inputs", in_text);
  r.add("outputs", "outputs", out_text);
  uint64_t macs = 0, weights = 0, engine_macs = 0;
  std::size_t engine_layers = 0, commands = 0;
  for (const auto& l : p.layers) {
    const auto& n = g.nodes[std::size_t(l.node)];
    macs += g.macs(n);
    weights += weight_bytes(n);
    if (l.on_engine) {
      ++engine_layers;
      engine_macs += g.macs(n);
      commands += l.commands;
    }
  }
  r.add("layers", "layers (engine / host)",
        std::to_string(engine_layers) + " / " + std::to_string(p.layers.size() - engine_layers));
  r.add("macs_per_image", "MACs per image", macs);
  r.add("engine_macs_share_percent", "of which on the engine (%)",
        Json::number(macs ? 100.0 * double(engine_macs) / double(macs) : 0, 2));
  r.add("weight_bytes", "weights and biases (bytes)", weights);
  r.add("batch", "batch", p.options.batch);
  r.add("streams", "command streams per batch", p.segments.size());
  r.add("commands_per_batch", "commands per batch", commands);
  r.add("device_bytes", "device memory (weights + tables, activations, timestamps)",
        std::to_string(p.device_bytes()) + " (" + std::to_string(p.weights.size()) + " + " +
            std::to_string(p.arena_bytes) + " + " + std::to_string(16ull * p.timestamps) + ")");
}

int model_info(int argc, char** argv) {
  Common c;
  std::string path;
  uint32_t batch = 0;
  auto d = common_options(c);
  po::options_description o("model info");
  o.add_options()("model", po::value(&path), "MODEL.onnx or a compiled program")(
      "batch", po::value(&batch), "images per batch to plan for (default 1)");
  d.add(o);
  po::positional_options_description pos;
  pos.add("model", 1);
  parse(argc, argv, d, pos, "model info MODEL [--batch N] [options]");
  if (path.empty()) throw UsageError("give the model: tessera model info MODEL.onnx");
  Session s(c, false);
  const auto p = program_for(path, s.engine->info().config, batch, true);
  Report r;
  add_program_report(r, p);
  r.add("compile_seconds", "compile time (s)", Json::number(p.compile_seconds, 4));
  for (const auto& [k, v] : p.model.metadata) {
    if (k == "float32_test_predictions") continue;  // 10,000 digits
    r.add("metadata_" + k, "metadata " + k, v);
  }
  if (c.json) {
    Json j = r.json();
    j.set("layer_table", layers_json(p, nullptr, 1));
    std::printf("%s\n", j.dump().c_str());
  } else {
    r.print_text(stdout);
    print_layers(p, nullptr, 1);
  }
  return 0;
}

int model_compile(int argc, char** argv) {
  Common c;
  std::string path, out;
  uint32_t batch = 0;
  auto d = common_options(c);
  po::options_description o("model compile");
  o.add_options()("model", po::value(&path), "MODEL.onnx")(
      "output,o", po::value(&out), "the program file to write")("batch", po::value(&batch),
                                                                "images per batch (default 1)");
  d.add(o);
  po::positional_options_description pos;
  pos.add("model", 1);
  parse(argc, argv, d, pos, "model compile MODEL.onnx -o FILE [--batch N] [options]");
  if (path.empty() || out.empty()) throw UsageError("give the model and -o FILE");
  require_writable(out);
  Session s(c, false);
  const auto p = program_for(path, s.engine->info().config, batch, true);
  p.save(out);
  Report r;
  add_program_report(r, p);
  r.add("program", "program written", out);
  r.print(c.json);
  return 0;
}

// ---- run ----

struct Dataset {
  npy::Array array;
  std::string path;
};

Dataset read_data(const std::string& path) {
  if (idx::looks_like_idx(path)) return {idx::load(path), path};
  return {npy::load(path), path};
}

std::vector<std::size_t> squeeze(const std::vector<std::size_t>& s) {
  std::vector<std::size_t> out;
  for (std::size_t d : s) {
    if (d != 1) out.push_back(d);
  }
  return out;
}

// The images of `data` as the runtime's input for `port`: checks the per-image shape (equal,
// or equal once dimensions of 1 are dropped) and the dtype.
graph::Value input_values(const Dataset& data, const graph::Port& port, const graph::Tensor& t,
                          std::size_t first, std::size_t count, std::size_t batch) {
  const auto& a = data.array;
  if (a.dtype != "f4" && a.dtype != "i1" && a.dtype != "u1") {
    throw std::invalid_argument(data.path + ": dtype " + npy::dtype_name(a.dtype) +
                                " is not an input type (float32, or quantized int8 / uint8)");
  }
  std::vector<std::size_t> want(port.shape.begin() + 1, port.shape.end());
  std::vector<std::size_t> have(a.shape.begin() + (a.shape.empty() ? 0 : 1), a.shape.end());
  if (a.shape.empty() || (have != want && squeeze(have) != squeeze(want))) {
    std::string hs = "[";
    for (std::size_t i = 0; i < a.shape.size(); ++i)
      hs += (i ? ", " : "") + std::to_string(a.shape[i]);
    throw std::invalid_argument(data.path + ": shape " + hs + "] does not match input '" +
                                port.name + "' " + shape_text(port.shape) + " (images first)");
  }
  const std::size_t per = t.elements();
  graph::Value v;
  const bool float_port = port.dtype == "float32";
  if (a.dtype == "f4") {
    if (!float_port) {
      throw std::invalid_argument(data.path + ": float32 data for input '" + port.name +
                                  "', which is " + port.dtype + "; give " + port.dtype + " values");
    }
    const auto all = a.as_float32(data.path);
    v.f32.assign(batch * per, 0.f);
    std::copy_n(all.begin() + std::ptrdiff_t(first * per), count * per, v.f32.begin());
  } else {  // int8 or uint8
    if (port.dtype == "int8" && a.dtype == "u1") {
      throw std::invalid_argument(data.path + ": uint8 data for input '" + port.name +
                                  "', which is int8");
    }
    if (port.dtype == "uint8" && a.dtype == "i1") {
      throw std::invalid_argument(data.path + ": int8 data for input '" + port.name +
                                  "', which is uint8");
    }
    const int shift = a.dtype == "u1" ? 128 : 0;  // uint8 maps onto int8 by -128
    v.i8.assign(batch * per, 0);
    for (std::size_t i = 0; i < count * per; ++i)
      v.i8[i] = int8_t(int(a.data[first * per + i]) - shift);
  }
  return v;
}

void progress(std::size_t done, std::size_t total) {
  if (!isatty(2)) return;
  const int width = 30, filled = total ? int(width * done / total) : width;
  std::fprintf(stderr, "\r  batch %zu/%zu [%s%s]", done, total,
               std::string(std::size_t(filled), '#').c_str(),
               std::string(std::size_t(width - filled), '.').c_str());
  if (done == total) std::fprintf(stderr, "\r\033[K");
  std::fflush(stderr);
}

int model_run(int argc, char** argv) {
  Common c;
  std::string path, input_path, labels_path, out_path;
  uint32_t batch = 0;
  std::size_t count = 0, first = 0;
  bool check = false, layers = false, no_fuse = false;
  auto d = common_options(c);
  po::options_description o("model run");
  o.add_options()("model", po::value(&path), "MODEL.onnx or a compiled program")(
      "input", po::value(&input_path),
      "the images: .npy (float32 in the model's layout, or int8/uint8 already quantized) or an "
      "IDX file (.gz too)")("labels", po::value(&labels_path),
                            "the classes (.npy of integers, or IDX): report the accuracy")(
      "out", po::value(&out_path), "write the model's outputs (.npy)")(
      "batch", po::value(&batch),
      "images per batch (default min(images, 100); a program: its own)")(
      "first", po::value(&first), "start at image N (0-based)")("count", po::value(&count),
                                                                "only N images (from --first on)")(
      "check", po::bool_switch(&check),
      "run the reference executor on every batch and compare every layer's tensor bit for bit")(
      "layers", po::bool_switch(&layers), "print the per-layer table")(
      "no-fuse", po::bool_switch(&no_fuse),
      "plan every layer alone (no expansion + depthwise pairs as one plan)");
  d.add(o);
  po::positional_options_description pos;
  pos.add("model", 1);
  parse(argc, argv, d, pos,
        "model run MODEL --input X [--labels Y] [--out OUT.npy] [--batch N] [--check] [options]");
  if (path.empty()) throw UsageError("give the model: tessera model run MODEL --input X");
  if (input_path.empty()) throw UsageError("give --input X (.npy or IDX)");
  if (!out_path.empty()) require_writable(out_path);
  const Dataset data = read_data(input_path);
  const std::size_t file_images = data.array.shape.empty() ? 0 : data.array.shape[0];
  if (file_images == 0) throw std::invalid_argument(input_path + ": holds no images");
  require_range<std::size_t>("--first", first, 0, file_images - 1);
  std::size_t images = file_images - first;
  if (count) images = std::min(images, count);
  std::vector<int64_t> labels;
  if (!labels_path.empty()) {
    const Dataset l = read_data(labels_path);
    labels = l.array.as_integers(labels_path);
    if (labels.size() != file_images) {
      throw std::invalid_argument(labels_path + ": " + std::to_string(labels.size()) +
                                  " labels for " + std::to_string(file_images) + " images");
    }
  }
  if (!batch && !is_program(path)) batch = uint32_t(std::min<std::size_t>(images, 100));

  require_distinct_outputs("--out", out_path, "--record", c.record);
  Session s(c, false);
  s.engine->progress = nullptr;  // a bar over batches instead
  const auto t_compile = std::chrono::steady_clock::now();
  const model::Program p = program_for(path, s.engine->info().config, batch, !check, !no_fuse);
  const double compile_s = seconds_since(t_compile);
  const graph::Graph& g = p.model.graph;
  if (g.inputs.size() != 1)
    throw std::invalid_argument("the CLI runs models with one input; this one has " +
                                std::to_string(g.inputs.size()));
  const auto t_setup = std::chrono::steady_clock::now();
  model::Runtime runtime(*s.engine, p);
  const double setup_s = seconds_since(t_setup);
  const std::size_t b = p.options.batch, batches = (images + b - 1) / b;
  const graph::Port& in_port = g.inputs[0];
  const graph::Tensor& in_tensor = g.tensors[std::size_t(in_port.tensor)];
  // Check the whole input before anything runs.
  input_values(data, in_port, in_tensor, first, std::min(images, b), b);

  std::vector<model::LayerRun> totals(p.layers.size());
  std::vector<std::vector<float>> out_f32(g.outputs.size());
  std::vector<std::vector<int8_t>> out_i8(g.outputs.size());
  uint64_t engine_cycles = 0, correct = 0, float_correct = 0, mismatched_layers = 0;
  uint64_t top1_differs = 0;
  double host_s = 0, engine_s = 0, reference_s = 0;
  std::vector<std::string> bad_layers;
  const auto float_pred = p.model.metadata.find("float32_test_predictions");
  const bool float_known = !labels.empty() && float_pred != p.model.metadata.end() &&
                           float_pred->second.size() == file_images;
  const auto t_run = std::chrono::steady_clock::now();
  for (std::size_t k = 0; k < batches; ++k) {
    const std::size_t start = k * b, n = std::min(b, images - start);
    const auto x = input_values(data, in_port, in_tensor, first + start, n, b);
    model::RunOptions ro;
    ro.every_tensor = check;
    const auto run = runtime.run({x}, ro);
    for (std::size_t i = 0; i < p.layers.size(); ++i) {
      totals[i].cycles += run.layers[i].cycles;
      totals[i].host_seconds += run.layers[i].host_seconds;
    }
    engine_cycles += run.engine_cycles;
    host_s += run.host_seconds;
    engine_s += run.engine_seconds;
    const graph::Tensor& out_t = g.tensors[std::size_t(g.outputs[0].tensor)];
    const std::size_t classes = out_t.elements();
    auto argmax = [&](const graph::Value& v, std::size_t i) {
      std::size_t best = 0;
      for (std::size_t j = 1; j < classes; ++j) {
        const bool more = v.f32.empty() ? v.i8[i * classes + j] > v.i8[i * classes + best]
                                        : v.f32[i * classes + j] > v.f32[i * classes + best];
        if (more) best = j;
      }
      return int64_t(best);
    };
    if (check) {
      const auto r0 = std::chrono::steady_clock::now();
      const auto want = model::reference(p, {x});
      reference_s += seconds_since(r0);
      for (std::size_t i = 0; i < p.layers.size(); ++i) {
        // A fused layer's output stays on chip: checked through the next layer's.
        if (p.layers[i].fused) continue;
        const int t = g.nodes[std::size_t(p.layers[i].node)].output;
        const auto& got = run.tensors[std::size_t(t)];
        const auto& ref_v = want[std::size_t(t)];
        if (got.i8 != ref_v.i8 || got.f32 != ref_v.f32) {
          ++mismatched_layers;
          if (bad_layers.size() < 5)
            bad_layers.push_back(g.nodes[std::size_t(p.layers[i].node)].name + " (batch " +
                                 std::to_string(k) + ")");
        }
      }
      const int ot = g.outputs[0].tensor;
      for (std::size_t i = 0; i < n; ++i)
        top1_differs += argmax(run.outputs[0], i) != argmax(want[std::size_t(ot)], i);
    }
    for (std::size_t i = 0; i < n && !labels.empty(); ++i) {
      const std::size_t image = first + start + i;
      correct += argmax(run.outputs[0], i) == labels[image];
      if (float_known) float_correct += (float_pred->second[image] - '0') == labels[image];
    }
    for (std::size_t o = 0; o < g.outputs.size() && !out_path.empty(); ++o) {
      const std::size_t per = g.tensors[std::size_t(g.outputs[o].tensor)].elements();
      const auto& v = run.outputs[o];
      if (!v.f32.empty())
        out_f32[o].insert(out_f32[o].end(), v.f32.begin(), v.f32.begin() + std::ptrdiff_t(n * per));
      if (!v.i8.empty())
        out_i8[o].insert(out_i8[o].end(), v.i8.begin(), v.i8.begin() + std::ptrdiff_t(n * per));
    }
    progress(k + 1, batches);
  }
  const double run_s = seconds_since(t_run);

  Report r;
  add_program_report(r, p);
  r.add("device", "device", s.engine->info().device);
  r.add("images", "images", images);
  if (first) r.add("first_image", "first image", first);
  r.add("batches", "batches", batches);
  if (p.compile_seconds > 0) {
    r.add("compile_seconds", "compile time (s)", Json::number(compile_s, 4));
  } else {
    r.add("load_seconds", "program load time (s)", Json::number(compile_s, 4));
  }
  r.add("setup_seconds", "setup: device memory, weights upload (s)", Json::number(setup_s, 4));
  const uint64_t per_batch = engine_cycles / batches;
  r.add("engine_cycles_per_batch", "engine cycles per batch", per_batch);
  r.add("engine_cycles_per_image", "engine cycles per image",
        Json::number(double(per_batch) / double(b), 1));
  uint64_t engine_macs = 0;
  for (const auto& l : p.layers) engine_macs += l.engine_macs;
  r.add("utilization_percent", "MAC utilization on the engine (%)",
        Json::number(utilization_percent(engine_macs, per_batch, p.config.rows, p.config.cols), 2));
  const double clock_hz = c.clock_mhz * 1e6;
  r.add("images_per_second_at_clock", "images/s at " + std::to_string(int(c.clock_mhz)) + " MHz",
        Json::number(per_batch ? double(b) * clock_hz / double(per_batch) : 0, 0));
  r.add("host_seconds_per_batch", "host time per batch (s)",
        Json::number(host_s / double(batches), 6));
  r.add("engine_seconds_at_clock_per_batch", "engine time per batch at the clock (s)",
        Json::number(double(per_batch) / clock_hz, 6));
  r.add("device_wall_seconds", "wall time in the device (s; the simulator: simulating)",
        Json::number(engine_s, 3));
  r.add("wall_seconds", "wall time of the run (s)", Json::number(run_s, 3));
  if (!labels.empty()) {
    r.add("accuracy", "accuracy (top-1)", Json::number(double(correct) / double(images), 4));
    if (float_known) {
      r.add("float32_accuracy", "float32 model, same images (model metadata)",
            Json::number(double(float_correct) / double(images), 4));
    }
  }
  if (check) {
    r.add("reference_seconds", "reference executor time (s)", Json::number(reference_s, 3));
    r.add("layers_differing", "layer tensors differing from the reference", mismatched_layers);
    r.add("top1_differing", "images whose top-1 differs from the reference", top1_differs);
    if (!bad_layers.empty()) {
      std::string list;
      for (const auto& l : bad_layers) list += (list.empty() ? "" : ", ") + l;
      r.add("first_differing", "first differing", list);
    }
  }
  for (std::size_t o = 0; o < g.outputs.size() && !out_path.empty(); ++o) {
    std::vector<std::size_t> shape{images};
    for (std::size_t i = 1; i < g.outputs[o].shape.size(); ++i)
      shape.push_back(std::size_t(g.outputs[o].shape[i]));
    const std::string file = o == 0 ? out_path : out_path + "." + std::to_string(o) + ".npy";
    if (!out_f32[o].empty()) {
      npy::save(file, npy::from(out_f32[o], shape));
    } else if (g.outputs[o].dtype == "uint8") {
      std::vector<uint8_t> u(out_i8[o].size());
      for (std::size_t i = 0; i < u.size(); ++i) u[i] = uint8_t(int(out_i8[o][i]) + 128);
      npy::save(file, npy::from(u, shape));
    } else {
      npy::save(file, npy::from(out_i8[o], shape));
    }
  }
  if (c.json) {
    Json j = r.json();
    j.set("layer_table", layers_json(p, &totals, uint32_t(batches)));
    std::printf("%s\n", j.dump().c_str());
  } else {
    r.print_text(stdout);
    if (layers) print_layers(p, &totals, uint32_t(batches));
  }
  s.finish();
  return mismatched_layers || top1_differs ? 1 : 0;
}

}  // namespace

int run_model(int argc, char** argv) {
  static const Subcommand kActions[] = {
      {"info", "MODEL [--batch N]", "layers, shapes, where each runs, MACs, weights, memory",
       model_info},
      {"compile", "MODEL.onnx -o FILE [--batch N]", "compile for this device's engine and save",
       model_compile},
      {"run", "MODEL --input X [--labels Y] [--out OUT.npy] [--batch N] [--check]",
       "run a batch of images; accuracy, images/s, per-layer cycles", model_run},
  };
  const std::string action = argc > 1 ? argv[1] : "";
  for (const auto& a : kActions) {
    if (action == a.name) return a.run(argc - 1, argv + 1);
  }
  std::string usage =
      "usage: tessera model ACTION [options]   (MODEL: .onnx or a compiled program)\n";
  for (const auto& a : kActions) {
    char line[200];
    std::snprintf(line, sizeof line, "  %-8s %-62s %s\n", a.name, a.synopsis, a.summary);
    usage += line;
  }
  if (action == "--help" || action == "-h") {
    std::cout << usage;
    return 0;
  }
  throw UsageError(
      (action.empty() ? std::string("give an action") : "unknown action '" + action + "'") + "\n" +
      usage);
}

}  // namespace tessera::cli
