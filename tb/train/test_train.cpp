// SPDX-License-Identifier: Apache-2.0
// Training the CNN (tessera/train): every product of a step on the engine against the host
// (the integer part bit-exact, the real value within the quantization error), the backward
// formulas against finite differences, the loss falling on a small subset, the RTL simulator
// and the golden model training byte for byte alike, and the exported model.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>

#include "error_of.hpp"
#include "tessera/fsim.hpp"
#include "tessera/model/onnx_import.hpp"
#include "tessera/train/dataset.hpp"
#include "tessera/train/qdq_export.hpp"
#include "test_device.hpp"
#include "test_seed.hpp"

namespace tessera::test {
namespace {

namespace tr = tessera::train;
namespace drv = tessera::driver;

drv::Engine& fsim_engine() {
  static drv::Engine e(fsim::open_fsim_device());
  return e;
}

// The test device (SystemC elaborates one simulated engine per process: opened once).
drv::Engine& device_engine() {
  static drv::Engine e(open_test_device());
  return e;
}

std::vector<float> random_floats(std::mt19937_64& rng, std::size_t n, float lo, float hi) {
  std::uniform_real_distribution<float> d(lo, hi);
  std::vector<float> v(n);
  for (float& x : v) x = d(rng);
  return v;
}

// The bound on |a.b - dequantized(qa.qb)| for one output: sum over k of
// |a_k| e_b + |b_k| e_a + e_a e_b, with e the largest rounding error of each operand
// (scale / 2 rounded to nearest, one scale stochastically) - plus float32 accumulation slack.
double product_bound(const std::vector<float>& a, const std::vector<float>& b, std::size_t i,
                     std::size_t j, std::size_t k, std::size_t n, double ea, double eb) {
  double bound = 0, mag = 0;
  for (std::size_t p = 0; p < k; ++p) {
    const double av = std::fabs(a[i * k + p]), bv = std::fabs(b[p * n + j]);
    bound += av * eb + bv * ea + ea * eb;
    mag += av * bv;
  }
  return bound + 1e-5 * mag + 1e-6;
}

// A GEMM through EngineProducts against the int8 product computed here (bit-exact) and the
// float product of the unquantized operands (within product_bound).
void check_gemm(tr::EngineProducts& p, uint32_t m, uint32_t k, uint32_t n, tr::Rounding rb,
                std::mt19937_64& rng) {
  const auto a = random_floats(rng, std::size_t(m) * k, -1.0f, 1.0f);
  const auto b = random_floats(rng, std::size_t(k) * n, -0.01f, 0.01f);
  const tr::Operand qa = p.operand(a, tr::Rounding::kNearest), qb = p.operand(b, rb);
  p.keep_results = true;
  p.results.clear();
  const auto c = p.gemm("test", qa, qb, m, k, n);
  ASSERT_EQ(p.results.size(), 1u);
  const double ea = qa.scale / 2, eb = rb == tr::Rounding::kNearest ? qb.scale / 2 : qb.scale;
  for (uint32_t i = 0; i < m; ++i)
    for (uint32_t j = 0; j < n; ++j) {
      int64_t acc = 0;
      double real = 0;
      for (uint32_t q = 0; q < k; ++q) {
        acc += int64_t(qa.q[std::size_t(i) * k + q]) * qb.q[std::size_t(q) * n + j];
        real += double(a[std::size_t(i) * k + q]) * b[std::size_t(q) * n + j];
      }
      ASSERT_EQ(p.results[0][std::size_t(i) * n + j], int32_t(acc)) << i << "," << j;
      // The product of the dequantized operands: only float32 rounding apart.
      const double dequantized = double(acc) * qa.scale * qb.scale;
      EXPECT_NEAR(c[std::size_t(i) * n + j], dequantized, 1e-6 * std::fabs(dequantized) + 1e-12);
      EXPECT_NEAR(c[std::size_t(i) * n + j], real, product_bound(a, b, i, j, k, n, ea, eb))
          << m << "x" << k << "x" << n << " at " << i << "," << j;
    }
}

}  // namespace

TEST(Train, EachLayersProductsMatchTheHostWithinTheQuantizationError) {
  std::mt19937_64 rng(test_seed());
  tr::EngineProducts p(device_engine(), 7);
  // The shapes of the CNN's dense products at batch 4 (forward, dX, dW), and a weight
  // gradient's long K.
  check_gemm(p, 4, 64, 10, tr::Rounding::kNearest, rng);           // fc2 forward
  check_gemm(p, 4, 10, 64, tr::Rounding::kNearest, rng);           // fc2 dX
  check_gemm(p, 64, 4, 10, tr::Rounding::kStochastic, rng);        // fc2 dW
  check_gemm(p, 4, 64, 160, tr::Rounding::kNearest, rng);          // fc1 dX (narrowed)
  check_gemm(p, 18, 4 * 121, 64, tr::Rounding::kStochastic, rng);  // conv2 dW (narrowed)

  // Convolutions: the forward product, and the input gradient as the convolution of the
  // padded output gradient by flipped_kernel, against the direct transposed convolution.
  const tr::ConvShape s{2, 7, 6, 5, 3, 4, 0};
  const auto x = random_floats(rng, std::size_t(2) * 7 * 6 * 5, 0.0f, 1.0f);
  const auto w = random_floats(rng, std::size_t(9) * 5 * 4, -0.5f, 0.5f);
  const auto g = random_floats(rng, std::size_t(2) * s.out_h() * s.out_w() * 4, -0.1f, 0.1f);
  const tr::Operand qx = p.operand(x, tr::Rounding::kNearest),
                    qw = p.operand(w, tr::Rounding::kNearest),
                    qg = p.operand(g, tr::Rounding::kStochastic);
  p.keep_results = true;
  p.results.clear();
  p.conv("conv forward", qx, qw, s);
  p.conv("conv dX", qg, tr::flipped_kernel(qw, 3, 5, 4),
         tr::ConvShape{2, s.out_h(), s.out_w(), 4, 3, 5, 2});
  p.gemm("conv dW", tr::patches_transposed(qx, s), qg, 9 * 5, 2 * s.out_h() * s.out_w(), 4);
  ASSERT_EQ(p.results.size(), 3u);
  std::vector<int64_t> fwd(p.results[0].size(), 0), dx(qx.q.size(), 0), dw(qw.q.size(), 0);
  for (uint32_t b = 0; b < 2; ++b)
    for (uint32_t y = 0; y < s.out_h(); ++y)
      for (uint32_t xx = 0; xx < s.out_w(); ++xx)
        for (uint32_t kh = 0; kh < 3; ++kh)
          for (uint32_t kw = 0; kw < 3; ++kw)
            for (uint32_t c = 0; c < 5; ++c)
              for (uint32_t o = 0; o < 4; ++o) {
                const std::size_t xi = ((std::size_t(b) * 7 + y + kh) * 6 + xx + kw) * 5 + c;
                const std::size_t wi = ((std::size_t(kh) * 3 + kw) * 5 + c) * 4 + o;
                const std::size_t oi = ((std::size_t(b) * s.out_h() + y) * s.out_w() + xx) * 4 + o;
                fwd[oi] += int64_t(qx.q[xi]) * qw.q[wi];
                dx[xi] += int64_t(qg.q[oi]) * qw.q[wi];
                dw[wi] += int64_t(qx.q[xi]) * qg.q[oi];
              }
  for (std::size_t i = 0; i < fwd.size(); ++i) ASSERT_EQ(p.results[0][i], fwd[i]) << i;
  for (std::size_t i = 0; i < dx.size(); ++i) ASSERT_EQ(p.results[1][i], dx[i]) << i;
  for (std::size_t i = 0; i < dw.size(); ++i) ASSERT_EQ(p.results[2][i], dw[i]) << i;
}

TEST(Train, TheBackwardPassMatchesFiniteDifferencesOfTheLoss) {
  // In float64-checked float32 on the host: each parameter tensor's largest gradient
  // component against the central difference of the loss.
  std::mt19937_64 rng(test_seed());
  tr::FloatProducts host;
  tr::TrainOptions o;
  o.batch = 3;
  o.learning_rate = 1e-30;  // the step's update must not move the weights measurably
  o.momentum = 0;
  const auto images = random_floats(rng, 3 * tr::kImagePixels, 0.0f, 1.0f);
  const std::vector<uint8_t> labels = {1, 7, 3};
  const tr::Batch batch{images.data(), labels.data(), 3};
  const tr::CnnParams start = tr::CnnParams::initial(rng());
  tr::CnnTrainer net(host, start, o);
  net.step(batch);
  auto loss_with = [&](const tr::CnnParams& params) {
    tr::CnnTrainer t(host, params, o);
    const auto z = t.logits(batch);
    double loss = 0;
    for (uint32_t n = 0; n < 3; ++n) {
      double m = -1e30, sum = 0;
      for (uint32_t c = 0; c < 10; ++c) m = std::max(m, double(z[n * 10 + c]));
      for (uint32_t c = 0; c < 10; ++c) sum += std::exp(double(z[n * 10 + c]) - m);
      loss += std::log(sum) + m - z[n * 10 + labels[n]];
    }
    return loss / 3;
  };
  for (std::size_t t = 0; t < tr::CnnParams::kCount; ++t) {
    const auto& g = net.gradients().tensors[t];
    std::size_t best = 0;
    for (std::size_t i = 0; i < g.size(); ++i)
      if (std::fabs(g[i]) > std::fabs(g[best])) best = i;
    const float h = 2e-3f;
    tr::CnnParams plus = start, minus = start;
    plus.tensors[t][best] += h;
    minus.tensors[t][best] -= h;
    const double numeric = (loss_with(plus) - loss_with(minus)) / (2.0 * h);
    EXPECT_NEAR(g[best], numeric, 0.03 * std::fabs(numeric) + 1e-4)
        << tr::CnnParams::names()[t] << "[" << best << "]";
  }
}

TEST(Train, TheLossFallsOnASmallSubsetOnTheGoldenModel) {
  const tr::Dataset data =
      tr::load_dataset(std::string(tr::kFashionMnistDir) + "/train-images-idx3-ubyte.gz",
                       std::string(tr::kFashionMnistDir) + "/train-labels-idx1-ubyte.gz", 512);
  tr::EngineProducts p(fsim_engine(), test_seed());
  tr::TrainOptions o;
  o.batch = 32;
  tr::CnnTrainer net(p, tr::CnnParams::initial(3), o);
  std::vector<float> img;
  std::vector<uint8_t> lab;
  std::vector<double> epoch_loss;
  for (uint64_t epoch = 0; epoch < 3; ++epoch) {
    const auto order = tr::shuffled(data.count(), epoch);
    double loss = 0;
    for (std::size_t first = 0; first < data.count(); first += o.batch)
      loss += net.step(data.gather(order, first, o.batch, img, lab)).loss;
    epoch_loss.push_back(loss / double(data.count() / o.batch));
  }
  EXPECT_LT(epoch_loss[2], 0.8 * epoch_loss[0])
      << epoch_loss[0] << " -> " << epoch_loss[1] << " -> " << epoch_loss[2];
  // Every product ran on the engine.
  for (const auto& s : p.stats()) EXPECT_GT(s.cycles, 0u) << s.name;
}

TEST(Train, TheDeviceAndTheGoldenModelTrainByteForByteAlike) {
  // Two steps at batch 4 on the test device (the RTL simulator in a build with the RTL) and
  // on the golden model: the same engine outputs, gradients and weights, to the byte.
  const tr::Dataset data =
      tr::load_dataset(std::string(tr::kFashionMnistDir) + "/train-images-idx3-ubyte.gz",
                       std::string(tr::kFashionMnistDir) + "/train-labels-idx1-ubyte.gz", 8);
  tr::EngineProducts on_device(device_engine(), 5), on_fsim(fsim_engine(), 5);
  on_device.keep_results = on_fsim.keep_results = true;
  tr::TrainOptions o;
  o.batch = 4;
  tr::CnnTrainer a(on_device, tr::CnnParams::initial(9), o),
      b(on_fsim, tr::CnnParams::initial(9), o);
  for (std::size_t first = 0; first < 8; first += 4) {
    const tr::StepResult ra = a.step(data.batch(first, 4)), rb = b.step(data.batch(first, 4));
    EXPECT_EQ(ra.loss, rb.loss);
  }
  ASSERT_EQ(on_device.results.size(), on_fsim.results.size());
  for (std::size_t i = 0; i < on_device.results.size(); ++i)
    EXPECT_EQ(on_device.results[i], on_fsim.results[i]) << "engine output " << i;
  for (std::size_t t = 0; t < tr::CnnParams::kCount; ++t) {
    const auto &wa = a.params().tensors[t], &wb = b.params().tensors[t];
    const auto &ga = a.gradients().tensors[t], &gb = b.gradients().tensors[t];
    EXPECT_EQ(0, std::memcmp(wa.data(), wb.data(), wa.size() * sizeof(float)))
        << tr::CnnParams::names()[t];
    EXPECT_EQ(0, std::memcmp(ga.data(), gb.data(), ga.size() * sizeof(float)))
        << tr::CnnParams::names()[t];
  }
}

TEST(Train, AnExportedModelImportsBackToItsWeights) {
  // The QDQ export's layouts (OIHW, fc1's NCHW flatten, transB) through the importer and
  // from_graph: every weight back within half its channel's quantization step (plus the
  // multiplier's rounding), every bias within its step.
  const tr::Dataset data =
      tr::load_dataset(std::string(tr::kFashionMnistDir) + "/train-images-idx3-ubyte.gz",
                       std::string(tr::kFashionMnistDir) + "/train-labels-idx1-ubyte.gz", 64);
  const tr::CnnParams p = tr::CnnParams::initial(test_seed());
  const std::string bytes = tr::qdq_model_bytes(p, data.batch(0, 64), {{"k", "v"}});
  const model::ImportedModel m = model::import_onnx(bytes, "exported");
  EXPECT_EQ(m.metadata.at("k"), "v");
  const tr::CnnParams back = tr::CnnParams::from_graph(m.graph, "exported");
  for (std::size_t t = 0; t < tr::CnnParams::kCount; t += 2) {
    float max_abs = 0;
    for (float v : p.tensors[t]) max_abs = std::max(max_abs, std::fabs(v));
    for (std::size_t i = 0; i < p.tensors[t].size(); ++i)
      ASSERT_NEAR(back.tensors[t][i], p.tensors[t][i], 0.51 * max_abs / 127 + 1e-6)
          << tr::CnnParams::names()[t] << "[" << i << "]";
  }
  // A graph that is not the CNN is refused, naming what differs.
  model::ImportedModel other = m;
  for (auto it = other.graph.nodes.begin(); it != other.graph.nodes.end(); ++it)
    if (std::holds_alternative<graph::Conv2d>(it->op)) {
      other.graph.nodes.erase(it);
      break;
    }
  EXPECT_NE(error_of([&] {
              tr::CnnParams::from_graph(other.graph, "other.onnx");
            }).find("other.onnx is not the training CNN"),
            std::string::npos);
}

TEST(Train, BadOptionsAndDataNameTheValueAndTheRange) {
  tr::FloatProducts host;
  tr::TrainOptions o;
  o.batch = 0;
  EXPECT_NE(error_of([&] {
              tr::CnnTrainer(host, tr::CnnParams::initial(1), o);
            }).find("batch size = 0; it must be >= 1"),
            std::string::npos);
  o.batch = 4;
  o.learning_rate = 0;
  EXPECT_NE(error_of([&] {
              tr::CnnTrainer(host, tr::CnnParams::initial(1), o);
            }).find("learning rate = 0; it must be > 0"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              tr::load_dataset("/nonexistent/images.gz", "/nonexistent/labels.gz");
            }).find("/nonexistent/images.gz does not exist"),
            std::string::npos);
}

}  // namespace tessera::test
