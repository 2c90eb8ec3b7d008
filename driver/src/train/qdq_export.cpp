// SPDX-License-Identifier: Apache-2.0
// Writing the trained CNN as an ONNX QDQ model; see qdq_export.hpp.
#include "tessera/train/qdq_export.hpp"

#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "tessera/atomic_file.hpp"

namespace tessera::train {
namespace {

using onnx::TensorProto;

struct QParams {
  float scale;
  int8_t zero_point;
};

// int8 asymmetric per tensor covering [lo, hi] and 0 (qdq.py's activation_params).
QParams activation_params(const std::vector<float>& v) {
  float lo = 0, hi = 0;
  for (float x : v) lo = std::min(lo, x), hi = std::max(hi, x);
  const float scale = hi > lo ? (hi - lo) / 255.0f : 1.0f;
  const double zp = std::clamp(std::nearbyint(-128.0 - double(lo) / scale), -128.0, 127.0);
  return {scale, int8_t(zp)};
}

class QdqWriter {
 public:
  explicit QdqWriter(onnx::GraphProto& g) : g_(g) {}

  template <typename T>
  std::string constant(const std::string& name, const std::vector<T>& values,
                       std::vector<int64_t> dims, TensorProto::DataType type) {
    TensorProto* t = g_.add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (int64_t d : dims) t->add_dims(d);
    t->set_raw_data(
        std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(T)));
    return name;
  }

  onnx::NodeProto& node(const std::string& op, std::vector<std::string> in,
                        std::vector<std::string> out) {
    onnx::NodeProto* n = g_.add_node();
    n->set_op_type(op);
    n->set_name(out[0] + "_" + op);
    for (auto& s : in) n->add_input(s);
    for (auto& s : out) n->add_output(s);
    return *n;
  }

