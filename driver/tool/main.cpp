// SPDX-License-Identifier: Apache-2.0
// tessera: the command-line tool (docs/driver.md).
//
//   tessera <command> [options]      the commands: commands.cpp (tessera --help lists them)
//   tessera --version                the release, the ISA, the default engine, the devices
//
// Tensors come in and go out as NumPy .npy files (int8/int32, C order); without an input
// file, random tensors from --seed. Errors are one line on stderr and a non-zero status: 2
// for bad usage or bad input, 1 for an operation that failed. No partial output file is left
// behind.
#include <cstdio>
#include <cstring>
#include <exception>
#include <iostream>
#include <string>

#include "commands.hpp"
#include "common.hpp"
#include "tessera/default_engine.hpp"
#include "tessera/isa.hpp"
#include "tessera/open_device.hpp"
#include "tessera/regs.hpp"

namespace {

using tessera::cli::kSubcommandCount;
using tessera::cli::kSubcommands;

void print_usage() {
  std::cout << "usage: tessera <command> [options]   (tessera <command> --help for its options,\n"
               "       tessera --version)\n";
  for (std::size_t i = 0; i < kSubcommandCount; ++i)
    std::printf("  %-10s %s\n", kSubcommands[i].name, kSubcommands[i].summary);
}

std::string command_names() {
  std::string names;
  for (std::size_t i = 0; i < kSubcommandCount; ++i)
    names += std::string(i ? ", " : "") + kSubcommands[i].name;
  return names;
}

}  // namespace

// "tessera 0.1.0, ISA 1; default engine 16x16, 128-bit AXI, ...; devices: sim, fsim, ..."
void print_version() {
  namespace regs = tessera::regs;
  namespace d = tessera::defaults;
  std::string devices;
  for (const auto& b : tessera::driver::backends())
    devices += (devices.empty() ? "" : ", ") + b.kind;
  std::printf(
      "tessera %u.%u.%u, ISA %u; default engine %ux%u, %u-bit AXI, %u KiB scratchpad, "
      "%u KiB accumulator, %u table entries; devices: %s\n",
      regs::kHardwareMajor, regs::kHardwareMinor, regs::kHardwarePatch, tessera::isa::kVersion,
      d::kNumRows, d::kNumCols, d::kBusWidth, d::kScratchpadBytes / 1024,
      d::kAccumulatorBytes / 1024, d::kQTableEntries, devices.c_str());
}

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--version") == 0) {
    print_version();
    return 0;
  }
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    print_usage();
    return argc < 2 ? 2 : 0;
  }
  const std::string command = argv[1];
  try {
    for (std::size_t i = 0; i < kSubcommandCount; ++i) {
      if (command == kSubcommands[i].name) return kSubcommands[i].run(argc - 1, argv + 1);
    }
    throw tessera::cli::UsageError("unknown command '" + command + "' (" + command_names() + ")");
  } catch (const std::invalid_argument& e) {  // bad usage or bad input
    std::fprintf(stderr, "tessera: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {  // an operation that failed
    std::fprintf(stderr, "tessera: error: %s\n", e.what());
    return 1;
  }
}
