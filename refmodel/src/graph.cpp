// SPDX-License-Identifier: Apache-2.0
// The graph's tensors, checks and reference executor; see graph.hpp for the semantics.
#include "tessera/graph.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace tessera::graph {
namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

[[noreturn]] void fail(const Node& node, const std::string& what) {
  throw std::invalid_argument("node '" + node.name + "' (" + op_name(node.op) + "): " + what);
}

std::string shape_text(const std::vector<uint32_t>& s) {
  std::string t = "{";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + "}";
}

int8_t saturate_int8(long long v) { return int8_t(std::clamp<long long>(v, -128, 127)); }

// The NHWC shape of a 3-D per-image tensor.
ref::Nhwc nhwc(const Tensor& t, std::size_t batch) {
  return {batch, t.shape[0], t.shape[1], t.shape[2]};
}

}  // namespace

bool average_requantizes(const Tensor& in, const Tensor& out) {
  return in.scale != out.scale || in.zero_point != out.zero_point;
}

void mean_multiplier(const Tensor& in, const Tensor& out, std::size_t count, int32_t& multiplier,
                     int& shift) {
  ref::quantize_multiplier(in.scale / (out.scale * double(count)), multiplier, shift);
}

namespace {

void run_pool(const Pool& p, const Tensor& in, const Tensor& out, const std::vector<int8_t>& x,
              std::vector<int8_t>& y, std::size_t batch) {
  const std::size_t h = in.shape[0], w = in.shape[1], c = in.shape[2];
  const std::size_t oh = out.shape[0], ow = out.shape[1];
  const bool same_quant = !average_requantizes(in, out);
  y.assign(batch * oh * ow * c, 0);
  for (std::size_t n = 0; n < batch; ++n) {
    for (std::size_t oy = 0; oy < oh; ++oy) {
      for (std::size_t ox = 0; ox < ow; ++ox) {
        const long y0 = long(oy * p.stride_h) - long(p.pad_top);
        const long x0 = long(ox * p.stride_w) - long(p.pad_left);
        const long y_lo = std::max(0l, y0), y_hi = std::min(long(h), y0 + long(p.kernel_h));
        const long x_lo = std::max(0l, x0), x_hi = std::min(long(w), x0 + long(p.kernel_w));
        const long count = (y_hi - y_lo) * (x_hi - x_lo);
        for (std::size_t ch = 0; ch < c; ++ch) {
          int32_t best = std::numeric_limits<int32_t>::min(), sum = 0;
          for (long iy = y_lo; iy < y_hi; ++iy) {
            for (long ix = x_lo; ix < x_hi; ++ix) {
              const int32_t v = x[((n * h + std::size_t(iy)) * w + std::size_t(ix)) * c + ch];
              best = std::max(best, v);
              sum += v;
            }
          }
          int32_t r;
          if (p.kind == Pool::Kind::kMax) {
            r = best;
          } else if (same_quant) {  // TFLite AVERAGE_POOL_2D: round half away from zero
            r = sum > 0 ? (sum + int32_t(count) / 2) / int32_t(count)
                        : (sum - int32_t(count) / 2) / int32_t(count);
          } else {  // TFLite MEAN: requantize the sum of (q - zp)
            int32_t mult = 0;
            int shift = 0;
            mean_multiplier(in, out, std::size_t(count), mult, shift);
            const int32_t centred = sum - int32_t(count) * in.zero_point;
            r = ref::multiply_by_quantized_multiplier(centred, mult, shift) + out.zero_point;
          }
          y[((n * oh + oy) * ow + ox) * c + ch] = saturate_int8(r);
        }
      }
    }
  }
}

}  // namespace

const char* dtype_name(DType t) { return t == DType::kInt8 ? "int8" : "float32"; }

