// SPDX-License-Identifier: Apache-2.0
// The network compiler: an imported model (onnx_import.hpp) becomes one Program for an
// engine build and a batch size.
//   - Passes: a 2x2 stride-2 max-pool after a convolution is fused into the convolution's
//     STORE.
//   - Placement: convolutions and dense layers run on the engine (plan_conv2d, plan_gemm);
//     everything else, and a layer the planners refuse, runs on the host, and the program
//     says why (Layer::reason).
//   - Memory: every weight and quantization table is packed once into the weights region;
//     every int8 activation has a place in the arena, reused once its last reader is done
//     (CompileOptions::reuse_memory).
//   - Fusion: an expansion 1x1 convolution and the depthwise layer that alone reads it run
//     as one plan (CompileOptions::fuse, Layer::fused).
//   - Streams: consecutive engine layers form one command stream (a Segment), with a
//     FENCE TIMESTAMP before each layer (a fused pair: one) and after the last, so that
//     layers follow each other on the engine without the host and each layer's cycles are
//     measured.
// Addresses in the streams are offsets into the three regions (weights, arena, timestamps)
// with a relocation per address, so the same bytes run wherever a backend's memory is
// (runtime.hpp relocates). A program can be saved and loaded (it carries its ONNX model).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/isa.hpp"
#include "tessera/model/onnx_import.hpp"

namespace tessera::model {

struct CompileOptions {
  uint32_t batch = 1;        // images per run, 1 .. 65535
  bool reuse_memory = true;  // false: every tensor keeps its own memory (to check each layer)
  // An expansion 1x1 convolution and the depthwise layer reading it as one plan where they
  // fit (driver/src/fused_plan.hpp): the expansion's output stays on chip.
  bool fuse = true;
};

enum class Region : uint8_t { kWeights = 0, kArena = 1, kTimestamps = 2 };
constexpr int kRegions = 3;
const char* region_name(Region r);

// The command's DRAM_ADDR (LOAD, STORE or FENCE) holds an offset into `region`.
struct Relocation {
  uint32_t command = 0;
  Region region = Region::kArena;
};

// One graph node, where it runs and what it costs per batch.
struct Layer {
  int node = -1;
  bool on_engine = false;
  std::string reason;                        // on the host: why
  uint32_t segment = 0;                      // on the engine: its stream, and its commands in it
  uint32_t first_command = 0, commands = 0;  // (from its timestamp fence on)
  uint32_t timestamp = 0;                    // the timestamp slot before it (slot + 1 after it)
  // Planned with the next layer (an expansion and its depthwise layer, CompileOptions::fuse):
  // its commands are both layers' (the next has none, and this one's timestamp slots), its
  // output never reaches host memory, and the span's cycles split by the FENCE records'
  // DW_BUSY: the depthwise unit's cycles the next layer's, the rest this one's.
  bool fused = false;
  uint64_t useful_macs = 0;      // the graph's multiply-accumulates
  uint64_t engine_macs = 0;      // those the engine performs (its MAC counter's share)
  uint64_t dma_read_bytes = 0;   // LOADs and the commands' own fetch
  uint64_t dma_write_bytes = 0;  // STOREs and the timestamp record
};

struct Segment {
  std::vector<isa::Command> commands;  // addresses as region offsets
  std::vector<Relocation> relocations;
  uint32_t first_layer = 0, layers = 0;  // indices into Program::layers
  uint32_t first_timestamp = 0;          // layers + 1 slots from here
};

struct Program {
  ImportedModel model;      // the graph after the compiler's passes
  std::string onnx;         // the model file's bytes (a saved program carries them)
  isa::BuildConfig config;  // the engine build it was compiled for
  CompileOptions options;
  std::vector<uint8_t> weights;       // the weights region: packed weights and tables
  uint64_t arena_bytes = 0;           // int8 activations for a batch
  uint32_t timestamps = 0;            // 16-byte records
  std::vector<int64_t> arena_offset;  // per tensor; -1: host memory only
  std::vector<Layer> layers;          // in execution order, one per graph node
  std::vector<Segment> segments;
  double compile_seconds = 0;  // 0 for a loaded program

  uint64_t device_bytes() const;  // weights + arena + timestamps
  // Writes the program (atomically); load() checks its format, its checksum, the model it
  // carries and that recompiling that model's graph gives the same layers.
  void save(const std::string& path) const;
  static Program load(const std::string& path);
};

// Compiles the model in `onnx` (bytes of an ONNX file; `source` names it in messages).
// Throws ModelError for a model it cannot import, std::invalid_argument for bad options.
Program compile(const std::string& onnx, const std::string& source, const isa::BuildConfig& config,
                const CompileOptions& options);
// Reads and compiles a file; ModelError if it cannot be read.
Program compile_file(const std::string& path, const isa::BuildConfig& config,
                     const CompileOptions& options);

// The compiler's passes on an imported graph (prepare_graph() runs them all; compile() and
// Program::load call it):
// - fuse_max_pool: each 2x2 stride-2 unpadded max-pool whose input is a convolution's output
//   read by nothing else becomes that convolution's max_pool_2x2;
// - pad_on_host: a padded convolution with few input channels (C <= 4, the taps packed into
//   K) whose input the host writes anyway (a layout change or a quantization) reads a copy
//   the host pads with the zero point (a graph::Pad before it, the convolution's padding
//   then 0): the engine then cuts every pixel's windows in a few long transfers instead of
//   clipping those at the image's edges one by one. Bit-exact: padding is the zero point.
void fuse_max_pool(graph::Graph& g);
void pad_on_host(graph::Graph& g);
void prepare_graph(graph::Graph& g);

}  // namespace tessera::model