  static void ints(onnx::NodeProto& n, const std::string& name, std::vector<int64_t> v) {
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void integer(onnx::NodeProto& n, const std::string& name, int64_t v) {
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }

  // QuantizeLinear then DequantizeLinear of x; the DQ's output.
  std::string q_dq(const std::string& x, const std::string& name, QParams q) {
    constant(name + "_scale", std::vector<float>{q.scale}, {}, TensorProto::FLOAT);
    constant(name + "_zp", std::vector<int8_t>{q.zero_point}, {}, TensorProto::INT8);
    node("QuantizeLinear", {x, name + "_scale", name + "_zp"}, {name + "_q"});
    node("DequantizeLinear", {name + "_q", name + "_scale", name + "_zp"}, {name + "_dq"});
    return name + "_dq";
  }

  // A layer's weights (ONNX layout, out x rest) and bias, quantized per output channel and
  // dequantized; the two DQ outputs.
  std::pair<std::string, std::string> weights_dq(const std::string& layer,
                                                 const std::vector<float>& w,
                                                 std::vector<int64_t> dims,
                                                 const std::vector<float>& b, float in_scale) {
    const std::size_t out = std::size_t(dims[0]), per = w.size() / out;
    std::vector<int8_t> q(w.size());
    std::vector<float> scale(out), bias_scale(out);
    std::vector<int32_t> qb(out), zero32(out, 0);
    std::vector<int8_t> zero8(out, 0);
    for (std::size_t o = 0; o < out; ++o) {
      float m = 0;
      for (std::size_t i = 0; i < per; ++i) m = std::max(m, std::fabs(w[o * per + i]));
      scale[o] = std::max(m, 1e-12f) / 127.0f;
      for (std::size_t i = 0; i < per; ++i)
        q[o * per + i] =
            int8_t(std::clamp(std::nearbyint(w[o * per + i] / scale[o]), -127.0f, 127.0f));
      bias_scale[o] = scale[o] * in_scale;
      qb[o] = int32_t(std::nearbyint(double(b[o]) / double(bias_scale[o])));
    }
    const int64_t n = int64_t(out);
    constant(layer + "_w", q, dims, TensorProto::INT8);
    constant(layer + "_w_scale", scale, {n}, TensorProto::FLOAT);
    constant(layer + "_w_zp", zero8, {n}, TensorProto::INT8);
    integer(node("DequantizeLinear", {layer + "_w", layer + "_w_scale", layer + "_w_zp"},
                 {layer + "_w_dq"}),
            "axis", 0);
    constant(layer + "_b", qb, {n}, TensorProto::INT32);
    constant(layer + "_b_scale", bias_scale, {n}, TensorProto::FLOAT);
    constant(layer + "_b_zp", zero32, {n}, TensorProto::INT32);
    integer(node("DequantizeLinear", {layer + "_b", layer + "_b_scale", layer + "_b_zp"},
                 {layer + "_b_dq"}),
            "axis", 0);
    return {layer + "_w_dq", layer + "_b_dq"};
  }

  void port(bool input, const std::string& name, std::vector<int64_t> dims) {
    onnx::ValueInfoProto* v = input ? g_.add_input() : g_.add_output();
    v->set_name(name);
    auto* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(TensorProto::FLOAT);
    auto* shape = t->mutable_shape();
    shape->add_dim()->set_dim_param("N");
    for (int64_t d : dims) shape->add_dim()->set_dim_value(d);
  }

 private:
  onnx::GraphProto& g_;
};

// Conv weights [3][3][C][OC] as ONNX's [OC][C][3][3].
std::vector<float> conv_to_onnx(const std::vector<float>& w, std::size_t c, std::size_t oc) {
  std::vector<float> out(w.size());
  for (std::size_t o = 0; o < oc; ++o)
    for (std::size_t ci = 0; ci < c; ++ci)
      for (std::size_t k = 0; k < 9; ++k) out[(o * c + ci) * 9 + k] = w[(k * c + ci) * oc + o];
  return out;
}

}  // namespace

std::string qdq_model_bytes(const CnnParams& p, const Batch& calibration,
                            const std::map<std::string, std::string>& metadata) {
  FloatProducts host;
  TrainOptions opt;
  opt.batch = std::max<uint32_t>(calibration.count, 1);
  CnnTrainer net(host, p, opt);
  const CnnTrainer::Forward f = net.forward(calibration);
  std::vector<float> relu1(f.z1.size()), relu2(f.z2.size());
  std::transform(f.z1.begin(), f.z1.end(), relu1.begin(),
                 [](float v) { return std::max(v, 0.0f); });
  std::transform(f.z2.begin(), f.z2.end(), relu2.begin(),
                 [](float v) { return std::max(v, 0.0f); });
  // The input: pixels / 255 with scale 1/255 and zero point -128 is exact; a max-pool keeps
  // its input's parameters (int8 max-pool is then exact).
  const QParams in{1.0f / 255.0f, -128},
      r1 = activation_params(relu1), r2 = activation_params(relu2), r3 = activation_params(f.a3),
      lg = activation_params(f.logits);

  onnx::ModelProto m;
  m.set_ir_version(8);
  m.set_producer_name("tessera");
  m.set_producer_version("tessera train");
  onnx::OperatorSetIdProto* opset = m.add_opset_import();
  opset->set_domain("");
  opset->set_version(13);
  for (const auto& [k, v] : metadata) {
    onnx::StringStringEntryProto* e = m.add_metadata_props();
    e->set_key(k);
    e->set_value(v);
  }
  onnx::GraphProto& g = *m.mutable_graph();
  g.set_name("fashion_mnist_cnn");
  QdqWriter q(g);
  q.port(true, "input", {1, 28, 28});
  q.port(false, "probabilities", {kClasses});

  // Conv 3x3 -> Relu -> Q/DQ -> MaxPool 2x2 -> Q/DQ (the pool keeps the ReLU's parameters).
  auto conv_block = [&](const std::string& x, int n, std::vector<float> w, int64_t c, int64_t oc,
                        const std::vector<float>& b, float in_scale, QParams act) {
    const std::string conv = "conv" + std::to_string(n), relu = "relu" + std::to_string(n),
                      pool = "pool" + std::to_string(n);
    auto [wq, bq] = q.weights_dq(conv, w, {oc, c, 3, 3}, b, in_scale);
    QdqWriter::ints(q.node("Conv", {x, wq, bq}, {conv}), "kernel_shape", {3, 3});
    q.node("Relu", {conv}, {relu});
    auto& p = q.node("MaxPool", {q.q_dq(relu, relu, act)}, {pool});
    QdqWriter::ints(p, "kernel_shape", {2, 2});
    QdqWriter::ints(p, "strides", {2, 2});
    return q.q_dq(pool, pool, act);
  };
  std::string x = q.q_dq("input", "input", in);
  x = conv_block(x, 1, conv_to_onnx(p[CnnParams::kConv1W], 1, 32), 1, 32, p[CnnParams::kConv1B],
                 in.scale, r1);
  x = conv_block(x, 2, conv_to_onnx(p[CnnParams::kConv2W], 32, 64), 32, 64, p[CnnParams::kConv2B],
                 r1.scale, r2);
  QdqWriter::integer(q.node("Flatten", {x}, {"flat"}), "axis", 1);
  // fc1 as ONNX's Gemm with transB: [64][1600], K in NCHW order (c, y, x); ours is NHWC.
  std::vector<float> fc1(p[CnnParams::kFc1W].size());
  for (std::size_t n = 0; n < 64; ++n)
    for (std::size_t c = 0; c < 64; ++c)
      for (std::size_t yx = 0; yx < 25; ++yx)
        fc1[n * 1600 + c * 25 + yx] = p[CnnParams::kFc1W][(yx * 64 + c) * 64 + n];
  auto [w3, b3] = q.weights_dq("fc1", fc1, {64, 1600}, p[CnnParams::kFc1B], r2.scale);
  QdqWriter::integer(q.node("Gemm", {"flat", w3, b3}, {"fc1"}), "transB", 1);
  q.node("Relu", {"fc1"}, {"relu3"});
  x = q.q_dq("relu3", "relu3", r3);
  std::vector<float> fc2(p[CnnParams::kFc2W].size());
  for (std::size_t n = 0; n < kClasses; ++n)
    for (std::size_t k = 0; k < 64; ++k) fc2[n * 64 + k] = p[CnnParams::kFc2W][k * kClasses + n];
  auto [w4, b4] = q.weights_dq("fc2", fc2, {kClasses, 64}, p[CnnParams::kFc2B], r3.scale);
  QdqWriter::integer(q.node("Gemm", {x, w4, b4}, {"fc2"}), "transB", 1);
  x = q.q_dq("fc2", "logits", lg);
  QdqWriter::integer(q.node("Softmax", {x}, {"probabilities"}), "axis", 1);

  std::string bytes;
  m.SerializeToString(&bytes);
  return bytes;
}

void write_qdq_model(const std::string& path, const CnnParams& params, const Batch& calibration,
                     const std::map<std::string, std::string>& metadata) {
  write_file_atomically(path, qdq_model_bytes(params, calibration, metadata));
}

}  // namespace tessera::train
