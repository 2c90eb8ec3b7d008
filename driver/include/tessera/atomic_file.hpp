// SPDX-License-Identifier: Apache-2.0
// Writing output files so that a reader never sees half of one (docs/driver.md): the bytes
// go to a temporary file beside the target, which is renamed over it only when complete;
// on every error path - a failed write, an exception from the caller's writer - the
// temporary file is removed and the target is left as it was.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace tessera {

// Writes PATH through `fill`; throws std::runtime_error naming PATH and the system's reason
// (and passes on whatever `fill` throws), leaving no file behind.
void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& fill);
void write_file_atomically(const std::string& path, const std::string& bytes);

// Throws std::runtime_error naming PATH unless a file can be created there (its directory
// exists and is writable, and PATH is not a directory): for checking outputs before work.
void require_writable(const std::string& path);

}  // namespace tessera
