// .npy reading and writing; see npy.hpp. The format: "\x93NUMPY", major and minor version,
// a little-endian header length (2 bytes in 1.0, 4 in 2.0 and 3.0), then a Python dict
// literal {'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), } padded to 64 bytes.
#include "tessera/npy.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "tessera/atomic_file.hpp"

namespace tessera::npy {
namespace {

// The dtypes read and written: kind and size as in NumPy's descr, and the descr written.
struct DtypeInfo {
  const char* kind;
  std::size_t bytes;
  const char* descr;
  const char* name;
};
constexpr DtypeInfo kDtypes[] = {{"i1", 1, "|i1", "int8"},
                                 {"u1", 1, "|u1", "uint8"},
                                 {"i4", 4, "<i4", "int32"},
                                 {"i8", 8, "<i8", "int64"},
                                 {"f4", 4, "<f4", "float32"}};

const DtypeInfo* find_dtype(const std::string& kind) {
  for (const auto& d : kDtypes) {
    if (kind == d.kind) return &d;
  }
  return nullptr;
}

std::size_t element_bytes(const std::string& dtype) { return find_dtype(dtype)->bytes; }

std::string shape_text(const std::vector<std::size_t>& shape) {
  if (shape.size() == 1) return "(" + std::to_string(shape[0]) + ",)";
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + ")";
}

}  // namespace

std::size_t Array::elements() const {
  std::size_t n = 1;
  for (std::size_t d : shape) n *= d;
  return n;
}

std::string dtype_name(const std::string& dtype) {
  const DtypeInfo* d = find_dtype(dtype);
  return d ? d->name : dtype;
}

std::vector<int8_t> Array::as_int8(const std::string& what) const {
  if (dtype != "i1")
    throw std::invalid_argument(what + " must be int8; it is " + dtype_name(dtype));
  return std::vector<int8_t>(data.begin(), data.end());
}

std::vector<int32_t> Array::as_int32(const std::string& what) const {
  std::vector<int32_t> out(elements());
  if (dtype == "i1") {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = int8_t(data[i]);
  } else if (dtype == "i4") {
    std::memcpy(out.data(), data.data(), data.size());
  } else {
    throw std::invalid_argument(what + " must be int8 or int32; it is " + dtype_name(dtype));
  }
  return out;
}

std::vector<float> Array::as_float32(const std::string& what) const {
  if (dtype != "f4")
    throw std::invalid_argument(what + " must be float32; it is " + dtype_name(dtype));
  std::vector<float> out(elements());
  std::memcpy(out.data(), data.data(), data.size());
  return out;
}

std::vector<int64_t> Array::as_integers(const std::string& what) const {
  std::vector<int64_t> out(elements());
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (dtype == "i1") {
      out[i] = int8_t(data[i]);
    } else if (dtype == "u1") {
      out[i] = data[i];
    } else if (dtype == "i4") {
      int32_t v;
      std::memcpy(&v, &data[4 * i], 4);
      out[i] = v;
    } else if (dtype == "i8") {
      std::memcpy(&out[i], &data[8 * i], 8);
    } else {
      throw std::invalid_argument(what + " must be integers; it is " + dtype_name(dtype));
    }
  }
  return out;
}

Array load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  char magic[8] = {};
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw std::runtime_error(path + " is not a .npy file");
  const int major = uint8_t(magic[6]);
  uint32_t header_len = 0;
  unsigned char len[4] = {};
  in.read(reinterpret_cast<char*>(len), major == 1 ? 2 : 4);
  if (!in || major < 1 || major > 3)
    throw std::runtime_error(path + ": unsupported .npy version " + std::to_string(major));
  header_len = len[0] | len[1] << 8 | (major == 1 ? 0 : (len[2] << 16 | uint32_t(len[3]) << 24));
  if (header_len > 1 << 20) throw std::runtime_error(path + ": implausible .npy header");
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (!in) throw std::runtime_error(path + ": truncated .npy header");

  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([<>|=])([a-z])(\d+)')")))
    throw std::runtime_error(path + ": .npy header without 'descr'");
  const std::string kind = m[2].str() + m[3].str();
  const DtypeInfo* info = find_dtype(kind);
  if (!info || (info->bytes > 1 && m[1] == ">")) {
    throw std::runtime_error(path + ": dtype '" + m[1].str() + kind +
                             "' is not supported; use int8, uint8 or little-endian int32, "
                             "int64 or float32");
  }
  if (std::regex_search(header, std::regex(R"('fortran_order'\s*:\s*True)")))
    throw std::runtime_error(path + ": Fortran-order arrays are not supported; save in C order");
  if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
    throw std::runtime_error(path + ": .npy header without 'shape'");
  Array a;
  a.dtype = kind;
  std::stringstream dims(m[1].str());
  std::string item;
  while (std::getline(dims, item, ',')) {
    if (item.find_first_not_of(" ") == std::string::npos) continue;
    const std::size_t at = item.find_first_not_of(" ");
    if (item.find_first_not_of("0123456789 ") != std::string::npos || item.size() - at > 12) {
      throw std::runtime_error(path + ": .npy shape entry '" + item + "' is not a dimension");
    }
    a.shape.push_back(std::stoull(item));
  }
  if (a.elements() > (std::size_t(1) << 36)) {
    throw std::runtime_error(path + ": implausible .npy shape (" + std::to_string(a.elements()) +
                             " elements)");
  }
  a.data.resize(a.elements() * element_bytes(kind));
  in.read(reinterpret_cast<char*>(a.data.data()), std::streamsize(a.data.size()));
  if (!in) {
    throw std::runtime_error(path + ": holds fewer than the " + std::to_string(a.elements()) +
                             " elements its header announces");
  }
  return a;
}

void save(const std::string& path, const Array& a) {
  const DtypeInfo* info = find_dtype(a.dtype);
  if (!info) throw std::invalid_argument("npy::save: dtype '" + a.dtype + "' is not supported");
  std::string header = "{'descr': '" + std::string(info->descr) +
                       "', 'fortran_order': False, 'shape': " + shape_text(a.shape) + ", }";
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  write_file_atomically(path, [&](std::ostream& out) {
    out.write("\x93NUMPY\x01\x00", 8);
    const uint16_t len = uint16_t(header.size());
    out.put(char(len & 0xff)).put(char(len >> 8));
    out.write(header.data(), std::streamsize(header.size()));
    out.write(reinterpret_cast<const char*>(a.data.data()), std::streamsize(a.data.size()));
  });
}

namespace {

// The values' little-endian bytes (the host's order: x86 and Arm are little-endian).
template <typename T>
Array array_of(const char* dtype, const std::vector<T>& values, std::vector<std::size_t> shape) {
  Array a;
  a.dtype = dtype;
  a.shape = std::move(shape);
  a.data.resize(sizeof(T) * values.size());
  if (!values.empty()) std::memcpy(a.data.data(), values.data(), a.data.size());
  return a;
}

}  // namespace

Array from(const std::vector<int8_t>& values, std::vector<std::size_t> shape) {
  return array_of("i1", values, std::move(shape));
}
Array from(const std::vector<int32_t>& values, std::vector<std::size_t> shape) {
  return array_of("i4", values, std::move(shape));
}
Array from(const std::vector<float>& values, std::vector<std::size_t> shape) {
  return array_of("f4", values, std::move(shape));
}
Array from(const std::vector<uint8_t>& values, std::vector<std::size_t> shape) {
  return array_of("u1", values, std::move(shape));
}

}  // namespace tessera::npy
