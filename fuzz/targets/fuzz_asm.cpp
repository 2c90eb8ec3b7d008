// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the assembler and disassembler (tessera/isa.hpp). The first 64 bytes, as
// a command, must disassemble and check without fault, and - when the check passes, so its
// reserved bytes are zero - assemble back to the same bytes. The input as text, line by line,
// must assemble or be refused with std::invalid_argument; what assembles must disassemble to
// text that assembles to the same command.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include "tessera/isa.hpp"

using namespace tessera::isa;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  if (size >= kCommandBytes) {
    const Command c = Command::from_bytes(data);
    const std::string text = disassemble(c);
    if (check(c, BuildConfig{})) {
      if (!(assemble(text) == c)) __builtin_trap();
    }
  }
  std::istringstream lines(std::string(reinterpret_cast<const char*>(data), size));
  for (std::string line; std::getline(lines, line);) {
    Command c;
    try {
      c = assemble(line);
    } catch (const std::invalid_argument&) {
      continue;
    }
    if (!(assemble(disassemble(c)) == c)) __builtin_trap();
  }
  return 0;
}
