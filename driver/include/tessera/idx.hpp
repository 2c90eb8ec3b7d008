// SPDX-License-Identifier: Apache-2.0
// IDX files (the MNIST / Fashion-MNIST format), plain or gzip-compressed: a big-endian
// magic {0, 0, type, rank}, the rank's u32 dimensions, then the elements in C order. Read as
// an npy::Array so that the tools take data sets and .npy files alike (type 0x08 uint8 and
// 0x09 int8 only). Errors name the file and what is wrong with it.
#pragma once

#include <string>

#include "tessera/npy.hpp"

namespace tessera::idx {

npy::Array load(const std::string& path);

// True when the file starts like an IDX file (after decompression).
bool looks_like_idx(const std::string& path);

}  // namespace tessera::idx