const char* op_name(const Op& op) {
  return std::visit(
      Overloaded{
          [](const Conv2d&) { return "conv2d"; },
          [](const FullyConnected&) { return "fully_connected"; },
          [](const Pool& p) { return p.kind == Pool::Kind::kMax ? "max_pool" : "average_pool"; },
          [](const Add&) { return "add"; }, [](const Quantize&) { return "quantize"; },
          [](const Dequantize&) { return "dequantize"; }, [](const Softmax&) { return "softmax"; },
          [](const Permute&) { return "permute"; }, [](const Pad&) { return "pad"; }},
      op);
}

std::size_t Tensor::elements() const {
  std::size_t n = 1;
  for (uint32_t d : shape) n *= d;
  return n;
}

std::size_t Tensor::bytes() const { return elements() * (dtype == DType::kInt8 ? 1 : 4); }

int Graph::add_tensor(Tensor t) {
  tensors.push_back(std::move(t));
  return int(tensors.size() - 1);
}

uint64_t Graph::macs(const Node& node) const {
  const Tensor& out = tensors[std::size_t(node.output)];
  if (const auto* c = std::get_if<Conv2d>(&node.op)) {
    const Tensor& in = tensors[std::size_t(node.inputs[0])];
    const auto o = c->params.output_shape(nhwc(in, 1), c->out_channels);
    return uint64_t(o.h) * o.w * c->out_channels * c->params.kernel_h * c->params.kernel_w *
           (in.shape[2] / std::max<std::size_t>(1, c->params.groups));
  }
  if (const auto* f = std::get_if<FullyConnected>(&node.op)) return uint64_t(f->k) * f->n;
  (void)out;
  return 0;
}

