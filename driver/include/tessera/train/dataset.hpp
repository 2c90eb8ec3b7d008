// SPDX-License-Identifier: Apache-2.0
// Fashion-MNIST (or MNIST) for training: IDX image and label files (Debian's
// dataset-fashion-mnist installs them under /usr/share/datasets/fashion-mnist), the images
// as floats in [0, 1] (pixel / 255).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/train/cnn.hpp"

namespace tessera::train {

inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct Dataset {
  std::vector<float> images;  // count x 28 x 28
  std::vector<uint8_t> labels;
  std::size_t count() const { return labels.size(); }
  Batch batch(std::size_t first, std::size_t count) const;
  // The images `order[first ..]` gathered into `images` / `labels` (a shuffled batch).
  Batch gather(const std::vector<uint32_t>& order, std::size_t first, std::size_t count,
               std::vector<float>& images_out, std::vector<uint8_t>& labels_out) const;
};

// Reads an image file (N x 28 x 28 unsigned bytes) and its label file (N values in 0 .. 9),
// the first `limit` of them (0: all). tessera::InputError naming the file and what is
// wrong: missing, not IDX, another shape, counts that differ, a label out of range.
Dataset load_dataset(const std::string& images_path, const std::string& labels_path,
                     std::size_t limit = 0);

// A seeded permutation of 0 .. n-1 (Fisher-Yates with the generator's own bits, so that it
// is the same on every platform).
std::vector<uint32_t> shuffled(std::size_t n, uint64_t seed);

}  // namespace tessera::train
