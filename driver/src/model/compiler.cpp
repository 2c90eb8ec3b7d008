// SPDX-License-Identifier: Apache-2.0
// The network compiler; see program.hpp.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>
#include <tuple>
#include <variant>

#include "../fused_plan.hpp"
#include "tessera/add_plan.hpp"
#include "tessera/checks.hpp"
#include "tessera/conv_plan.hpp"
#include "tessera/gemm_plan.hpp"
#include "tessera/model/program.hpp"

namespace tessera::model {
namespace {

// Streams are planned with each region at its own virtual base; relocations are then read
// off the address fields. No region is near 2^40 bytes.
constexpr int kRegionShift = 40;
constexpr uint64_t region_base(Region r) { return (uint64_t(r) + 1) << kRegionShift; }
// The arena's last bytes: the word the plans' FENCEs between groups of channels write.
constexpr uint64_t kBarrierBytes = 64;

// The place of every int8 tensor in the arena: first fit over the tensors live at each
// layer (a tensor is live from the layer that writes it to the last layer that reads it).
struct ArenaPlan {
  std::vector<int64_t> offset;
  uint64_t bytes = 0;
};

ArenaPlan plan_arena(const graph::Graph& g, uint32_t batch, bool reuse) {
  const std::size_t nt = g.tensors.size(), nn = g.nodes.size();
  constexpr uint64_t kAlign = 64;
  ArenaPlan plan;
  plan.offset.assign(nt, -1);
  // Live ranges in node positions: inputs from -1, outputs to the end.
  std::vector<long> first(nt, long(nn)), last(nt, -2);
  std::vector<bool> used(nt, false);
  for (const auto& p : g.inputs) {
    for (int t : {p.tensor, p.quantized_tensor}) {
      if (t >= 0) first[std::size_t(t)] = -1;
    }
  }
  for (std::size_t i = 0; i < nn; ++i) {
    const auto& node = g.nodes[i];
    first[std::size_t(node.output)] = std::min(first[std::size_t(node.output)], long(i));
    used[std::size_t(node.output)] = true;
    for (int t : node.inputs) {
      last[std::size_t(t)] = std::max(last[std::size_t(t)], long(i));
      used[std::size_t(t)] = true;
    }
  }
  for (const auto& p : g.outputs) last[std::size_t(p.tensor)] = long(nn);
  for (const auto& p : g.inputs) {
    if (p.quantized_tensor >= 0) used[std::size_t(p.quantized_tensor)] = true;
  }
  std::vector<std::size_t> order;
  for (std::size_t t = 0; t < nt; ++t) {
    if (used[t] && g.tensors[t].dtype == graph::DType::kInt8) order.push_back(t);
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return first[a] < first[b]; });
  struct Block {
    uint64_t offset, bytes;
    long last;
  };
  std::vector<Block> live;  // sorted by offset
  for (std::size_t t : order) {
    const uint64_t bytes =
        (uint64_t(batch) * g.tensors[t].elements() + kAlign - 1) / kAlign * kAlign;
    if (reuse) {  // free what is dead before this tensor is written
      live.erase(std::remove_if(live.begin(), live.end(),
                                [&](const Block& b) { return b.last < first[t]; }),
                 live.end());
    }
    uint64_t at = 0;
    for (const Block& b : live) {
      if (at + bytes <= b.offset) break;
      at = std::max(at, b.offset + b.bytes);
    }
    const long end = std::max(last[t], first[t]);
    live.push_back({at, bytes, end});
    std::sort(live.begin(), live.end(),
              [](const Block& a, const Block& b) { return a.offset < b.offset; });
    plan.offset[t] = int64_t(at);
    plan.bytes = std::max(plan.bytes, at + bytes);
  }
  return plan;
}

// The quantization table of a layer: per channel {bias, multiplier, shift}.
std::vector<uint8_t> table(const ref::OutputStage& s, const std::vector<int32_t>& bias,
                           uint32_t channels) {
  std::vector<int32_t> mult(channels);
  std::vector<int> shift(channels);
  for (uint32_t c = 0; c < channels; ++c) {
    mult[c] = s.multiplier[s.multiplier.size() == 1 ? 0 : c];
    shift[c] = s.shift[s.shift.size() == 1 ? 0 : c];
  }
  return isa::qtable_entries(bias, mult, shift);
}

class Compiler {
 public:
  Compiler(Program& p) : p_(p), g_(p.model.graph) {}
  void run();

