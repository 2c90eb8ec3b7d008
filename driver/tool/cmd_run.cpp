// SPDX-License-Identifier: Apache-2.0
// tessera run: replays a recording (--record) - its inputs, its command stream - and compares
// the outputs with the recorded ones.
#include <chrono>

#include "commands.hpp"
#include "common.hpp"

namespace tessera::cli {

int run_run(int argc, char** argv) {
  Common c;
  std::string path;
  auto d = common_options(c);
  d.add_options()("recording", po::value(&path)->required(), "a file from --record");
  po::positional_options_description pos;
  pos.add("recording", 1);
  parse(argc, argv, d, pos, "run RECORDING [options]");
  const auto rec = driver::Recording::load(path);
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
  for (const auto& reg : rec.outputs) {
    std::vector<uint8_t> got(reg.bytes.size());
    e.read(reg.addr, got.data(), got.size());
    bytes += got.size();
    for (std::size_t i = 0; i < got.size(); ++i) bad += got[i] != reg.bytes[i];
  }
  Report r;
  r.add("commands", "commands", rec.commands.size());
  add_run_report(r, e, e.counters()[regs::Counter::kMacs], c.clock_mhz, wall);
  r.add("output_bytes", "recorded output bytes", bytes);
  r.add("mismatches", "output bytes differing from the recording", bad);
  r.print(c.json);
  return bad ? 1 : 0;
}

}  // namespace tessera::cli
