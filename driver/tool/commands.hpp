// SPDX-License-Identifier: Apache-2.0
// The tessera tool's subcommands: one table (commands.cpp) from which main() dispatches and
// prints the usage and the list of commands. A new subcommand is a file cmd_<name>.cpp with
// its run function, a line in the table and a line in CMakeLists.txt.
#pragma once

#include <cstddef>

namespace tessera::cli {

struct Subcommand {
  const char* name;
  const char* synopsis;               // what follows the name in the usage line
  const char* summary;                // one line for `tessera --help`
  int (*run)(int argc, char** argv);  // argv[0] is the subcommand's name
};

extern const Subcommand kSubcommands[];
extern const std::size_t kSubcommandCount;

int run_info(int argc, char** argv);
int run_gemm(int argc, char** argv);
int run_conv2d(int argc, char** argv);
int run_model(int argc, char** argv);
int run_run(int argc, char** argv);
int run_asm(int argc, char** argv);
int run_disasm(int argc, char** argv);
int run_bench(int argc, char** argv);
int run_selftest(int argc, char** argv);
int run_coretest(int argc, char** argv);
int run_train(int argc, char** argv);

}  // namespace tessera::cli
