// SPDX-License-Identifier: Apache-2.0
// tessera train: trains the CNN on Fashion-MNIST with every multiply-accumulate of the
// forward and backward passes on the device (docs/training.md), optionally beside the float32
// reference training on the host (same initialization, same data order); reports the test
// accuracy, where the MACs ran, the engine cycles per training image and each product's
// utilization, and writes the trained model as ONNX QDQ for `tessera model run`.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "commands.hpp"
#include "common.hpp"
#include "tessera/atomic_file.hpp"
#include "tessera/checks.hpp"
#include "tessera/model/onnx_import.hpp"
#include "tessera/train/dataset.hpp"
#include "tessera/train/qdq_export.hpp"

namespace tessera::cli {
namespace {

struct TrainArgs {
  uint32_t epochs = 1, batch = 64, count = 0, test_count = 0, steps = 0, calibration = 1000;
  double lr = 0.02, momentum = 0.9;
  std::string data = train::kFashionMnistDir, init, out;
  bool reference = false;
};

struct RunResult {
  double last_epoch_loss = 0, last_epoch_accuracy = 0, test_accuracy = 0;
  uint64_t images = 0, steps = 0;
  std::vector<train::ProductStats> stats;  // the training steps' products
  uint64_t host_macs = 0;
  train::CnnParams params;
  double seconds = 0, train_seconds = 0, layout_seconds = 0;
};

// Trains with `products` from `init` in the order the seed gives, then tests.
RunResult train_with(train::Products& products, const train::CnnParams& init, const TrainArgs& a,
                     uint64_t seed, const train::Dataset& data, const train::Dataset& test,
                     const std::string& label) {
  const auto t0 = std::chrono::steady_clock::now();
  train::TrainOptions o;
  o.batch = a.batch;
  o.learning_rate = a.lr;
  o.momentum = a.momentum;
  train::CnnTrainer net(products, init, o);
  RunResult r;
  const bool bar = isatty(2);
  std::vector<float> images;
  std::vector<uint8_t> labels;
  const std::size_t n = data.count(), batches = (n + a.batch - 1) / a.batch;
  for (uint32_t epoch = 0; epoch < a.epochs && !(a.steps && r.steps >= a.steps); ++epoch) {
    const auto order = train::shuffled(n, seed + epoch);
    double loss = 0;
    uint64_t correct = 0, seen = 0;
    for (std::size_t bi = 0; bi < batches && !(a.steps && r.steps >= a.steps); ++bi) {
      const std::size_t first = bi * a.batch, count = std::min<std::size_t>(a.batch, n - first);
      const train::StepResult s = net.step(data.gather(order, first, count, images, labels));
      loss += s.loss * double(count);
      correct += s.correct;
      seen += count;
      ++r.steps;
      if (bar && (bi % 8 == 0 || bi + 1 == batches)) {
        const int width = 30, done = int(width * (bi + 1) / batches);
        std::fprintf(stderr, "\r%s epoch %u/%u [%s%s] %3zu%%  loss %.4f  accuracy %.2f%% ",
                     label.c_str(), epoch + 1, a.epochs,
                     std::string(std::size_t(done), '#').c_str(),
                     std::string(std::size_t(width - done), '.').c_str(), 100 * (bi + 1) / batches,
                     loss / double(seen), 100.0 * double(correct) / double(seen));
      }
    }
    if (bar) std::fprintf(stderr, "\n");
    r.last_epoch_loss = loss / double(seen);
    r.last_epoch_accuracy = 100.0 * double(correct) / double(seen);
    r.images += seen;
    std::fprintf(stderr, "%s epoch %u/%u: training loss %.4f, training accuracy %.2f %%\n",
                 label.c_str(), epoch + 1, a.epochs, r.last_epoch_loss, r.last_epoch_accuracy);
  }
  r.train_seconds = seconds_since(t0);
  r.layout_seconds = net.layout_seconds();
  r.stats = products.stats();
  r.host_macs = net.host_macs();
  r.params = net.params();
  uint64_t correct = 0;
  for (std::size_t first = 0; first < test.count(); first += 500) {
    const train::Batch b = test.batch(first, std::min<std::size_t>(500, test.count() - first));
    correct += train::count_correct(net.logits(b), b.labels, b.count);
  }
  r.test_accuracy = test.count() ? 100.0 * double(correct) / double(test.count()) : 0;
  r.seconds = seconds_since(t0);
  return r;
}

}  // namespace

int run_train(int argc, char** argv) {
  Common c;
  TrainArgs a;
  // The golden model by default: a whole epoch is 2.7 G engine cycles, hours on the RTL
  // simulator (which trains bit-exact with it: --device sim).
  auto d = common_options(c, "fsim");
  po::options_description t("train: the CNN on Fashion-MNIST, forward and backward on the device");
  t.add_options()("epochs", po::value(&a.epochs)->default_value(1),
                  "passes over the training images")(
      "batch", po::value(&a.batch)->default_value(64), "images per SGD step")(
      "lr", po::value(&a.lr)->default_value(0.02), "learning rate (> 0)")(
      "momentum", po::value(&a.momentum)->default_value(0.9), "SGD momentum, [0, 1)")(
      "count", po::value(&a.count)->default_value(0), "training images to use (0: all)")(
      "test-count", po::value(&a.test_count)->default_value(0), "test images (0: all)")(
      "steps", po::value(&a.steps)->default_value(0), "stop after this many steps (0: no limit)")(
      "data", po::value(&a.data)->default_value(a.data),
      "directory of the IDX files (train-images-idx3-ubyte.gz, ...)")(
      "init", po::value(&a.init), "start from this int8 ONNX model of the CNN (default: --seed)")(
      "out", po::value(&a.out), "write the trained model here (ONNX QDQ)")(
      "calibration", po::value(&a.calibration)->default_value(1000),
      "training images that calibrate the exported model's activations")(
      "reference", po::bool_switch(&a.reference),
      "also train in float32 on the host (same start, same order) and compare");
  d.add(t);
  const std::string usage = "train [--epochs N] [--batch B] [--lr LR] [--out MODEL.onnx] [options]";
  parse(argc, argv, d, {}, usage);
  if (a.epochs == 0) throw UsageError("--epochs = 0; it must be >= 1");
  if (a.batch == 0) throw UsageError("--batch = 0; it must be >= 1");
  if (!(a.lr > 0) || !std::isfinite(a.lr))
    throw UsageError("--lr = " + number_text(a.lr) + "; it must be > 0");
  if (!(a.momentum >= 0 && a.momentum < 1))
    throw UsageError("--momentum = " + number_text(a.momentum) + " is out of range [0, 1)");
  if (a.calibration == 0) throw UsageError("--calibration = 0; it must be >= 1");
  if (!a.out.empty()) require_writable(a.out);

  const train::Dataset data = train::load_dataset(a.data + "/train-images-idx3-ubyte.gz",
                                                  a.data + "/train-labels-idx1-ubyte.gz", a.count);
  const train::Dataset test = train::load_dataset(
      a.data + "/t10k-images-idx3-ubyte.gz", a.data + "/t10k-labels-idx1-ubyte.gz", a.test_count);
  const train::CnnParams init =
      a.init.empty() ? train::CnnParams::initial(c.seed)
                     : train::CnnParams::from_graph(model::import_onnx_file(a.init).graph, a.init);

  Session s(c);
  s.engine->progress = nullptr;  // the training's own progress bar instead
  train::EngineProducts engine(*s.engine, c.seed);
  const RunResult r = train_with(engine, init, a, c.seed, data, test, "engine");
  std::optional<RunResult> ref;
  if (a.reference) {
    train::FloatProducts host;
    ref = train_with(host, init, a, c.seed, data, test, "float32");
  }

  uint64_t engine_macs = 0, engine_cycles = 0;
  for (const auto& p : r.stats) engine_macs += p.macs, engine_cycles += p.cycles;
  const auto& cfg = s.engine->info().config;
  if (!a.out.empty()) {
    const train::Batch calib = data.batch(0, std::min<std::size_t>(a.calibration, data.count()));
    char acc[32];
    std::snprintf(acc, sizeof acc, "%.4f", r.test_accuracy / 100);
    std::map<std::string, std::string> meta = {
        {"training", "tessera train on " + s.engine->info().device + ": " +
                         std::to_string(a.epochs) + " epochs, batch " + std::to_string(a.batch) +
                         ", SGD lr " + number_text(a.lr) + " momentum " + number_text(a.momentum) +
                         ", seed " + std::to_string(c.seed)},
        {"engine_training_test_accuracy", acc}};
    train::write_qdq_model(a.out, r.params, calib, meta);
  }

  Report rep;
  rep.add("device", "device", s.engine->info().device)
      .add("array", "array", std::to_string(cfg.rows) + "x" + std::to_string(cfg.cols))
      .add("epochs", "epochs", a.epochs)
      .add("batch", "batch", a.batch)
      .add("learning_rate", "learning rate", Json::number(a.lr))
      .add("seed", "seed", c.seed)
      .add("training_images", "training images seen", r.images)
      .add("steps", "SGD steps", r.steps)
      .add("last_epoch_loss", "last epoch's training loss", Json::number(r.last_epoch_loss, 4))
      .add("test_images", "test images", test.count())
      .add("test_accuracy_percent", "test accuracy (%)", Json::number(r.test_accuracy, 2));
  if (ref) {
    rep.add("float32_test_accuracy_percent", "float32 reference test accuracy (%)",
            Json::number(ref->test_accuracy, 2))
        .add("accuracy_difference_points", "engine - float32 (points)",
             Json::number(r.test_accuracy - ref->test_accuracy, 2));
  }
  const double on_engine =
      engine_macs ? 100.0 * double(engine_macs) / double(engine_macs + r.host_macs) : 0;
  const double per_image = r.images ? double(engine_cycles) / double(r.images) : 0;
  rep.add("engine_macs", "MACs on the engine", engine_macs)
      .add("host_macs", "MACs on the host (bias gradients, SGD update)", r.host_macs)
      .add("engine_mac_percent", "of which on the engine (%)", Json::number(on_engine, 3))
      .add("engine_cycles", "engine cycles", engine_cycles)
      .add("cycles_per_training_image", "engine cycles per training image",
           Json::number(per_image, 0))
      .add("training_images_per_second", "training images/s at the clock",
           Json::number(per_image > 0 ? c.clock_mhz * 1e6 / per_image : 0, 0))
      .add("utilization_percent", "MAC utilization, all products (%)",
           Json::number(utilization_percent(engine_macs, engine_cycles, cfg.rows, cfg.cols), 2));
  Json products = Json::array();
  for (const auto& p : r.stats) {
    products.push(
        Json::object()
            .set("product", p.name)
            .set("calls", p.calls)
            .set("macs", p.macs)
            .set("cycles", p.cycles)
            .set("utilization_percent",
                 Json::number(utilization_percent(p.macs, p.cycles, cfg.rows, cfg.cols), 2))
            .set("wall_seconds", Json::number(p.seconds, 3)));
  }
  double product_seconds = 0;
  for (const auto& p : r.stats) product_seconds += p.seconds;
  rep.add("wall_seconds", "wall time, engine training and test (s)", Json::number(r.seconds, 1))
      .add("training_wall_seconds", "wall time, training steps (s)",
           Json::number(r.train_seconds, 1))
      .add("product_wall_seconds", "of which in the products (s)", Json::number(product_seconds, 1))
      .add("layout_wall_seconds", "of which rearranging operands on the host (s)",
           Json::number(r.layout_seconds, 2));
  if (ref)
    rep.add("float32_wall_seconds", "wall time, float32 reference (s)",
            Json::number(ref->seconds, 1));
  if (!a.out.empty()) rep.add("model", "trained model", a.out);
  if (c.json) {
    Json j = rep.json();
    j.set("products", products);
    std::printf("%s\n", j.dump().c_str());
  } else {
    rep.print_text(stdout);
    std::printf("\n  %-14s %7s %14s %14s %8s %9s\n", "product", "calls", "MACs", "cycles", "util %",
                "wall s");
    for (const auto& p : r.stats)
      std::printf("  %-14s %7llu %14llu %14llu %8.2f %9.2f\n", p.name.c_str(),
                  (unsigned long long)p.calls, (unsigned long long)p.macs,
                  (unsigned long long)p.cycles,
                  utilization_percent(p.macs, p.cycles, cfg.rows, cfg.cols), p.seconds);
  }
  s.finish();
  return 0;
}

}  // namespace tessera::cli
