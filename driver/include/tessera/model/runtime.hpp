// SPDX-License-Identifier: Apache-2.0
// The runtime: a compiled Program on an open Engine, batch after batch, identical on every
// backend.
//
//   tessera::driver::Engine engine(tessera::driver::open_device("sim"));
//   auto program = tessera::model::compile_file("net.onnx", engine.info().config, {100});
//   tessera::model::Runtime runtime(engine, program);
//   auto run = runtime.run({input});  // input: 100 images, float32 in the model's layout
//   // run.outputs[0].f32: the first graph output; run.layers[i].cycles: layer i on the engine
//
// Construction checks that the program was compiled for this engine's build, places its
// three regions (weights, arena, timestamps) in device memory, uploads the weights once and
// relocates the streams' addresses to them. A run writes the inputs, then takes the layers
// in order: host layers on the host (reading the tensors they need back from the device),
// each segment of engine layers as one command stream, with no host step between them.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "tessera/engine.hpp"
#include "tessera/graph.hpp"
#include "tessera/model/program.hpp"

namespace tessera::model {

struct LayerRun {
  uint64_t cycles = 0;      // engine layers: from the timestamps around it
  double host_seconds = 0;  // host layers
};

struct BatchRun {
  std::vector<graph::Value> outputs;  // per graph output, in the model's layout
  std::vector<graph::Value> tensors;  // with every_tensor: every tensor's value
  std::vector<LayerRun> layers;       // per Program::layers
  uint64_t engine_cycles = 0;         // sum over the engine layers
  double host_seconds = 0;            // host layers, device memory copies, the runtime itself
  double engine_seconds = 0;          // wall time inside Engine::run (on a simulator: simulating)
  driver::Counters counters;          // with RunOptions::counters: the engine's, this batch
};

struct RunOptions {
  bool every_tensor = false;  // read back every tensor (a program without memory reuse)
  bool counters = false;      // read the engine's counters before and after (register reads)
};

class Runtime {
 public:
  Runtime(driver::Engine& engine, const Program& program);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  const Program& program() const { return program_; }

  // inputs: one Value per graph input holding batch x elements in the model's layout: f32
  // for a float32 input, or i8 already quantized with the model's input quantization (an
  // int8 input, a uint8 one minus 128, or a float32 input the model quantizes first). Outputs:
  // f32 for float32 outputs, i8 for int8 (uint8: add 128). Throws std::invalid_argument for
  // inputs of the wrong kind or size, before anything runs.
  BatchRun run(const std::vector<graph::Value>& inputs, const RunOptions& options = {});

 private:
  driver::Engine& engine_;
  const Program& program_;
  std::unique_ptr<driver::Buffer> regions_[kRegions];
  std::vector<isa::CommandStream> streams_;  // per segment, relocated
};

// The whole batch on the reference executor with the same inputs (Runtime::run's
// conventions): every tensor's value, the oracle for a run's tensors and outputs.
std::vector<graph::Value> reference(const Program& program,
                                    const std::vector<graph::Value>& inputs);

}  // namespace tessera::model
