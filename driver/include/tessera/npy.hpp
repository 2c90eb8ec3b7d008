// SPDX-License-Identifier: Apache-2.0
// NumPy .npy files (format 1.0-3.0) of int8, uint8, int32, int64 or float32 in C order
// (little-endian): the CLI's tensors and the model runtime's inputs and outputs, so
// that data moves to and from NumPy and PyTorch with no glue. Errors name the file and what
// is wrong with it; writes go to a temporary file renamed into place, so a failed write
// leaves nothing behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

namespace tessera::npy {

struct Array {
  std::string dtype;  // NumPy's kind and size: "i1", "u1", "i4", "i8" or "f4"
  std::vector<std::size_t> shape;
  std::vector<uint8_t> data;  // little-endian elements, C order

  std::size_t elements() const;
  // The values, or std::invalid_argument naming `what` and the dtype it has.
  std::vector<int8_t> as_int8(const std::string& what) const;       // int8
  std::vector<int32_t> as_int32(const std::string& what) const;     // int8 or int32
  std::vector<float> as_float32(const std::string& what) const;     // float32
  std::vector<int64_t> as_integers(const std::string& what) const;  // any integer dtype
};

// "int8", "uint8", "int32", "int64", "float32" for a dtype above.
std::string dtype_name(const std::string& dtype);

// Reads a .npy file; tessera::InputError naming the file and what is wrong with it. The header
// is parsed as the format's specification defines it; sizes are checked (no wrap, at most
// 2^36 elements, no more than the file holds) before anything is allocated.
Array load(const std::string& path);
// The same from a stream; `name` names it in errors.
Array parse(std::istream& in, const std::string& name);
void save(const std::string& path, const Array& array);
Array from(const std::vector<int8_t>& values, std::vector<std::size_t> shape);
Array from(const std::vector<int32_t>& values, std::vector<std::size_t> shape);
Array from(const std::vector<float>& values, std::vector<std::size_t> shape);
Array from(const std::vector<uint8_t>& values, std::vector<std::size_t> shape);

}  // namespace tessera::npy
