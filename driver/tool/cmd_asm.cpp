// SPDX-License-Identifier: Apache-2.0
// tessera asm: assembly text (one command per line, '#' comments) as a binary stream.
#include <fstream>

#include "commands.hpp"
#include "common.hpp"
#include "tessera/atomic_file.hpp"

namespace tessera::cli {

int run_asm(int argc, char** argv) {
  std::string in, out;
  po::options_description d("asm: text -> binary stream");
  d.add_options()("help,h", "show this help")("input", po::value(&in)->required(), "text file")(
      "output", po::value(&out)->required(), "binary stream to write");
  po::positional_options_description pos;
  pos.add("input", 1).add("output", 1);
  parse(argc, argv, d, pos, "asm TEXT STREAM");
  std::ifstream text(in);
  if (!text) throw std::runtime_error("cannot read " + in);
  std::string bytes, line;
  for (int number = 1; std::getline(text, line); ++number) {
    const auto hash = line.find('#');
    if (hash != std::string::npos) line.erase(hash);
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      const auto cmd = isa::assemble(line);
      bytes.append(reinterpret_cast<const char*>(cmd.bytes().data()), cmd.bytes().size());
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(in + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  write_file_atomically(out, bytes);
  return 0;
}

}  // namespace tessera::cli