 private:
  uint64_t add_weights(const std::vector<uint8_t>& bytes) {
    constexpr std::size_t kAlign = 64;
    const std::size_t at = (p_.weights.size() + kAlign - 1) / kAlign * kAlign;
    p_.weights.resize(at + bytes.size(), 0);
    std::copy(bytes.begin(), bytes.end(), p_.weights.begin() + std::ptrdiff_t(at));
    return region_base(Region::kWeights) + at;
  }
  template <typename T>
  uint64_t add_weights(const std::vector<T>& v) {
    std::vector<uint8_t> bytes(v.size() * sizeof(T));
    std::memcpy(bytes.data(), v.data(), bytes.size());
    return add_weights(bytes);
  }
  uint64_t arena(int tensor) const {
    return region_base(Region::kArena) + uint64_t(p_.arena_offset[std::size_t(tensor)]);
  }
  // The word a plan's FENCEs between groups of output channels write: past the tensors.
  uint64_t barrier() const { return region_base(Region::kArena) + barrier_offset_; }
  // A global average pool that requantizes its sums (graph::average_requantizes): TFLite's
  // MEAN, which the engine computes exactly.
  bool global_mean(const graph::Node& node) const {
    const auto* pool = std::get_if<graph::Pool>(&node.op);
    if (!pool || pool->kind != graph::Pool::Kind::kAverage) return false;
    const graph::Tensor& in = g_.tensors[std::size_t(node.inputs[0])];
    const graph::Tensor& out = g_.tensors[std::size_t(node.output)];
    return in.shape.size() == 3 && pool->kernel_h == in.shape[0] && pool->kernel_w == in.shape[1] &&
           pool->pad_top + pool->pad_bottom + pool->pad_left + pool->pad_right == 0 &&
           graph::average_requantizes(in, out);
  }
  // Plans the node into `s`; returns false (and why) when the engine cannot run it.
  bool plan(const graph::Node& node, isa::CommandStream& s, std::string& why);
  // A convolution node's plan in `layout`, its weights and table added to the weights region.
  isa::ConvPlan conv_plan(const graph::Node& node, const graph::Conv2d& c,
                          isa::ConvLayout layout = isa::ConvLayout::kAuto);
  // Plans nodes i and i + 1 as one (fused_plan.hpp) into `s` where node i is an expansion
  // 1x1 convolution read only by node i + 1, a depthwise layer, and the pair fits; false
  // (nothing added) otherwise.
  bool plan_fused(std::size_t i, isa::CommandStream& s);
  void finish_segment(isa::CommandStream& s, Segment& seg);

