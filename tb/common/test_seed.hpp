// SPDX-License-Identifier: Apache-2.0
// Replayable seeds for randomized tests.
//
// Each test's default seed is a hash of its full name, so tests draw different streams and
// every run of CI is the same. TESSERA_SEED=<n> in the environment replaces it (e.g. to
// replay a failure or to explore new seeds). The seed in use is printed and recorded in
// the test's XML properties.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace tessera::test {

inline uint64_t test_seed() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  uint64_t seed = 0;
  if (const char* env = std::getenv("TESSERA_SEED"); env != nullptr && *env != '\0') {
    char* end = nullptr;
    seed = std::strtoull(env, &end, 0);
    if (*end != '\0') {
      throw std::invalid_argument(std::string("TESSERA_SEED = '") + env +
                                  "' is not an unsigned integer");
    }
  } else {
    const std::string name = std::string(info->test_suite_name()) + "." + info->name();
    seed = 1469598103934665603ull;  // FNV-1a
    for (unsigned char ch : name) seed = (seed ^ ch) * 1099511628211ull;
  }
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  std::printf("[   SEED   ] %s.%s seed=%llu (replay: TESSERA_SEED=%llu)\n", info->test_suite_name(),
              info->name(), static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(seed));
  return seed;
}

}  // namespace tessera::test
