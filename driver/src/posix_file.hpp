// A file descriptor and a memory mapping that close themselves, with errors that name the
// path and the system's reason (internal to the board backends).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

#include "tessera/device.hpp"

namespace tessera::driver::detail {

inline DeviceError system_error(const std::string& what, const std::string& path) {
  return DeviceError(what + " " + path + ": " + std::strerror(errno));
}

class File {
 public:
  File() = default;
  File(const std::string& path, int flags) : path_(path), fd_(::open(path.c_str(), flags)) {
    if (fd_ < 0) throw system_error("cannot open", path);
  }
  File(File&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_) { o.fd_ = -1; }
  File& operator=(File&& o) noexcept {
    std::swap(path_, o.path_);
    std::swap(fd_, o.fd_);
    return *this;
  }
  ~File() {
    if (fd_ >= 0) ::close(fd_);
  }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

  // Whole transfers at a file offset (the XDMA nodes take the card address as offset).
  void pwrite_all(const void* src, std::size_t bytes, uint64_t offset) const {
    const auto* p = static_cast<const uint8_t*>(src);
    while (bytes > 0) {
      const ssize_t n = ::pwrite(fd_, p, bytes, off_t(offset));
      if (n <= 0) throw system_error("write failed on", path_);
      p += n;
      bytes -= std::size_t(n);
      offset += uint64_t(n);
    }
  }
  void pread_all(void* dst, std::size_t bytes, uint64_t offset) const {
    auto* p = static_cast<uint8_t*>(dst);
    while (bytes > 0) {
      const ssize_t n = ::pread(fd_, p, bytes, off_t(offset));
      if (n <= 0) {
        if (n == 0) errno = EIO;
        throw system_error("read failed on", path_);
      }
      p += n;
      bytes -= std::size_t(n);
      offset += uint64_t(n);
    }
  }
  // True when the descriptor became readable within timeout_ms.
  bool poll_readable(int timeout_ms) const {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno != EINTR) throw system_error("poll failed on", path_);
    return r > 0 && (p.revents & POLLIN);
  }

 private:
  std::string path_;
  int fd_ = -1;
};

class Mapping {
 public:
  Mapping(const File& file, uint64_t bytes) : bytes_(bytes) {
    void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, file.fd(), 0);
    if (p == MAP_FAILED) {
      throw system_error("cannot map " + std::to_string(bytes) + " bytes of", file.path());
    }
    base_ = static_cast<uint8_t*>(p);
  }
  ~Mapping() { ::munmap(base_, bytes_); }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  uint8_t* base() const { return base_; }
  uint64_t bytes() const { return bytes_; }

 private:
  uint8_t* base_ = nullptr;
  uint64_t bytes_;
};

// A sysfs attribute as a number (hex with 0x, else decimal); names the file when it is
// missing or not a number.
inline uint64_t read_sysfs_number(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!in || !(in >> text)) throw DeviceError("cannot read " + path + " (is the driver loaded?)");
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
  if (*end || errno) throw DeviceError(path + " holds '" + text + "', not a number");
  return v;
}

// 32-bit register access through a mapped BAR, bounds-checked.
inline uint32_t mmio_read(const Mapping& m, uint32_t offset) {
  if (offset % 4 || offset + 4 > m.bytes()) {
    throw std::out_of_range("register offset " + std::to_string(offset) + " outside the " +
                            std::to_string(m.bytes()) + "-byte register map");
  }
  return *reinterpret_cast<volatile const uint32_t*>(m.base() + offset);
}
inline void mmio_write(const Mapping& m, uint32_t offset, uint32_t value) {
  if (offset % 4 || offset + 4 > m.bytes()) {
    throw std::out_of_range("register offset " + std::to_string(offset) + " outside the " +
                            std::to_string(m.bytes()) + "-byte register map");
  }
  *reinterpret_cast<volatile uint32_t*>(m.base() + offset) = value;
}

}  // namespace tessera::driver::detail
