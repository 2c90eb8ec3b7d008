// NumPy .npy files (format 1.0-3.0) of int8 or int32 in C order: the CLI's tensors, so
// that data moves to and from NumPy and PyTorch with no glue. Errors name the file and what
// is wrong with it; writes go to a temporary file renamed into place, so a failed write
// leaves nothing behind.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace tessera::npy {

struct Array {
  std::string dtype;  // "i1" or "i4"
  std::vector<std::size_t> shape;
  std::vector<uint8_t> data;  // little-endian elements, C order

  std::size_t elements() const;
  std::vector<int8_t> as_int8(const std::string& what) const;    // throws if not int8
  std::vector<int32_t> as_int32(const std::string& what) const;  // int8 or int32
};

Array load(const std::string& path);
void save(const std::string& path, const Array& array);
Array from(const std::vector<int8_t>& values, std::vector<std::size_t> shape);
Array from(const std::vector<int32_t>& values, std::vector<std::size_t> shape);

}  // namespace tessera::npy
