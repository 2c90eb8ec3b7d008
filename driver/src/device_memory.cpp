// SPDX-License-Identifier: Apache-2.0
// DeviceMemory and Device::require_in_memory; see device.hpp.
#include <algorithm>
#include <stdexcept>
#include <string>

#include "messages.hpp"
#include "tessera/device.hpp"

namespace tessera::driver {

void Device::require_in_memory(uint64_t addr, uint64_t bytes) const {
  const uint64_t base = memory_base(), size = memory_size();
  if (addr < base || bytes > size || addr - base > size - bytes) {
    throw std::out_of_range(name() + ": access of " + std::to_string(bytes) + " bytes at " +
                            detail::hex(addr) + " lies outside the device memory [" +
                            detail::hex(base) + ", " + detail::hex(base + size) + ")");
  }
}

DeviceMemory::DeviceMemory(uint64_t base, uint64_t size) : base_(base), size_(size) {}

uint64_t DeviceMemory::allocate(uint64_t bytes, uint64_t alignment) {
  if (bytes == 0) bytes = 1;
  // Every quantity below stays inside [base_, base_ + size_]: no sum can wrap around.
  const uint64_t end = base_ + size_;
  auto align_up = [&](uint64_t a) {
    const uint64_t r = a % alignment;  // absolute: the engine needs aligned device addresses
    return r == 0 ? a : (end - a < alignment - r ? end : a + (alignment - r));
  };
  uint64_t candidate = align_up(base_), largest = 0;
  for (const auto& [addr, size] : used_) {
    if (addr >= candidate && addr - candidate >= bytes) break;
    largest = std::max(largest, addr > candidate ? addr - candidate : 0);
    candidate = std::max(candidate, align_up(addr + size));
  }
  if (end - candidate < bytes) {
    largest = std::max(largest, end - candidate);
    throw CapacityError("device memory: " + std::to_string(bytes) + " bytes requested; the " +
                        std::to_string(size_) + "-byte device memory has at most " +
                        std::to_string(largest) + " contiguous bytes free");
  }
  used_[candidate] = bytes;
  return candidate;
}

void DeviceMemory::release(uint64_t addr) { used_.erase(addr); }

}  // namespace tessera::driver
