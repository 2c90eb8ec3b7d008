// SPDX-License-Identifier: Apache-2.0
// The trained CNN as an ONNX QDQ model that `tessera model run` accepts, written with ONNX's
// own protobuf classes: static post-training quantization of the float32 master weights the
// way scripts/models/qdq.py writes it (docs/models.md) - activations int8 asymmetric per
// tensor from the min/max of a float forward pass over calibration images, weights int8
// symmetric per output channel, biases int32 at input x weight scale, Softmax on the float
// logits. The node and tensor names are those of scripts/models/train_fashion_cnn.py.
#pragma once

#include <map>
#include <string>

#include "tessera/train/cnn.hpp"

namespace tessera::train {

// The model's serialized bytes; `calibration` is run through the float network.
std::string qdq_model_bytes(const CnnParams& params, const Batch& calibration,
                            const std::map<std::string, std::string>& metadata);

// Writes qdq_model_bytes to `path` atomically (std::runtime_error naming the path).
void write_qdq_model(const std::string& path, const CnnParams& params, const Batch& calibration,
                     const std::map<std::string, std::string>& metadata);

}  // namespace tessera::train
