// DeviceMemory; see device.hpp.
#include <algorithm>
#include <string>

#include "tessera/device.hpp"

namespace tessera::driver {

DeviceMemory::DeviceMemory(uint64_t base, uint64_t size) : base_(base), size_(size) {}

uint64_t DeviceMemory::allocate(uint64_t bytes, uint64_t alignment) {
  if (bytes == 0) bytes = 1;
  uint64_t candidate = (base_ + alignment - 1) / alignment * alignment, largest = 0;
  for (const auto& [addr, size] : used_) {
    if (candidate + bytes <= addr) break;
    largest = std::max(largest, addr > candidate ? addr - candidate : 0);
    candidate = std::max(candidate, (addr + size + alignment - 1) / alignment * alignment);
  }
  const uint64_t end = base_ + size_;
  if (candidate + bytes > end) {
    largest = std::max(largest, end > candidate ? end - candidate : 0);
    throw CapacityError("device memory: " + std::to_string(bytes) + " bytes requested; the " +
                        std::to_string(size_) + "-byte device memory has at most " +
                        std::to_string(largest) + " contiguous bytes free");
  }
  used_[candidate] = bytes;
  return candidate;
}

void DeviceMemory::release(uint64_t addr) { used_.erase(addr); }

}  // namespace tessera::driver