  Program& p_;
  const graph::Graph& g_;
  uint64_t barrier_offset_ = 0;
};

bool Compiler::plan(const graph::Node& node, isa::CommandStream& s, std::string& why) {
  const auto& cfg = p_.config;
  const graph::Tensor& in =
      g_.tensors[std::size_t(node.inputs.empty() ? node.output : node.inputs[0])];
  const std::size_t weights_before = p_.weights.size();
  try {
    if (const auto* c = std::get_if<graph::Conv2d>(&node.op)) {
      isa::plan_conv2d(s, conv_plan(node, *c));
      return true;
    }
    if (const auto* f = std::get_if<graph::FullyConnected>(&node.op)) {
      isa::GemmPlan plan;
      plan.m = p_.options.batch;
      plan.k = f->k;
      plan.n = f->n;
      plan.a_addr = arena(node.inputs[0]);
      plan.c_addr = arena(node.output);
      plan.barrier_addr = barrier();
      plan.b_packed = true;
      plan.b_addr = add_weights(isa::pack_weights(f->weights, f->k, f->n, cfg.cols));
      plan.qtable_addr = add_weights(
          table(f->stage,
                isa::zero_point_bias(f->bias, f->weights, f->k, f->n, int8_t(f->input_zero_point)),
                f->n));
      plan.zero_point = int8_t(f->stage.zero_point);
      plan.act_min = int8_t(f->stage.act_min);
      plan.act_max = int8_t(f->stage.act_max);
      isa::plan_gemm(s, plan);
      return true;
    }
    if (const auto* pool = std::get_if<graph::Pool>(&node.op); pool && global_mean(node)) {
      // The window sum of each channel is a GEMM: ones[1 x HW] times the image as B
      // (HW x C, row-major NHWC), one per image; the input zero point's share is the bias
      // and the STORE's requantization is TFLite MEAN's (graph.hpp), so it is bit-exact.
      const graph::Tensor& out = g_.tensors[std::size_t(node.output)];
      const uint32_t pixels = in.shape[0] * in.shape[1], channels = in.shape[2];
      int32_t mult = 0;
      int shift = 0;
      graph::mean_multiplier(in, out, pixels, mult, shift);
      const std::vector<int32_t> bias(channels, int32_t(-int64_t(pixels) * in.zero_point));
      isa::GemmPlan plan;
      plan.m = 1;
      plan.k = pixels;
      plan.n = channels;
      plan.a_addr = add_weights(std::vector<int8_t>(pixels, 1));
      plan.qtable_addr = add_weights(isa::qtable_entries(bias, std::vector<int32_t>(channels, mult),
                                                         std::vector<int>(channels, shift)));
      plan.zero_point = int8_t(out.zero_point);
      plan.barrier_addr = barrier();
      for (uint32_t image = 0; image < p_.options.batch; ++image) {
        if (image > 0) s.push(isa::Fence{false, barrier(), image});  // the table is reloaded
        plan.b_addr = arena(node.inputs[0]) + uint64_t(image) * pixels * channels;
        plan.c_addr = arena(node.output) + uint64_t(image) * channels;
        isa::plan_gemm(s, plan);
      }
      return true;
    }
    if (const auto* add = std::get_if<graph::Add>(&node.op)) {
      // TFLite's ADD: the inputs rescaled by the vector path, the sum requantized by the
      // STORE (add_plan.hpp), bit-exact with graph::AddParams.
      const graph::Tensor& b = g_.tensors[std::size_t(node.inputs[1])];
      const graph::Tensor& out = g_.tensors[std::size_t(node.output)];
      const auto params =
          graph::AddParams::make(in.scale, in.zero_point, b.scale, b.zero_point, out.scale,
                                 out.zero_point, add->act_min, add->act_max);
      isa::AddPlan plan;
      plan.elements = uint64_t(p_.options.batch) * out.elements();
      plan.a_addr = arena(node.inputs[0]);
      plan.b_addr = arena(node.inputs[1]);
      plan.out_addr = arena(node.output);
      for (auto [to, mult, shift, zp] :
           {std::tuple{&plan.a, params.mult1, params.shift1, params.zp1},
            std::tuple{&plan.b, params.mult2, params.shift2, params.zp2}}) {
        if (shift > 0 || shift < -31) {
          throw std::invalid_argument("add input shift " + std::to_string(shift) +
                                      " is out of the vector path's range [-31, 0]");
        }
        *to = {mult, uint8_t(-shift), int8_t(zp)};
      }
      require_range("add output shift", params.shift_out, ref::kMinShift, ref::kMaxShift);
      plan.qtable_addr = add_weights(isa::add_table_entry(params.mult_out, params.shift_out));
      plan.zero_point = int8_t(params.zp_out);
      plan.act_min = int8_t(params.act_min);
      plan.act_max = int8_t(params.act_max);
      isa::plan_add(s, plan);
      return true;
    }
  } catch (const std::invalid_argument& e) {  // too large for this build's buffers
    p_.weights.resize(weights_before);
    why = std::string("the engine cannot place it: ") + e.what();
    return false;
  }
  if (std::holds_alternative<graph::Pool>(node.op)) {
    const auto& pool = std::get<graph::Pool>(node.op);
    why = pool.kind == graph::Pool::Kind::kMax
              ? "max-pooling other than 2x2 stride 2 after a convolution has no engine command"
              : "average pooling other than a global mean (window sums requantized, "
                "graph.hpp) has no engine command yet";
  } else if (std::holds_alternative<graph::Permute>(node.op)) {
    why = "a layout change (the model's NCHW to the engine's NHWC or back)";
  } else if (std::holds_alternative<graph::Pad>(node.op)) {
    why = "the zero-point border of an image the host writes (pad_on_host, program.hpp)";
  } else {
    why = "float arithmetic at the model's edge";
  }
  return false;
}

isa::ConvPlan Compiler::conv_plan(const graph::Node& node, const graph::Conv2d& c,
                                  isa::ConvLayout layout) {
  const graph::Tensor& in = g_.tensors[std::size_t(node.inputs[0])];
  isa::ConvPlan plan;
  plan.batch = p_.options.batch;
  plan.h = in.shape[0];
  plan.w = in.shape[1];
  plan.c = in.shape[2];
  plan.kernel_h = uint32_t(c.params.kernel_h);
  plan.kernel_w = uint32_t(c.params.kernel_w);
  plan.out_channels = c.out_channels;
  plan.stride_h = uint32_t(c.params.stride_h);
  plan.stride_w = uint32_t(c.params.stride_w);
  plan.dilation_h = uint32_t(c.params.dilation_h);
  plan.dilation_w = uint32_t(c.params.dilation_w);
  plan.pad_top = uint32_t(c.params.pad_top);
  plan.pad_bottom = uint32_t(c.params.pad_bottom);
  plan.pad_left = uint32_t(c.params.pad_left);
  plan.pad_right = uint32_t(c.params.pad_right);
  plan.groups = uint32_t(c.params.groups);
  plan.input_zero_point = int8_t(c.params.input_zero_point);
  plan.max_pool = c.max_pool_2x2;
  plan.zero_point = int8_t(c.stage.zero_point);
  plan.act_min = int8_t(c.stage.act_min);
  plan.act_max = int8_t(c.stage.act_max);
  plan.input_addr = arena(node.inputs[0]);
  plan.output_addr = arena(node.output);
  plan.barrier_addr = barrier();
  plan.layout = layout;
  plan.weight_addr = add_weights(isa::pack_conv_weights(c.weights, plan, p_.config));
  plan.qtable_addr = add_weights(
      table(c.stage,
            isa::conv_bias(c.bias, c.weights, plan.kernel_h, plan.kernel_w, plan.c / plan.groups,
                           plan.out_channels, plan.input_zero_point),
            c.out_channels));
  return plan;
}

bool Compiler::plan_fused(std::size_t i, isa::CommandStream& s) {
  if (i + 1 >= g_.nodes.size()) return false;
  const graph::Node &first = g_.nodes[i], &second = g_.nodes[i + 1];
  const auto* e = std::get_if<graph::Conv2d>(&first.op);
  const auto* d = std::get_if<graph::Conv2d>(&second.op);
  if (!e || !d || second.inputs.empty() || second.inputs[0] != first.output) return false;
  if (d->params.groups == 1) return false;
  // The expansion's output must have no other reader: it never reaches host memory.
  for (std::size_t j = 0; j < g_.nodes.size(); ++j) {
    if (j == i + 1) continue;
    for (int t : g_.nodes[j].inputs)
      if (t == first.output) return false;
  }
  for (const auto& o : g_.outputs)
    if (o.tensor == first.output) return false;
  const std::size_t weights_before = p_.weights.size();
  const isa::ConvPlan pe = conv_plan(first, *e, isa::ConvLayout::kPaddedImage);
  isa::ConvPlan pd = conv_plan(second, *d);
  // Wherever it fits: every MobileNet-v2 pair gains fused (docs/performance.md).
  if (!isa::detail::expand_depthwise_fits(pe, pd, p_.config)) {
    p_.weights.resize(weights_before);  // repacked as the layers' own
    return false;
  }
  isa::detail::plan_expand_depthwise(s, pe, pd);
  return true;
}

void Compiler::finish_segment(isa::CommandStream& s, Segment& seg) {
  seg.commands = s.commands();
  for (uint32_t i = 0; i < seg.commands.size(); ++i) {
    const isa::Command& c = seg.commands[i];
    isa::Field f{0, 0};
    if (c.opcode() == isa::Opcode::kLoad && !(c.mode() & isa::kLoadModeFill))
      f = isa::load::kDramAddr;
    if (c.opcode() == isa::Opcode::kStore && !(c.mode() & isa::kStoreModeToScratchpad))
      f = isa::store::kDramAddr;
    if (c.opcode() == isa::Opcode::kFence) f = isa::fence::kDramAddr;
    if (f.bytes == 0) continue;
    const uint64_t addr = c.get(f);
    const uint64_t r = (addr >> kRegionShift) - 1;
    if ((addr >> kRegionShift) == 0 || r >= uint64_t(kRegions)) {
      throw std::logic_error("compiler: command " + std::to_string(i) +
                             " has an address outside every region");
    }
    seg.relocations.push_back({i, Region(r)});
    seg.commands[i].set(f, addr - region_base(Region(r)));
  }
}

// What a layer's commands move and multiply, per batch. With `fused` (the depthwise layer
// planned with it), the depthwise COMPUTEs' MACs and the STOREs to host memory are that
// layer's; the reads (the input, both layers' weights and tables, the commands) this one's.
void count(const std::vector<isa::Command>& cmds, uint32_t first, uint32_t n,
           const isa::BuildConfig& config, Layer& l, Layer* fused = nullptr) {
  for (uint32_t i = first; i < first + n; ++i) {
    const isa::Command& c = cmds[i];
    l.dma_read_bytes += isa::kCommandBytes;  // fetched
    const bool depthwise =
        c.opcode() == isa::Opcode::kCompute && (c.mode() & isa::kComputeModeDepthwise);
    Layer& to = fused && (depthwise || c.opcode() == isa::Opcode::kStore) ? *fused : l;
    switch (c.opcode()) {
      case isa::Opcode::kLoad:
        if (!(c.mode() & isa::kLoadModeFill)) {
          l.dma_read_bytes += c.get(isa::load::kRowBytes) * c.get(isa::load::kRows);
        }
        break;
      case isa::Opcode::kCompute:
        to.engine_macs += isa::counted_macs(c, config.rows);  // none on the vector path
        break;
      case isa::Opcode::kStore: {
        if (c.mode() & isa::kStoreModeToScratchpad) break;  // on chip
        const uint64_t lanes = c.get(isa::store::kCols) * (c.get(isa::store::kExtraPanels) + 1);
        const bool pool = c.mode() & isa::kStoreModePool2x2;
        const uint64_t pixels =
            c.get(isa::store::kRows) * (pool ? c.get(isa::store::kPoolWidth) : 1);
        to.dma_write_bytes += pixels * lanes * ((c.mode() & isa::kStoreModeRequantize) ? 1 : 4);
        break;
      }
      case isa::Opcode::kFence:
        l.dma_write_bytes += (c.mode() & isa::kFenceModeTimestamp) ? 16 : 4;
        break;
      default:
        break;
    }
  }
}

void Compiler::run() {
  const auto t0 = std::chrono::steady_clock::now();
  prepare_graph(p_.model.graph);
  g_.validate();
  const ArenaPlan arena = plan_arena(g_, p_.options.batch, p_.options.reuse_memory);
  p_.arena_offset = arena.offset;
  barrier_offset_ = arena.bytes;
  p_.arena_bytes = arena.bytes + kBarrierBytes;
  std::optional<isa::CommandStream> stream;
  Segment seg;
  auto timestamp = [&](isa::CommandStream& s) {
    isa::Fence f;
    f.timestamp = true;
    f.value = p_.timestamps;
    f.dram_addr = region_base(Region::kTimestamps) + 16ull * p_.timestamps++;
    s.push(f);
  };
  auto close = [&] {
    if (!stream) return;
    timestamp(*stream);
    finish_segment(*stream, seg);
    for (uint32_t i = seg.first_layer; i < seg.first_layer + seg.layers; ++i) {
      Layer& l = p_.layers[i];
      count(seg.commands, l.first_command, l.commands, p_.config, l,
            l.fused ? &p_.layers[i + 1] : nullptr);
    }
    p_.segments.push_back(std::move(seg));
    seg = Segment{};
    stream.reset();
  };
  for (std::size_t i = 0; i < g_.nodes.size(); ++i) {
    const graph::Node& node = g_.nodes[i];
    Layer l;
    l.node = int(i);
    l.useful_macs = g_.macs(node) * p_.options.batch;
    const bool engine_op = std::holds_alternative<graph::Conv2d>(node.op) ||
                           std::holds_alternative<graph::FullyConnected>(node.op) ||
                           std::holds_alternative<graph::Add>(node.op) || global_mean(node);
    isa::CommandStream trial(p_.config);
    const bool fused = p_.options.fuse && plan_fused(i, trial);
    if (fused || (engine_op && plan(node, trial, l.reason))) {
      if (!stream) {
        stream.emplace(p_.config);
        seg.first_layer = uint32_t(p_.layers.size());
        seg.first_timestamp = p_.timestamps;
      }
      l.on_engine = true;
      l.segment = uint32_t(p_.segments.size());
      l.timestamp = p_.timestamps;
      l.first_command = uint32_t(stream->size());
      timestamp(*stream);
      stream->append(trial);
      l.commands = uint32_t(stream->size()) - l.first_command;
      ++seg.layers;
      if (fused) {  // the depthwise layer: in this one's span, no commands of its own
        l.fused = true;
        Layer d;
        d.node = int(i + 1);
        d.useful_macs = g_.macs(g_.nodes[i + 1]) * p_.options.batch;
        d.on_engine = true;
        d.segment = l.segment;
        d.timestamp = l.timestamp;
        d.first_command = uint32_t(stream->size());
        p_.layers.push_back(std::move(l));
        p_.layers.push_back(std::move(d));
        ++seg.layers;
        ++i;
        continue;
      }
    } else {
      if (!engine_op) plan(node, trial, l.reason);  // just the reason
      close();
    }
    p_.layers.push_back(std::move(l));
  }
  close();
  p_.compile_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

const char* region_name(Region r) {
  switch (r) {
    case Region::kWeights:
      return "weights";
    case Region::kArena:
      return "arena";
    case Region::kTimestamps:
      return "timestamps";
  }
  return "?";
}

uint64_t Program::device_bytes() const { return weights.size() + arena_bytes + 16ull * timestamps; }

void prepare_graph(graph::Graph& g) {
  fuse_max_pool(g);
  pad_on_host(g);
}

void pad_on_host(graph::Graph& g) {
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    auto* conv = std::get_if<graph::Conv2d>(&g.nodes[i].op);
    if (!conv || conv->params.groups != 1) continue;
    auto& p = conv->params;
    const int in = g.nodes[i].inputs[0];
    const graph::Tensor x = g.tensors[std::size_t(in)];
    if (x.shape.size() != 3 || x.shape[2] > 4 ||
        p.pad_top + p.pad_bottom + p.pad_left + p.pad_right == 0)
      continue;
    bool host_written = false;  // by a layout change or a quantization, on the host anyway
    for (const auto& n : g.nodes) {
      host_written =
          host_written || (n.output == in && (std::holds_alternative<graph::Permute>(n.op) ||
                                              std::holds_alternative<graph::Quantize>(n.op)));
    }
    if (!host_written) continue;
    graph::Pad pad{uint32_t(p.pad_top), uint32_t(p.pad_bottom), uint32_t(p.pad_left),
                   uint32_t(p.pad_right)};
    graph::Tensor padded = x;
    padded.name = x.name + ":padded";
    padded.shape = {x.shape[0] + pad.top + pad.bottom, x.shape[1] + pad.left + pad.right,
                    x.shape[2]};
    const int t = g.add_tensor(padded);
    graph::Node node;
    node.name = g.nodes[i].name + ":pad";
    node.op = pad;
    node.inputs = {in};
    node.output = t;
    g.nodes[i].inputs[0] = t;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 0;
    g.nodes.insert(g.nodes.begin() + std::ptrdiff_t(i), node);
    ++i;  // past the convolution, now one later
  }
}

void fuse_max_pool(graph::Graph& g) {
  std::vector<int> readers(g.tensors.size(), 0);
  for (const auto& n : g.nodes) {
    for (int t : n.inputs) ++readers[std::size_t(t)];
  }
  for (const auto& p : g.outputs) ++readers[std::size_t(p.tensor)];
  for (std::size_t i = 0; i + 1 <= g.nodes.size(); ++i) {
    auto* conv = std::get_if<graph::Conv2d>(&g.nodes[i].op);
    if (!conv || conv->max_pool_2x2 || readers[std::size_t(g.nodes[i].output)] != 1) continue;
    for (std::size_t j = i + 1; j < g.nodes.size(); ++j) {
      const auto* pool = std::get_if<graph::Pool>(&g.nodes[j].op);
      if (g.nodes[j].inputs.empty() || g.nodes[j].inputs[0] != g.nodes[i].output) continue;
      if (pool && pool->kind == graph::Pool::Kind::kMax && pool->kernel_h == 2 &&
          pool->kernel_w == 2 && pool->stride_h == 2 && pool->stride_w == 2 &&
          pool->pad_top + pool->pad_left + pool->pad_bottom + pool->pad_right == 0) {
        conv->max_pool_2x2 = true;
        g.nodes[i].output = g.nodes[j].output;
        g.nodes[i].name += "+" + g.nodes[j].name;
        g.nodes.erase(g.nodes.begin() + std::ptrdiff_t(j));
      }
      break;
    }
  }
}

Program compile(const std::string& onnx, const std::string& source, const isa::BuildConfig& config,
                const CompileOptions& options) {
  require_range<uint32_t>("batch", options.batch, 1, 65535);
  Program p;
  p.model = import_onnx(onnx, source);
  p.onnx = onnx;
  p.config = config;
  p.options = options;
  Compiler(p).run();
  return p;
}

Program compile_file(const std::string& path, const isa::BuildConfig& config,
                     const CompileOptions& options) {
  return compile(read_model_file(path), path, config, options);
}

}  // namespace tessera::model
