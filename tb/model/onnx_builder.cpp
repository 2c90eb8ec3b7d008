// SPDX-License-Identifier: Apache-2.0
// See onnx_builder.hpp.
#include "onnx_builder.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <stdexcept>

namespace tessera::test {

OnnxBuilder::OnnxBuilder(int64_t opset) {
  m_.set_ir_version(8);
  m_.set_producer_name("tessera-tests");
  auto* op = m_.add_opset_import();
  op->set_domain("");
  op->set_version(opset);
  m_.mutable_graph()->set_name("test");
}

namespace {

void set_dims(onnx::ValueInfoProto* v, int32_t type, const std::vector<int64_t>& dims,
              int64_t batch) {
  auto* t = v->mutable_type()->mutable_tensor_type();
  t->set_elem_type(type);
  auto* s = t->mutable_shape();
  for (std::size_t i = 0; i < dims.size(); ++i) {
    auto* d = s->add_dim();
    if (i == 0 && batch == 0)
      d->set_dim_param("N");
    else if (i == 0)
      d->set_dim_value(batch);
    else if (dims[i] < 0)
      d->set_dim_param("D" + std::to_string(i));
    else
      d->set_dim_value(dims[i]);
  }
}

}  // namespace

void OnnxBuilder::input(const std::string& name, int32_t type, const std::vector<int64_t>& dims,
                        int64_t batch) {
  set_dims(m_.mutable_graph()->add_input(), type, dims, batch);
  m_.mutable_graph()->mutable_input()->rbegin()->set_name(name);
}

void OnnxBuilder::output(const std::string& name, int32_t type, const std::vector<int64_t>& dims) {
  set_dims(m_.mutable_graph()->add_output(), type, dims, 0);
  m_.mutable_graph()->mutable_output()->rbegin()->set_name(name);
}

void OnnxBuilder::constant(const std::string& name, int32_t type, const std::vector<int64_t>& dims,
                           const std::vector<double>& values) {
  auto* t = m_.mutable_graph()->add_initializer();
  t->set_name(name);
  t->set_data_type(type);
  for (int64_t d : dims) t->add_dims(d);
  std::string raw;
  for (double v : values) {
    if (type == onnx::TensorProto::FLOAT) {
      const float f = float(v);
      raw.append(reinterpret_cast<const char*>(&f), 4);
    } else if (type == onnx::TensorProto::INT8) {
      raw.push_back(char(int8_t(v)));
    } else if (type == onnx::TensorProto::UINT8) {
      raw.push_back(char(uint8_t(v)));
    } else if (type == onnx::TensorProto::INT32) {
      const int32_t i = int32_t(v);
      raw.append(reinterpret_cast<const char*>(&i), 4);
    } else if (type == onnx::TensorProto::INT64) {
      const int64_t i = int64_t(v);
      raw.append(reinterpret_cast<const char*>(&i), 8);
    } else {
      throw std::logic_error("OnnxBuilder: type");
    }
  }
  t->set_raw_data(raw);
}

onnx::NodeProto& OnnxBuilder::node(const std::string& op, const std::vector<std::string>& inputs,
                                   const std::vector<std::string>& outputs,
                                   const std::string& name) {
  auto* n = m_.mutable_graph()->add_node();
  n->set_op_type(op);
  n->set_name(name.empty() ? op + "_" + std::to_string(counter_++) : name);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return *n;
}

void OnnxBuilder::attr(onnx::NodeProto& n, const std::string& name, int64_t v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(v);
}
void OnnxBuilder::attr(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (int64_t x : v) a->add_ints(x);
}
void OnnxBuilder::attr(onnx::NodeProto& n, const std::string& name, float v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::FLOAT);
  a->set_f(v);
}
void OnnxBuilder::attr(onnx::NodeProto& n, const std::string& name, const std::string& v) {
  auto* a = n.add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::STRING);
  a->set_s(v);
}