void Graph::validate() const {
  std::vector<bool> written(tensors.size(), false);
  for (const Port& p : inputs) {
    if (p.tensor < 0 || std::size_t(p.tensor) >= tensors.size()) {
      throw std::invalid_argument("graph input '" + p.name + "' has no tensor");
    }
    written[std::size_t(p.tensor)] = true;
    if (p.quantized_tensor >= 0) written[std::size_t(p.quantized_tensor)] = true;
  }
  for (const Node& node : nodes) {
    for (int i : node.inputs) {
      if (i < 0 || std::size_t(i) >= tensors.size() || !written[std::size_t(i)]) {
        fail(node, "reads tensor " + std::to_string(i) + " before anything writes it");
      }
    }
    if (node.output < 0 || std::size_t(node.output) >= tensors.size()) {
      fail(node, "writes no tensor");
    }
    const Tensor& out = tensors[std::size_t(node.output)];
    auto in = [&](std::size_t i) -> const Tensor& {
      if (i >= node.inputs.size()) fail(node, "has too few inputs");
      return tensors[std::size_t(node.inputs[i])];
    };
    auto require = [&](bool ok, const std::string& what) {
      if (!ok) fail(node, what);
    };
    std::visit(
        Overloaded{
            [&](const Conv2d& c) {
              const Tensor& x = in(0);
              require(x.dtype == DType::kInt8 && x.shape.size() == 3,
                      "input must be int8 {H, W, C}, is " + shape_text(x.shape));
              const auto o = c.params.output_shape(nhwc(x, 1), c.out_channels);
              const std::size_t oh = c.max_pool_2x2 ? o.h / 2 : o.h;
              const std::size_t ow = c.max_pool_2x2 ? o.w / 2 : o.w;
              require(
                  out.shape == std::vector<uint32_t>{uint32_t(oh), uint32_t(ow), c.out_channels},
                  "output shape " + shape_text(out.shape) + " does not match");
              require(c.params.groups >= 1 && x.shape[2] % c.params.groups == 0 &&
                          c.out_channels % c.params.groups == 0,
                      "groups = " + std::to_string(c.params.groups) +
                          " does not divide the input and output channels");
              require(c.weights.size() == c.params.kernel_h * c.params.kernel_w *
                                              (x.shape[2] / c.params.groups) * c.out_channels,
                      "weights are not KH x KW x C/groups x OC");
              require(c.bias.size() == c.out_channels, "bias is not OC entries");
              require(c.params.input_zero_point == x.zero_point,
                      "input zero point differs from its tensor's");
              c.stage.validate(c.out_channels);
            },
            [&](const FullyConnected& f) {
              const Tensor& x = in(0);
              require(x.dtype == DType::kInt8 && x.elements() == f.k,
                      "input must be int8 of K = " + std::to_string(f.k) + " elements");
              require(out.elements() == f.n, "output is not N elements");
              require(f.weights.size() == std::size_t(f.k) * f.n, "weights are not K x N");
              require(f.bias.size() == f.n, "bias is not N entries");
              require(f.input_zero_point == x.zero_point, "input zero point differs");
              f.stage.validate(f.n);
            },
            [&](const Pool& p) {
              const Tensor& x = in(0);
              require(x.dtype == DType::kInt8 && x.shape.size() == 3, "input must be int8 HWC");
              require(p.kernel_h && p.kernel_w && p.stride_h && p.stride_w,
                      "kernel and stride must be >= 1");
              const long ph = long(x.shape[0] + p.pad_top + p.pad_bottom) - long(p.kernel_h);
              const long pw = long(x.shape[1] + p.pad_left + p.pad_right) - long(p.kernel_w);
              require(ph >= 0 && pw >= 0, "window larger than the padded input");
              require(out.shape == std::vector<uint32_t>{uint32_t(ph / long(p.stride_h) + 1),
                                                         uint32_t(pw / long(p.stride_w) + 1),
                                                         x.shape[2]},
                      "output shape " + shape_text(out.shape) + " does not match");
              if (p.kind == Pool::Kind::kMax) {
                require(x.scale == out.scale && x.zero_point == out.zero_point,
                        "max-pool input and output must share scale and zero point");
              }
            },
            [&](const Add& a) {
              require(in(0).elements() == out.elements() && in(1).elements() == out.elements() &&
                          in(0).dtype == DType::kInt8 && in(1).dtype == DType::kInt8,
                      "inputs must be int8 of the output's size");
              require(a.act_min <= a.act_max, "act_min > act_max");
            },
            [&](const Quantize&) {
              require(in(0).dtype == DType::kFloat32 && out.dtype == DType::kInt8 &&
                          in(0).elements() == out.elements(),
                      "must take float32 to int8 of the same size");
            },
            [&](const Dequantize&) {
              require(in(0).dtype == DType::kInt8 && out.dtype == DType::kFloat32 &&
                          in(0).elements() == out.elements(),
                      "must take int8 to float32 of the same size");
            },
            [&](const Softmax&) {
              require(in(0).dtype == DType::kFloat32 && out.dtype == DType::kFloat32 &&
                          in(0).shape == out.shape && !out.shape.empty(),
                      "must take float32 to float32 of the same shape");
            },
            [&](const Permute& p) {
              require(in(0).dtype == out.dtype && in(0).elements() == out.elements() &&
                          p.source.size() == out.elements(),
                      "source indices must cover the output");
              for (uint32_t s : p.source) require(s < out.elements(), "source index out of range");
            },
            [&](const Pad& p) {
              const Tensor& x = in(0);
              require(x.dtype == DType::kInt8 && x.shape.size() == 3 &&
                          out.shape == std::vector<uint32_t>{x.shape[0] + p.top + p.bottom,
                                                             x.shape[1] + p.left + p.right,
                                                             x.shape[2]} &&
                          out.scale == x.scale && out.zero_point == x.zero_point,
                      "must pad an int8 {H, W, C} image, keeping its quantization");
            }},
        node.op);
    written[std::size_t(node.output)] = true;
  }
  for (const Port& p : outputs) {
    if (p.tensor < 0 || std::size_t(p.tensor) >= tensors.size() ||
        !written[std::size_t(p.tensor)]) {
      throw std::invalid_argument("graph output '" + p.name + "' is never written");
    }
  }
}

