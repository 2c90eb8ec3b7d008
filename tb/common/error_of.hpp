// SPDX-License-Identifier: Apache-2.0
// The message of the exception a call throws, or "(no error)": for tests that check what an
// error says.
#pragma once

#include <exception>
#include <string>

namespace tessera::test {

template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace tessera::test
