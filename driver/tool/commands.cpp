// SPDX-License-Identifier: Apache-2.0
// The table of the tessera tool's subcommands; see commands.hpp.
#include "commands.hpp"

#include <iterator>

namespace tessera::cli {

const Subcommand kSubcommands[] = {
    {"info", "[options]", "the device, its configuration and counters", run_info},
    {"gemm", "[--a A.npy --b B.npy | --m M --k K --n N] [options]",
     "int8 GEMM (A.npy, B.npy or random), requantized or int32", run_gemm},
    {"conv2d", "[--input X.npy --weights W.npy | --h H --w W --c C --oc OC] [options]",
     "int8 NHWC convolution (input.npy, weights.npy or random)", run_conv2d},
    {"model", "info|compile|run MODEL [options]",
     "whole int8 networks from ONNX: inspect, compile, run (accuracy, images/s, per layer)",
     run_model},
    {"train", "[--epochs N] [--batch B] [--lr LR] [--out MODEL.onnx] [options]",
     "train the CNN on Fashion-MNIST, forward and backward passes on the device", run_train},
    {"run", "RECORDING [--out OUT.npy] [options]",
     "replay a recording (--record), compare its outputs, cycles as recorded", run_run},
    {"asm", "TEXT STREAM", "assemble command text into a binary command stream", run_asm},
    {"disasm", "STREAM [TEXT]", "disassemble a command stream or recording into text", run_disasm},
    {"bench", "[--quick] [options]",
     "512^3 GEMM and ResNet-like 3x3 convolutions: cycles, utilization, host time", run_bench},
    {"selftest", "[--count N] [options]", "random operations against the reference model",
     run_selftest},
    {"coretest", "--serial /dev/ttyUSB1 [options]",
     "random GEMMs on a board's bare core over a serial port (the iCEBreaker)", run_coretest},
};
const std::size_t kSubcommandCount = std::size(kSubcommands);

}  // namespace tessera::cli