AddParams AddParams::make(double scale1, int32_t zp1, double scale2, int32_t zp2, double scale_out,
                          int32_t zp_out, int32_t act_min, int32_t act_max) {
  AddParams p;
  p.zp1 = zp1;
  p.zp2 = zp2;
  p.zp_out = zp_out;
  p.act_min = act_min;
  p.act_max = act_max;
  const double twice_max = 2.0 * std::max(scale1, scale2);
  ref::quantize_multiplier(scale1 / twice_max, p.mult1, p.shift1);
  ref::quantize_multiplier(scale2 / twice_max, p.mult2, p.shift2);
  ref::quantize_multiplier(twice_max / (double(1 << kLeftShift) * scale_out), p.mult_out,
                           p.shift_out);
  return p;
}

int8_t AddParams::operator()(int8_t q1, int8_t q2) const {
  // Both input shifts are <= 0 (each input's multiplier is at most 1/2).
  const int32_t sum =
      ref::rescale_for_add(q1, zp1, mult1, -shift1) + ref::rescale_for_add(q2, zp2, mult2, -shift2);
  const int32_t out = ref::multiply_by_quantized_multiplier(sum, mult_out, shift_out) + zp_out;
  return int8_t(std::clamp(out, act_min, act_max));
}

void run_node(const Graph& g, const Node& node, std::size_t batch, std::vector<Value>& values) {
  const Tensor& out = g.tensors[std::size_t(node.output)];
  Value& y = values[std::size_t(node.output)];
  auto x = [&](std::size_t i) -> const Value& { return values[std::size_t(node.inputs[i])]; };
  auto tin = [&](std::size_t i) -> const Tensor& { return g.tensors[std::size_t(node.inputs[i])]; };
  std::visit(
      Overloaded{[&](const Conv2d& c) {
                   const auto shape = nhwc(tin(0), batch);
                   const auto acc =
                       ref::conv2d(x(0).i8, shape, c.weights, c.out_channels, c.bias, c.params);
                   const auto o = c.params.output_shape(shape, c.out_channels);
                   y.i8 = ref::requantize(acc, o.n * o.h * o.w, c.out_channels, c.stage);
                   if (c.max_pool_2x2) {
                     ref::Nhwc s = o;
                     y.i8 = ref::max_pool_2x2(y.i8, s);
                   }
                 },
                 [&](const FullyConnected& f) {
                   const auto acc =
                       ref::gemm(x(0).i8, f.weights, f.bias, batch, f.k, f.n, f.input_zero_point);
                   y.i8 = ref::requantize(acc, batch, f.n, f.stage);
                 },
                 [&](const Pool& p) { run_pool(p, tin(0), out, x(0).i8, y.i8, batch); },
                 [&](const Add& a) {
                   const auto params = AddParams::make(tin(0).scale, tin(0).zero_point,
                                                       tin(1).scale, tin(1).zero_point, out.scale,
                                                       out.zero_point, a.act_min, a.act_max);
                   y.i8.resize(x(0).i8.size());
                   for (std::size_t i = 0; i < y.i8.size(); ++i)
                     y.i8[i] = params(x(0).i8[i], x(1).i8[i]);
                 },
                 [&](const Quantize&) {
                   const float scale = float(out.scale);
                   y.i8.resize(x(0).f32.size());
                   for (std::size_t i = 0; i < y.i8.size(); ++i) {
                     const float q = std::nearbyint(x(0).f32[i] / scale);  // ties to even
                     y.i8[i] =
                         std::isnan(q)
                             ? int8_t(out.zero_point)
                             : saturate_int8(static_cast<long long>(std::clamp(q, -1e6f, 1e6f)) +
                                             out.zero_point);
                   }
                 },
                 [&](const Dequantize&) {
                   const float scale = float(tin(0).scale);
                   y.f32.resize(x(0).i8.size());
                   for (std::size_t i = 0; i < y.f32.size(); ++i) {
                     y.f32[i] = float(int32_t(x(0).i8[i]) - tin(0).zero_point) * scale;
                   }
                 },
                 [&](const Softmax&) {
                   const std::size_t row = out.shape.back();
                   y.f32.resize(x(0).f32.size());
                   for (std::size_t r = 0; r < y.f32.size(); r += row) {
                     const float* in = &x(0).f32[r];
                     const double top = *std::max_element(in, in + row);
                     double sum = 0;
                     for (std::size_t i = 0; i < row; ++i) sum += std::exp(double(in[i]) - top);
                     for (std::size_t i = 0; i < row; ++i) {
                       y.f32[r + i] = float(std::exp(double(in[i]) - top) / sum);
                     }
                   }
                 },
                 [&](const Pad& p) {
                   const Tensor& t = tin(0);
                   const std::size_t h = t.shape[0], w = t.shape[1], c = t.shape[2];
                   const std::size_t ow = w + p.left + p.right, oh = h + p.top + p.bottom;
                   y.i8.assign(batch * oh * ow * c, int8_t(t.zero_point));
                   for (std::size_t b = 0; b < batch; ++b)
                     for (std::size_t r = 0; r < h; ++r)
                       std::copy_n(&x(0).i8[(b * h + r) * w * c], w * c,
                                   &y.i8[((b * oh + r + p.top) * ow + p.left) * c]);
                 },
                 [&](const Permute& p) {
                   const std::size_t n = p.source.size();
                   if (out.dtype == DType::kInt8) {
                     y.i8.resize(batch * n);
                     for (std::size_t b = 0; b < batch; ++b) {
                       for (std::size_t i = 0; i < n; ++i)
                         y.i8[b * n + i] = x(0).i8[b * n + p.source[i]];
                     }
                   } else {
                     y.f32.resize(batch * n);
                     for (std::size_t b = 0; b < batch; ++b) {
                       for (std::size_t i = 0; i < n; ++i) {
                         y.f32[b * n + i] = x(0).f32[b * n + p.source[i]];
                       }
                     }
                   }
                 }},
      node.op);
}

