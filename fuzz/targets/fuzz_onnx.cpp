// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: the ONNX import (tessera/model/onnx_import.hpp). Any input is imported -
// into a graph that validates - or refused with a ModelError (std::invalid_argument) naming
// what is wrong; nothing else.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "tessera/model/onnx_import.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  try {
    const auto m = tessera::model::import_onnx(
        std::string(reinterpret_cast<const char*>(data), size), "input.onnx");
    (void)m;
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