std::string OnnxBuilder::qdq(const std::string& x, float scale, int zp, int32_t type) {
  scalar(x + "_scale", scale);
  zero_point(x + "_zp", type, zp);
  node("QuantizeLinear", {x, x + "_scale", x + "_zp"}, {x + "_q"});
  node("DequantizeLinear", {x + "_q", x + "_scale", x + "_zp"}, {x + "_dq"});
  return x + "_dq";
}

std::string OnnxBuilder::weights(const std::string& name, const std::vector<int64_t>& dims,
                                 float scale, bool per_channel, uint64_t seed, int axis) {
  std::mt19937_64 rng(seed);
  std::size_t n = 1;
  for (int64_t d : dims) n *= std::size_t(d);
  std::vector<double> q(n);
  for (double& v : q) v = double(int(rng() % 255) - 127);
  const std::size_t channels = per_channel ? std::size_t(dims[std::size_t(axis)]) : 1;
  std::vector<double> scales(channels);
  for (double& s : scales) s = double(float(scale * (0.5 + double(rng() % 1000) / 1000.0)));
  constant(name, onnx::TensorProto::INT8, dims, q);
  constant(name + "_scale", onnx::TensorProto::FLOAT,
           per_channel ? std::vector<int64_t>{int64_t(channels)} : std::vector<int64_t>{}, scales);
  constant(name + "_zp", onnx::TensorProto::INT8,
           per_channel ? std::vector<int64_t>{int64_t(channels)} : std::vector<int64_t>{},
           std::vector<double>(channels, 0.0));
  auto& d = node("DequantizeLinear", {name, name + "_scale", name + "_zp"}, {name + "_dq"});
  if (per_channel) attr(d, "axis", int64_t(axis));
  weight_scales_[name] = scales;
  return name + "_dq";
}

std::string OnnxBuilder::bias(const std::string& name, int64_t n, const std::string& weights_name,
                              float input_scale, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const auto& ws = weight_scales_.at(weights_name);
  std::vector<double> q(static_cast<std::size_t>(n)), scales(static_cast<std::size_t>(n));
  for (auto& v : q) v = double(int64_t(rng() % 4001) - 2000);
  for (std::size_t i = 0; i < scales.size(); ++i) {
    scales[i] = double(float(input_scale) * float(ws[ws.size() == 1 ? 0 : i]));
  }
  constant(name, onnx::TensorProto::INT32, {n}, q);
  constant(name + "_scale", onnx::TensorProto::FLOAT, {n}, scales);
  constant(name + "_zp", onnx::TensorProto::INT32, {n}, std::vector<double>(std::size_t(n), 0.0));
  auto& d = node("DequantizeLinear", {name, name + "_scale", name + "_zp"}, {name + "_dq"});
  attr(d, "axis", int64_t(0));
  return name + "_dq";
}

std::string OnnxBuilder::bytes() const {
  std::string s;
  m_.SerializeToString(&s);
  return s;
}

// ---- the float evaluation --------------------------------------------------------------

namespace {

std::size_t count(const std::vector<int64_t>& d) {
  std::size_t n = 1;
  for (int64_t x : d) n *= std::size_t(x);
  return n;
}

struct Eval {
  std::map<std::string, FloatTensor> values;
  std::map<std::string, int32_t> types;  // of quantized values (int8 / uint8)

