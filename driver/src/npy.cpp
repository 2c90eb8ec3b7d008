// SPDX-License-Identifier: Apache-2.0
// .npy reading and writing; see npy.hpp. The format: "\x93NUMPY", major and minor version,
// a little-endian header length (2 bytes in 1.0, 4 in 2.0 and 3.0), then a Python dict
// literal {'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), } padded to 64 bytes.
#include "tessera/npy.hpp"

#include <cstdio>
#include <cstring>
#include <fstream>
#include <istream>
#include <stdexcept>

#include "tessera/atomic_file.hpp"
#include "tessera/checks.hpp"

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
    if (!data.empty()) std::memcpy(out.data(), data.data(), data.size());
  } else {
    throw std::invalid_argument(what + " must be int8 or int32; it is " + dtype_name(dtype));
  }
  return out;
}

std::vector<float> Array::as_float32(const std::string& what) const {
  if (dtype != "f4")
    throw std::invalid_argument(what + " must be float32; it is " + dtype_name(dtype));
  std::vector<float> out(elements());
  if (!data.empty()) std::memcpy(out.data(), data.data(), data.size());
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

namespace {

// The header's dict, read as the format's specification defines it: a Python literal
// {'descr': <str>, 'fortran_order': <bool>, 'shape': <tuple of ints>}, those three keys once
// each, in any order, then spaces and a newline. Anything else is refused, naming it.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& name) : t_(text), name_(name) {}

  void parse(std::string& descr, bool& fortran, std::vector<std::size_t>& shape) {
    bool have_descr = false, have_fortran = false, have_shape = false;
    expect('{');
    while (true) {
      skip();
      if (peek() == '}') break;
      const std::string key = string_literal("a key");
      skip();
      expect(':');
      skip();
      if (key == "descr") {
        once(have_descr, key);
        descr = string_literal("'descr'");
      } else if (key == "fortran_order") {
        once(have_fortran, key);
        fortran = boolean();
      } else if (key == "shape") {
        once(have_shape, key);
        shape = tuple();
      } else {
        fail("unknown key '" + key + "' (a .npy header has 'descr', 'fortran_order', 'shape')");
      }
      skip();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      if (peek() != '}') fail("expected ',' or '}' after the value of '" + key + "'");
    }
    ++at_;
    if (t_.find_first_not_of(" \n", at_) != std::string::npos)
      fail("text after the header's closing '}'");
    if (!have_descr || !have_fortran || !have_shape) {
      fail(std::string("the header lacks ") + (!have_descr     ? "'descr'"
                                               : !have_fortran ? "'fortran_order'"
                                                               : "'shape'"));
    }
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError(name_ + ": .npy header: " + what);
  }
  char peek() const { return at_ < t_.size() ? t_[at_] : '\0'; }
  void skip() {
    while (peek() == ' ') ++at_;
  }
  void expect(char c) {
    skip();
    if (peek() != c) fail(std::string("expected '") + c + "' at byte " + std::to_string(at_));
    ++at_;
  }
  void once(bool& seen, const std::string& key) {
    if (seen) fail("'" + key + "' appears twice");
    seen = true;
  }
  std::string string_literal(const char* what) {
    const char quote = peek();
    if (quote != '\'' && quote != '"') fail(std::string("expected a string for ") + what);
    const std::size_t end = t_.find(quote, at_ + 1);
    if (end == std::string::npos) fail(std::string("unterminated string for ") + what);
    std::string v = t_.substr(at_ + 1, end - at_ - 1);
    if (v.find('\\') != std::string::npos) fail(std::string("escapes in the string for ") + what);
    at_ = end + 1;
    return v;
  }
  bool boolean() {
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      if (t_.compare(at_, std::strlen(word), word) == 0) {
        at_ += std::strlen(word);
        return value;
      }
    }
    fail("'fortran_order' must be True or False");
  }
  // A tuple of non-negative integers: () for a scalar, (n,) for one dimension.
  std::vector<std::size_t> tuple() {
    std::vector<std::size_t> dims;
    expect('(');
    bool comma = false;
    while (true) {
      skip();
      if (peek() == ')') break;
      const std::size_t start = at_;
      while (peek() >= '0' && peek() <= '9') ++at_;
      const std::string digits = t_.substr(start, at_ - start);
      if (digits.empty() || digits.size() > 12 ||
          (peek() != ' ' && peek() != ',' && peek() != ')')) {
        const std::size_t end = t_.find_first_of(",)", start);
        fail("shape entry '" + t_.substr(start, end == std::string::npos ? 8 : end - start) +
             "' is not a dimension (a non-negative integer)");
      }
      dims.push_back(std::stoull(digits));
      skip();
      comma = peek() == ',';
      if (comma) {
        ++at_;
      } else if (peek() != ')') {
        fail("shape entries must be separated by ','");
      }
    }
    ++at_;
    if (dims.size() == 1 && !comma)
      fail("shape (" + std::to_string(dims[0]) + ") is not a tuple; write (" +
           std::to_string(dims[0]) + ",)");
    return dims;
  }

  const std::string& t_;
  const std::string& name_;
  std::size_t at_ = 0;
};

}  // namespace

