// SPDX-License-Identifier: Apache-2.0
// The CNN's training step; see cnn.hpp.
#include "tessera/train/cnn.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>
#include <stdexcept>

#include "tessera/checks.hpp"

namespace tessera::train {
namespace {

// The layers' shapes for a batch of B.
ConvShape conv1_shape(uint32_t b) { return {b, kImageSide, kImageSide, 1, 3, 32, 0}; }
ConvShape conv2_shape(uint32_t b) { return {b, 13, 13, 32, 3, 64, 0}; }
constexpr uint32_t kFc1In = 5 * 5 * 64, kFc1Out = 64;

// ReLU then 2x2 stride-2 max-pool (floor at odd sizes) of a B x H x W x C batch; argmax
// receives each output's source index (the first of equal maxima). ReLU commutes with the
// max, so the pool is taken over z and the result clamped at 0.
std::vector<float> relu_pool(const std::vector<float>& z, uint32_t b, uint32_t h, uint32_t w,
                             uint32_t c, std::vector<uint32_t>& argmax) {
  const uint32_t oh = h / 2, ow = w / 2;
  std::vector<float> out(std::size_t(b) * oh * ow * c);
  argmax.resize(out.size());
  std::size_t o = 0;
  for (uint32_t n = 0; n < b; ++n)
    for (uint32_t y = 0; y < oh; ++y)
      for (uint32_t x = 0; x < ow; ++x)
        for (uint32_t ch = 0; ch < c; ++ch, ++o) {
          std::size_t best = ((std::size_t(n) * h + 2 * y) * w + 2 * x) * c + ch;
          for (uint32_t dy = 0; dy < 2; ++dy)
            for (uint32_t dx = 0; dx < 2; ++dx) {
              const std::size_t i = ((std::size_t(n) * h + 2 * y + dy) * w + 2 * x + dx) * c + ch;
              if (z[i] > z[best]) best = i;
            }
          argmax[o] = uint32_t(best);
          out[o] = std::max(z[best], 0.0f);
        }
  return out;
}

// The gradient of relu_pool: each output's gradient to its source where z > 0.
std::vector<float> relu_pool_backward(const std::vector<float>& grad,
                                      const std::vector<uint32_t>& argmax,
                                      const std::vector<float>& z) {
  std::vector<float> g(z.size(), 0.0f);
  for (std::size_t i = 0; i < grad.size(); ++i)
    if (z[argmax[i]] > 0) g[argmax[i]] += grad[i];
  return g;
}

void add_bias(std::vector<float>& y, const std::vector<float>& bias) {
  for (std::size_t i = 0; i < y.size(); ++i) y[i] += bias[i % bias.size()];
}

// The bias gradient: the sum of the output gradient over the batch's pixels.
void bias_gradient(const std::vector<float>& g, std::vector<float>& out, uint64_t& host_macs) {
  std::fill(out.begin(), out.end(), 0.0f);
  for (std::size_t i = 0; i < g.size(); ++i) out[i % out.size()] += g[i];
  host_macs += g.size();
}

void check_batch(const Batch& b, uint32_t max) {
  if (b.count == 0 || b.count > max)
    throw std::invalid_argument("batch of " + std::to_string(b.count) +
                                " images; the trainer takes 1 .. " + std::to_string(max));
}

}  // namespace

const std::array<const char*, CnnParams::kCount>& CnnParams::names() {
  static const std::array<const char*, kCount> n = {"conv1.weight", "conv1.bias", "conv2.weight",
                                                    "conv2.bias",   "fc1.weight", "fc1.bias",
                                                    "fc2.weight",   "fc2.bias"};
  return n;
}

const std::array<std::size_t, CnnParams::kCount>& CnnParams::sizes() {
  static const std::array<std::size_t, kCount> s = {
      9 * 32,  32, 9 * 32 * 64, 64, std::size_t(kFc1In) * kFc1Out, kFc1Out, kFc1Out * kClasses,
      kClasses};
  return s;
}

std::size_t CnnParams::parameters() const {
  std::size_t n = 0;
  for (const auto& t : tensors) n += t.size();
  return n;
}

CnnParams CnnParams::zeros() {
  CnnParams p;
  for (std::size_t i = 0; i < kCount; ++i) p.tensors[i].assign(sizes()[i], 0.0f);
  return p;
}

CnnParams CnnParams::initial(uint64_t seed) {
  static const std::array<uint32_t, kCount / 2> fan_in = {9, 9 * 32, kFc1In, kFc1Out};
  std::mt19937_64 rng(seed);
  CnnParams p = zeros();
  for (std::size_t i = 0; i < kCount; ++i) {
    const double bound = 1.0 / std::sqrt(double(fan_in[i / 2]));
    for (float& v : p.tensors[i]) v = float((double(rng() >> 11) * 0x1.0p-53 * 2.0 - 1.0) * bound);
  }
  return p;
}

CnnParams CnnParams::from_graph(const graph::Graph& g, const std::string& source) {
  struct Expect {
    bool conv;
    uint32_t k, n;  // conv: C and OC of a 3x3 valid convolution; dense: K and N
  };
  static const Expect expect[4] = {
      {true, 1, 32}, {true, 32, 64}, {false, kFc1In, kFc1Out}, {false, kFc1Out, kClasses}};
  const std::string what = source + " is not the training CNN (docs/training.md): ";
  CnnParams p = zeros();
  std::size_t layer = 0;
  for (const graph::Node& node : g.nodes) {
    const auto* conv = std::get_if<graph::Conv2d>(&node.op);
    const auto* fc = std::get_if<graph::FullyConnected>(&node.op);
    if (!conv && !fc) continue;
    if (layer == 4) throw std::invalid_argument(what + "more than 4 layers with weights");
    const Expect& e = expect[layer];
    const std::string name = "layer " + std::to_string(layer + 1) + " (" + node.name + ")";
    if (bool(conv) != e.conv)
      throw std::invalid_argument(what + name + " is a " + graph::op_name(node.op) + ", not a " +
                                  (e.conv ? "convolution" : "dense layer"));
    const std::vector<int8_t>& w = conv ? conv->weights : fc->weights;
    const std::vector<int32_t>& bias = conv ? conv->bias : fc->bias;
    const ref::OutputStage& stage = conv ? conv->stage : fc->stage;
    if (conv) {
      const ref::Conv2dParams& cp = conv->params;
      if (cp.kernel_h != 3 || cp.kernel_w != 3 || conv->out_channels != e.n ||
          conv->weights.size() != std::size_t(9) * e.k * e.n || cp.stride_h != 1 ||
          cp.stride_w != 1 || cp.pad_top || cp.pad_left || cp.groups != 1)
        throw std::invalid_argument(
            what + name + " is not a 3x3 stride-1 unpadded convolution of " + std::to_string(e.k) +
            " -> " + std::to_string(e.n) + " channels");
    } else if (fc->k != e.k || fc->n != e.n) {
      throw std::invalid_argument(what + name + " is " + std::to_string(fc->k) + " -> " +
                                  std::to_string(fc->n) + ", not " + std::to_string(e.k) + " -> " +
                                  std::to_string(e.n));
    }
    const double in_scale = g.tensors[std::size_t(node.inputs[0])].scale;
    const double out_scale = g.tensors[std::size_t(node.output)].scale;
    std::vector<float>& pw = p.tensors[2 * layer];
    std::vector<float>& pb = p.tensors[2 * layer + 1];
    for (uint32_t oc = 0; oc < e.n; ++oc) {
      const std::size_t s = stage.multiplier.size() == 1 ? 0 : oc;
      // The output multiplier is in_scale * w_scale / out_scale = m * 2^(shift - 31).
      const double w_scale =
          std::ldexp(double(stage.multiplier[s]), stage.shift[s] - 31) * out_scale / in_scale;
      for (std::size_t i = oc; i < pw.size(); i += e.n) pw[i] = float(w[i] * w_scale);
      pb[oc] = float(bias.empty() ? 0.0 : bias[oc] * in_scale * w_scale);
    }
    ++layer;
  }
  if (layer != 4)
    throw std::invalid_argument(what + "it has " + std::to_string(layer) +
                                " layers with weights, not 4");
  return p;
}

uint32_t count_correct(const std::vector<float>& logits, const uint8_t* labels, uint32_t count) {
  uint32_t correct = 0;
  for (uint32_t n = 0; n < count; ++n) {
    const float* z = &logits[std::size_t(n) * kClasses];
    correct += std::max_element(z, z + kClasses) - z == std::ptrdiff_t(labels[n]);
  }
  return correct;
}

CnnTrainer::CnnTrainer(Products& products, CnnParams initial, TrainOptions options)
    : products_(products),
      params_(std::move(initial)),
      grads_(CnnParams::zeros()),
      velocity_(CnnParams::zeros()),
      options_(options) {
  if (options.batch == 0) throw std::invalid_argument("batch size = 0; it must be >= 1");
  if (!(options.learning_rate > 0) || !std::isfinite(options.learning_rate))
    throw std::invalid_argument("learning rate = " + number_text(options.learning_rate) +
                                "; it must be > 0");
  if (!(options.momentum >= 0 && options.momentum < 1))
    throw std::invalid_argument("momentum = " + number_text(options.momentum) +
                                " is out of range [0, 1)");
  for (std::size_t i = 0; i < CnnParams::kCount; ++i)
    if (params_.tensors[i].size() != CnnParams::sizes()[i])
      throw std::invalid_argument(std::string("initial ") + CnnParams::names()[i] + " has " +
                                  std::to_string(params_.tensors[i].size()) + " values, not " +
                                  std::to_string(CnnParams::sizes()[i]));
}

CnnTrainer::Forward CnnTrainer::forward(const Batch& batch) {
  // Any number of images: a step's batch is bounded in step(), a forward pass only by the
  // device's memory.
  check_batch(batch, ~uint32_t(0));
  Products& p = products_;
  Forward f;
  const uint32_t b = f.batch = batch.count;
  f.x0 = p.operand(std::vector<float>(batch.images, batch.images + std::size_t(b) * kImagePixels),
                   Rounding::kNearest);
  f.w1 = p.operand(params_[CnnParams::kConv1W], Rounding::kNearest);
  f.z1 = p.conv("conv1 forward", f.x0, f.w1, conv1_shape(b));
  add_bias(f.z1, params_[CnnParams::kConv1B]);
  f.p1 = relu_pool(f.z1, b, 26, 26, 32, f.argmax1);

  f.x1 = p.operand(f.p1, Rounding::kNearest);
  f.w2 = p.operand(params_[CnnParams::kConv2W], Rounding::kNearest);
  f.z2 = p.conv("conv2 forward", f.x1, f.w2, conv2_shape(b));
  add_bias(f.z2, params_[CnnParams::kConv2B]);
  f.p2 = relu_pool(f.z2, b, 11, 11, 64, f.argmax2);

  f.x2 = p.operand(f.p2, Rounding::kNearest);  // B x 1600, NHWC order
  f.w3 = p.operand(params_[CnnParams::kFc1W], Rounding::kNearest);
  f.z3 = p.gemm("fc1 forward", f.x2, f.w3, b, kFc1In, kFc1Out);
  add_bias(f.z3, params_[CnnParams::kFc1B]);
  f.a3.resize(f.z3.size());
  for (std::size_t i = 0; i < f.z3.size(); ++i) f.a3[i] = std::max(f.z3[i], 0.0f);

  f.x3 = p.operand(f.a3, Rounding::kNearest);
  f.w4 = p.operand(params_[CnnParams::kFc2W], Rounding::kNearest);
  f.logits = p.gemm("fc2 forward", f.x3, f.w4, b, kFc1Out, kClasses);
  add_bias(f.logits, params_[CnnParams::kFc2B]);
  return f;
}

Operand CnnTrainer::layout(const std::function<Operand()>& make) {
  const auto t0 = std::chrono::steady_clock::now();
  Operand o = make();
  layout_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

std::vector<float> CnnTrainer::logits(const Batch& batch) { return forward(batch).logits; }

StepResult CnnTrainer::step(const Batch& batch) {
  check_batch(batch, options_.batch);
  Products& p = products_;
  const Forward f = forward(batch);
  const uint32_t b = f.batch;

  // Softmax cross-entropy: the loss, and its gradient (softmax - one-hot) / B.
  StepResult r;
  std::vector<float> g4(std::size_t(b) * kClasses);
  for (uint32_t n = 0; n < b; ++n) {
    const float* z = &f.logits[std::size_t(n) * kClasses];
    const uint32_t label = batch.labels[n];
    if (label >= kClasses)
      throw std::invalid_argument("label " + std::to_string(label) + " of image " +
                                  std::to_string(n) + " is out of range [0, 9]");
    const float zmax = *std::max_element(z, z + kClasses);
    double sum = 0;
    for (uint32_t c = 0; c < kClasses; ++c) sum += std::exp(double(z[c] - zmax));
    r.loss += std::log(sum) - double(z[label] - zmax);
    for (uint32_t c = 0; c < kClasses; ++c) {
      const double softmax = std::exp(double(z[c] - zmax)) / sum;
      g4[std::size_t(n) * kClasses + c] = float((softmax - (c == label ? 1.0 : 0.0)) / b);
    }
  }
  r.loss /= b;
  r.correct = count_correct(f.logits, batch.labels, b);

  // fc2: dW = x3^T g4, dX = g4 w4^T.
  const Operand G4 = p.operand(g4, Rounding::kStochastic);
  grads_[CnnParams::kFc2W] = p.gemm("fc2 dW", layout([&] { return transpose(f.x3, b, kFc1Out); }),
                                    G4, kFc1Out, b, kClasses);
  bias_gradient(g4, grads_[CnnParams::kFc2B], host_macs_);
  std::vector<float> g3 =
      p.gemm("fc2 dX", G4, layout([&] { return transpose(f.w4, kFc1Out, kClasses); }), b, kClasses,
             kFc1Out);
  for (std::size_t i = 0; i < g3.size(); ++i)
    if (!(f.z3[i] > 0)) g3[i] = 0;

  // fc1.
  const Operand G3 = p.operand(g3, Rounding::kStochastic);
  grads_[CnnParams::kFc1W] =
      p.gemm("fc1 dW", layout([&] { return transpose(f.x2, b, kFc1In); }), G3, kFc1In, b, kFc1Out);
  bias_gradient(g3, grads_[CnnParams::kFc1B], host_macs_);
  const std::vector<float> dp2 = p.gemm(
      "fc1 dX", G3, layout([&] { return transpose(f.w3, kFc1In, kFc1Out); }), b, kFc1Out, kFc1In);
  const std::vector<float> g2 = relu_pool_backward(dp2, f.argmax2, f.z2);

  // conv2: dW over the batch's 11 x 11 output pixels; dX a full convolution (padding 2) of
  // g2 by the flipped kernel.
  const Operand G2 = p.operand(g2, Rounding::kStochastic);
  const ConvShape s2 = conv2_shape(b);
  const uint32_t pixels2 = b * s2.out_h() * s2.out_w();
  grads_[CnnParams::kConv2W] = p.gemm(
      "conv2 dW", layout([&] { return patches_transposed(f.x1, s2); }), G2, 9 * 32, pixels2, 64);
  bias_gradient(g2, grads_[CnnParams::kConv2B], host_macs_);
  const std::vector<float> dp1 =
      p.conv("conv2 dX", G2, layout([&] { return flipped_kernel(f.w2, 3, 32, 64); }),
             ConvShape{b, 11, 11, 64, 3, 32, 2});
  const std::vector<float> g1 = relu_pool_backward(dp1, f.argmax1, f.z1);

  // conv1: the weight gradient only (the image needs none).
  const Operand G1 = p.operand(g1, Rounding::kStochastic);
  const ConvShape s1 = conv1_shape(b);
  grads_[CnnParams::kConv1W] =
      p.gemm("conv1 dW", layout([&] { return patches_transposed(f.x0, s1); }), G1, 9,
             b * s1.out_h() * s1.out_w(), 32);
  bias_gradient(g1, grads_[CnnParams::kConv1B], host_macs_);

  // SGD with momentum (PyTorch's form): v = momentum * v + g, w -= lr * v.
  const float mu = float(options_.momentum), lr = float(options_.learning_rate);
  for (std::size_t t = 0; t < CnnParams::kCount; ++t) {
    std::vector<float>& w = params_.tensors[t];
    std::vector<float>& v = velocity_.tensors[t];
    const std::vector<float>& g = grads_.tensors[t];
    for (std::size_t i = 0; i < w.size(); ++i) {
      v[i] = mu * v[i] + g[i];
      w[i] -= lr * v[i];
    }
    host_macs_ += 2 * w.size();
  }
  return r;
}

}  // namespace tessera::train