  const FloatTensor& in(const onnx::NodeProto& n, int i) const { return values.at(n.input(i)); }
  bool has(const onnx::NodeProto& n, int i) const {
    return i < n.input_size() && !n.input(i).empty();
  }
  static const onnx::AttributeProto* attr(const onnx::NodeProto& n, const std::string& name) {
    for (const auto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  static int64_t attr_i(const onnx::NodeProto& n, const std::string& name, int64_t d) {
    const auto* a = attr(n, name);
    return a ? a->i() : d;
  }
  static std::vector<int64_t> attr_ints(const onnx::NodeProto& n, const std::string& name,
                                        std::vector<int64_t> d) {
    const auto* a = attr(n, name);
    return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : d;
  }

  // Per-axis parameters: the value for index i along `axis` of dims.
  static double at_axis(const FloatTensor& p, const std::vector<int64_t>& dims, int axis,
                        std::size_t i) {
    if (p.v.size() == 1) return p.v[0];
    std::size_t inner = 1;
    for (std::size_t d = std::size_t(axis) + 1; d < dims.size(); ++d) inner *= std::size_t(dims[d]);
    return p.v[(i / inner) % std::size_t(dims[std::size_t(axis)])];
  }

  FloatTensor quantize(const FloatTensor& x, const FloatTensor& s, const FloatTensor& z,
                       int32_t type, int axis) {
    FloatTensor y{x.dims, std::vector<double>(x.v.size())};
    const double lo = type == onnx::TensorProto::UINT8 ? 0 : -128,
                 hi = type == onnx::TensorProto::UINT8 ? 255 : 127;
    for (std::size_t i = 0; i < x.v.size(); ++i) {
      const double sc = at_axis(s, x.dims, axis, i), zp = at_axis(z, x.dims, axis, i);
      y.v[i] = std::clamp(std::nearbyint(double(float(x.v[i]) / float(sc))) + zp, lo, hi);
    }
    return y;
  }
  static FloatTensor dequantize(const FloatTensor& x, const FloatTensor& s, const FloatTensor& z,
                                int axis) {
    FloatTensor y{x.dims, std::vector<double>(x.v.size())};
    for (std::size_t i = 0; i < x.v.size(); ++i) {
      y.v[i] = (x.v[i] - at_axis(z, x.dims, axis, i)) * at_axis(s, x.dims, axis, i);
    }
    return y;
  }

  static void pads_for(const onnx::NodeProto& n, int64_t h, int64_t w, int64_t kh, int64_t kw,
                       const std::vector<int64_t>& st, const std::vector<int64_t>& dl,
                       std::vector<int64_t>& pads) {
    pads = attr_ints(n, "pads", {0, 0, 0, 0});
    const auto* ap = attr(n, "auto_pad");
    const std::string mode = ap ? ap->s() : "NOTSET";
    if (mode == "VALID") pads = {0, 0, 0, 0};
    if (mode == "SAME_UPPER" || mode == "SAME_LOWER") {
      const int64_t in[2] = {h, w}, k[2] = {kh, kw};
      for (int a = 0; a < 2; ++a) {
        const int64_t out = (in[a] + st[a] - 1) / st[a];
        const int64_t total =
            std::max<int64_t>(0, (out - 1) * st[a] + (k[a] - 1) * dl[a] + 1 - in[a]);
        const int64_t small = total / 2, big = total - small;
        pads[a] = mode == "SAME_UPPER" ? small : big;
        pads[a + 2] = mode == "SAME_UPPER" ? big : small;
      }
    }
  }

  static FloatTensor conv(const onnx::NodeProto& n, const FloatTensor& x, const FloatTensor& w,
                          const FloatTensor* b) {
    const int64_t N = x.dims[0], C = x.dims[1], H = x.dims[2], W = x.dims[3];
    const int64_t O = w.dims[0], KH = w.dims[2], KW = w.dims[3];
    const auto st = attr_ints(n, "strides", {1, 1}), dl = attr_ints(n, "dilations", {1, 1});
    std::vector<int64_t> p;
    pads_for(n, H, W, KH, KW, st, dl, p);
    const int64_t OH = (H + p[0] + p[2] - ((KH - 1) * dl[0] + 1)) / st[0] + 1;
    const int64_t OW = (W + p[1] + p[3] - ((KW - 1) * dl[1] + 1)) / st[1] + 1;
    FloatTensor y{{N, O, OH, OW}, std::vector<double>(std::size_t(N * O * OH * OW))};
    for (int64_t b0 = 0; b0 < N; ++b0)
      for (int64_t o = 0; o < O; ++o)
        for (int64_t oy = 0; oy < OH; ++oy)
          for (int64_t ox = 0; ox < OW; ++ox) {
            double s = b ? b->v[std::size_t(o)] : 0;
            for (int64_t c = 0; c < C; ++c)
              for (int64_t ky = 0; ky < KH; ++ky)
                for (int64_t kx = 0; kx < KW; ++kx) {
                  const int64_t iy = oy * st[0] - p[0] + ky * dl[0],
                                ix = ox * st[1] - p[1] + kx * dl[1];
                  if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                  s += x.v[std::size_t(((b0 * C + c) * H + iy) * W + ix)] *
                       w.v[std::size_t(((o * C + c) * KH + ky) * KW + kx)];
                }
            y.v[std::size_t(((b0 * O + o) * OH + oy) * OW + ox)] = s;
          }
    return y;
  }

  static FloatTensor matmul(const FloatTensor& a, const FloatTensor& b, bool trans_b,
                            const FloatTensor* c) {
    const int64_t M = a.dims[0], K = a.dims[1], N = trans_b ? b.dims[0] : b.dims[1];
    FloatTensor y{{M, N}, std::vector<double>(std::size_t(M * N))};
    for (int64_t i = 0; i < M; ++i)
      for (int64_t j = 0; j < N; ++j) {
        double s = c ? c->v[std::size_t(j)] : 0;
        for (int64_t k = 0; k < K; ++k) {
          s += a.v[std::size_t(i * K + k)] *
               (trans_b ? b.v[std::size_t(j * K + k)] : b.v[std::size_t(k * N + j)]);
        }
        y.v[std::size_t(i * N + j)] = s;
      }
    return y;
  }

  static FloatTensor pool(const onnx::NodeProto& n, const FloatTensor& x, bool max, bool global) {
    const int64_t N = x.dims[0], C = x.dims[1], H = x.dims[2], W = x.dims[3];
    const auto ks = global ? std::vector<int64_t>{H, W} : attr_ints(n, "kernel_shape", {1, 1});
    const auto st = global ? std::vector<int64_t>{1, 1} : attr_ints(n, "strides", {1, 1});
    std::vector<int64_t> p = {0, 0, 0, 0};
    if (!global) pads_for(n, H, W, ks[0], ks[1], st, {1, 1}, p);
    const int64_t OH = (H + p[0] + p[2] - ks[0]) / st[0] + 1,
                  OW = (W + p[1] + p[3] - ks[1]) / st[1] + 1;
    FloatTensor y{{N, C, OH, OW}, std::vector<double>(std::size_t(N * C * OH * OW))};
    for (int64_t b0 = 0; b0 < N; ++b0)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t oy = 0; oy < OH; ++oy)
          for (int64_t ox = 0; ox < OW; ++ox) {
            double best = -std::numeric_limits<double>::infinity(), sum = 0;
            int cnt = 0;
            for (int64_t ky = 0; ky < ks[0]; ++ky)
              for (int64_t kx = 0; kx < ks[1]; ++kx) {
                const int64_t iy = oy * st[0] - p[0] + ky, ix = ox * st[1] - p[1] + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                const double v = x.v[std::size_t(((b0 * C + c) * H + iy) * W + ix)];
                best = std::max(best, v);
                sum += v;
                ++cnt;
              }
            y.v[std::size_t(((b0 * C + c) * OH + oy) * OW + ox)] = max ? best : sum / cnt;
          }
    return y;
  }

  static FloatTensor transpose(const FloatTensor& x, const std::vector<int64_t>& perm) {
    const std::size_t r = x.dims.size();
    std::vector<int64_t> od(r);
    for (std::size_t i = 0; i < r; ++i) od[i] = x.dims[std::size_t(perm[i])];
    FloatTensor y{od, std::vector<double>(x.v.size())};
    std::vector<int64_t> stride(r, 1);
    for (std::size_t i = r - 1; i > 0; --i) stride[i - 1] = stride[i] * x.dims[i];
    std::vector<int64_t> idx(r, 0);
    for (std::size_t o = 0; o < y.v.size(); ++o) {
      int64_t src = 0;
      for (std::size_t i = 0; i < r; ++i) src += idx[i] * stride[std::size_t(perm[i])];
      y.v[o] = x.v[std::size_t(src)];
      for (std::size_t i = r; i-- > 0;) {
        if (++idx[i] < od[i]) break;
        idx[i] = 0;
      }
    }
    return y;
  }

  void run(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    FloatTensor y;
    if (op == "QuantizeLinear") {
      const int32_t type = has(n, 2) ? types.at(n.input(2)) : onnx::TensorProto::UINT8;
      y = quantize(in(n, 0), in(n, 1), has(n, 2) ? in(n, 2) : FloatTensor{{}, {0}}, type,
                   int(attr_i(n, "axis", 1)));
      types[n.output(0)] = type;
    } else if (op == "DequantizeLinear") {
      y = dequantize(in(n, 0), in(n, 1), has(n, 2) ? in(n, 2) : FloatTensor{{}, {0}},
                     int(attr_i(n, "axis", 1)));
    } else if (op == "Conv") {
      y = conv(n, in(n, 0), in(n, 1), has(n, 2) ? &in(n, 2) : nullptr);
    } else if (op == "QLinearConv") {
      const auto x = dequantize(in(n, 0), in(n, 1), in(n, 2), 1);
      const auto w = dequantize(in(n, 3), in(n, 4), in(n, 5), 0);
      FloatTensor b;
      if (has(n, 8)) {
        b = in(n, 8);
        for (std::size_t i = 0; i < b.v.size(); ++i)
          b.v[i] *= in(n, 1).v[0] * at_axis(in(n, 4), {int64_t(b.v.size())}, 0, i);
      }
      y = quantize(conv(n, x, w, has(n, 8) ? &b : nullptr), in(n, 6), in(n, 7),
                   types.at(n.input(7)), 1);
      types[n.output(0)] = types.at(n.input(7));
    } else if (op == "Gemm") {
      y = matmul(in(n, 0), in(n, 1), attr_i(n, "transB", 0) != 0, has(n, 2) ? &in(n, 2) : nullptr);
    } else if (op == "MatMul") {
      y = matmul(in(n, 0), in(n, 1), false, nullptr);
    } else if (op == "QLinearMatMul") {
      const auto a = dequantize(in(n, 0), in(n, 1), in(n, 2), 1);
      const auto b = dequantize(in(n, 3), in(n, 4), in(n, 5), 1);
      y = quantize(matmul(a, b, false, nullptr), in(n, 6), in(n, 7), types.at(n.input(7)), 1);
      types[n.output(0)] = types.at(n.input(7));
    } else if (op == "Add") {
      const auto& a = in(n, 0);
      const auto& b = in(n, 1);
      y = a;
      for (std::size_t i = 0; i < y.v.size(); ++i)
        y.v[i] += b.v.size() == a.v.size() ? b.v[i] : b.v[i % b.v.size()];
    } else if (op == "Relu" || op == "Clip") {
      double lo = op == "Relu" ? 0 : -1e300, hi = 1e300;
      if (op == "Clip" && has(n, 1)) lo = in(n, 1).v[0];
      if (op == "Clip" && has(n, 2)) hi = in(n, 2).v[0];
      y = in(n, 0);
      for (double& v : y.v) v = std::clamp(v, lo, hi);
    } else if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool") {
      y = pool(n, in(n, 0), op == "MaxPool", op == "GlobalAveragePool");
    } else if (op == "Flatten") {
      y = in(n, 0);
      const int64_t axis = attr_i(n, "axis", 1);
      int64_t outer = 1;
      for (int64_t i = 0; i < axis; ++i) outer *= y.dims[std::size_t(i)];
      y.dims = {outer, int64_t(y.v.size()) / outer};
    } else if (op == "Reshape") {
      y = in(n, 0);
      std::vector<int64_t> d;
      int64_t known = 1, infer = -1;
      for (std::size_t i = 0; i < in(n, 1).v.size(); ++i) {
        int64_t v = int64_t(in(n, 1).v[i]);
        if (v == 0) v = y.dims[i];
        if (v == -1)
          infer = int64_t(i);
        else
          known *= v;
        d.push_back(v);
      }
      if (infer >= 0) d[std::size_t(infer)] = int64_t(y.v.size()) / known;
      y.dims = d;
    } else if (op == "Transpose") {
      y = transpose(in(n, 0), attr_ints(n, "perm", {}));
    } else if (op == "Squeeze" || op == "Unsqueeze") {
      y = in(n, 0);
      std::vector<int64_t> axes = attr_ints(n, "axes", {});
      if (has(n, 1)) {
        axes.clear();
        for (double a : in(n, 1).v) axes.push_back(int64_t(a));
      }
      if (op == "Squeeze") {
        std::vector<int64_t> d;
        for (std::size_t i = 0; i < y.dims.size(); ++i) {
          if (std::find(axes.begin(), axes.end(), int64_t(i)) == axes.end()) d.push_back(y.dims[i]);
        }
        y.dims = d;
      } else {
        for (int64_t a : axes) y.dims.insert(y.dims.begin() + a, 1);
      }
    } else if (op == "Identity") {
      y = in(n, 0);
    } else if (op == "Softmax") {
      y = in(n, 0);
      const std::size_t row = std::size_t(y.dims.back());
      for (std::size_t r = 0; r < y.v.size(); r += row) {
        const double top = *std::max_element(y.v.begin() + std::ptrdiff_t(r),
                                             y.v.begin() + std::ptrdiff_t(r + row));
        double s = 0;
        for (std::size_t i = 0; i < row; ++i) s += std::exp(y.v[r + i] - top);
        for (std::size_t i = 0; i < row; ++i) y.v[r + i] = std::exp(y.v[r + i] - top) / s;
      }
    } else {
      throw std::logic_error("float evaluation: no " + op);
    }
    if (types.count(n.input(0)) &&
        (op == "MaxPool" || op == "Flatten" || op == "Reshape" || op == "Transpose" ||
         op == "Squeeze" || op == "Unsqueeze" || op == "Identity")) {
      types[n.output(0)] = types.at(n.input(0));  // quantized in, quantized out (QOperator form)
    }
    values[n.output(0)] = std::move(y);
  }
};

}  // namespace