Array parse(std::istream& in, const std::string& name) {
  char magic[8] = {};
  in.read(magic, 8);
  if (!in || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    throw InputError(name + " is not a .npy file");
  const int major = uint8_t(magic[6]);
  if (major < 1 || major > 3)
    throw InputError(name + ": unsupported .npy version " + std::to_string(major));
  unsigned char len[4] = {};
  in.read(reinterpret_cast<char*>(len), major == 1 ? 2 : 4);
  if (!in) throw InputError(name + ": truncated .npy header");
  const uint32_t header_len =
      len[0] | len[1] << 8 | (major == 1 ? 0 : (len[2] << 16 | uint32_t(len[3]) << 24));
  if (header_len > 1 << 20) {
    throw InputError(name + ": .npy header of " + std::to_string(header_len) +
                     " bytes (at most 1 MiB)");
  }
  std::string header(header_len, '\0');
  in.read(header.data(), header_len);
  if (!in) throw InputError(name + ": truncated .npy header");

  std::string descr;
  bool fortran = false;
  Array a;
  HeaderParser(header, name).parse(descr, fortran, a.shape);
  const std::string kind = descr.size() > 1 ? descr.substr(1) : descr;
  const DtypeInfo* info = descr.empty() ? nullptr : find_dtype(kind);
  if (!info || std::string("<>|=").find(descr[0]) == std::string::npos ||
      (info->bytes > 1 && descr[0] == '>')) {
    throw InputError(name + ": dtype '" + descr +
                     "' is not supported; use int8, uint8 or little-endian int32, "
                     "int64 or float32");
  }
  if (fortran) throw InputError(name + ": Fortran-order arrays are not supported; save in C order");
  a.dtype = kind;
  // The size, without wrapping, against a sane limit and then against what the file holds,
  // before anything is allocated.
  constexpr std::size_t kMaxElements = std::size_t(1) << 36;
  std::size_t elements = 1;
  for (std::size_t d : a.shape) {
    if (d != 0 && elements > kMaxElements / d) {
      throw InputError(name + ": .npy shape " + shape_text(a.shape) +
                       " has more than 2^36 elements");
    }
    elements *= d;
  }
  const std::size_t bytes = elements * info->bytes;
  const auto here = in.tellg();
  in.seekg(0, std::ios::end);
  const auto end = in.tellg();
  in.seekg(here);
  if (here < 0 || end < here || std::size_t(end - here) < bytes) {
    throw InputError(name + ": holds fewer than the " + std::to_string(elements) +
                     " elements its header announces (shape " + shape_text(a.shape) + ")");
  }
  a.data.resize(bytes);
  if (bytes) in.read(reinterpret_cast<char*>(a.data.data()), std::streamsize(bytes));
  if (!in) throw InputError(name + ": truncated .npy data");
  return a;
}

Array load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError("cannot read " + path);
  return parse(in, path);
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
