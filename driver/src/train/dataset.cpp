// SPDX-License-Identifier: Apache-2.0
// Training data; see dataset.hpp.
#include "tessera/train/dataset.hpp"

#include <algorithm>
#include <filesystem>
#include <random>

#include "tessera/checks.hpp"
#include "tessera/idx.hpp"

namespace tessera::train {

Batch Dataset::batch(std::size_t first, std::size_t n) const {
  return {images.data() + first * kImagePixels, labels.data() + first, uint32_t(n)};
}

Batch Dataset::gather(const std::vector<uint32_t>& order, std::size_t first, std::size_t n,
                      std::vector<float>& images_out, std::vector<uint8_t>& labels_out) const {
  images_out.resize(n * kImagePixels);
  labels_out.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t src = order[first + i];
    std::copy_n(images.begin() + std::ptrdiff_t(src * kImagePixels), kImagePixels,
                images_out.begin() + std::ptrdiff_t(i * kImagePixels));
    labels_out[i] = labels[src];
  }
  return {images_out.data(), labels_out.data(), uint32_t(n)};
}

Dataset load_dataset(const std::string& images_path, const std::string& labels_path,
                     std::size_t limit) {
  for (const std::string* p : {&images_path, &labels_path})
    if (!std::filesystem::is_regular_file(*p))
      throw InputError(*p +
                       " does not exist (Fashion-MNIST: apt-get install dataset-fashion-mnist, "
                       "which installs it in " +
                       std::string(kFashionMnistDir) + ")");
  const npy::Array img = idx::load(images_path), lab = idx::load(labels_path);
  if (img.dtype != "u1" || img.shape.size() != 3 || img.shape[1] != kImageSide ||
      img.shape[2] != kImageSide)
    throw InputError(images_path + " does not hold N x 28 x 28 unsigned bytes");
  if (lab.dtype != "u1" || lab.shape.size() != 1)
    throw InputError(labels_path + " does not hold N unsigned bytes");
  if (lab.shape[0] != img.shape[0])
    throw InputError(labels_path + " holds " + std::to_string(lab.shape[0]) + " labels for the " +
                     std::to_string(img.shape[0]) + " images of " + images_path);
  const std::size_t n = limit ? std::min(limit, img.shape[0]) : img.shape[0];
  Dataset d;
  d.images.resize(n * kImagePixels);
  for (std::size_t i = 0; i < d.images.size(); ++i) d.images[i] = float(img.data[i]) / 255.0f;
  d.labels.assign(lab.data.begin(), lab.data.begin() + std::ptrdiff_t(n));
  for (std::size_t i = 0; i < n; ++i)
    if (d.labels[i] >= kClasses)
      throw InputError(labels_path + ": label " + std::to_string(d.labels[i]) + " of image " +
                       std::to_string(i) + " is out of range [0, 9]");
  return d;
}

std::vector<uint32_t> shuffled(std::size_t n, uint64_t seed) {
  std::vector<uint32_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = uint32_t(i);
  std::mt19937_64 rng(seed);
  for (std::size_t i = n; i > 1; --i) {
    // j in [0, i): a 64-bit draw modulo i (its bias, below i / 2^64, is immaterial here).
    const auto j = std::size_t(rng() % i);
    std::swap(order[i - 1], order[j]);
  }
  return order;
}

}  // namespace tessera::train