std::map<std::string, FloatTensor> evaluate(const onnx::ModelProto& m,
                                            const std::map<std::string, FloatTensor>& inputs) {
  Eval e;
  for (const auto& t : m.graph().initializer()) {
    FloatTensor c;
    c.dims.assign(t.dims().begin(), t.dims().end());
    const std::string& raw = t.raw_data();
    const std::size_t n = count(c.dims);
    for (std::size_t i = 0; i < n; ++i) {
      switch (t.data_type()) {
        case onnx::TensorProto::FLOAT: {
          float f;
          std::memcpy(&f, raw.data() + 4 * i, 4);
          c.v.push_back(f);
          break;
        }
        case onnx::TensorProto::INT8:
          c.v.push_back(int8_t(raw[i]));
          break;
        case onnx::TensorProto::UINT8:
          c.v.push_back(uint8_t(raw[i]));
          break;
        case onnx::TensorProto::INT32: {
          int32_t v;
          std::memcpy(&v, raw.data() + 4 * i, 4);
          c.v.push_back(v);
          break;
        }
        case onnx::TensorProto::INT64: {
          int64_t v;
          std::memcpy(&v, raw.data() + 8 * i, 8);
          c.v.push_back(double(v));
          break;
        }
        default:
          throw std::logic_error("float evaluation: initializer type");
      }
    }
    e.values[t.name()] = c;
    if (t.data_type() == onnx::TensorProto::INT8 || t.data_type() == onnx::TensorProto::UINT8 ||
        t.data_type() == onnx::TensorProto::INT32) {
      e.types[t.name()] = t.data_type();
    }
  }
  for (const auto& i : m.graph().input()) {
    const int32_t type = i.type().tensor_type().elem_type();
    if (type != onnx::TensorProto::FLOAT) e.types[i.name()] = type;
  }
  for (const auto& [k, v] : inputs) e.values[k] = v;
  for (const auto& n : m.graph().node()) e.run(n);
  return e.values;
}

}  // namespace tessera::test
