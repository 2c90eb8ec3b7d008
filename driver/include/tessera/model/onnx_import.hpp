// SPDX-License-Identifier: Apache-2.0
// ONNX import: an int8 model file, as standard static quantizers write it, to the network's
// intermediate form (tessera/graph.hpp), parsed with ONNX's own protobuf classes.
//
// Accepted (docs/models.md has the full list and the semantics):
//   - QDQ form: QuantizeLinear/DequantizeLinear around Conv, Gemm, MatMul (+ Add of a bias),
//     Add, MaxPool, AveragePool, GlobalAveragePool; weights int8 (or uint8 with zero point
//     128) per tensor or per output channel, activations int8 or uint8 per tensor, biases
//     int32; Relu and Clip explicit, or implied by the output's quantization range;
//   - QOperator form: QLinearConv, QLinearMatMul, and MaxPool on quantized tensors;
//   - Flatten, Reshape (constant shape), Transpose, Squeeze, Unsqueeze, Identity as layout
//     operations; Softmax on a dequantized tensor (runs on the host).
// The model's NCHW becomes NHWC: weights are repacked and a flatten's order is folded into
// the next layer's weights, so bytes move only where they must (Permute nodes).
//
// Anything else is refused before anything runs: ModelError names the node, its op type,
// the attribute or input and what is supported.
#pragma once

#include <map>
#include <stdexcept>
#include <string>

#include "tessera/graph.hpp"

namespace tessera::model {

class ModelError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ImportedModel {
  graph::Graph graph;
  std::string source;                           // the file's path, or the caller's name
  std::string producer;                         // producer_name and version
  int64_t opset = 0;                            // the default domain's opset
  std::map<std::string, std::string> metadata;  // metadata_props
};

// The model in `bytes` (a serialized ModelProto); `source` names it in messages.
ImportedModel import_onnx(const std::string& bytes, const std::string& source);
// Reads and imports a file (ModelError when it cannot be read).
ImportedModel import_onnx_file(const std::string& path);
// A model file's bytes; ModelError naming the path when it is missing, not a regular file
// or unreadable.
std::string read_model_file(const std::string& path);

}  // namespace tessera::model
