// SPDX-License-Identifier: Apache-2.0
// tessera info: the device, its configuration and its counters as they are.
#include <cstdio>

#include "commands.hpp"
#include "common.hpp"

namespace tessera::cli {

int run_info(int argc, char** argv) {
  Common c;
  auto d = common_options(c);
  parse(argc, argv, d, {}, "info [options]");
  Session s(c, /*clear=*/false);
  const auto& i = s.engine->info();
  Report r;
  char buf[64];
  r.add("device", "device", i.device);
  std::snprintf(buf, sizeof buf, "0x%08x", i.id);
  r.add("id", "ID", buf);
  std::snprintf(buf, sizeof buf, "%u.%u.%u", i.version >> 24, (i.version >> 16) & 0xff,
                i.version & 0xffff);
  r.add("version", "hardware version", buf);
  r.add("isa_version", "ISA version", i.isa_version);
  r.add("array", "array (rows x cols)",
        std::to_string(i.config.rows) + "x" + std::to_string(i.config.cols));
  r.add("bus_bits", "AXI data width (bits)", i.config.bus_bytes * 8);
  r.add("scratchpad_bytes", "scratchpad (bytes)", i.scratchpad_bytes);
  r.add("accumulator_bytes", "accumulator (bytes)", i.accumulator_bytes);
  r.add("qtable_entries", "quantization-table entries", i.config.qtable_entries);
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(i.memory_base));
  r.add("memory_base", "device memory base", buf);
  r.add("memory_bytes", "device memory (bytes)", i.memory_size);
  const auto counters = s.engine->counters();
  for (uint32_t k = 0; k < regs::kNumCounters; ++k) {
    r.add(std::string("counter_") + regs::kCounterNames[k],
          std::string("counter ") + regs::kCounterNames[k], counters.value[k]);
  }
  if (!c.json) std::printf("Tessera engine\n");
  r.print(c.json);
  return 0;
}

}  // namespace tessera::cli
