// SPDX-License-Identifier: Apache-2.0
// Tiny ONNX models for the import tests, built with ONNX's own C++ classes, and a float
// evaluation of them in the model's NCHW layout straight from the ONNX operator definitions
// (double arithmetic, QuantizeLinear rounding half to even) - an oracle independent of the
// importer's layout and fusion decisions.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace tessera::test {

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int64_t opset = 13);

  // A graph input or output; dimension 0 is the batch ("N", dynamic) unless batch > 0.
  void input(const std::string& name, int32_t type, const std::vector<int64_t>& dims,
             int64_t batch = 0);
  void output(const std::string& name, int32_t type, const std::vector<int64_t>& dims);
  // An initializer of any accepted type, values given as doubles.
  void constant(const std::string& name, int32_t type, const std::vector<int64_t>& dims,
                const std::vector<double>& values);
  void scalar(const std::string& name, float v) { constant(name, 1, {}, {v}); }
  void zero_point(const std::string& name, int32_t type, int v) {
    constant(name, type, {}, {double(v)});
  }

  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "");
  static void attr(onnx::NodeProto& n, const std::string& name, int64_t v);
  static void attr(onnx::NodeProto& n, const std::string& name, const std::vector<int64_t>& v);
  static void attr(onnx::NodeProto& n, const std::string& name, float v);
  static void attr(onnx::NodeProto& n, const std::string& name, const std::string& v);

  // QuantizeLinear + DequantizeLinear of `x` with a new scale and zero point (names x_q,
  // x_dq); returns the DequantizeLinear's output.
  std::string qdq(const std::string& x, float scale, int zp, int32_t type = 3);
  // Random int8 weights (symmetric, per channel along axis 0 when per_channel) and their
  // DequantizeLinear; returns its output. `scale` is the per-tensor scale (channels vary
  // around it).
  std::string weights(const std::string& name, const std::vector<int64_t>& dims, float scale,
                      bool per_channel, uint64_t seed, int axis = 0);
  // An int32 bias of `n` values with scale s_in * s_w (per channel like the weights).
  std::string bias(const std::string& name, int64_t n, const std::string& weights_name,
                   float input_scale, uint64_t seed);

  std::string bytes() const;
  const onnx::ModelProto& model() const { return m_; }
  const std::vector<double>& scales_of(const std::string& w) const { return weight_scales_.at(w); }

 private:
  onnx::ModelProto m_;
  std::map<std::string, std::vector<double>> weight_scales_;
  int counter_ = 0;
};

// Float tensors of the evaluation: dims (the batch first) and values, row-major.
struct FloatTensor {
  std::vector<int64_t> dims;
  std::vector<double> v;
};

// Runs the model's nodes in float on the inputs (by name), returns every value by name.
std::map<std::string, FloatTensor> evaluate(const onnx::ModelProto& m,
                                            const std::map<std::string, FloatTensor>& inputs);

}  // namespace tessera::test
