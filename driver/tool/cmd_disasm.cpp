// SPDX-License-Identifier: Apache-2.0
// tessera disasm: a binary command stream (or a recording's) as assembly text.
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "commands.hpp"
#include "common.hpp"
#include "tessera/atomic_file.hpp"
#include "tessera/checks.hpp"

namespace tessera::cli {
namespace {

std::vector<isa::Command> read_stream(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  char magic[4] = {};
  in.read(magic, 4);
  if (in.gcount() == 4 && std::string(magic, 4) == "TSRA")
    return driver::Recording::load(path).commands;
  in.clear();  // a file shorter than the magic hit its end
  in.seekg(0);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  if (bytes.size() % isa::kCommandBytes) {
    throw InputError(path + " holds " + std::to_string(bytes.size()) +
                     " bytes, not a whole number of 64-byte commands");
  }
  std::vector<isa::Command> out;
  for (std::size_t i = 0; i < bytes.size(); i += isa::kCommandBytes)
    out.push_back(isa::Command::from_bytes(&bytes[i]));
  return out;
}

}  // namespace

int run_disasm(int argc, char** argv) {
  std::string in, out;
  po::options_description d("disasm: binary stream (or recording) -> text");
  d.add_options()("help,h", "show this help")("input", po::value(&in)->required(), "stream file")(
      "output", po::value(&out), "text file (default: standard output)");
  po::positional_options_description pos;
  pos.add("input", 1).add("output", 1);
  parse(argc, argv, d, pos, "disasm STREAM [TEXT]");
  std::ostringstream text;
  for (const auto& cmd : read_stream(in)) text << isa::disassemble(cmd) << "\n";
  if (out.empty())
    std::cout << text.str();
  else
    write_file_atomically(out, text.str());
  return 0;
}

}  // namespace tessera::cli
