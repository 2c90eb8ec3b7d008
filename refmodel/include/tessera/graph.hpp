// SPDX-License-Identifier: Apache-2.0
// A quantized network as the engine sees it: the intermediate form between a model file
// (driver/src/model/onnx_import.cpp) and the network compiler, and the reference executor
// that runs it with TFLite's int8 semantics, the oracle every model test compares with.
//
// Tensors are per image: the batch is the leading dimension of every tensor, implicit
// here and given when the graph runs. An int8 tensor holds real values scale * (q -
// zero_point). Four-dimensional activations are stored NHWC (shape {H, W, C}); the importer
// converts from the model's layout with Permute nodes where the bytes must move, and by
// repacking weights where they need not.
//
// Nodes are in execution order; each reads tensors written by nodes before it (or graph
// inputs) and writes one tensor of its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "tessera/ref.hpp"

namespace tessera::graph {

enum class DType { kInt8, kFloat32 };
const char* dtype_name(DType t);

struct Tensor {
  std::string name;  // the model's name for the value
  DType dtype = DType::kInt8;
  std::vector<uint32_t> shape;  // per image, storage order
  double scale = 1.0;           // int8: real = scale * (q - zero_point)
  int32_t zero_point = 0;

  std::size_t elements() const;  // per image
  std::size_t bytes() const;     // per image
};

// 2D convolution on NHWC int8, weights [KH][KW][C/groups][OC] (params.groups: grouped and
// depthwise convolutions), requantized per output channel;
// optionally a 2x2 stride-2 max-pool of the requantized result (floor at odd sizes).
struct Conv2d {
  ref::Conv2dParams params;  // params.input_zero_point = the input tensor's zero point
  uint32_t out_channels = 0;
  std::vector<int8_t> weights;
  std::vector<int32_t> bias;  // OC (scale input_scale * weight_scale[oc])
  ref::OutputStage stage;     // per-channel multipliers
  bool max_pool_2x2 = false;
};

// out[N x K'] = requantize(in[K] * weights[K x N] + bias), in's zero point subtracted.
struct FullyConnected {
  uint32_t k = 0, n = 0;
  std::vector<int8_t> weights;  // K x N, rows in the input tensor's storage order
  std::vector<int32_t> bias;    // N
  int32_t input_zero_point = 0;
  ref::OutputStage stage;
};

// Max or average pooling over NHWC int8, windows clipped to the image (padding never wins a
// max and is not counted in an average). Average, TFLite's AVERAGE_POOL_2D rounding
// (half away from zero) when input and output share scale and zero point; otherwise the
// window sum requantized by input_scale / (output_scale * count) (TFLite's MEAN).
struct Pool {
  enum class Kind { kMax, kAverage } kind = Kind::kMax;
  uint32_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  uint32_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
};

// An average pool from `in` to `out` requantizes its window sums (TFLite's MEAN) when the
// two differ in scale or zero point; the multiplier and shift of input_scale / (output_scale
// * count), applied to the sum of (q - input zero point), then the output zero point added.
bool average_requantizes(const Tensor& in, const Tensor& out);
void mean_multiplier(const Tensor& in, const Tensor& out, std::size_t count, int32_t& multiplier,
                     int& shift);

// TFLite's quantized ADD: both inputs rescaled to a shared scale with 20 bits of headroom,
// summed, requantized to the output, clamped (a fused ReLU is in the clamp bounds).
struct Add {
  int32_t act_min = -128, act_max = 127;
};

// float -> int8: round half to even of x / scale, plus zero point, saturated (ONNX
// QuantizeLinear, float32 arithmetic).
struct Quantize {};
// int8 -> float: (q - zero_point) * scale in float32 (ONNX DequantizeLinear).
struct Dequantize {};
// float softmax over the last dimension, computed in double, rounded to float32.
struct Softmax {};
// Moves elements without changing them: out[i] = in[source[i]] per image (NCHW <-> NHWC,
// a flatten's order); any dtype.
struct Permute {
  std::vector<uint32_t> source;
};
// Surrounds an NHWC int8 image with rows and columns at its zero point (the output has the
// input's scale and zero point): what a convolution's padding reads, made explicit.
struct Pad {
  uint32_t top = 0, bottom = 0, left = 0, right = 0;
};

using Op =
    std::variant<Conv2d, FullyConnected, Pool, Add, Quantize, Dequantize, Softmax, Permute, Pad>;
const char* op_name(const Op& op);  // "conv2d", "fully_connected", "max_pool", ...

struct Node {
  std::string name;  // the model's node name (or a derived one)
  Op op;
  std::vector<int> inputs;  // tensor indices
  int output = -1;
};

// A graph input or output as the model file declares it: name, element type and shape in
// the model's own layout (dimension 0 is the batch).
struct Port {
  std::string name;
  std::string dtype;           // "float32", "int8", "uint8"
  std::vector<int64_t> shape;  // model layout; shape[0] = batch (-1: any)
  int tensor = -1;             // the tensor holding it, in the model's layout
  // For an input consumed only by a QuantizeLinear: that node's output, which an already
  // quantized input (int8, or uint8 minus 128) replaces directly.
  int quantized_tensor = -1;
};

struct Graph {
  std::vector<Tensor> tensors;
  std::vector<Node> nodes;
  std::vector<Port> inputs, outputs;

  int add_tensor(Tensor t);
  // Checks every node's inputs, output and parameters against the tensors; throws
  // std::invalid_argument naming the node.
  void validate() const;
  // Useful MACs per image of a node (0 for ops without multiplies).
  uint64_t macs(const Node& node) const;
};

// A tensor's values for a batch: int8 or float, batch x elements, in storage order.
struct Value {
  std::vector<int8_t> i8;
  std::vector<float> f32;
};

// Runs nodes [first, last) of the graph on `batch` images with TFLite int8 semantics;
// values[t] must hold every tensor those nodes read, and receives every tensor they write.
void run_nodes(const Graph& g, std::size_t first, std::size_t last, std::size_t batch,
               std::vector<Value>& values);
// Runs one node.
void run_node(const Graph& g, const Node& node, std::size_t batch, std::vector<Value>& values);

// The whole graph: values for every tensor, the inputs' values given by input index. An
// input declared float32 may be given already quantized (int8 values in i8, f32 empty):
// they are then its Port::quantized_tensor, and the node that quantizes it is skipped.
std::vector<Value> run(const Graph& g, const std::vector<Value>& inputs, std::size_t batch);

// TFLite's quantized ADD of one element pair (exposed for the tests and the engine's store
// path): q1 in (scale1, zp1), q2 in (scale2, zp2), result in (scale_out, zp_out).
struct AddParams {
  int32_t zp1 = 0, zp2 = 0, zp_out = 0;
  int32_t mult1 = 0, mult2 = 0, mult_out = 0;
  int shift1 = 0, shift2 = 0, shift_out = 0;
  int32_t act_min = -128, act_max = 127;
  static constexpr int kLeftShift = ref::kAddLeftShift;
  static AddParams make(double scale1, int32_t zp1, double scale2, int32_t zp2, double scale_out,
                        int32_t zp_out, int32_t act_min, int32_t act_max);
  int8_t operator()(int8_t q1, int8_t q2) const;
};

}  // namespace tessera::graph
