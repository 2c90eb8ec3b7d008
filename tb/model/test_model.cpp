// SPDX-License-Identifier: Apache-2.0
// Whole models: ONNX import, the network compiler, saved programs and the runtime, on the
// simulated engine. Each import case is a tiny graph built here with ONNX's classes; its
// run is compared bit for bit, layer by layer, with the reference executor, and its output
// with a float evaluation of the ONNX graph itself (onnx_builder.hpp) to within one LSB on
// a small share of the outputs (the integer pipeline rounds at ties and with a 31-bit
// multiplier, the float one does not). Bad models must fail with one clear message each.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

#include "error_of.hpp"
#include "onnx_builder.hpp"
#include "tessera/idx.hpp"
#include "tessera/model/onnx_import.hpp"
#include "tessera/model/program.hpp"
#include "tessera/model/runtime.hpp"
#include "test_device.hpp"
#include "test_seed.hpp"

namespace {

using tessera::test::error_of;

namespace fs = std::filesystem;
namespace drv = tessera::driver;
namespace model = tessera::model;
namespace graph = tessera::graph;
using tessera::test::FloatTensor;
using tessera::test::OnnxBuilder;
constexpr int32_t kF32 = onnx::TensorProto::FLOAT, kI8 = onnx::TensorProto::INT8,
                  kU8 = onnx::TensorProto::UINT8, kI32 = onnx::TensorProto::INT32,
                  kI64 = onnx::TensorProto::INT64;

drv::Engine& engine() {  // SystemC: one simulator per process, opened when first needed
  static drv::Engine e(tessera::test::open_test_device());
  return e;
}

// Random float inputs over [lo, hi] in the model's layout.
FloatTensor random_input(std::vector<int64_t> dims, double lo, double hi, std::mt19937_64& rng) {
  FloatTensor t;
  t.dims = std::move(dims);
  std::size_t n = 1;
  for (int64_t d : t.dims) n *= std::size_t(d);
  std::uniform_real_distribution<double> u(lo, hi);
  for (std::size_t i = 0; i < n; ++i) t.v.push_back(double(float(u(rng))));
  return t;
}

struct Outcome {
  model::Program program;
  model::BatchRun run;
};

// Compiles and runs the model on one batch; every layer bit-exact with the reference; the
// first output (quantized) within `tolerance` LSB of the float evaluation, with at most
// `off_share` of its values off at all. Returns the program and the run.
Outcome check_model(const OnnxBuilder& b, const std::string& input, FloatTensor x,
                    int tolerance = 1, double off_share = 0.02) {
  model::CompileOptions o;
  o.batch = uint32_t(x.dims[0]);
  o.reuse_memory = false;
  Outcome out{model::compile(b.bytes(), "test.onnx", engine().info().config, o), {}};
  const auto& g = out.program.model.graph;
  graph::Value in;
  in.f32.assign(x.v.begin(), x.v.end());
  model::Runtime rt(engine(), out.program);
  model::RunOptions ro;
  ro.every_tensor = true;
  ro.counters = true;
  out.run = rt.run({in}, ro);
  const auto want = model::reference(out.program, {in});
  for (std::size_t i = 0; i < out.program.layers.size(); ++i) {
    const auto& node = g.nodes[std::size_t(out.program.layers[i].node)];
    EXPECT_EQ(out.run.tensors[std::size_t(node.output)].i8, want[std::size_t(node.output)].i8)
        << "layer " << i << " " << node.name << " (" << graph::op_name(node.op) << ", "
        << (out.program.layers[i].on_engine ? "engine" : "host") << ")";
    EXPECT_EQ(out.run.tensors[std::size_t(node.output)].f32, want[std::size_t(node.output)].f32)
        << "layer " << i << " " << node.name;
  }
  // The engine's counters agree with what the compiler says its layers do.
  uint64_t macs = 0;
  for (const auto& l : out.program.layers) macs += l.engine_macs;
  EXPECT_EQ(out.run.counters[tessera::regs::Counter::kMacs], macs);

  const auto fl = tessera::test::evaluate(b.model(), {{input, x}});
  const auto& port = g.outputs[0];
  const auto& f = fl.at(port.name);
  const auto& got = out.run.outputs[0];
  const int shift = port.dtype == "uint8" ? 128 : 0;
  EXPECT_EQ(got.i8.size(), f.v.size()) << "output size";
  std::size_t off = 0;
  int worst = 0;
  for (std::size_t i = 0; i < std::min(got.i8.size(), f.v.size()); ++i) {
    const int d = std::abs(int(got.i8[i]) + shift - int(f.v[i]));
    worst = std::max(worst, d);
    off += d > 0;
  }
  EXPECT_LE(worst, tolerance) << "largest difference from the float evaluation, in LSB";
  EXPECT_LE(double(off), off_share * double(f.v.size()) + 1)
      << off << " of " << f.v.size() << " outputs differ from the float evaluation";
  return out;
}

// ---- import cases ----------------------------------------------------------------------

TEST(Import, ConvPerChannelInt8WithPaddingStrideDilationAndExplicitRelu) {
  std::mt19937_64 rng(tessera::test::test_seed());
  OnnxBuilder b;
  b.input("x", kF32, {-1, 3, 11, 9});
  const auto x = b.qdq("x", 0.05f, 3);
  const auto w = b.weights("w", {8, 3, 3, 3}, 0.02f, true, rng());
  const auto bias = b.bias("b", 8, "w", 0.05f, rng());
  auto& conv = b.node("Conv", {x, w, bias}, {"c"});
  OnnxBuilder::attr(conv, "pads", std::vector<int64_t>{1, 2, 0, 1});
  OnnxBuilder::attr(conv, "strides", std::vector<int64_t>{2, 1});
  OnnxBuilder::attr(conv, "dilations", std::vector<int64_t>{1, 2});
  b.node("Relu", {"c"}, {"r"});
  b.scalar("r_scale", 0.05f);
  b.zero_point("r_zp", kI8, -128);
  b.node("QuantizeLinear", {"r", "r_scale", "r_zp"}, {"y"});
  b.output("y", kI8, {-1, 8, 5, 6});
  const auto out = check_model(b, "x", random_input({3, 3, 11, 9}, -6, 6, rng));
  // quantize, permute, the zero-point border on the host (pad_on_host: C = 3), conv
  EXPECT_TRUE(std::holds_alternative<graph::Pad>(out.program.model.graph.nodes[2].op));
  EXPECT_FALSE(out.program.layers[2].on_engine);
  EXPECT_TRUE(out.program.layers[3].on_engine);
}

TEST(Import, Uint8ActivationsPerTensorWeightsAndSameUpperPadding) {
  std::mt19937_64 rng(tessera::test::test_seed());
  OnnxBuilder b;
  b.input("x", kF32, {-1, 5, 8, 7});
  const auto x = b.qdq("x", 0.03f, 120, kU8);
  const auto w = b.weights("w", {6, 5, 3, 3}, 0.02f, false, rng());
  const auto bias = b.bias("b", 6, "w", 0.03f, rng());
  auto& conv = b.node("Conv", {x, w, bias}, {"c"});
  OnnxBuilder::attr(conv, "auto_pad", std::string("SAME_UPPER"));
  OnnxBuilder::attr(conv, "strides", std::vector<int64_t>{2, 2});
  b.scalar("y_scale", 0.04f);
  b.zero_point("y_zp", kU8, 130);
  b.node("QuantizeLinear", {"c", "y_scale", "y_zp"}, {"y"});
  b.output("y", kU8, {-1, 6, 4, 4});
  check_model(b, "x", random_input({2, 5, 8, 7}, -3.5, 4, rng));
}

TEST(Import, SameLowerAndValidPadding) {
  std::mt19937_64 rng(tessera::test::test_seed());
  for (const char* mode : {"SAME_LOWER", "VALID"}) {
    OnnxBuilder b;
    b.input("x", kF32, {-1, 4, 7, 6});
    const auto x = b.qdq("x", 0.05f, 0);
    const auto w = b.weights("w", {5, 4, 2, 4}, 0.03f, true, rng());
    auto& conv = b.node("Conv", {x, w}, {"c"});
    OnnxBuilder::attr(conv, "auto_pad", std::string(mode));
    b.scalar("y_scale", 0.05f);
    b.zero_point("y_zp", kI8, 0);
    b.node("QuantizeLinear", {"c", "y_scale", "y_zp"}, {"y"});
    b.output("y", kI8, {-1, 5, 7, 6});
    SCOPED_TRACE(mode);
    check_model(b, "x", random_input({2, 4, 7, 6}, -6, 6, rng));
  }
}

// conv -> Flatten (NCHW order) -> Gemm: the flatten's order is folded into the weights.
TEST(Import, GemmWithTransBZeroAndOneAfterAFlattenOfNchw) {
  std::mt19937_64 rng(tessera::test::test_seed());
  for (int trans_b : {1, 0}) {
    OnnxBuilder b;
    b.input("x", kF32, {-1, 2, 6, 5});
    const auto x = b.qdq("x", 0.05f, -10);
    const auto w = b.weights("w", {7, 2, 3, 3}, 0.03f, true, rng());
    b.node("Conv", {x, w}, {"c"});
    const auto c = b.qdq("c", 0.08f, 5);
    b.node("Flatten", {c}, {"f"});
    const auto fw = trans_b ? b.weights("fw", {9, 7 * 4 * 3}, 0.02f, true, rng(), 0)
                            : b.weights("fw", {7 * 4 * 3, 9}, 0.02f, true, rng(), 1);
    const auto fb = b.bias("fb", 9, "fw", 0.08f, rng());
    auto& gemm = b.node("Gemm", {"f", fw, fb}, {"g"});
    OnnxBuilder::attr(gemm, "transB", int64_t(trans_b));
    b.scalar("y_scale", 0.2f);
    b.zero_point("y_zp", kI8, 3);
    b.node("QuantizeLinear", {"g", "y_scale", "y_zp"}, {"y"});
    b.output("y", kI8, {-1, 9});
    SCOPED_TRACE("transB " + std::to_string(trans_b));
    const auto out = check_model(b, "x", random_input({4, 2, 6, 5}, -6, 6, rng), 2, 0.1);
    for (const auto& node : out.program.model.graph.nodes) {  // no bytes moved for the flatten
      EXPECT_FALSE(node.name.find("to_model_order") != std::string::npos) << node.name;
    }
  }
}

TEST(Import, MatMulPlusAnAddOfTheBias) {
  std::mt19937_64 rng(tessera::test::test_seed());
  OnnxBuilder b;
  b.input("x", kF32, {-1, 37});
  const auto x = b.qdq("x", 0.02f, 7);
  const auto w = b.weights("w", {37, 20}, 0.02f, true, rng(), 1);
  b.node("MatMul", {x, w}, {"m"});
  const auto bias = b.bias("b", 20, "w", 0.02f, rng());
  b.node("Add", {"m", bias}, {"a"});
  b.node("Relu", {"a"}, {"r"});
  b.scalar("y_scale", 0.03f);
  b.zero_point("y_zp", kI8, -128);
  b.node("QuantizeLinear", {"r", "y_scale", "y_zp"}, {"y"});
  b.output("y", kI8, {-1, 20});
  const auto out = check_model(b, "x", random_input({5, 37}, -2.5, 2.5, rng));
  EXPECT_EQ(out.program.layers.size(), 2u);  // quantize, fully_connected (+ bias + relu)
}

// Clip(0, 6) is ReLU6 in the clamp; without Relu the output's range alone clamps.
TEST(Import, ClipZeroToSixAndAReluImpliedByTheOutputRange) {
  std::mt19937_64 rng(tessera::test::test_seed());
  for (bool clip : {true, false}) {
    OnnxBuilder b(clip ? 13 : 13);
    b.input("x", kF32, {-1, 3, 6, 6});
    const auto x = b.qdq("x", 0.05f, 0);
    const auto w = b.weights("w", {4, 3, 3, 3}, 0.03f, true, rng());
    auto& conv = b.node("Conv", {x, w}, {"c"});
    OnnxBuilder::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
    std::string last = "c";
    if (clip) {
      b.scalar("lo", 0.f);
      b.scalar("hi", 6.f);
      b.node("Clip", {"c", "lo", "hi"}, {"clipped"});
      last = "clipped";
    }
    // Implied ReLU: zero point -128 puts real 0 at the bottom of the range.
    b.scalar("y_scale", clip ? 0.03f : 0.02f);
    b.zero_point("y_zp", kI8, -128);
    b.node("QuantizeLinear", {last, "y_scale", "y_zp"}, {"y"});
    b.output("y", kI8, {-1, 4, 6, 6});
    SCOPED_TRACE(clip ? "Clip(0, 6)" : "implied");
    const auto out = check_model(b, "x", random_input({2, 3, 6, 6}, -6, 6, rng));
    const auto& conv_node = std::get<graph::Conv2d>(out.program.model.graph.nodes[3].op);
    EXPECT_EQ(conv_node.stage.act_min, -128);
    EXPECT_EQ(conv_node.stage.act_max, clip ? -128 + 200 : 127);  // round(6 / 0.03) = 200
  }
}

TEST(Import, MaxPoolTwoByTwoIsFusedOthersRunOnTheHost) {
  std::mt19937_64 rng(tessera::test::test_seed());
  OnnxBuilder b;
  b.input("x", kF32, {-1, 3, 9, 11});
  const auto x = b.qdq("x", 0.05f, 0);
  const auto w = b.weights("w", {8, 3, 3, 3}, 0.03f, true, rng());
  b.node("Conv", {x, w}, {"c"});
  b.node("Relu", {"c"}, {"r"});
  const auto r = b.qdq("r", 0.04f, -128);
  auto& p1 = b.node("MaxPool", {r}, {"p1"});
  OnnxBuilder::attr(p1, "kernel_shape", std::vector<int64_t>{2, 2});
  OnnxBuilder::attr(p1, "strides", std::vector<int64_t>{2, 2});
  const auto p = b.qdq("p1", 0.04f, -128);
  auto& p2 = b.node("MaxPool", {p}, {"p2"});
  OnnxBuilder::attr(p2, "kernel_shape", std::vector<int64_t>{3, 3});
  OnnxBuilder::attr(p2, "pads", std::vector<int64_t>{1, 1, 1, 1});
  b.scalar("y_scale", 0.04f);
  b.zero_point("y_zp", kI8, -128);
  b.node("QuantizeLinear", {"p2", "y_scale", "y_zp"}, {"y"});
  b.output("y", kI8, {-1, 8, 3, 4});
  const auto out = check_model(b, "x", random_input({2, 3, 9, 11}, -6, 6, rng));
  const auto& g = out.program.model.graph;
  ASSERT_EQ(g.nodes.size(), 5u);  // quantize, permute, conv+pool, max_pool 3x3, back to NCHW
  EXPECT_TRUE(std::get<graph::Conv2d>(g.nodes[2].op).max_pool_2x2);
  EXPECT_TRUE(out.program.layers[2].on_engine);
  EXPECT_FALSE(out.program.layers[3].on_engine);
  EXPECT_NE(out.program.layers[3].reason.find("max-pooling"), std::string::npos);
}

// The QOperator form with uint8 activations: QLinearConv, MaxPool on the quantized tensor,
// QLinearMatMul.
TEST(Import, QOperatorFormWithUint8Activations) {
  std::mt19937_64 rng(tessera::test::test_seed());
  OnnxBuilder b;
  b.input("x", kF32, {-1, 2, 6, 6});
  b.scalar("x_scale", 0.05f);
  b.zero_point("x_zp", kU8, 128);
  b.node("QuantizeLinear", {"x", "x_scale", "x_zp"}, {"xq"});
  std::vector<double> w(4 * 2 * 3 * 3), bias(4);
  for (double& v : w) v = double(rng() % 256);  // uint8 weights, zero point 128
  for (double& v : bias) v = double(int(rng() % 2001) - 1000);
  b.constant("w", kU8, {4, 2, 3, 3}, w);
  b.constant("w_scale", kF32, {4}, {0.01, 0.02, 0.015, 0.03});
  b.constant("w_zp", kU8, {4}, {128, 128, 128, 128});
  b.constant("bias", kI32, {4}, bias);
  b.scalar("c_scale", 0.1f);
  b.zero_point("c_zp", kU8, 100);
  auto& conv =
      b.node("QLinearConv",
             {"xq", "x_scale", "x_zp", "w", "w_scale", "w_zp", "c_scale", "c_zp", "bias"}, {"cq"});
  OnnxBuilder::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  auto& pool = b.node("MaxPool", {"cq"}, {"pq"});
  OnnxBuilder::attr(pool, "kernel_shape", std::vector<int64_t>{2, 2});
  OnnxBuilder::attr(pool, "strides", std::vector<int64_t>{2, 2});
  b.node("Flatten", {"pq"}, {"fq"});
  std::vector<double> m(36 * 5);
  for (double& v : m) v = double(int(rng() % 255) - 127);
  b.constant("m", kI8, {36, 5}, m);
  b.scalar("m_scale", 0.02f);
  b.zero_point("m_zp", kI8, 0);
  b.scalar("y_scale", 0.3f);
  b.zero_point("y_zp", kU8, 128);
  b.node("QLinearMatMul", {"fq", "c_scale", "c_zp", "m", "m_scale", "m_zp", "y_scale", "y_zp"},
         {"y"});
  b.output("y", kU8, {-1, 5});
  const auto out = check_model(b, "x", random_input({3, 2, 6, 6}, -6, 6, rng), 2, 0.15);
  EXPECT_EQ(out.program.model.graph.outputs[0].dtype, "uint8");
}

// Host ops with TFLite semantics: the residual ADD, average pooling, global average pooling.
TEST(Import, ResidualAddAveragePoolAndGlobalAveragePool) {
  std::mt19937_64 rng(tessera::test::test_seed());
  OnnxBuilder b;
  b.input("x", kF32, {-1, 4, 6, 6});
  const auto x = b.qdq("x", 0.05f, 0);
  const auto w = b.weights("w", {4, 4, 3, 3}, 0.02f, true, rng());
  auto& conv = b.node("Conv", {x, w}, {"c"});
  OnnxBuilder::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  const auto c = b.qdq("c", 0.07f, 2);
  b.node("Add", {c, x}, {"sum"});
  b.node("Relu", {"sum"}, {"sr"});
  const auto s = b.qdq("sr", 0.06f, -128);
  auto& ap = b.node("AveragePool", {s}, {"ap"});
  OnnxBuilder::attr(ap, "kernel_shape", std::vector<int64_t>{3, 3});
  OnnxBuilder::attr(ap, "strides", std::vector<int64_t>{2, 2});
  OnnxBuilder::attr(ap, "pads", std::vector<int64_t>{1, 1, 1, 1});
  const auto a = b.qdq("ap", 0.06f, -128);  // same parameters: TFLite's AVERAGE_POOL_2D
  b.node("GlobalAveragePool", {a}, {"gap"});
  b.scalar("y_scale", 0.05f);  // other parameters: TFLite's MEAN
  b.zero_point("y_zp", kI8, -100);
  b.node("QuantizeLinear", {"gap", "y_scale", "y_zp"}, {"y"});
  b.output("y", kI8, {-1, 4, 1, 1});
  check_model(b, "x", random_input({3, 4, 6, 6}, -6, 6, rng), 2, 0.25);
}

TEST(Import, TransposeReshapeSqueezeUnsqueezeAndIdentityMoveNoBytesTheyNeedNot) {
  std::mt19937_64 rng(tessera::test::test_seed());
  OnnxBuilder b;
  b.input("x", kF32, {-1, 3, 4, 5});
  const auto x = b.qdq("x", 0.05f, 0);
  const auto w = b.weights("w", {6, 3, 1, 1}, 0.03f, true, rng());
  b.node("Conv", {x, w}, {"c"});
  const auto c = b.qdq("c", 0.05f, 1);
  auto& t = b.node("Transpose", {c}, {"t"});  // NCHW -> NHWC in the model's terms
  OnnxBuilder::attr(t, "perm", std::vector<int64_t>{0, 2, 3, 1});
  b.constant("shape", kI64, {3}, {0, 20, -1});
  b.node("Reshape", {"t", "shape"}, {"rs"});  // [N, 20, 6]
  b.constant("axes", kI64, {1}, {2});
  b.node("Unsqueeze", {"rs", "axes"}, {"us"});  // [N, 20, 1, 6]
  b.node("Squeeze", {"us", "axes"}, {"sq"});    // [N, 20, 6]
  b.node("Identity", {"sq"}, {"id"});
  b.node("Flatten", {"id"}, {"f"});  // [N, 120] in NHWC order
  const auto fw = b.weights("fw", {120, 7}, 0.02f, true, rng(), 1);
  b.node("MatMul", {"f", fw}, {"m"});
  b.scalar("y_scale", 0.1f);
  b.zero_point("y_zp", kI8, 0);
  b.node("QuantizeLinear", {"m", "y_scale", "y_zp"}, {"y"});
  b.output("y", kI8, {-1, 7});
  const auto out = check_model(b, "x", random_input({2, 3, 4, 5}, -6, 6, rng), 2, 0.1);
  // The transposed order happens to be the engine's NHWC: only the input is permuted.
  std::size_t permutes = 0;
  for (const auto& n : out.program.model.graph.nodes)
    permutes += std::holds_alternative<graph::Permute>(n.op);
  EXPECT_EQ(permutes, 1u);
}

// An int8 graph input and an int8 result that is also an output in the model's layout.
TEST(Import, Int8InputAndAnNchwOutputTransposedBack) {
  std::mt19937_64 rng(tessera::test::test_seed());
  OnnxBuilder b;
  b.input("x", kI8, {-1, 3, 5, 4});
  b.scalar("x_scale", 0.05f);
  b.zero_point("x_zp", kI8, -5);
  b.node("DequantizeLinear", {"x", "x_scale", "x_zp"}, {"xd"});
  const auto w = b.weights("w", {5, 3, 3, 3}, 0.03f, true, rng());
  auto& conv = b.node("Conv", {"xd", w}, {"c"});
  OnnxBuilder::attr(conv, "pads", std::vector<int64_t>{1, 1, 1, 1});
  b.scalar("y_scale", 0.05f);
  b.zero_point("y_zp", kI8, 0);
  b.node("QuantizeLinear", {"c", "y_scale", "y_zp"}, {"y"});
  b.output("y", kI8, {-1, 5, 5, 4});
  model::CompileOptions o;
  o.batch = 2;
  const auto p = model::compile(b.bytes(), "int8.onnx", engine().info().config, o);
  graph::Value in;
  FloatTensor xf{{2, 3, 5, 4}, {}};
  for (int i = 0; i < 120; ++i) {
    in.i8.push_back(int8_t(rng()));
    xf.v.push_back(in.i8.back());
  }
  model::Runtime rt(engine(), p);
  const auto run = rt.run({in});
  EXPECT_EQ(run.outputs[0].i8,
            model::reference(p, {in})[std::size_t(p.model.graph.outputs[0].tensor)].i8);
  const auto fl = tessera::test::evaluate(b.model(), {{"x", xf}});
  int worst = 0;
  for (std::size_t i = 0; i < fl.at("y").v.size(); ++i) {
    worst = std::max(worst, std::abs(int(run.outputs[0].i8[i]) - int(fl.at("y").v[i])));
  }
  EXPECT_LE(worst, 1);  // in NCHW, like the float evaluation
}

// Already-quantized input skips the model's own QuantizeLinear and gives the same result.
TEST(Runtime, AQuantizedInputGivesWhatTheModelsQuantizeWould) {
  std::mt19937_64 rng(tessera::test::test_seed());
  OnnxBuilder b;
  b.input("x", kF32, {-1, 1, 6, 6});
  const auto x = b.qdq("x", 1.f / 255, -128);
  const auto w = b.weights("w", {16, 1, 3, 3}, 0.02f, true, rng());
  b.node("Conv", {x, w}, {"c"});
  b.scalar("y_scale", 0.01f);
  b.zero_point("y_zp", kI8, 0);
  b.node("QuantizeLinear", {"c", "y_scale", "y_zp"}, {"y"});
  b.output("y", kI8, {-1, 16, 4, 4});
  model::CompileOptions o;
  o.batch = 3;
  const auto p = model::compile(b.bytes(), "q.onnx", engine().info().config, o);
  model::Runtime rt(engine(), p);
  graph::Value pixels, floats;
  for (int i = 0; i < 3 * 36; ++i) {
    const uint8_t u = uint8_t(rng());
    pixels.i8.push_back(int8_t(int(u) - 128));  // uint8 images minus 128
    floats.f32.push_back(float(u) / 255.f);
  }
  EXPECT_EQ(rt.run({pixels}).outputs[0].i8, rt.run({floats}).outputs[0].i8);
  graph::Value wrong;
  wrong.f32.assign(5, 0.f);
  EXPECT_NE(error_of([&] {
              rt.run({wrong});
            }).find("holds 5 values; the program takes a batch of 3 x 36"),
            std::string::npos);
}

// ---- programs ----------------------------------------------------------------------------

std::string cnn_path() { return std::string(TESSERA_SOURCE_DIR) + "/models/fashion_cnn_int8.onnx"; }

TEST(Program, SavedAndLoadedItRunsTheSameCommandBytes) {
  const fs::path dir = fs::temp_directory_path() / ("tessera_program_" + std::to_string(getpid()));
  fs::create_directories(dir);
  model::CompileOptions o;
  o.batch = 4;
  const auto p = model::compile_file(cnn_path(), engine().info().config, o);
  p.save((dir / "cnn.tsp").string());
  const auto q = model::Program::load((dir / "cnn.tsp").string());
  ASSERT_EQ(p.segments.size(), q.segments.size());
  for (std::size_t s = 0; s < p.segments.size(); ++s) {
    EXPECT_TRUE(p.segments[s].commands == q.segments[s].commands);
    EXPECT_EQ(p.segments[s].relocations.size(), q.segments[s].relocations.size());
  }
  EXPECT_EQ(p.weights, q.weights);
  EXPECT_EQ(p.arena_offset, q.arena_offset);
  // Damaged: a flipped byte; truncated; not a program.
  std::string bytes;
  {
    std::ifstream in(dir / "cnn.tsp", std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& name, const std::string& b) {
    std::ofstream(dir / name, std::ios::binary) << b;
    return (dir / name).string();
  };
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x10;
  EXPECT_NE(error_of([&] { model::Program::load(write("flipped.tsp", flipped)); }).find("checksum"),
            std::string::npos);
  EXPECT_NE(error_of([&] {
              model::Program::load(write("short.tsp", bytes.substr(0, 100)));
            }).find("not a valid Tessera program"),
            std::string::npos);
  EXPECT_NE(error_of([&] { model::Program::load(cnn_path()); }).find("not a Tessera program"),
            std::string::npos);
  // Another build's program is refused before anything runs.
  model::Program other = q;
  other.config.rows = 8;
  EXPECT_NE(error_of([&] { model::Runtime(engine(), other); }).find("compile it again"),
            std::string::npos);
  fs::remove_all(dir);
}

// The source documents' CNN on the first 128 Fashion-MNIST test images: every layer
// bit-exact with the reference executor, and at least 80 % top-1 (the float model: 88.9 %
// over all 10,000; the first 128 are no harder).
TEST(Cnn, FashionMnistImagesOnTheEngineAreBitExactAndAccurate) {
  const std::string d = "/usr/share/datasets/fashion-mnist/";
  const auto images = tessera::idx::load(d + "t10k-images-idx3-ubyte.gz");
  const auto labels = tessera::idx::load(d + "t10k-labels-idx1-ubyte.gz");
  model::CompileOptions o;
  o.batch = 64;
  o.reuse_memory = false;
  const auto p = model::compile_file(cnn_path(), engine().info().config, o);
  model::Runtime rt(engine(), p);
  const auto& g = p.model.graph;
  std::size_t correct = 0, float_agree = 0;
  const std::string& float_pred = p.model.metadata.at("float32_test_predictions");
  for (std::size_t batch = 0; batch < 2; ++batch) {
    graph::Value in;
    for (std::size_t i = 0; i < 64 * 784; ++i)
      in.i8.push_back(int8_t(int(images.data[batch * 64 * 784 + i]) - 128));
    model::RunOptions ro;
    ro.every_tensor = true;
    const auto run = rt.run({in}, ro);
    const auto want = model::reference(p, {in});
    for (const auto& layer : p.layers) {
      const int t = g.nodes[std::size_t(layer.node)].output;
      EXPECT_EQ(run.tensors[std::size_t(t)].i8, want[std::size_t(t)].i8)
          << g.nodes[std::size_t(layer.node)].name;
      EXPECT_EQ(run.tensors[std::size_t(t)].f32, want[std::size_t(t)].f32)
          << g.nodes[std::size_t(layer.node)].name;
    }
    for (std::size_t i = 0; i < 64; ++i) {
      const float* row = &run.outputs[0].f32[i * 10];
      const auto top = std::size_t(std::max_element(row, row + 10) - row);
      correct += top == labels.data[batch * 64 + i];
      float_agree += top == std::size_t(float_pred[batch * 64 + i] - '0');
    }
    for (std::size_t i = 0; i < p.layers.size(); ++i) {
      if (p.layers[i].on_engine) {
        EXPECT_GT(run.layers[i].cycles, 0u) << "layer " << i;
      }
    }
  }
  EXPECT_GE(correct, 103u) << "top-1 on 128 images";  // 80 %
  EXPECT_GE(float_agree, 120u) << "top-1 the same as the float model's";
}

// ---- bad models --------------------------------------------------------------------------

std::string import_error(const std::string& bytes) {
  return error_of([&] { model::import_onnx(bytes, "bad.onnx"); });
}

OnnxBuilder one_conv(const std::function<void(onnx::NodeProto&)>& tweak = {},
                     std::vector<int64_t> dims = {-1, 3, 8, 8}) {
  std::mt19937_64 rng(1);
  OnnxBuilder b;
  b.input("x", kF32, dims);
  const auto x = b.qdq("x", 0.05f, 0);
  const auto w = b.weights("w", {4, 3, 3, 3}, 0.03f, true, rng());
  auto& conv = b.node("Conv", {x, w}, {"c"}, "the_conv");
  if (tweak) tweak(conv);
  b.scalar("y_scale", 0.05f);
  b.zero_point("y_zp", kI8, 0);
  b.node("QuantizeLinear", {"c", "y_scale", "y_zp"}, {"y"});
  b.output("y", kI8, {-1, 4, 6, 6});
  return b;
}

TEST(BadModels, EachFailsWithOneMessageNamingWhatIsWrong) {
  // Not a file; not ONNX; truncated.
  EXPECT_NE(
      error_of([] { model::import_onnx_file("/nonexistent/model.onnx"); }).find("no such file"),
      std::string::npos);
  EXPECT_NE(error_of([] { model::import_onnx_file("/tmp"); }).find("not a regular file"),
            std::string::npos);
  EXPECT_NE(import_error("").find("empty"), std::string::npos);
  EXPECT_NE(import_error("this is a text file, not a model\n").find("not an ONNX model"),
            std::string::npos);
  const std::string good = one_conv().bytes();
  EXPECT_NE(import_error(good.substr(0, good.size() / 2)).find("not an ONNX model"),
            std::string::npos)
      << import_error(good.substr(0, good.size() / 2));
  // A node without an output (fuzz_onnx found it reading output 0 of nothing).
  {
    OnnxBuilder b = one_conv();
    b.node("Relu", {"y"}, {}, "the_relu");
    const auto e = import_error(b.bytes());
    EXPECT_NE(e.find("node 'the_relu' (Relu): has no output"), std::string::npos) << e;
  }
  // An unsupported operator, attribute value, attribute.
  {
    OnnxBuilder b = one_conv();
    auto& n = b.node("LSTM", {"y"}, {"z"}, "the_lstm");
    (void)n;
    const auto e = import_error(b.bytes());
    EXPECT_NE(e.find("node 'the_lstm' (LSTM): operator LSTM is not supported"), std::string::npos)
        << e;
  }
  {
    const auto e = import_error(
        one_conv([](onnx::NodeProto& n) { OnnxBuilder::attr(n, "group", int64_t(3)); }).bytes());
    EXPECT_NE(e.find("node 'the_conv' (Conv): attribute group = 3 must be >= 1 and divide the 3 "
                     "input and 4 output channels"),
              std::string::npos)
        << e;
  }
  {
    const auto e = import_error(
        one_conv([](onnx::NodeProto& n) { OnnxBuilder::attr(n, "dilation", int64_t(2)); }).bytes());
    EXPECT_NE(e.find("attribute 'dilation' is not supported (supported: auto_pad, dilations"),
              std::string::npos)
        << e;
  }
  {
    const auto e = import_error(one_conv([](onnx::NodeProto& n) {
                                  OnnxBuilder::attr(n, "auto_pad", std::string("SAME_MIDDLE"));
                                }).bytes());
    EXPECT_NE(e.find("auto_pad = 'SAME_MIDDLE' is not supported"), std::string::npos) << e;
  }
  // A float model: weights that are not dequantized int8.
  {
    std::mt19937_64 rng(2);
    OnnxBuilder b;
    b.input("x", kF32, {-1, 3, 8, 8});
    std::vector<double> w(4 * 27, 0.1);
    b.constant("w", kF32, {4, 3, 3, 3}, w);
    b.node("Conv", {"x", "w"}, {"y"}, "float_conv");
    b.output("y", kF32, {-1, 4, 6, 6});
    const auto e = import_error(b.bytes());
    EXPECT_NE(
        e.find(
            "node 'float_conv' (Conv): input 'x' is not a dequantized int8 tensor; a float model"),
        std::string::npos)
        << e;
  }
  // A dynamic spatial dimension.
  {
    const auto e = import_error(one_conv({}, {-1, 3, -1, 8}).bytes());
    EXPECT_NE(e.find("graph input 'x' has a dynamic dimension 2"), std::string::npos) << e;
  }
  // An output never quantized.
  {
    std::mt19937_64 rng(3);
    OnnxBuilder b;
    b.input("x", kF32, {-1, 3, 8, 8});
    const auto x = b.qdq("x", 0.05f, 0);
    const auto w = b.weights("w", {4, 3, 3, 3}, 0.03f, true, rng());
    b.node("Conv", {x, w}, {"y"}, "open_conv");
    b.output("y", kF32, {-1, 4, 6, 6});
    const auto e = import_error(b.bytes());
    EXPECT_NE(e.find("graph output 'y' is the float result of node 'open_conv' (Conv) with no "
                     "QuantizeLinear"),
              std::string::npos)
        << e;
  }
}

}  // namespace
