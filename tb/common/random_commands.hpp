// SPDX-License-Identifier: Apache-2.0
// Random commands for testing the engine's checks: a valid command of a random opcode with
// random in-range fields (LOAD WINDOWS, COMPUTE EXTRA_TILES and DEPTHWISE, STORE EXTRA_PANELS
// and TO_SCRATCHPAD, FENCE TIMESTAMP included), then (half the time) one random byte or field
// overwritten, so that every check of docs/isa.md is reached, valid commands included. Mutations: a
// byte set to 0, 1, 0xff or a random value, or one bit of it flipped.
#pragma once

#include <random>

#include "tessera/isa.hpp"

namespace tessera::test {

inline isa::Command random_command(std::mt19937_64& rng, const isa::BuildConfig& cfg) {
  using namespace tessera::isa;
  auto upto = [&](uint64_t n) { return n ? rng() % n : 0; };
  Command c;
  switch (rng() % 4) {
    case 0: {
      Load l;
      const auto dest = rng() % 3;
      l.dest = dest == 0   ? Load::Dest::kScratchpad
               : dest == 1 ? Load::Dest::kAccumulator
                           : Load::Dest::kQTable;
      const uint32_t unit = dest == 0 ? 1 : dest == 1 ? 4 * cfg.cols : qtable::kEntryBytes;
      const uint32_t line_bytes = dest == 0 ? cfg.rows : unit;
      const uint32_t size = dest == 0   ? cfg.scratchpad_lines
                            : dest == 1 ? cfg.accumulator_lines
                                        : cfg.qtable_entries;
      l.rows = 1 + upto(8);
      l.row_bytes = unit * (1 + upto(dest == 0 ? 200 : 3));
      const uint32_t span = (l.row_bytes + line_bytes - 1) / line_bytes;
      l.sram_stride = span + upto(3);
      l.sram_line = upto(size / 2);
      l.dram_addr = rng();
      l.dram_stride = upto(1u << 20);
      l.fill = dest == 0 && rng() % 4 == 0;
      l.fill_value = static_cast<int8_t>(rng());
      if (dest == 0 && !l.fill && rng() % 3 == 0) {  // windows that (mostly) fit
        l.window_bytes = static_cast<uint16_t>(1 + upto(cfg.rows));
        l.byte_offset = static_cast<uint8_t>(upto(cfg.rows - l.window_bytes + 1));
        l.window_step = static_cast<uint32_t>(1 + upto(8));
        l.windows = static_cast<uint16_t>(1 + upto(20));
        l.row_bytes = (l.windows - 1u) * l.window_step + l.window_bytes + upto(4);
        l.window_line_stride = static_cast<uint32_t>(upto(4));
        l.sram_stride = static_cast<uint32_t>(upto(64));
      }
      l.deps = static_cast<uint8_t>(rng() & (kDepsPopNext | kDepsPushNext));
      c = encode(l);
      break;
    }
    case 1: {
      Compute k;
      k.accumulate = rng() & 1;
      k.vectors = 1 + upto(64);
      k.act_stride = upto(4);
      if (rng() % 3 == 0) {  // several activation rows
        k.act_rows = 1 + upto(4);
        k.act_row_stride = upto(600);
      }
      k.act_line = upto(cfg.scratchpad_lines / 2);
      k.wgt_line = upto(cfg.scratchpad_lines - cfg.rows);
      k.acc_line = upto(cfg.accumulator_lines - 64);
      k.k_valid = static_cast<uint16_t>(1 + upto(cfg.rows));
      k.n_valid = static_cast<uint16_t>(1 + upto(cfg.cols));
      if (rng() % 8 == 0) {  // the vector path
        k.rescale = true;
        k.rescale_multiplier = static_cast<int32_t>(rng() & 0x7fffffff);
        k.rescale_right_shift = static_cast<uint8_t>(upto(32));
        k.rescale_zero_point = static_cast<int8_t>(rng());
      } else if (rng() % 4 == 0) {  // several K tiles
        k.extra_tiles = static_cast<uint16_t>(1 + upto(rng() % 8 ? 8 : 65535));
        k.act_tile_stride = static_cast<uint32_t>(upto(rng() % 8 ? 40 : 1u << 20));
        k.wgt_line = upto(cfg.scratchpad_lines / 2);
      } else if (rng() % 4 == 0) {  // the depthwise unit: an input row of channel blocks
        k.depthwise = true;
        k.vectors = static_cast<uint16_t>(kDwKernel + upto(rng() % 8 ? 64 : 1100));
        k.act_rows = static_cast<uint16_t>(1 + upto(8));
        k.act_row_stride = k.vectors;
        k.act_stride = 1;
        k.dw_stride_2 = rng() & 1;
        k.dw_pair = k.dw_stride_2 && (rng() & 1);
        k.dw_pair_offset =  // forward or backward, in range or not
            k.dw_pair ? static_cast<int32_t>(upto(4 * k.act_rows * k.vectors)) -
                            static_cast<int32_t>(2 * k.act_rows * k.vectors)
                      : 0;
        k.dw_output = rng() % 4 != 0;
        k.dw_block_pitch = k.dw_output ? static_cast<uint16_t>(upto(80)) : 0;
        k.dw_pad = static_cast<uint8_t>(upto(rng() % 8 ? 8 : 256));  // in range, or not
        k.dw_zero_point = static_cast<int8_t>(rng());
        k.wgt_line = upto(cfg.scratchpad_lines - kDwTaps * 8);
        k.acc_line = upto(cfg.accumulator_lines / 2);
      }
      if (!k.depthwise && rng() % 16 == 0) {  // the depthwise unit's padding without it
        k.dw_pad = static_cast<uint8_t>(upto(8));
        k.dw_zero_point = static_cast<int8_t>(rng());
      }
      k.deps = static_cast<uint8_t>(rng() & 0xf);
      c = encode(k);
      break;
    }
    case 2: {
      Store s;
      s.requantize = rng() & 1;
      s.per_channel = s.requantize && (rng() & 1);
      s.rows = 1 + upto(64);
      s.acc_line = upto(cfg.accumulator_lines - 64);
      s.cols = static_cast<uint16_t>(1 + upto(cfg.cols));
      s.dram_addr = rng();
      s.dram_stride = upto(4096);
      s.zero_point = static_cast<int8_t>(rng());
      s.act_min = static_cast<int8_t>(-128 + upto(128));
      s.act_max = static_cast<int8_t>(s.act_min + upto(127 - s.act_min + 1));
      s.qparam_entry = upto(cfg.qtable_entries - cfg.cols);
      if (s.requantize && rng() % 3 == 0) {  // pooled: windows inside the accumulator
        s.pool = true;
        s.pool_width = static_cast<uint16_t>(1 + upto(8));
        s.acc_pitch = static_cast<uint16_t>(2 * s.pool_width + upto(3));
        s.rows = 1 + upto(4);
        s.acc_line = upto(cfg.accumulator_lines - 8u * s.acc_pitch);
      } else if (rng() % 3 == 0) {  // several panels per row (mostly of whole bus beats)
        s.extra_panels = static_cast<uint16_t>(1 + upto(kMaxExtraPanels));
        s.panel_pitch = static_cast<uint16_t>(upto(80));
        s.rows = 1 + upto(8);
        if (rng() % 4) s.cols = static_cast<uint16_t>(cfg.cols);
      }
      if (s.requantize && rng() % 4 == 0) {  // into the scratchpad (mostly inside it)
        s.to_scratchpad = true;
        s.cols = static_cast<uint16_t>(1 + upto(rng() % 4 ? cfg.rows : cfg.cols));
        s.sram_line = upto(rng() % 8 ? cfg.scratchpad_lines / 2 : cfg.scratchpad_lines);
        s.sram_stride = static_cast<uint32_t>(upto(rng() % 8 ? 20 : 1u << 20));
        s.sram_panel_pitch = s.extra_panels ? static_cast<uint32_t>(upto(100)) : 0;
      }
      s.deps = static_cast<uint8_t>(rng() & (kDepsPopPrev | kDepsPushPrev));
      c = encode(s);
      break;
    }
    default:
      Fence f{static_cast<bool>(rng() & 1), rng(), static_cast<uint32_t>(rng()),
              static_cast<bool>(rng() & 1)};
      if (rng() % 4) f.dram_addr &= ~uint64_t{15};  // mostly aligned
      c = encode(f);
  }
  if (rng() % 2) {
    const uint32_t byte = rng() % (rng() % 3 ? 48 : kCommandBytes);
    const uint64_t flipped = c.get({byte, 1}) ^ (1u << (rng() % 8));
    const uint64_t values[] = {0, 1, 0xff, static_cast<uint8_t>(rng()), flipped, flipped};
    c.set({byte, 1}, values[rng() % 6]);
  }
  return c;
}

}  // namespace tessera::test