void run_nodes(const Graph& g, std::size_t first, std::size_t last, std::size_t batch,
               std::vector<Value>& values) {
  if (values.size() != g.tensors.size()) values.resize(g.tensors.size());
  for (std::size_t i = first; i < last; ++i) {
    const Node& node = g.nodes[i];
    for (int t : node.inputs) {
      const Tensor& tensor = g.tensors[std::size_t(t)];
      const Value& v = values[std::size_t(t)];
      const std::size_t have = tensor.dtype == DType::kInt8 ? v.i8.size() : v.f32.size();
      if (have != batch * tensor.elements()) {
        fail(node, "input '" + tensor.name + "' holds " + std::to_string(have) +
                       " values; expected " + std::to_string(batch * tensor.elements()));
      }
    }
    run_node(g, node, batch, values);
  }
}

std::vector<Value> run(const Graph& g, const std::vector<Value>& inputs, std::size_t batch) {
  if (inputs.size() != g.inputs.size()) {
    throw std::invalid_argument("graph has " + std::to_string(g.inputs.size()) + " inputs; given " +
                                std::to_string(inputs.size()));
  }
  std::vector<Value> values(g.tensors.size());
  std::vector<int> given(inputs.size(), -1);  // the tensor each input was given for
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Port& p = g.inputs[i];
    const bool quantized = g.tensors[std::size_t(p.tensor)].dtype == DType::kFloat32 &&
                           inputs[i].f32.empty() && !inputs[i].i8.empty();
    if (quantized && p.quantized_tensor < 0) {
      throw std::invalid_argument("graph input '" + p.name +
                                  "' is float32 and not simply quantized: give float32 values");
    }
    given[i] = quantized ? p.quantized_tensor : p.tensor;
    values[std::size_t(given[i])] = inputs[i];
  }
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    const int out = g.nodes[i].output;
    if (std::find(given.begin(), given.end(), out) != given.end()) continue;  // given quantized
    run_nodes(g, i, i + 1, batch, values);
  }
  return values;
}

}  // namespace tessera::graph
