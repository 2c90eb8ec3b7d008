// SPDX-License-Identifier: Apache-2.0
// A file descriptor and a memory mapping that close themselves, with errors that name the
// path and the system's reason (internal to the board backends).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
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
  // An exclusive advisory lock on the file, for as long as it is open: one program at a time
  // drives an engine. Throws DeviceError naming the process that holds it (from /proc/locks).
  void lock_exclusive() const {
    if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
    if (errno != EWOULDBLOCK) throw system_error("cannot lock", path_);
    throw DeviceError(path_ + " is in use by " + lock_holder() +
                      "; one program at a time drives an engine");
  }

  // True when the descriptor became readable within timeout_ms.
  bool poll_readable(int timeout_ms) const {
    pollfd p{fd_, POLLIN, 0};
    const int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno != EINTR) throw system_error("poll failed on", path_);
    return r > 0 && (p.revents & POLLIN);
  }

 private:
  // "process 1234 (tessera gemm ...)", from the lock table and the holder's command line.
  std::string lock_holder() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) return "another process";
    std::ifstream locks("/proc/locks");
    const std::string inode = ":" + std::to_string(st.st_ino) + " ";
    for (std::string line; std::getline(locks, line);) {
      if (line.find("FLOCK") == std::string::npos || line.find(inode) == std::string::npos)
        continue;
      std::istringstream fields(line);
      std::string id, kind, advisory, mode, pid;
      fields >> id >> kind >> advisory >> mode >> pid;
      if (pid.empty() || std::to_string(::getpid()) == pid) continue;
      std::ifstream cmd("/proc/" + pid + "/cmdline");
      std::string cmdline((std::istreambuf_iterator<char>(cmd)), std::istreambuf_iterator<char>());
      for (char& c : cmdline) c = c == '\0' ? ' ' : c;
      while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();
      return "process " + pid + (cmdline.empty() ? "" : " (" + cmdline + ")");
    }
    return "this process (the device is already open here)";
  }

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
