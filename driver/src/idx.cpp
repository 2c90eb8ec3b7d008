// SPDX-License-Identifier: Apache-2.0
// IDX reading through zlib's gz* functions (which read uncompressed files as they are).
#include "tessera/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <type_traits>

#include "tessera/checks.hpp"

namespace tessera::idx {
namespace {

struct GzCloser {
  void operator()(gzFile f) const { gzclose(f); }
};
using Gz = std::unique_ptr<std::remove_pointer_t<gzFile>, GzCloser>;

Gz open(const std::string& path) {
  Gz f(gzopen(path.c_str(), "rb"));
  if (!f) throw InputError("cannot read " + path);
  return f;
}

bool read(gzFile f, void* dst, std::size_t bytes) {
  auto* p = static_cast<uint8_t*>(dst);
  while (bytes > 0) {
    const unsigned chunk = unsigned(std::min<std::size_t>(bytes, 1u << 30));
    const int got = gzread(f, p, chunk);
    if (got <= 0) return false;
    p += got;
    bytes -= std::size_t(got);
  }
  return true;
}

}  // namespace

bool looks_like_idx(const std::string& path) {
  Gz f(gzopen(path.c_str(), "rb"));
  uint8_t magic[4];
  return f && read(f.get(), magic, 4) && magic[0] == 0 && magic[1] == 0 &&
         (magic[2] == 0x08 || magic[2] == 0x09) && magic[3] >= 1 && magic[3] <= 4;
}

npy::Array load(const std::string& path) {
  Gz f = open(path);
  uint8_t magic[4];
  if (!read(f.get(), magic, 4) || magic[0] != 0 || magic[1] != 0) {
    throw InputError(path + " is not an IDX file");
  }
  if (magic[2] != 0x08 && magic[2] != 0x09) {
    throw InputError(path + ": IDX element type 0x" + std::to_string(magic[2]) +
                     " is not supported (0x08 uint8, 0x09 int8)");
  }
  if (magic[3] < 1 || magic[3] > 4) {
    throw InputError(path + ": IDX rank " + std::to_string(magic[3]) + " is not 1 .. 4");
  }
  npy::Array a;
  a.dtype = magic[2] == 0x08 ? "u1" : "i1";
  for (int i = 0; i < magic[3]; ++i) {
    uint8_t d[4];
    if (!read(f.get(), d, 4)) throw InputError(path + ": truncated IDX header");
    a.shape.push_back(std::size_t(d[0]) << 24 | std::size_t(d[1]) << 16 | std::size_t(d[2]) << 8 |
                      d[3]);
  }
  if (a.elements() > (std::size_t(1) << 36)) throw InputError(path + ": implausible IDX shape");
  a.data.resize(a.elements());
  if (!read(f.get(), a.data.data(), a.data.size())) {
    throw InputError(path + ": holds fewer than the " + std::to_string(a.elements()) +
                     " elements its header announces");
  }
  return a;
}

}  // namespace tessera::idx
