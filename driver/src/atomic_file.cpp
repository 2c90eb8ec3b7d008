// SPDX-License-Identifier: Apache-2.0
// Atomic file writes; see atomic_file.hpp.
#include "tessera/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace tessera {
namespace {

std::string directory_of(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::runtime_error cannot_write(const std::string& path, int err) {
  return std::runtime_error("cannot write " + path + ": " + std::strerror(err));
}

// The temporary file, removed unless committed.
struct Temporary {
  std::string path;
  bool committed = false;
  ~Temporary() {
    if (!committed) std::remove(path.c_str());
  }
};

}  // namespace

void require_writable(const std::string& path) {
  if (path.empty()) throw std::runtime_error("an output file name is empty");
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    throw std::runtime_error("cannot write " + path + ": it is a directory");
  const std::string dir = directory_of(path);
  if (::access(dir.c_str(), W_OK) != 0) throw cannot_write(path, errno);
}

void write_file_atomically(const std::string& path,
                           const std::function<void(std::ostream&)>& fill) {
  require_writable(path);
  Temporary tmp{path + ".partial-" + std::to_string(::getpid())};
  {
    std::ofstream out(tmp.path, std::ios::binary | std::ios::trunc);
    if (!out) throw cannot_write(path, errno);
    fill(out);
    out.flush();
    if (!out) throw cannot_write(path, errno ? errno : EIO);
  }
  if (std::rename(tmp.path.c_str(), path.c_str()) != 0) throw cannot_write(path, errno);
  tmp.committed = true;
}

void write_file_atomically(const std::string& path, const std::string& bytes) {
  write_file_atomically(
      path, [&](std::ostream& out) { out.write(bytes.data(), std::streamsize(bytes.size())); });
}

}  // namespace tessera
