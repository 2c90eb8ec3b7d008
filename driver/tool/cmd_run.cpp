// SPDX-License-Identifier: Apache-2.0
// tessera run: replays a recording (--record) - its inputs, its command stream - and compares
// the outputs with the recorded ones.
#include <chrono>

#include "commands.hpp"
#include "common.hpp"
#include "tessera/atomic_file.hpp"

namespace tessera::cli {

int run_run(int argc, char** argv) {
  Common c;
  std::string path, out_path;
  auto d = common_options(c);
  d.add_options()("recording", po::value(&path)->required(), "a file from --record")(
      "out", po::value(&out_path),
      "write the outputs read back as .npy: their bytes as int8 (NumPy: .view('<i4') for "
      "int32 results); with several output regions OUT_0.npy, OUT_1.npy, ...");
  po::positional_options_description pos;
  pos.add("recording", 1);
  parse(argc, argv, d, pos, "run RECORDING [--out OUT.npy] [options]");
  const auto rec = driver::Recording::load(path);
  // The output files' names, checked before anything runs.
  std::vector<std::string> out_files;
  if (!out_path.empty()) {
    const std::string stem =
        out_path.size() > 4 && out_path.compare(out_path.size() - 4, 4, ".npy") == 0
            ? out_path.substr(0, out_path.size() - 4)
            : out_path;
    for (std::size_t i = 0; i < rec.outputs.size(); ++i)
      out_files.push_back(rec.outputs.size() == 1 ? stem + ".npy"
                                                  : stem + "_" + std::to_string(i) + ".npy");
    for (const auto& f : out_files) require_writable(f);
  }
  Session s(c);
  auto& e = *s.engine;
  for (const auto* regions : {&rec.inputs, &rec.outputs}) {
    for (const auto& reg : *regions) {
      try {
        e.device().require_in_memory(reg.addr, reg.bytes.size());
      } catch (const std::out_of_range& err) {
        throw std::invalid_argument(path +
                                    ": a recorded region does not fit this device: " + err.what());
      }
    }
  }
  for (const auto& reg : rec.inputs) e.write(reg.addr, reg.bytes.data(), reg.bytes.size());
  isa::CommandStream stream = e.new_stream();
  for (const auto& cmd : rec.commands) stream.push(cmd);
  const auto t0 = std::chrono::steady_clock::now();
  e.run(stream);
  const double wall = seconds_since(t0);
  std::size_t bytes = 0, bad = 0;
  for (std::size_t o = 0; o < rec.outputs.size(); ++o) {
    const auto& reg = rec.outputs[o];
    std::vector<uint8_t> got(reg.bytes.size());
    e.read(reg.addr, got.data(), got.size());
    bytes += got.size();
    for (std::size_t i = 0; i < got.size(); ++i) bad += got[i] != reg.bytes[i];
    if (!out_files.empty())
      save_npy(out_files[o], std::vector<int8_t>(got.begin(), got.end()), {got.size()});
  }
  Report r;
  r.add("commands", "commands", rec.commands.size());
  add_run_report(r, e, kCountedMacs, c.clock_mhz, wall);
  r.add("output_bytes", "recorded output bytes", bytes);
  r.add("mismatches", "output bytes differing from the recording", bad);
  r.print(c.json);
  return bad ? 1 : 0;
}

}  // namespace tessera::cli
