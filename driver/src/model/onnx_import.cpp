// SPDX-License-Identifier: Apache-2.0
// ONNX ModelProto -> graph::Graph; see onnx_import.hpp.
//
// The importer walks the nodes in their (topological) order and gives every ONNX value a
// meaning: a constant, a float tensor, a quantized int8 tensor, the dequantized view of one,
// dequantized weights, or a float result still waiting for its QuantizeLinear (the op is
// emitted when that arrives, with the output's scale and zero point). Layout operations
// only change how a value's model shape maps onto its tensor's bytes (View).
#include "tessera/model/onnx_import.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <sstream>

namespace tessera::model {
namespace {

using graph::DType;
using onnx::NodeProto;
using onnx::TensorProto;

std::string join(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

const char* type_name(int32_t t) {
  switch (t) {
    case TensorProto::FLOAT:
      return "float32";
    case TensorProto::UINT8:
      return "uint8";
    case TensorProto::INT8:
      return "int8";
    case TensorProto::INT32:
      return "int32";
    case TensorProto::INT64:
      return "int64";
    case TensorProto::DOUBLE:
      return "float64";
    case TensorProto::FLOAT16:
      return "float16";
    default:
      return "an unsupported type";
  }
}

// An initializer or a Constant node's value, every element as a double (exact for the
// types accepted here).
struct Constant {
  int32_t type = 0;
  std::vector<int64_t> dims;
  std::vector<double> values;
  std::size_t elements() const { return values.size(); }
};

// How a value's model shape maps onto its tensor: transposing the tensor's dims (storage
// order) by `perm` gives `canon`, read row-major and reshaped it is the model's `shape`.
// NHWC storage of an NCHW activation: canon {C, H, W}, perm {1, 2, 0} (storage dim i is
// canon dim perm[i]). All per image.
struct View {
  int tensor = -1;
  std::vector<uint32_t> canon;
  std::vector<int> perm;
  std::vector<int64_t> shape;
};

// DequantizeLinear of a constant: weights or a bias.
struct Weights {
  Constant q;
  std::vector<double> scale;  // one, or one per slice along `axis`
  std::vector<int64_t> zero_point;
  int axis = 1;
  std::string name;

  double scale_at(std::size_t i) const { return scale.size() == 1 ? scale[0] : scale[i]; }
  int64_t zero_point_at(std::size_t i) const {
    return zero_point.size() == 1 ? zero_point[0] : zero_point[i];
  }
};

// A float result waiting for the QuantizeLinear that gives its output parameters.
struct Pending {
  enum class Kind { kConv, kFullyConnected, kPool, kAdd, kClamp } kind;
  const NodeProto* node = nullptr;
  std::vector<View> inputs;  // dequantized activations
  std::optional<Weights> weights, bias;
  std::vector<int64_t> b_dims;  // Gemm/MatMul: B's shape as [K, N]
  bool trans_b = false;
  graph::Pool pool;
  std::vector<int64_t> out_shape;                        // per image, model layout
  double lo = -std::numeric_limits<double>::infinity();  // fused Relu / Clip bounds
  double hi = std::numeric_limits<double>::infinity();
  std::vector<std::string> fused;  // names of the nodes folded in
};

struct Value {
  enum class Kind { kConstant, kFloat, kQuantized, kDequantized, kWeights, kPending } kind;
  Constant constant;
  View view;
  Weights weights;
  std::shared_ptr<Pending> pending;
  bool uint8 = false;  // quantized with a uint8 zero point (the model's values are q + 128)
};

class Importer {
 public:
  Importer(const onnx::ModelProto& m, ImportedModel& out) : m_(m), out_(out), g_(out.graph) {}
  void run();

 private:
  // ---- messages ----
  [[noreturn]] void fail(const NodeProto& n, const std::string& what) const {
    throw ModelError(out_.source + ": node '" + node_name(n) + "' (" + n.op_type() + "): " + what);
  }
  [[noreturn]] void fail(const std::string& what) const {
    throw ModelError(out_.source + ": " + what);
  }
  static std::string node_name(const NodeProto& n) {
    return n.name().empty() ? (n.output_size() ? n.output(0) : n.op_type()) : n.name();
  }

  // ---- attributes ----
  const onnx::AttributeProto* attr(const NodeProto& n, const std::string& name) const {
    for (const auto& a : n.attribute()) {
      if (a.name() == name) return &a;
    }
    return nullptr;
  }
  int64_t attr_int(const NodeProto& n, const std::string& name, int64_t dflt) const {
    const auto* a = attr(n, name);
    if (!a) return dflt;
    if (a->type() != onnx::AttributeProto::INT) fail(n, "attribute " + name + " must be an int");
    return a->i();
  }
  float attr_float(const NodeProto& n, const std::string& name, float dflt) const {
    const auto* a = attr(n, name);
    if (!a) return dflt;
    if (a->type() != onnx::AttributeProto::FLOAT) fail(n, "attribute " + name + " must be a float");
    return a->f();
  }
  std::vector<int64_t> attr_ints(const NodeProto& n, const std::string& name) const {
    const auto* a = attr(n, name);
    if (!a) return {};
    if (a->type() != onnx::AttributeProto::INTS) fail(n, "attribute " + name + " must be ints");
    return {a->ints().begin(), a->ints().end()};
  }
  std::string attr_string(const NodeProto& n, const std::string& name,
                          const std::string& dflt) const {
    const auto* a = attr(n, name);
    if (!a) return dflt;
    if (a->type() != onnx::AttributeProto::STRING)
      fail(n, "attribute " + name + " must be a string");
    return a->s();
  }
  // Refuses attributes other than `known`, naming the first.
  void only_attributes(const NodeProto& n, std::initializer_list<const char*> known) const {
    for (const auto& a : n.attribute()) {
      if (std::none_of(known.begin(), known.end(), [&](const char* k) { return a.name() == k; })) {
        std::string list;
        for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + k;
        fail(n, "attribute '" + a.name() + "' is not supported" +
                    (list.empty() ? std::string(" (none are)") : " (supported: " + list + ")"));
      }
    }
  }
  void require_attr(const NodeProto& n, const std::string& name, int64_t value, int64_t dflt,
                    const std::string& why) const {
    const int64_t v = attr_int(n, name, dflt);
    if (v != value) {
      fail(n, "attribute " + name + " = " + std::to_string(v) + " is not supported (only " +
                  std::to_string(value) + ": " + why + ")");
    }
  }

  // ---- values ----
  const Value& input(const NodeProto& n, int i) const {
    if (i >= n.input_size() || n.input(i).empty()) {
      fail(n, "input " + std::to_string(i) + " is missing");
    }
    const auto it = values_.find(n.input(i));
    if (it == values_.end()) fail(n, "input '" + n.input(i) + "' is not produced before it");
    return it->second;
  }
  bool has_input(const NodeProto& n, int i) const {
    return i < n.input_size() && !n.input(i).empty();
  }
  const Constant& constant(const NodeProto& n, int i, const std::string& what) const {
    const Value& v = input(n, i);
    if (v.kind != Value::Kind::kConstant) {
      fail(n, what + " ('" + n.input(i) + "') must be a constant (an initializer)");
    }
    return v.constant;
  }
  void set(const NodeProto& n, int output, Value v) {
    if (output >= n.output_size()) fail(n, "has no output " + std::to_string(output));
    values_[n.output(output)] = std::move(v);
  }
  int uses(const std::string& name) const {
    const auto it = uses_.find(name);
    return it == uses_.end() ? 0 : it->second;
  }

  Constant read_tensor(const TensorProto& t, const std::string& where) const;

  // ---- quantization parameters ----
  struct QParams {
    std::vector<double> scale;
    std::vector<int64_t> zero_point;  // in the model's type
    bool uint8 = false;
    int axis = 1;
  };
  QParams qparams(const NodeProto& n, int scale_input, int zp_input, bool per_tensor) const;
  static int32_t int8_zero_point(const QParams& q) {
    return int32_t(q.zero_point[0] - (q.uint8 ? 128 : 0));
  }

  // ---- tensors and views ----
  int new_tensor(const std::string& name, DType dtype, std::vector<uint32_t> dims, double scale,
                 int32_t zp) {
    graph::Tensor t;
    t.name = name;
    t.dtype = dtype;
    t.shape = std::move(dims);
    t.scale = scale;
    t.zero_point = zp;
    return g_.add_tensor(std::move(t));
  }
  static View identity_view(int tensor, const std::vector<int64_t>& shape) {
    View v;
    v.tensor = tensor;
    for (int64_t d : shape) v.canon.push_back(uint32_t(d));
    v.perm.resize(shape.size());
    std::iota(v.perm.begin(), v.perm.end(), 0);
    v.shape = shape;
    return v;
  }
  static View nhwc_view(int tensor, const std::vector<int64_t>& chw) {
    View v = identity_view(tensor, chw);
    v.perm = {1, 2, 0};
    return v;
  }
  // For each element in the model's row-major order, its index in the tensor's storage.
  std::vector<uint32_t> storage_index(const View& v) const;
  bool is_identity(const View& v) const {
    const auto idx = storage_index(v);
    for (std::size_t i = 0; i < idx.size(); ++i) {
      if (idx[i] != i) return false;
    }
    return true;
  }
  bool is_nhwc(const View& v) const {
    return v.shape.size() == 3 && v.perm == std::vector<int>{1, 2, 0} &&
           std::vector<int64_t>(v.canon.begin(), v.canon.end()) == v.shape;
  }
  // A Permute node writing `order`'s storage for the value (order: "nhwc" dims or the model's).
  int permute(const NodeProto& n, const View& v, bool to_nhwc);
  View as_nhwc(const NodeProto& n, const View& v, const std::string& what);
  View as_model_order(const NodeProto& n, const View& v);

  // ---- ops ----
  void quantize_linear(const NodeProto& n);
  void dequantize_linear(const NodeProto& n);
  void conv(const NodeProto& n);
  void gemm(const NodeProto& n, bool matmul);
  void add(const NodeProto& n);
  void clamp(const NodeProto& n, double lo, double hi);
  void pool(const NodeProto& n, graph::Pool::Kind kind, bool global);
  void layout(const NodeProto& n);
  void softmax(const NodeProto& n);
  void qlinear_conv(const NodeProto& n);
  void qlinear_matmul(const NodeProto& n);

  // Emits the pending op with its output quantization; returns the result's view.
  View lower(const Pending& p, const QParams& out, const NodeProto& q);
  void conv_attributes(const NodeProto& n, const std::vector<uint32_t>& in_hwc, uint32_t kh,
                       uint32_t kw, ref::Conv2dParams& c) const;
  std::vector<int64_t> conv_out_shape(const NodeProto& n, const std::vector<uint32_t>& in_hwc,
                                      uint32_t kh, uint32_t kw, uint32_t oc) const;
  graph::Conv2d conv_node(const NodeProto& n, const graph::Tensor& in, const Weights& w,
                          const std::optional<Weights>& bias, const Constant* float_bias,
                          double out_scale, int32_t out_zp, int32_t act_min, int32_t act_max) const;
  void requant_stage(const NodeProto& n, double in_scale, const Weights& w, std::size_t channels,
                     double out_scale, int32_t out_zp, int32_t act_min, int32_t act_max,
                     ref::OutputStage& stage) const;
  std::vector<int32_t> bias_values(const NodeProto& n, const std::optional<Weights>& b,
                                   const Constant* float_bias, double in_scale, const Weights& w,
                                   std::size_t channels) const;
  int8_t weight_value(const NodeProto& n, const Weights& w, std::size_t i) const;
  static void activation_range(double lo, double hi, double scale, int32_t zp, int32_t& act_min,
                               int32_t& act_max);
  void fold_clamp(const NodeProto& n, int tensor, int32_t act_min, int32_t act_max);
  void graph_output(const onnx::ValueInfoProto& o);

  const onnx::ModelProto& m_;
  ImportedModel& out_;
  graph::Graph& g_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> uses_;
  std::map<std::string, int> graph_input_port_;  // value name -> index in g_.inputs
  std::optional<int64_t> static_batch_;
};

Constant Importer::read_tensor(const TensorProto& t, const std::string& where) const {
  Constant c;
  c.type = t.data_type();
  c.dims.assign(t.dims().begin(), t.dims().end());
  if (t.data_location() == TensorProto::EXTERNAL) {
    fail(where + " '" + t.name() +
         "' keeps its data in an external file; save the model with the "
         "data inside it (onnx.save(..., save_as_external_data=False))");
  }
  std::size_t n = 1;
  for (int64_t d : c.dims) {
    if (d < 0) fail(where + " '" + t.name() + "' has a negative dimension");
    n *= std::size_t(d);
  }
  const std::string& raw = t.raw_data();
  auto from_raw = [&](std::size_t size, auto convert) {
    if (raw.size() != n * size) {
      fail(where + " '" + t.name() + "' holds " + std::to_string(raw.size()) +
           " bytes; its shape " + join(c.dims) + " needs " + std::to_string(n * size));
    }
    c.values.resize(n);
    for (std::size_t i = 0; i < n; ++i) c.values[i] = convert(raw.data() + i * size);
  };
  auto check_count = [&](std::size_t have) {
    if (have != n) {
      fail(where + " '" + t.name() + "' holds " + std::to_string(have) + " values; its shape " +
           join(c.dims) + " needs " + std::to_string(n));
    }
  };
  switch (c.type) {
    case TensorProto::FLOAT:
      if (!raw.empty()) {
        from_raw(4, [](const char* p) {
          float f;
          std::memcpy(&f, p, 4);
          return double(f);
        });
      } else {
        check_count(std::size_t(t.float_data_size()));
        c.values.assign(t.float_data().begin(), t.float_data().end());
      }
      break;
    case TensorProto::INT8:
    case TensorProto::UINT8:
    case TensorProto::INT32:
      if (!raw.empty()) {
        if (c.type == TensorProto::INT32) {
          from_raw(4, [](const char* p) {
            int32_t v;
            std::memcpy(&v, p, 4);
            return double(v);
          });
        } else if (c.type == TensorProto::INT8) {
          from_raw(1, [](const char* p) { return double(int8_t(*p)); });
        } else {
          from_raw(1, [](const char* p) { return double(uint8_t(*p)); });
        }
      } else {
        check_count(std::size_t(t.int32_data_size()));
        c.values.assign(t.int32_data().begin(), t.int32_data().end());
        for (double& v : c.values) {  // int8 and uint8 are stored widened in int32_data
          if (c.type == TensorProto::INT8) v = double(int8_t(int32_t(v)));
          if (c.type == TensorProto::UINT8) v = double(uint8_t(int32_t(v)));
        }
      }
      break;
    case TensorProto::INT64:
      if (!raw.empty()) {
        from_raw(8, [](const char* p) {
          int64_t v;
          std::memcpy(&v, p, 8);
          return double(v);
        });
      } else {
        check_count(std::size_t(t.int64_data_size()));
        c.values.assign(t.int64_data().begin(), t.int64_data().end());
      }
      break;
    default:
      fail(where + " '" + t.name() + "' is " + type_name(c.type) +
           "; supported: float32, int8, uint8, int32, int64");
  }
  return c;
}

Importer::QParams Importer::qparams(const NodeProto& n, int scale_input, int zp_input,
                                    bool per_tensor) const {
  QParams q;
  const Constant& s = constant(n, scale_input, "the scale");
  if (s.type != TensorProto::FLOAT)
    fail(n, "the scale must be float32, is " + std::string(type_name(s.type)));
  q.scale = s.values;
  if (q.scale.empty()) fail(n, "the scale is empty");
  for (double v : q.scale) {
    if (!(v > 0) || !std::isfinite(v))
      fail(n, "scale " + std::to_string(v) + " must be > 0 and finite");
  }
  if (has_input(n, zp_input)) {
    const Constant& z = constant(n, zp_input, "the zero point");
    if (z.type != TensorProto::INT8 && z.type != TensorProto::UINT8 &&
        z.type != TensorProto::INT32) {
      fail(n, "the zero point is " + std::string(type_name(z.type)) + "; supported: int8, uint8");
    }
    if (z.elements() != q.scale.size()) fail(n, "the zero point and the scale differ in size");
    q.uint8 = z.type == TensorProto::UINT8;
    for (double v : z.values) q.zero_point.push_back(int64_t(v));
  } else {
    q.uint8 = true;  // ONNX: no zero point means uint8 zero
    q.zero_point.assign(q.scale.size(), 0);
  }
  q.axis = int(attr_int(n, "axis", 1));
  if (per_tensor && q.scale.size() != 1) {
    fail(n, "per-axis quantization of an activation (" + std::to_string(q.scale.size()) +
                " scales) is not supported; activations are quantized per tensor");
  }
  return q;
}

std::vector<uint32_t> Importer::storage_index(const View& v) const {
  const std::size_t rank = v.canon.size();
  std::vector<uint32_t> sdims(rank);  // storage dims
  for (std::size_t i = 0; i < rank; ++i) sdims[i] = v.canon[std::size_t(v.perm[i])];
  std::size_t total = 1;
  for (uint32_t d : sdims) total *= d;
  std::vector<uint32_t> canon_stride(rank, 1);
  for (std::size_t i = rank; i-- > 1;) canon_stride[i - 1] = canon_stride[i] * v.canon[i];
  std::vector<uint32_t> idx(total);
  std::vector<uint32_t> pos(rank, 0);  // storage multi-index
  for (std::size_t s = 0; s < total; ++s) {
    std::size_t f = 0;
    for (std::size_t i = 0; i < rank; ++i)
      f += std::size_t(pos[i]) * canon_stride[std::size_t(v.perm[i])];
    idx[f] = uint32_t(s);
    for (std::size_t i = rank; i-- > 0;) {
      if (++pos[i] < sdims[i]) break;
      pos[i] = 0;
    }
  }
  return idx;
}

int Importer::permute(const NodeProto& n, const View& v, bool to_nhwc) {
  const graph::Tensor& src = g_.tensors[std::size_t(v.tensor)];
  const auto idx = storage_index(v);  // model index -> storage index
  graph::Permute p;
  std::vector<uint32_t> dims;
  if (to_nhwc) {  // model shape {C, H, W} -> storage {H, W, C}
    const uint32_t c = uint32_t(v.shape[0]), h = uint32_t(v.shape[1]), w = uint32_t(v.shape[2]);
    dims = {h, w, c};
    p.source.resize(idx.size());
    for (uint32_t y = 0; y < h; ++y)
      for (uint32_t x = 0; x < w; ++x)
        for (uint32_t ch = 0; ch < c; ++ch)
          p.source[(y * w + x) * c + ch] = idx[(ch * h + y) * w + x];
  } else {
    for (int64_t d : v.shape) dims.push_back(uint32_t(d));
    p.source = idx;
  }
  const int t = new_tensor(src.name + (to_nhwc ? ":nhwc" : ":model_order"), src.dtype, dims,
                           src.scale, src.zero_point);
  graph::Node node;
  node.name = node_name(n) + (to_nhwc ? ":to_nhwc" : ":to_model_order");
  node.op = std::move(p);
  node.inputs = {v.tensor};
  node.output = t;
  g_.nodes.push_back(std::move(node));
  return t;
}

View Importer::as_nhwc(const NodeProto& n, const View& v, const std::string& what) {
  if (v.shape.size() != 3) {
    fail(n, what + " has shape " + join(v.shape) +
                " per image; expected [C, H, W] (the model's NCHW with the batch first)");
  }
  if (is_nhwc(v)) return v;
  return nhwc_view(permute(n, v, true), v.shape);
}

View Importer::as_model_order(const NodeProto& n, const View& v) {
  if (is_identity(v) && std::vector<int64_t>(v.canon.begin(), v.canon.end()) == v.shape) return v;
  return identity_view(permute(n, v, false), v.shape);
}

void Importer::activation_range(double lo, double hi, double scale, int32_t zp, int32_t& act_min,
                                int32_t& act_max) {
  // TFLite's CalculateActivationRangeQuantized: the bound's quantized value, within int8.
  act_min = -128;
  act_max = 127;
  if (std::isfinite(lo)) act_min = int32_t(std::clamp(zp + std::round(lo / scale), -128.0, 127.0));
  if (std::isfinite(hi)) act_max = int32_t(std::clamp(zp + std::round(hi / scale), -128.0, 127.0));
}

int8_t Importer::weight_value(const NodeProto& n, const Weights& w, std::size_t i) const {
  const std::size_t per = w.q.dims.empty() ? 1 : w.q.elements() / std::size_t(w.q.dims[0]);
  const std::size_t ch = w.zero_point.size() == 1 ? 0 : i / per;
  const int64_t zp = w.zero_point_at(ch);
  const bool u8 = w.q.type == TensorProto::UINT8;
  if ((!u8 && zp != 0) || (u8 && zp != 128)) {
    fail(n, "weights '" + w.name + "' have zero point " + std::to_string(zp) +
                "; the engine takes symmetric weights (int8 zero point 0, or uint8 128)");
  }
  return int8_t(int64_t(w.q.values[i]) - zp);
}

void Importer::requant_stage(const NodeProto& n, double in_scale, const Weights& w,
                             std::size_t channels, double out_scale, int32_t out_zp,
                             int32_t act_min, int32_t act_max, ref::OutputStage& stage) const {
  stage.multiplier.resize(channels);
  stage.shift.resize(channels);
  for (std::size_t c = 0; c < channels; ++c) {
    const double real = in_scale * w.scale_at(c) / out_scale;  // in double, then TFLite's split
    if (real >= double(int64_t{1} << 30)) {
      fail(n, "the requantization multiplier " + std::to_string(real) + " of channel " +
                  std::to_string(c) + " is out of range (below 2^30)");
    }
    ref::quantize_multiplier(real, stage.multiplier[c], stage.shift[c]);
  }
  stage.zero_point = out_zp;
  stage.act_min = act_min;
  stage.act_max = act_max;
}

std::vector<int32_t> Importer::bias_values(const NodeProto& n, const std::optional<Weights>& b,
                                           const Constant* float_bias, double in_scale,
                                           const Weights& w, std::size_t channels) const {
  std::vector<int32_t> bias(channels, 0);
  const std::size_t have = b ? b->q.elements() : float_bias ? float_bias->elements() : channels;
  if (have != channels) {
    fail(n, "the bias has " + std::to_string(have) + " values; expected one per output channel (" +
                std::to_string(channels) + ")");
  }
  for (std::size_t c = 0; c < channels; ++c) {
    double real = 0;
    if (b) real = b->scale_at(c) * (b->q.values[c] - double(b->zero_point_at(c)));
    if (float_bias) real = float_bias->values[c];
    // Exact when the bias's scale is input scale x weight scale, as quantizers write it.
    const double q = std::round(real / (in_scale * w.scale_at(c)));
    if (std::abs(q) > 2147483647.0)
      fail(n, "the bias of channel " + std::to_string(c) + " overflows int32");
    bias[c] = int32_t(q);
  }
  return bias;
}

void Importer::conv_attributes(const NodeProto& n, const std::vector<uint32_t>& in_hwc, uint32_t kh,
                               uint32_t kw, ref::Conv2dParams& c) const {
  const auto ks = attr_ints(n, "kernel_shape");
  if (!ks.empty() && (ks.size() != 2 || ks[0] != kh || ks[1] != kw)) {
    fail(n, "kernel_shape " + join(ks) + " does not match the weights' " +
                join({int64_t(kh), int64_t(kw)}));
  }
  auto pair = [&](const char* name, int64_t dflt) {
    auto v = attr_ints(n, name);
    if (v.empty()) v = {dflt, dflt};
    if (v.size() != 2 || v[0] < 1 || v[1] < 1 || v[0] > 65535 || v[1] > 65535) {
      fail(n, std::string("attribute ") + name + " = " + join(v) +
                  " must be two values in [1, 65535]");
    }
    return v;
  };
  const auto strides = pair("strides", 1), dil = pair("dilations", 1);
  c.kernel_h = kh;
  c.kernel_w = kw;
  c.stride_h = std::size_t(strides[0]);
  c.stride_w = std::size_t(strides[1]);
  c.dilation_h = std::size_t(dil[0]);
  c.dilation_w = std::size_t(dil[1]);
  const std::string auto_pad = attr_string(n, "auto_pad", "NOTSET");
  const auto pads = attr_ints(n, "pads");
  if (auto_pad == "NOTSET") {
    if (!pads.empty()) {
      if (pads.size() != 4 || *std::min_element(pads.begin(), pads.end()) < 0) {
        fail(n, "pads = " + join(pads) + " must be 4 values >= 0 (top, left, bottom, right)");
      }
      c.pad_top = std::size_t(pads[0]);
      c.pad_left = std::size_t(pads[1]);
      c.pad_bottom = std::size_t(pads[2]);
      c.pad_right = std::size_t(pads[3]);
    }
  } else if (auto_pad == "VALID") {
    c.pad_top = c.pad_left = c.pad_bottom = c.pad_right = 0;
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    auto same = [&](std::size_t in, std::size_t k, std::size_t s, std::size_t d, std::size_t& lo,
                    std::size_t& hi) {
      const std::size_t out = (in + s - 1) / s, span = (k - 1) * d + 1;
      const long total = std::max(0l, long((out - 1) * s + span) - long(in));
      const std::size_t small = std::size_t(total / 2), big = std::size_t(total) - small;
      lo = auto_pad == "SAME_UPPER" ? small : big;
      hi = auto_pad == "SAME_UPPER" ? big : small;
    };
    same(in_hwc[0], kh, c.stride_h, c.dilation_h, c.pad_top, c.pad_bottom);
    same(in_hwc[1], kw, c.stride_w, c.dilation_w, c.pad_left, c.pad_right);
  } else {
    fail(n,
         "auto_pad = '" + auto_pad + "' is not supported (NOTSET, VALID, SAME_UPPER, SAME_LOWER)");
  }
}

graph::Conv2d Importer::conv_node(const NodeProto& n, const graph::Tensor& in, const Weights& w,
                                  const std::optional<Weights>& bias, const Constant* float_bias,
                                  double out_scale, int32_t out_zp, int32_t act_min,
                                  int32_t act_max) const {
  if (w.q.dims.size() != 4) {
    fail(n, "weights '" + w.name + "' have shape " + join(w.q.dims) + "; expected [OC, C, KH, KW]");
  }
  const uint32_t oc = uint32_t(w.q.dims[0]), c = uint32_t(w.q.dims[1]);
  const uint32_t kh = uint32_t(w.q.dims[2]), kw = uint32_t(w.q.dims[3]);
  const int64_t group = attr_int(n, "group", 1);
  if (group < 1 || in.shape[2] % uint64_t(group) != 0 || oc % uint64_t(group) != 0) {
    fail(n, "attribute group = " + std::to_string(group) + " must be >= 1 and divide the " +
                std::to_string(in.shape[2]) + " input and " + std::to_string(oc) +
                " output channels");
  }
  if (uint64_t(c) * uint64_t(group) != in.shape[2]) {  // ONNX: weights [OC, C/group, KH, KW]
    fail(n, "weights '" + w.name + "' take " + std::to_string(c) + " input channels per group x " +
                std::to_string(group) + " groups; the input has " + std::to_string(in.shape[2]));
  }
  if (w.scale.size() != 1 && (w.scale.size() != oc || w.axis != 0)) {
    fail(n, "weights '" + w.name + "' are quantized along axis " + std::to_string(w.axis) +
                " with " + std::to_string(w.scale.size()) +
                " scales; supported: per tensor, or per output channel (axis 0)");
  }
  graph::Conv2d conv;
  conv_attributes(n, in.shape, kh, kw, conv.params);
  conv.params.input_zero_point = in.zero_point;
  conv.params.groups = std::size_t(group);
  conv.out_channels = oc;
  conv.weights.resize(std::size_t(kh) * kw * c * oc);
  for (uint32_t o = 0; o < oc; ++o)  // OIHW -> [KH][KW][C/group][OC]
    for (uint32_t i = 0; i < c; ++i)
      for (uint32_t y = 0; y < kh; ++y)
        for (uint32_t x = 0; x < kw; ++x) {
          const std::size_t from = ((std::size_t(o) * c + i) * kh + y) * kw + x;
          conv.weights[((std::size_t(y) * kw + x) * c + i) * oc + o] = weight_value(n, w, from);
        }
  conv.bias = bias_values(n, bias, float_bias, in.scale, w, oc);
  requant_stage(n, in.scale, w, oc, out_scale, out_zp, act_min, act_max, conv.stage);
  try {
    conv.params.output_shape({1, in.shape[0], in.shape[1], in.shape[2]}, oc);
  } catch (const std::invalid_argument& e) {
    fail(n, e.what());
  }
  return conv;
}

View Importer::lower(const Pending& p, const QParams& out, const NodeProto& q) {
  const NodeProto& n = *p.node;
  const double out_scale = out.scale[0];
  const int32_t out_zp = int8_zero_point(out);
  int32_t act_min = -128, act_max = 127;
  activation_range(p.lo, p.hi, out_scale, out_zp, act_min, act_max);
  graph::Node node;
  node.name = node_name(n);
  for (const auto& f : p.fused) node.name += "+" + f;
  View result;
  switch (p.kind) {
    case Pending::Kind::kConv: {
      const View x = as_nhwc(n, p.inputs[0], "the input");
      const graph::Tensor& in = g_.tensors[std::size_t(x.tensor)];
      graph::Conv2d conv =
          conv_node(n, in, *p.weights, p.bias, nullptr, out_scale, out_zp, act_min, act_max);
      const auto o =
          conv.params.output_shape({1, in.shape[0], in.shape[1], in.shape[2]}, conv.out_channels);
      const int t =
          new_tensor(q.output(0), DType::kInt8, {uint32_t(o.h), uint32_t(o.w), conv.out_channels},
                     out_scale, out_zp);
      node.op = std::move(conv);
      node.inputs = {x.tensor};
      node.output = t;
      result = nhwc_view(t, {int64_t(o.c), int64_t(o.h), int64_t(o.w)});
      break;
    }
    case Pending::Kind::kFullyConnected: {
      const View& x = p.inputs[0];
      const graph::Tensor& in = g_.tensors[std::size_t(x.tensor)];
      const auto idx = storage_index(x);  // model k -> storage k
      const std::size_t k = std::size_t(p.b_dims[0]), nn = std::size_t(p.b_dims[1]);
      const Weights& w = *p.weights;
      const int want_axis = p.trans_b ? 0 : 1;  // the axis of B that is N
      if (w.scale.size() != 1 && (w.scale.size() != nn || w.axis != want_axis)) {
        fail(n, "weights '" + w.name + "' are quantized along axis " + std::to_string(w.axis) +
                    " with " + std::to_string(w.scale.size()) +
                    " scales; supported: per tensor, or per output column (axis " +
                    std::to_string(want_axis) + ")");
      }
      graph::FullyConnected fc;
      fc.k = uint32_t(k);
      fc.n = uint32_t(nn);
      fc.weights.resize(k * nn);
      // Per-channel zero points index the N axis whichever way B is stored.
      for (std::size_t kk = 0; kk < k; ++kk) {
        for (std::size_t j = 0; j < nn; ++j) {
          const std::size_t from = p.trans_b ? j * k + kk : kk * nn + j;
          const int64_t zp = w.zero_point_at(w.zero_point.size() == 1 ? 0 : j);
          const bool u8 = w.q.type == TensorProto::UINT8;
          if ((!u8 && zp != 0) || (u8 && zp != 128)) {
            fail(n, "weights '" + w.name + "' have zero point " + std::to_string(zp) +
                        "; the engine takes symmetric weights (int8 zero point 0, or uint8 128)");
          }
          fc.weights[std::size_t(idx[kk]) * nn + j] = int8_t(int64_t(w.q.values[from]) - zp);
        }
      }
      fc.bias = bias_values(n, p.bias, nullptr, in.scale, w, nn);
      fc.input_zero_point = in.zero_point;
      requant_stage(n, in.scale, w, nn, out_scale, out_zp, act_min, act_max, fc.stage);
      const int t = new_tensor(q.output(0), DType::kInt8, {uint32_t(nn)}, out_scale, out_zp);
      node.op = std::move(fc);
      node.inputs = {x.tensor};
      node.output = t;
      result = identity_view(t, {int64_t(nn)});
      break;
    }
    case Pending::Kind::kPool: {
      const View x = as_nhwc(n, p.inputs[0], "the input");
      const graph::Tensor& in = g_.tensors[std::size_t(x.tensor)];
      if (p.pool.kind == graph::Pool::Kind::kMax &&
          (in.scale != out_scale || in.zero_point != out_zp)) {
        fail(n,
             "the QuantizeLinear after MaxPool ('" + node_name(q) +
                 "') changes the scale or zero point; int8 max-pooling keeps them (as TFLite's)");
      }
      const uint32_t oh = uint32_t(p.out_shape[1]), ow = uint32_t(p.out_shape[2]);
      const int t = new_tensor(q.output(0), DType::kInt8, {oh, ow, in.shape[2]}, out_scale, out_zp);
      node.op = p.pool;
      node.inputs = {x.tensor};
      node.output = t;
      result = nhwc_view(t, p.out_shape);
      if (act_min > -128 || act_max < 127) fold_clamp(q, t, act_min, act_max);
      g_.nodes.push_back(std::move(node));
      return result;
    }
    case Pending::Kind::kAdd: {
      View a = p.inputs[0], b = p.inputs[1];
      if (a.shape != b.shape) {
        fail(n, "inputs of shapes " + join(a.shape) + " and " + join(b.shape) +
                    " (per image): broadcasting is not supported");
      }
      if (storage_index(a) != storage_index(b) || a.canon != b.canon) {  // same bytes order
        a = as_model_order(n, a);
        b = as_model_order(n, b);
      }
      const graph::Tensor& ta = g_.tensors[std::size_t(a.tensor)];
      const int t = new_tensor(q.output(0), DType::kInt8, ta.shape, out_scale, out_zp);
      graph::Add add;
      add.act_min = act_min;
      add.act_max = act_max;
      node.op = add;
      node.inputs = {a.tensor, b.tensor};
      node.output = t;
      result = a;
      result.tensor = t;
      break;
    }
    case Pending::Kind::kClamp: {
      // Relu/Clip between a DequantizeLinear and a QuantizeLinear of the same parameters:
      // folded into the node that produced the tensor.
      const View& x = p.inputs[0];
      const graph::Tensor& in = g_.tensors[std::size_t(x.tensor)];
      if (in.scale != out_scale || in.zero_point != out_zp) {
        fail(n, "a " + n.op_type() + " on a quantized tensor must keep its scale and zero point");
      }
      fold_clamp(n, x.tensor, act_min, act_max);
      return x;
    }
  }
  g_.nodes.push_back(std::move(node));
  return result;
}

void Importer::fold_clamp(const NodeProto& n, int tensor, int32_t act_min, int32_t act_max) {
  for (auto& node : g_.nodes) {
    if (node.output != tensor) continue;
    ref::OutputStage* stage = nullptr;
    if (auto* c = std::get_if<graph::Conv2d>(&node.op)) stage = &c->stage;
    if (auto* f = std::get_if<graph::FullyConnected>(&node.op)) stage = &f->stage;
    if (stage) {
      stage->act_min = std::max(stage->act_min, act_min);
      stage->act_max = std::min(stage->act_max, act_max);
      return;
    }
    if (auto* a = std::get_if<graph::Add>(&node.op)) {
      a->act_min = std::max(a->act_min, act_min);
      a->act_max = std::min(a->act_max, act_max);
      return;
    }
    if (auto* pool = std::get_if<graph::Pool>(&node.op);
        pool && pool->kind == graph::Pool::Kind::kMax) {
      // max commutes with a clamp: clamp what the pool reads
      fold_clamp(n, node.inputs[0], act_min, act_max);
      return;
    }
  }
  fail(n, "a clamp (Relu/Clip) on tensor '" + g_.tensors[std::size_t(tensor)].name +
              "' that no convolution, dense layer or add produces is not supported");
}

void Importer::quantize_linear(const NodeProto& n) {
  only_attributes(n, {"axis", "saturate"});
  const Value& x = input(n, 0);
  const QParams q = qparams(n, 1, 2, true);
  Value v;
  v.kind = Value::Kind::kQuantized;
  v.uint8 = q.uint8;
  const int32_t zp = int8_zero_point(q);
  switch (x.kind) {
    case Value::Kind::kFloat: {
      const graph::Tensor& in = g_.tensors[std::size_t(x.view.tensor)];
      const int t = new_tensor(n.output(0), DType::kInt8, in.shape, q.scale[0], zp);
      graph::Node node;
      node.name = node_name(n);
      node.op = graph::Quantize{};
      node.inputs = {x.view.tensor};
      node.output = t;
      g_.nodes.push_back(std::move(node));
      v.view = x.view;
      v.view.tensor = t;
      const auto port = graph_input_port_.find(n.input(0));
      if (port != graph_input_port_.end() && uses(n.input(0)) == 1) {
        g_.inputs[std::size_t(port->second)].quantized_tensor = t;
      }
      break;
    }
    case Value::Kind::kPending:
      v.view = lower(*x.pending, q, n);
      break;
    case Value::Kind::kDequantized: {
      const graph::Tensor& in = g_.tensors[std::size_t(x.view.tensor)];
      if (in.scale != q.scale[0] || in.zero_point != zp) {
        fail(n, "requantizes '" + n.input(0) + "' from scale " + std::to_string(in.scale) + " to " +
                    std::to_string(q.scale[0]) +
                    " with no operation between; supported: the same scale and zero point");
      }
      v.view = x.view;
      break;
    }
    default:
      fail(n, "input '" + n.input(0) +
                  "' must be a float tensor or the result of an operation on dequantized tensors");
  }
  set(n, 0, std::move(v));
}

void Importer::dequantize_linear(const NodeProto& n) {
  only_attributes(n, {"axis"});
  const Value& x = input(n, 0);
  if (x.kind == Value::Kind::kConstant) {
    if (x.constant.type != TensorProto::INT8 && x.constant.type != TensorProto::UINT8 &&
        x.constant.type != TensorProto::INT32) {
      fail(n, "constant '" + n.input(0) + "' is " + type_name(x.constant.type) +
                  "; supported: int8, uint8 (weights), int32 (biases)");
    }
    const QParams q = qparams(n, 1, 2, false);
    Value v;
    v.kind = Value::Kind::kWeights;
    v.weights.q = x.constant;
    v.weights.scale = q.scale;
    v.weights.zero_point = q.zero_point;
    v.weights.axis = q.axis < 0 ? q.axis + int(x.constant.dims.size()) : q.axis;
    v.weights.name = n.input(0);
    if (q.scale.size() != 1 &&
        (x.constant.dims.empty() || v.weights.axis < 0 ||
         v.weights.axis >= int(x.constant.dims.size()) ||
         x.constant.dims[std::size_t(v.weights.axis)] != int64_t(q.scale.size()))) {
      fail(n, std::to_string(q.scale.size()) + " scales do not match axis " +
                  std::to_string(q.axis) + " of '" + n.input(0) + "' " + join(x.constant.dims));
    }
    set(n, 0, std::move(v));
    return;
  }
  if (x.kind != Value::Kind::kQuantized) {
    fail(n, "input '" + n.input(0) +
                "' must be a quantized tensor (a QuantizeLinear's output) or "
                "an int8/uint8/int32 initializer");
  }
  const QParams q = qparams(n, 1, 2, true);
  graph::Tensor& t = g_.tensors[std::size_t(x.view.tensor)];
  const int32_t zp = int8_zero_point(q);
  if (t.scale == 0) {  // an int8/uint8 graph input: the first DequantizeLinear gives its scale
    t.scale = q.scale[0];
    t.zero_point = zp;
  } else if (t.scale != q.scale[0] || t.zero_point != zp) {
    fail(n, "dequantizes '" + n.input(0) + "' with scale " + std::to_string(q.scale[0]) +
                " and zero point " + std::to_string(zp) + " but it was quantized with " +
                std::to_string(t.scale) + " and " + std::to_string(t.zero_point));
  }
  Value v = x;
  v.kind = Value::Kind::kDequantized;
  set(n, 0, std::move(v));
}

void Importer::conv(const NodeProto& n) {
  only_attributes(n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const Value& x = input(n, 0);
  const Value& w = input(n, 1);
  if (x.kind != Value::Kind::kDequantized) {
    fail(n, "input '" + n.input(0) +
                "' is not a dequantized int8 tensor; a float model must be "
                "quantized first (static QDQ, docs/models.md)");
  }
  if (w.kind != Value::Kind::kWeights) {
    fail(n, "weights '" + n.input(1) +
                "' are not DequantizeLinear of an int8 initializer; a float "
                "model must be quantized first (static QDQ, docs/models.md)");
  }
  auto p = std::make_shared<Pending>();
  p->kind = Pending::Kind::kConv;
  p->node = &n;
  p->inputs = {x.view};
  p->weights = w.weights;
  if (has_input(n, 2)) {
    const Value& b = input(n, 2);
    if (b.kind != Value::Kind::kWeights || b.weights.q.type != TensorProto::INT32) {
      fail(n, "bias '" + n.input(2) + "' is not DequantizeLinear of an int32 initializer");
    }
    p->bias = b.weights;
  }
  Value v;
  v.kind = Value::Kind::kPending;
  v.pending = p;
  set(n, 0, std::move(v));
}

void Importer::gemm(const NodeProto& n, bool matmul) {
  if (matmul) {
    only_attributes(n, {});
  } else {
    only_attributes(n, {"alpha", "beta", "transA", "transB"});
    if (attr_float(n, "alpha", 1.f) != 1.f || attr_float(n, "beta", 1.f) != 1.f) {
      fail(n, "attributes alpha and beta must be 1 (are " +
                  std::to_string(attr_float(n, "alpha", 1.f)) + ", " +
                  std::to_string(attr_float(n, "beta", 1.f)) + ")");
    }
    require_attr(n, "transA", 0, 0, "A is the activations, one row per image");
  }
  const Value& a = input(n, 0);
  const Value& b = input(n, 1);
  if (a.kind != Value::Kind::kDequantized) {
    fail(n, "input '" + n.input(0) +
                "' is not a dequantized int8 tensor; a float model must be "
                "quantized first (static QDQ, docs/models.md)");
  }
  if (a.view.shape.size() != 1) {
    fail(n, "input '" + n.input(0) + "' has shape " + join(a.view.shape) +
                " per image; expected a vector per image (flatten it first)");
  }
  if (b.kind != Value::Kind::kWeights || b.weights.q.dims.size() != 2) {
    fail(n, "B ('" + n.input(1) + "') must be DequantizeLinear of a 2-D int8 initializer");
  }
  auto p = std::make_shared<Pending>();
  p->kind = Pending::Kind::kFullyConnected;
  p->node = &n;
  p->inputs = {a.view};
  p->weights = b.weights;
  p->trans_b = !matmul && attr_int(n, "transB", 0) != 0;
  const auto& d = b.weights.q.dims;
  p->b_dims = p->trans_b ? std::vector<int64_t>{d[1], d[0]} : d;
  if (p->b_dims[0] != a.view.shape[0]) {
    fail(n, "B ('" + n.input(1) + "') " + join(d) + " does not take the input's " +
                std::to_string(a.view.shape[0]) + " features");
  }
  if (!matmul && has_input(n, 2)) {
    const Value& c = input(n, 2);
    if (c.kind != Value::Kind::kWeights || c.weights.q.type != TensorProto::INT32) {
      fail(n, "C ('" + n.input(2) + "') must be DequantizeLinear of an int32 initializer");
    }
    p->bias = c.weights;
  }
  p->out_shape = {p->b_dims[1]};
  Value v;
  v.kind = Value::Kind::kPending;
  v.pending = p;
  set(n, 0, std::move(v));
}

void Importer::add(const NodeProto& n) {
  only_attributes(n, {});
  const Value& a = input(n, 0);
  const Value& b = input(n, 1);
  // MatMul + Add of a bias: the bias joins the pending dense layer.
  for (int i = 0; i < 2; ++i) {
    const Value& x = i ? b : a;
    const Value& y = i ? a : b;
    if (x.kind == Value::Kind::kPending && x.pending->kind == Pending::Kind::kFullyConnected &&
        !x.pending->bias && x.pending->fused.empty() && y.kind == Value::Kind::kWeights) {
      if (y.weights.q.type != TensorProto::INT32) {
        fail(n, "bias '" + y.weights.name + "' must be DequantizeLinear of an int32 initializer");
      }
      auto p = std::make_shared<Pending>(*x.pending);
      p->bias = y.weights;
      p->fused.push_back(node_name(n));
      Value v;
      v.kind = Value::Kind::kPending;
      v.pending = p;
      set(n, 0, std::move(v));
      return;
    }
  }
  if (a.kind != Value::Kind::kDequantized || b.kind != Value::Kind::kDequantized) {
    fail(n,
         "supported: the sum of two dequantized int8 tensors (a residual add), or a MatMul's "
         "int32 bias");
  }
  auto p = std::make_shared<Pending>();
  p->kind = Pending::Kind::kAdd;
  p->node = &n;
  p->inputs = {a.view, b.view};
  p->out_shape = a.view.shape;
  Value v;
  v.kind = Value::Kind::kPending;
  v.pending = p;
  set(n, 0, std::move(v));
}

void Importer::clamp(const NodeProto& n, double lo, double hi) {
  const Value& x = input(n, 0);
  std::shared_ptr<Pending> p;
  if (x.kind == Value::Kind::kPending && x.pending->kind != Pending::Kind::kClamp) {
    p = std::make_shared<Pending>(*x.pending);
    p->fused.push_back(node_name(n));
  } else if (x.kind == Value::Kind::kDequantized) {
    if (uses(n.input(0)) != 1) {
      fail(n, "a " + n.op_type() +
                  " on a dequantized tensor that other nodes also read is not supported");
    }
    p = std::make_shared<Pending>();
    p->kind = Pending::Kind::kClamp;
    p->node = &n;
    p->inputs = {x.view};
  } else if (x.kind == Value::Kind::kPending) {
    p = std::make_shared<Pending>(*x.pending);
  } else {
    fail(n, "input '" + n.input(0) +
                "' must be a convolution's, dense layer's or add's result, or a "
                "dequantized tensor");
  }
  p->lo = std::max(p->lo, lo);
  p->hi = std::min(p->hi, hi);
  Value v;
  v.kind = Value::Kind::kPending;
  v.pending = p;
  set(n, 0, std::move(v));
}

void Importer::pool(const NodeProto& n, graph::Pool::Kind kind, bool global) {
  if (global) {
    only_attributes(n, {});
  } else if (kind == graph::Pool::Kind::kMax) {
    only_attributes(n, {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads",
                        "storage_order", "strides"});
    require_attr(n, "storage_order", 0, 0, "row major");
    for (int64_t d : attr_ints(n, "dilations")) {
      if (d != 1)
        fail(n, "attribute dilations = " + join(attr_ints(n, "dilations")) +
                    " is not supported (only 1)");
    }
  } else {
    only_attributes(
        n, {"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads", "strides"});
  }
  if (n.output_size() > 1) fail(n, "the Indices output is not supported");
  if (!global) require_attr(n, "ceil_mode", 0, 0, "output sizes rounded down");
  const Value& x = input(n, 0);
  if (x.kind != Value::Kind::kDequantized && x.kind != Value::Kind::kQuantized) {
    fail(n, "input '" + n.input(0) + "' must be a (dequantized) int8 tensor");
  }
  if (x.view.shape.size() != 3) {
    fail(n, "input '" + n.input(0) + "' has shape " + join(x.view.shape) +
                " per image; expected [C, H, W]");
  }
  const uint32_t c = uint32_t(x.view.shape[0]), h = uint32_t(x.view.shape[1]),
                 w = uint32_t(x.view.shape[2]);
  graph::Pool p;
  p.kind = kind;
  if (global) {
    p.kernel_h = h;
    p.kernel_w = w;
  } else {
    const auto ks = attr_ints(n, "kernel_shape");
    if (ks.size() != 2 || ks[0] < 1 || ks[1] < 1)
      fail(n, "kernel_shape = " + join(ks) + " must be two values >= 1");
    p.kernel_h = uint32_t(ks[0]);
    p.kernel_w = uint32_t(ks[1]);
    ref::Conv2dParams cp;  // the same padding rules as a convolution's
    conv_attributes(n, {h, w, c}, p.kernel_h, p.kernel_w, cp);
    p.stride_h = uint32_t(cp.stride_h);
    p.stride_w = uint32_t(cp.stride_w);
    p.pad_top = uint32_t(cp.pad_top);
    p.pad_left = uint32_t(cp.pad_left);
    p.pad_bottom = uint32_t(cp.pad_bottom);
    p.pad_right = uint32_t(cp.pad_right);
    if (kind == graph::Pool::Kind::kAverage && attr_int(n, "count_include_pad", 0) != 0 &&
        (p.pad_top || p.pad_left || p.pad_bottom || p.pad_right)) {
      fail(n, "attribute count_include_pad = 1 with padding is not supported (only 0, as TFLite)");
    }
  }
  const long oh = (long(h + p.pad_top + p.pad_bottom) - long(p.kernel_h)) / long(p.stride_h) + 1;
  const long ow = (long(w + p.pad_left + p.pad_right) - long(p.kernel_w)) / long(p.stride_w) + 1;
  if (oh < 1 || ow < 1) fail(n, "the window is larger than the padded input");
  if (x.kind == Value::Kind::kQuantized) {  // QOperator form: pooling int8 directly
    if (kind != graph::Pool::Kind::kMax)
      fail(n, "average pooling of a quantized tensor needs its QuantizeLinear");
    const View xv = as_nhwc(n, x.view, "the input");
    const graph::Tensor& in = g_.tensors[std::size_t(xv.tensor)];
    const int t = new_tensor(n.output(0), DType::kInt8, {uint32_t(oh), uint32_t(ow), c}, in.scale,
                             in.zero_point);
    graph::Node node;
    node.name = node_name(n);
    node.op = p;
    node.inputs = {xv.tensor};
    node.output = t;
    g_.nodes.push_back(std::move(node));
    Value v = x;
    v.view = nhwc_view(t, {int64_t(c), int64_t(oh), int64_t(ow)});
    set(n, 0, std::move(v));
    return;
  }
  auto pending = std::make_shared<Pending>();
  pending->kind = Pending::Kind::kPool;
  pending->node = &n;
  pending->inputs = {x.view};
  pending->pool = p;
  pending->out_shape = {int64_t(c), int64_t(oh), int64_t(ow)};
  Value v;
  v.kind = Value::Kind::kPending;
  v.pending = pending;
  set(n, 0, std::move(v));
}

void Importer::layout(const NodeProto& n) {
  const std::string& op = n.op_type();
  const Value& x = input(n, 0);
  if (x.kind != Value::Kind::kQuantized && x.kind != Value::Kind::kDequantized &&
      x.kind != Value::Kind::kFloat) {
    fail(n, "input '" + n.input(0) + "' must be an activation tensor");
  }
  Value v = x;
  const auto& s = x.view.shape;
  std::size_t elements = 1;
  for (int64_t d : s) elements *= std::size_t(d);
  std::vector<int64_t> shape;
  if (op == "Identity") {
    only_attributes(n, {});
    shape = s;
  } else if (op == "Flatten") {
    only_attributes(n, {"axis"});
    const int64_t axis = attr_int(n, "axis", 1);
    if (axis < 1 || axis > int64_t(s.size()) + 1) {
      fail(n, "attribute axis = " + std::to_string(axis) + " is not supported (1 .. " +
                  std::to_string(s.size() + 1) + ": the batch stays the first dimension)");
    }
    int64_t inner = 1;
    for (std::size_t i = std::size_t(axis - 1); i < s.size(); ++i) inner *= s[i];
    shape.assign(s.begin(), s.begin() + (axis - 1));
    shape.push_back(inner);
  } else if (op == "Reshape") {
    only_attributes(n, {"allowzero"});
    require_attr(n, "allowzero", 0, 0, "a 0 copies the input's dimension");
    const Constant& t = constant(n, 1, "the shape");
    if (t.values.empty()) fail(n, "the shape is empty");
    const auto first = int64_t(t.values[0]);
    if (first != 0 && first != -1 && !(static_batch_ && first == *static_batch_)) {
      fail(n, "the shape " + join(std::vector<int64_t>(t.values.begin(), t.values.end())) +
                  " changes the batch (its first entry must be 0, -1 or the batch)");
    }
    int infer = -1;
    int64_t known = 1;
    for (std::size_t i = 1; i < t.values.size(); ++i) {
      int64_t d = int64_t(t.values[i]);
      if (d == 0) {
        if (i - 1 >= s.size()) fail(n, "a 0 in the shape has no input dimension to copy");
        d = s[i - 1];
      }
      if (d == -1) {
        if (infer >= 0) fail(n, "the shape has two -1 entries");
        infer = int(shape.size());
        shape.push_back(-1);
        continue;
      }
      if (d < 1) fail(n, "the shape has an entry " + std::to_string(d));
      known *= d;
      shape.push_back(d);
    }
    if (infer >= 0) {
      if (first == -1) fail(n, "the shape has two -1 entries");
      if (std::size_t(known) == 0 || elements % std::size_t(known))
        fail(n, "the shape does not divide the input");
      shape[std::size_t(infer)] = int64_t(elements / std::size_t(known));
    }
  } else if (op == "Squeeze" || op == "Unsqueeze") {
    only_attributes(n, {"axes"});
    std::vector<int64_t> axes = attr_ints(n, "axes");
    if (has_input(n, 1)) {
      const Constant& a = constant(n, 1, "the axes");
      axes.assign(a.values.begin(), a.values.end());
    }
    const bool squeeze = op == "Squeeze";
    const int64_t rank = int64_t(s.size()) + 1 + (squeeze ? 0 : int64_t(axes.size()));
    for (int64_t& a : axes) {
      if (a < 0) a += rank;
      if (a <= 0 || a >= rank) {
        fail(n, "axis " + std::to_string(a) + " is not supported (1 .. " +
                    std::to_string(rank - 1) + ": the batch stays)");
      }
    }
    if (squeeze) {
      if (axes.empty()) {
        for (int64_t d : s) {
          if (d != 1) shape.push_back(d);
        }
      } else {
        for (std::size_t i = 0; i < s.size(); ++i) {
          if (std::find(axes.begin(), axes.end(), int64_t(i + 1)) == axes.end()) {
            shape.push_back(s[i]);
          } else if (s[i] != 1) {
            fail(n,
                 "axis " + std::to_string(i + 1) + " has size " + std::to_string(s[i]) + ", not 1");
          }
        }
      }
    } else {
      std::size_t j = 0;
      for (int64_t i = 1; i < rank; ++i) {
        if (std::find(axes.begin(), axes.end(), i) != axes.end()) {
          shape.push_back(1);
        } else {
          shape.push_back(s[j++]);
        }
      }
    }
  } else {  // Transpose
    only_attributes(n, {"perm"});
    auto perm = attr_ints(n, "perm");
    if (perm.empty()) fail(n, "attribute perm is required (reversing the batch is not supported)");
    if (perm.size() != s.size() + 1 || perm[0] != 0) {
      fail(n, "perm = " + join(perm) + " must keep the batch first and cover " +
                  std::to_string(s.size() + 1) + " dimensions");
    }
    std::vector<int> p;
    for (std::size_t i = 1; i < perm.size(); ++i) {
      const int64_t d = perm[i] - 1;
      if (d < 0 || d >= int64_t(s.size()) || std::find(p.begin(), p.end(), int(d)) != p.end()) {
        fail(n, "perm = " + join(perm) + " is not a permutation");
      }
      p.push_back(int(d));
    }
    View base = x.view;
    if (std::vector<int64_t>(base.canon.begin(), base.canon.end()) != base.shape) {
      base = as_model_order(n, base);  // reshaped since its last transpose: bytes in model order
    }
    std::vector<int> inverse(p.size());
    for (std::size_t i = 0; i < p.size(); ++i) inverse[std::size_t(p[i])] = int(i);
    View t = base;
    t.canon.clear();
    for (int d : p) t.canon.push_back(base.canon[std::size_t(d)]);
    for (std::size_t i = 0; i < t.perm.size(); ++i) t.perm[i] = inverse[std::size_t(base.perm[i])];
    t.shape.assign(t.canon.begin(), t.canon.end());
    v.view = t;
    set(n, 0, std::move(v));
    return;
  }
  std::size_t count = 1;
  for (int64_t d : shape) count *= std::size_t(d);
  if (count != elements) {
    fail(n, "the new shape " + join(shape) + " holds " + std::to_string(count) +
                " elements per image; the input has " + std::to_string(elements));
  }
  v.view.shape = shape;
  set(n, 0, std::move(v));
}

void Importer::softmax(const NodeProto& n) {
  only_attributes(n, {"axis"});
  const Value& x = input(n, 0);
  if (x.kind != Value::Kind::kDequantized && x.kind != Value::Kind::kFloat) {
    fail(n, "input '" + n.input(0) +
                "' must be a dequantized tensor (Softmax runs on the host in float)");
  }
  const int64_t rank = int64_t(x.view.shape.size()) + 1;
  int64_t axis = attr_int(n, "axis", out_.opset >= 13 ? -1 : 1);
  if (axis < 0) axis += rank;
  if (axis != rank - 1) {
    fail(n, "attribute axis = " + std::to_string(attr_int(n, "axis", -1)) +
                " is not supported (only the last dimension, " + std::to_string(rank - 1) + ")");
  }
  View in = as_model_order(n, x.view);
  int tensor = in.tensor;
  if (x.kind == Value::Kind::kDequantized) {
    const graph::Tensor& q = g_.tensors[std::size_t(in.tensor)];
    tensor = new_tensor(n.input(0), DType::kFloat32, q.shape, 1.0, 0);
    graph::Node d;
    d.name = node_name(n) + ":dequantize";
    d.op = graph::Dequantize{};
    d.inputs = {in.tensor};
    d.output = tensor;
    g_.nodes.push_back(std::move(d));
  }
  const int t =
      new_tensor(n.output(0), DType::kFloat32, g_.tensors[std::size_t(tensor)].shape, 1.0, 0);
  graph::Node s;
  s.name = node_name(n);
  s.op = graph::Softmax{};
  s.inputs = {tensor};
  s.output = t;
  g_.nodes.push_back(std::move(s));
  Value v;
  v.kind = Value::Kind::kFloat;
  v.view = identity_view(t, x.view.shape);
  set(n, 0, std::move(v));
}

void Importer::qlinear_conv(const NodeProto& n) {
  only_attributes(n, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const Value& x = input(n, 0);
  if (x.kind != Value::Kind::kQuantized)
    fail(n, "input '" + n.input(0) + "' must be a quantized tensor");
  const QParams xq = qparams(n, 1, 2, true);
  const View xv = as_nhwc(n, x.view, "the input");
  graph::Tensor& in = g_.tensors[std::size_t(xv.tensor)];
  if (in.scale == 0) {
    in.scale = xq.scale[0];
    in.zero_point = int8_zero_point(xq);
  }
  if (in.scale != xq.scale[0] || in.zero_point != int8_zero_point(xq)) {
    fail(n, "x_scale / x_zero_point differ from the input's quantization");
  }
  const Constant& wc = constant(n, 3, "w");
  Weights w;
  w.q = wc;
  w.name = n.input(3);
  const QParams wq = qparams(n, 4, 5, false);
  w.scale = wq.scale;
  w.zero_point = wq.zero_point;
  w.axis = 0;
  std::optional<Weights> bias;
  if (has_input(n, 8)) {
    const Constant& b = constant(n, 8, "B");
    if (b.type != TensorProto::INT32) fail(n, "B must be int32");
    Weights bw;  // scale x_scale * w_scale by definition
    bw.q = b;
    bw.zero_point = {0};
    bw.scale.resize(w.scale.size());
    for (std::size_t i = 0; i < w.scale.size(); ++i) bw.scale[i] = in.scale * w.scale[i];
    bias = bw;
  }
  const QParams yq = qparams(n, 6, 7, true);
  graph::Conv2d conv =
      conv_node(n, in, w, bias, nullptr, yq.scale[0], int8_zero_point(yq), -128, 127);
  const auto o =
      conv.params.output_shape({1, in.shape[0], in.shape[1], in.shape[2]}, conv.out_channels);
  const int t =
      new_tensor(n.output(0), DType::kInt8, {uint32_t(o.h), uint32_t(o.w), conv.out_channels},
                 yq.scale[0], int8_zero_point(yq));
  graph::Node node;
  node.name = node_name(n);
  node.op = std::move(conv);
  node.inputs = {xv.tensor};
  node.output = t;
  g_.nodes.push_back(std::move(node));
  Value v;
  v.kind = Value::Kind::kQuantized;
  v.uint8 = yq.uint8;
  v.view = nhwc_view(t, {int64_t(o.c), int64_t(o.h), int64_t(o.w)});
  set(n, 0, std::move(v));
}

void Importer::qlinear_matmul(const NodeProto& n) {
  only_attributes(n, {});
  const Value& a = input(n, 0);
  if (a.kind != Value::Kind::kQuantized)
    fail(n, "input '" + n.input(0) + "' must be a quantized tensor");
  const QParams aq = qparams(n, 1, 2, true);
  graph::Tensor& in = g_.tensors[std::size_t(a.view.tensor)];
  if (in.scale == 0) {
    in.scale = aq.scale[0];
    in.zero_point = int8_zero_point(aq);
  }
  if (in.scale != aq.scale[0] || in.zero_point != int8_zero_point(aq)) {
    fail(n, "a_scale / a_zero_point differ from the input's quantization");
  }
  if (a.view.shape.size() != 1) {
    fail(n, "input '" + n.input(0) + "' has shape " + join(a.view.shape) +
                " per image; expected a vector");
  }
  const Constant& bc = constant(n, 3, "b");
  if (bc.dims.size() != 2 || bc.dims[0] != a.view.shape[0]) {
    fail(n, "b " + join(bc.dims) + " must be [K, N] with K = " + std::to_string(a.view.shape[0]));
  }
  const QParams bq = qparams(n, 4, 5, false);
  Pending p;
  p.kind = Pending::Kind::kFullyConnected;
  p.node = &n;
  p.inputs = {a.view};
  Weights w;
  w.q = bc;
  w.name = n.input(3);
  w.scale = bq.scale;
  w.zero_point = bq.zero_point;
  w.axis = 1;
  p.weights = w;
  p.b_dims = bc.dims;
  const QParams yq = qparams(n, 6, 7, true);
  Value v;
  v.kind = Value::Kind::kQuantized;
  v.uint8 = yq.uint8;
  v.view = lower(p, yq, n);
  set(n, 0, std::move(v));
}

void Importer::graph_output(const onnx::ValueInfoProto& o) {
  const auto it = values_.find(o.name());
  if (it == values_.end()) fail("graph output '" + o.name() + "' is not produced by any node");
  const Value& x = it->second;
  graph::Port port;
  port.name = o.name();
  NodeProto out;
  out.set_name("output '" + o.name() + "'");
  out.set_op_type("graph output");
  switch (x.kind) {
    case Value::Kind::kFloat:
      port.dtype = "float32";
      port.tensor = as_model_order(out, x.view).tensor;
      break;
    case Value::Kind::kQuantized:
      port.dtype = x.uint8 ? "uint8" : "int8";
      port.tensor = as_model_order(out, x.view).tensor;
      break;
    case Value::Kind::kDequantized: {
      const View v = as_model_order(out, x.view);
      const graph::Tensor& q = g_.tensors[std::size_t(v.tensor)];
      const int t = new_tensor(o.name(), DType::kFloat32, q.shape, 1.0, 0);
      graph::Node d;
      d.name = o.name() + ":dequantize";
      d.op = graph::Dequantize{};
      d.inputs = {v.tensor};
      d.output = t;
      g_.nodes.push_back(std::move(d));
      port.dtype = "float32";
      port.tensor = t;
      break;
    }
    case Value::Kind::kPending:
      fail("graph output '" + o.name() + "' is the float result of node '" +
           node_name(*x.pending->node) + "' (" + x.pending->node->op_type() +
           ") with no QuantizeLinear after it; quantize the model's outputs too");
    default:
      fail("graph output '" + o.name() + "' is a constant");
  }
  port.shape = {static_batch_ ? *static_batch_ : -1};
  port.shape.insert(port.shape.end(), x.view.shape.begin(), x.view.shape.end());
  g_.outputs.push_back(port);
}

void Importer::run() {
  const auto& graph = m_.graph();
  for (const auto& op : m_.opset_import()) {
    if (op.domain().empty() || op.domain() == "ai.onnx") out_.opset = op.version();
  }
  if (out_.opset == 0)
    fail("the model imports no opset of the default ONNX domain: not an ONNX model?");
  if (out_.opset < 10)
    fail("opset " + std::to_string(out_.opset) + " is too old (supported: 10 and later)");
  for (const auto& n : graph.node()) {
    for (const auto& i : n.input()) ++uses_[i];
  }
  for (const auto& o : graph.output()) ++uses_[o.name()];
  for (const auto& t : graph.initializer()) {
    Value v;
    v.kind = Value::Kind::kConstant;
    v.constant = read_tensor(t, "initializer");
    values_[t.name()] = std::move(v);
  }
  for (const auto& in : graph.input()) {
    if (values_.count(in.name())) continue;  // an initializer listed as an input
    if (!in.type().has_tensor_type()) fail("graph input '" + in.name() + "' is not a tensor");
    const auto& tt = in.type().tensor_type();
    const int32_t type = tt.elem_type();
    if (type != TensorProto::FLOAT && type != TensorProto::INT8 && type != TensorProto::UINT8) {
      fail("graph input '" + in.name() + "' is " + type_name(type) +
           "; supported: float32 (quantized by the model), int8, uint8");
    }
    if (!tt.has_shape() || tt.shape().dim_size() < 2) {
      fail("graph input '" + in.name() + "' has no static shape [batch, ...]");
    }
    std::vector<int64_t> shape;
    for (int i = 0; i < tt.shape().dim_size(); ++i) {
      const auto& d = tt.shape().dim(i);
      if (i == 0) {
        if (d.has_dim_value()) static_batch_ = d.dim_value();
        continue;
      }
      if (!d.has_dim_value() || d.dim_value() < 1) {
        fail("graph input '" + in.name() + "' has a dynamic dimension " + std::to_string(i) +
             " ('" + d.dim_param() + "'); only the batch (dimension 0) may be dynamic");
      }
      shape.push_back(d.dim_value());
    }
    graph::Port port;
    port.name = in.name();
    port.dtype = type_name(type);
    port.shape = {static_batch_ ? *static_batch_ : -1};
    port.shape.insert(port.shape.end(), shape.begin(), shape.end());
    std::vector<uint32_t> dims(shape.begin(), shape.end());
    Value v;
    v.view = identity_view(-1, shape);
    if (type == TensorProto::FLOAT) {
      v.kind = Value::Kind::kFloat;
      v.view.tensor = new_tensor(in.name(), DType::kFloat32, dims, 1.0, 0);
    } else {  // scale 0: set by the first DequantizeLinear or QLinear op that reads it
      v.kind = Value::Kind::kQuantized;
      v.uint8 = type == TensorProto::UINT8;
      v.view.tensor = new_tensor(in.name(), DType::kInt8, dims, 0.0, 0);
    }
    port.tensor = v.view.tensor;
    graph_input_port_[in.name()] = int(g_.inputs.size());
    g_.inputs.push_back(port);
    values_[in.name()] = std::move(v);
  }
  if (g_.inputs.empty()) fail("the model has no inputs");
  for (const auto& n : graph.node()) {
    if (!n.domain().empty() && n.domain() != "ai.onnx") {
      fail(n, "domain '" + n.domain() + "' is not supported (only the default ONNX domain)");
    }
    const std::string& op = n.op_type();
    // Every operator here writes its output 0 (found by fuzz_onnx: a node without outputs).
    if (n.output_size() == 0 || n.output(0).empty()) fail(n, "has no output");
    if (op == "QuantizeLinear") {
      quantize_linear(n);
    } else if (op == "DequantizeLinear") {
      dequantize_linear(n);
    } else if (op == "Conv") {
      conv(n);
    } else if (op == "Gemm") {
      gemm(n, false);
    } else if (op == "MatMul") {
      gemm(n, true);
    } else if (op == "Add") {
      add(n);
    } else if (op == "Relu") {
      only_attributes(n, {});
      clamp(n, 0, std::numeric_limits<double>::infinity());
    } else if (op == "Clip") {
      only_attributes(n, {"min", "max"});
      double lo = attr_float(n, "min", -std::numeric_limits<float>::infinity());
      double hi = attr_float(n, "max", std::numeric_limits<float>::infinity());
      if (has_input(n, 1)) lo = constant(n, 1, "min").values.at(0);
      if (has_input(n, 2)) hi = constant(n, 2, "max").values.at(0);
      clamp(n, lo, hi);
    } else if (op == "MaxPool") {
      pool(n, graph::Pool::Kind::kMax, false);
    } else if (op == "AveragePool") {
      pool(n, graph::Pool::Kind::kAverage, false);
    } else if (op == "GlobalAveragePool") {
      pool(n, graph::Pool::Kind::kAverage, true);
    } else if (op == "Flatten" || op == "Reshape" || op == "Transpose" || op == "Squeeze" ||
               op == "Unsqueeze" || op == "Identity") {
      layout(n);
    } else if (op == "Softmax") {
      softmax(n);
    } else if (op == "QLinearConv") {
      qlinear_conv(n);
    } else if (op == "QLinearMatMul") {
      qlinear_matmul(n);
    } else if (op == "Constant") {
      only_attributes(n, {"value"});
      const auto* a = attr(n, "value");
      if (!a || a->type() != onnx::AttributeProto::TENSOR) fail(n, "needs a tensor 'value'");
      Value v;
      v.kind = Value::Kind::kConstant;
      v.constant = read_tensor(a->t(), "constant");
      set(n, 0, std::move(v));
    } else {
      fail(n, "operator " + op +
                  " is not supported (supported: QuantizeLinear, DequantizeLinear, Conv, Gemm, "
                  "MatMul, Add, Relu, Clip, MaxPool, AveragePool, GlobalAveragePool, Flatten, "
                  "Reshape, Transpose, Squeeze, Unsqueeze, Identity, Softmax, QLinearConv, "
                  "QLinearMatMul, Constant)");
    }
  }
  if (graph.output_size() == 0) fail("the model has no outputs");
  for (const auto& o : graph.output()) graph_output(o);
  for (const auto& t : g_.tensors) {
    if (t.dtype == DType::kInt8 && t.scale == 0) {
      fail("int8 input '" + t.name + "' is never dequantized, so its scale is unknown");
    }
  }
  try {
    g_.validate();
  } catch (const std::invalid_argument& e) {
    fail(std::string("internal: the imported graph is inconsistent: ") + e.what());
  }
}

}  // namespace

ImportedModel import_onnx(const std::string& bytes, const std::string& source) {
  ImportedModel out;
  out.source = source;
  onnx::ModelProto m;
  if (bytes.empty()) throw ModelError(source + ": the file is empty, not an ONNX model");
  if (!m.ParseFromString(bytes)) {
    throw ModelError(source + ": not an ONNX model (the protobuf does not parse; truncated?)");
  }
  if (!m.has_graph() || m.ir_version() == 0) {
    throw ModelError(source + ": not an ONNX model (no graph or IR version)");
  }
  out.producer =
      m.producer_name() + (m.producer_version().empty() ? "" : " " + m.producer_version());
  for (const auto& p : m.metadata_props()) out.metadata[p.key()] = p.value();
  Importer(m, out).run();
  return out;
}

std::string read_model_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw ModelError(path + ": no such file");
  if (!std::filesystem::is_regular_file(path, ec)) throw ModelError(path + ": not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelError(path + ": cannot open (" + std::strerror(errno) + ")");
  std::ostringstream s;
  s << in.rdbuf();
  if (in.bad()) throw ModelError(path + ": cannot read (" + std::strerror(errno) + ")");
  return s.str();
}

ImportedModel import_onnx_file(const std::string& path) {
  return import_onnx(read_model_file(path), path);
}

}  // namespace tessera::model
