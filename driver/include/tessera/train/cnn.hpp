// SPDX-License-Identifier: Apache-2.0
// Training the source documents' CNN (docs/training.md):
//   Conv 32 3x3 ReLU -> MaxPool 2x2 -> Conv 64 3x3 ReLU -> MaxPool 2x2 -> Dense 64 ReLU ->
//   Dense 10 -> softmax cross-entropy, input 28 x 28 x 1 (pixels / 255), NHWC.
// Every multiply-accumulate of a step is a product on a Products object (the engine, or the
// host in float32): the four layers' forward products, the input gradients of conv2, fc1
// and fc2 (a GEMM by the transposed weights; for conv2 a convolution of the padded output
// gradient by the flipped, channel-transposed kernel) and the four weight gradients (a GEMM
// of the transposed inputs or patches by the output gradient, K over the batch's pixels).
// The host keeps the rest: ReLU masks and pooling positions from the forward pass, the loss
// and its gradient, the bias gradients (sums over the batch), the quantization of every
// operand (products.hpp), and SGD with momentum on float32 master weights.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tessera/graph.hpp"
#include "tessera/train/products.hpp"

namespace tessera::train {

inline constexpr uint32_t kImageSide = 28, kClasses = 10;
inline constexpr std::size_t kImagePixels = kImageSide * kImageSide;

// The network's parameters in the engine's layouts: conv weights [3][3][C][OC], dense
// weights [K][N] with fc1's K in NHWC order of the 5 x 5 x 64 pooled image.
struct CnnParams {
  static constexpr std::size_t kCount = 8;
  std::array<std::vector<float>, kCount> tensors;
  enum Index { kConv1W, kConv1B, kConv2W, kConv2B, kFc1W, kFc1B, kFc2W, kFc2B };
  static const std::array<const char*, kCount>& names();  // "conv1.weight", ...
  static const std::array<std::size_t, kCount>& sizes();
  std::vector<float>& operator[](Index i) { return tensors[i]; }
  const std::vector<float>& operator[](Index i) const { return tensors[i]; }
  std::size_t parameters() const;
  // PyTorch's default initialization: weights and biases uniform in +-1/sqrt(fan_in), from a
  // seeded generator.
  static CnnParams initial(uint64_t seed);
  // All zeros, the sizes of the network (gradients, momentum).
  static CnnParams zeros();
  // The float weights of an int8 model of this network (tessera model's import): weights
  // dequantized per output channel, biases at input x weight scale. std::invalid_argument
  // naming what differs when the graph is not this network.
  static CnnParams from_graph(const graph::Graph& g, const std::string& source);
};

struct TrainOptions {
  uint32_t batch = 64;
  double learning_rate = 0.02;
  double momentum = 0.9;
};

// A batch: `count` images of 28 x 28 floats in [0, 1], and their labels.
struct Batch {
  const float* images = nullptr;
  const uint8_t* labels = nullptr;
  uint32_t count = 0;
};

struct StepResult {
  double loss = 0;       // mean cross-entropy over the batch
  uint32_t correct = 0;  // images whose largest logit is their label
};

// Images among `count` whose largest logit (count x 10) is their label.
uint32_t count_correct(const std::vector<float>& logits, const uint8_t* labels, uint32_t count);

class CnnTrainer {
 public:
  // Throws std::invalid_argument for a batch of 0, a learning rate <= 0 or a momentum
  // outside [0, 1).
  CnnTrainer(Products& products, CnnParams initial, TrainOptions options);
  // One SGD step on the batch (count <= options.batch): forward, backward, update.
  StepResult step(const Batch& batch);
  // The logits of a batch of any size (count x 10), forward only.
  std::vector<float> logits(const Batch& batch);
  const CnnParams& params() const { return params_; }
  const CnnParams& gradients() const { return grads_; }  // the last step's
  // Host multiply-accumulates so far: the bias gradients' sums and the weight updates.
  uint64_t host_macs() const { return host_macs_; }
  // Wall seconds spent rearranging operands on the host (transposes, patches, the flipped
  // kernel): the price of making them there.
  double layout_seconds() const { return layout_seconds_; }

  // The forward pass's values (what the backward pass and calibration need).
  struct Forward {
    uint32_t batch = 0;
    std::vector<float> z1, p1, z2, p2, z3, a3, logits;
    std::vector<uint32_t> argmax1, argmax2;  // each pooled pixel's source in z1 / z2
    Operand x0, w1, x1, w2, x2, w3, x3, w4;  // the products' operands
  };
  Forward forward(const Batch& batch);

 private:
  Products& products_;
  CnnParams params_, grads_, velocity_;
  TrainOptions options_;
  Operand layout(const std::function<Operand()>& make);
  uint64_t host_macs_ = 0;
  double layout_seconds_ = 0;
};

}  // namespace tessera::train
