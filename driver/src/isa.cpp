// SPDX-License-Identifier: Apache-2.0
// Command encoding, checks, assembly and disassembly; see isa.hpp and docs/isa.md.
#include "tessera/isa.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <sstream>

namespace tessera::isa {
namespace {

CheckResult fail(Error e, const std::string& message) { return {e, message}; }

std::string range_message(const char* op, const char* field, uint64_t value, uint64_t lo,
                          uint64_t hi) {
  return std::string(op) + " " + field + " = " + std::to_string(value) + " is out of range [" +
         std::to_string(lo) + ", " + std::to_string(hi) + "]";
}

// value in [lo, hi], else BAD_DIMENSION naming it.
CheckResult in_range(const char* op, const char* field, uint64_t value, uint64_t lo, uint64_t hi) {
  if (value < lo || value > hi)
    return fail(Error::kBadDimension, range_message(op, field, value, lo, hi));
  return {};
}

// Lines [first, first + (count-1)*stride + span) within a buffer of `size` lines.
CheckResult lines_fit(Error e, const char* op, const char* what, uint64_t first, uint64_t count,
                      uint64_t stride, uint64_t span, uint64_t size) {
  const uint64_t last = first + (count - 1) * stride + span - 1;  // no overflow: 32x16 bits
  if (last >= size) {
    return fail(e, std::string(op) + " " + what + " lines " + std::to_string(first) + ".." +
                       std::to_string(last) + " run past the last line " +
                       std::to_string(size - 1));
  }
  return {};
}

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

std::string hex_digits(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(v));
  return buf;
}

const OpcodeInfo& info_of(Opcode op) {
  for (const OpcodeInfo& o : kOpcodes)
    if (o.opcode == op) return o;
  throw std::logic_error("opcode missing from kOpcodes");
}

// Every field the table gives a range lies in it (BAD_DIMENSION naming the first that does
// not), in table order.
CheckResult check_ranges(const Command& c, Opcode op, const BuildConfig& cfg) {
  const OpcodeInfo& info = info_of(op);
  for (std::size_t i = 0; i < info.field_count; ++i) {
    const FieldInfo& f = info.fields[i];
    if (!f.has_range) continue;
    const uint64_t hi = f.max_bound == Bound::kArrayRows   ? cfg.rows
                        : f.max_bound == Bound::kArrayCols ? cfg.cols
                                                           : uint64_t(f.max);
    const uint64_t v = c.get(f.field);
    if (v >= uint64_t(f.min) && v <= hi) continue;  // the message only for a failure
    std::string field = f.name;
    for (char& ch : field) ch = char(std::toupper(static_cast<unsigned char>(ch)));
    return in_range(info.name, field.c_str(), v, uint64_t(f.min), hi);
  }
  return {};
}

CheckResult check_reserved(const Command& c, uint8_t deps_allowed, uint8_t mode_allowed,
                           uint64_t used_bytes, const char* op) {
  for (std::size_t i = 3; i < kCommandBytes; ++i) {
    if (!((used_bytes >> i) & 1) && c.bytes()[i] != 0) {
      return fail(Error::kReservedBits, std::string(op) + " reserved byte " + std::to_string(i) +
                                            " is " + std::to_string(c.bytes()[i]) + "; must be 0");
    }
  }
  if (c.deps() & ~deps_allowed) {
    return fail(Error::kReservedBits, std::string(op) + " DEPS = " + std::to_string(c.deps()) +
                                          " sets flags this unit does not have (allowed mask " +
                                          std::to_string(deps_allowed) + ")");
  }
  if (c.mode() & ~mode_allowed) {
    return fail(Error::kReservedBits, std::string(op) + " MODE = " + std::to_string(c.mode()) +
                                          " sets undefined bits (allowed mask " +
                                          std::to_string(mode_allowed) + ")");
  }
  return {};
}

CheckResult check_load(const Command& c, const BuildConfig& cfg) {
  if (auto r = check_reserved(c, load::kDepsAllowed, load::kModeAllowed, load::kUsedBytes, "LOAD");
      !r)
    return r;
  const bool to_acc = c.mode() & kLoadModeToAccumulator, to_table = c.mode() & kLoadModeToQtable;
  const bool fill = c.mode() & kLoadModeFill, windows = c.mode() & kLoadModeWindows;
  if (to_acc && to_table)
    return fail(Error::kBadMode, "LOAD MODE sets both TO_ACCUMULATOR and TO_QTABLE");
  if ((fill || windows) && (to_acc || to_table)) {
    return fail(Error::kBadMode, std::string("LOAD MODE sets ") + (fill ? "FILL" : "WINDOWS") +
                                     " with " + (to_acc ? "TO_ACCUMULATOR" : "TO_QTABLE") +
                                     "; it writes the scratchpad only");
  }
  if (fill && windows) return fail(Error::kBadMode, "LOAD MODE sets both FILL and WINDOWS");
  const uint64_t row_bytes = c.get(load::kRowBytes), rows = c.get(load::kRows);
  if (auto r = check_ranges(c, Opcode::kLoad, cfg); !r) return r;
  uint64_t unit = cfg.rows, size = cfg.scratchpad_lines;
  Error range_error = Error::kScratchpadRange;
  const char* what = "scratchpad";
  if (to_acc || to_table) {
    unit = to_acc ? 4ull * cfg.cols : qtable::kEntryBytes;
    size = to_acc ? cfg.accumulator_lines : cfg.qtable_entries;
    range_error = to_acc ? Error::kAccumulatorRange : Error::kQtableRange;
    what = to_acc ? "accumulator" : "quantization-table";
    if (row_bytes % unit) {
      return fail(Error::kBadDimension, "LOAD ROW_BYTES = " + std::to_string(row_bytes) +
                                            " must be a multiple of " + std::to_string(unit) +
                                            " for the " + what);
    }
  }
  const uint64_t span = ceil_div(row_bytes, unit), stride = c.get(load::kSramStride);
  if (!windows && rows > 1 && stride < span) {
    return fail(Error::kBadDimension, "LOAD SRAM_STRIDE = " + std::to_string(stride) +
                                          " is smaller than a row (" + std::to_string(span) +
                                          " lines)");
  }
  const uint64_t offset = c.get(load::kByteOffset), bytes = c.get(load::kWindowBytes);
  const uint64_t step = c.get(load::kWindowStep), count = c.get(load::kWindows);
  const uint64_t line_stride = c.get(load::kWindowLineStride);
  if (!windows) {
    if (offset || bytes || step || count || line_stride) {
      return fail(Error::kBadDimension,
                  "LOAD BYTE_OFFSET, WINDOW_BYTES, WINDOW_STEP, WINDOWS and WINDOW_LINE_STRIDE "
                  "must be 0 without WINDOWS (they are " +
                      std::to_string(offset) + ", " + std::to_string(bytes) + ", " +
                      std::to_string(step) + ", " + std::to_string(count) + ", " +
                      std::to_string(line_stride) + ")");
    }
    return lines_fit(range_error, "LOAD", what, c.get(load::kSramLine), rows, stride, span, size);
  }
  if (auto r = in_range("LOAD", "WINDOW_BYTES", bytes, 1, cfg.rows); !r) return r;
  if (offset + bytes > cfg.rows) {
    return fail(Error::kBadDimension,
                "LOAD BYTE_OFFSET + WINDOW_BYTES = " + std::to_string(offset + bytes) +
                    " runs past a " + std::to_string(cfg.rows) + "-byte line");
  }
  if (auto r = in_range("LOAD", "WINDOW_STEP", step, 1, kMaxRowBytes); !r) return r;
  if (auto r = in_range("LOAD", "WINDOWS", count, 1, kMaxCount); !r) return r;
  if ((count - 1) * step + bytes > row_bytes) {
    return fail(Error::kBadDimension,
                "LOAD windows end at byte " + std::to_string((count - 1) * step + bytes) +
                    " of their row, past ROW_BYTES = " + std::to_string(row_bytes));
  }
  const uint64_t first = c.get(load::kSramLine);
  const uint64_t last = first + (rows - 1) * stride + (count - 1) * line_stride;
  if (last >= cfg.scratchpad_lines) {
    return fail(Error::kScratchpadRange, "LOAD WINDOWS writes scratchpad lines " +
                                             std::to_string(first) + ".." + std::to_string(last) +
                                             ", past the last line " +
                                             std::to_string(cfg.scratchpad_lines - 1));
  }
  return {};
}

CheckResult check_compute(const Command& c, const BuildConfig& cfg) {
  if (auto r = check_reserved(c, compute::kDepsAllowed, compute::kModeAllowed, compute::kUsedBytes,
                              "COMPUTE");
      !r)
    return r;
  const uint64_t vectors = c.get(compute::kVectors), rows = c.get(compute::kActRows);
  const bool depthwise = c.mode() & kComputeModeDepthwise;
  if (depthwise && (c.mode() & kComputeModeRescale))
    return fail(Error::kBadMode, "COMPUTE MODE sets both DEPTHWISE and RESCALE");
  if (!depthwise &&
      (c.mode() & (kComputeModeDwStride2 | kComputeModeDwOutput | kComputeModeDwPair))) {
    return fail(Error::kBadMode, std::string("COMPUTE MODE sets ") +
                                     (c.mode() & kComputeModeDwStride2  ? "DW_STRIDE_2"
                                      : c.mode() & kComputeModeDwOutput ? "DW_OUTPUT"
                                                                        : "DW_PAIR") +
                                     " without DEPTHWISE");
  }
  const bool dw_pair = c.mode() & kComputeModeDwPair;
  if (dw_pair && !(c.mode() & kComputeModeDwStride2)) {
    return fail(Error::kBadMode,
                "COMPUTE MODE sets DW_PAIR without DW_STRIDE_2 (a pair of rows is one stride-2 "
                "output row)");
  }
  if (auto r = check_ranges(c, Opcode::kCompute, cfg); !r) return r;
  if (rows * vectors > kMaxCount) {
    return fail(Error::kBadDimension,
                "COMPUTE ACT_ROWS x VECTORS = " + std::to_string(rows * vectors) +
                    " results; at most " + std::to_string(kMaxCount));
  }
  const uint64_t extra = c.get(compute::kExtraTiles), tile_stride = c.get(compute::kActTileStride);
  if (extra == 0 && tile_stride != 0) {
    return fail(Error::kBadDimension, "COMPUTE ACT_TILE_STRIDE = " + std::to_string(tile_stride) +
                                          " must be 0 without EXTRA_TILES");
  }
  if (extra > 0 && (c.mode() & kComputeModeRescale)) {
    return fail(Error::kBadDimension, "COMPUTE EXTRA_TILES = " + std::to_string(extra) +
                                          " must be 0 with RESCALE (the vector path has no K)");
  }
  const uint64_t pitch = c.get(compute::kDwBlockPitch);
  const bool dw_output = c.mode() & kComputeModeDwOutput;
  if (!dw_output && pitch != 0) {
    return fail(Error::kBadDimension, "COMPUTE DW_BLOCK_PITCH = " + std::to_string(pitch) +
                                          " must be 0 without DEPTHWISE and DW_OUTPUT");
  }
  const int64_t pair_offset = dw_pair_offset(c);
  if (!dw_pair && pair_offset != 0) {
    return fail(Error::kBadDimension, "COMPUTE DW_PAIR_OFFSET = " + std::to_string(pair_offset) +
                                          " must be 0 without DW_PAIR");
  }
  if (!depthwise && (c.get(compute::kDwPad) != 0 || c.get(compute::kDwZeroPoint) != 0)) {
    return fail(Error::kBadDimension,
                "COMPUTE DW_PAD = " + std::to_string(c.get(compute::kDwPad)) +
                    " and DW_ZERO_POINT = " + std::to_string(int8_t(c.get(compute::kDwZeroPoint))) +
                    " must be 0 without DEPTHWISE");
  }
  if (depthwise && extra > 0) {
    return fail(Error::kBadDimension, "COMPUTE EXTRA_TILES = " + std::to_string(extra) +
                                          " must be 0 with DEPTHWISE (a command is one input row)");
  }
  if (depthwise && vectors < kDwKernel) {
    return fail(Error::kBadDimension, "COMPUTE DEPTHWISE VECTORS = " + std::to_string(vectors) +
                                          " is below the window's " + std::to_string(kDwKernel) +
                                          " pixels");
  }
  if (depthwise && rows * vectors > kDwLineBufferLines) {
    return fail(Error::kBadDimension,
                "COMPUTE DEPTHWISE ACT_ROWS x VECTORS = " + std::to_string(rows * vectors) +
                    " lines; the line buffer holds " + std::to_string(kDwLineBufferLines));
  }
  // Rows ACT_ROW_STRIDE apart, each spanning (VECTORS - 1) x ACT_STRIDE + 1 lines, for the
  // last tile EXTRA_TILES x ACT_TILE_STRIDE lines on.
  if (auto r = lines_fit(Error::kScratchpadRange, "COMPUTE", "activation", c.get(compute::kActLine),
                         rows, c.get(compute::kActRowStride),
                         (vectors - 1) * c.get(compute::kActStride) + 1 + extra * tile_stride,
                         cfg.scratchpad_lines);
      !r)
    return r;
  // DW_PAIR: the second row, the same shape DW_PAIR_OFFSET lines on (or before).
  if (dw_pair) {
    const int64_t first = int64_t(c.get(compute::kActLine)) + pair_offset;
    if (first < 0) {
      return fail(Error::kScratchpadRange, "COMPUTE second-row line " + std::to_string(first) +
                                               " (ACT_LINE + DW_PAIR_OFFSET) is below line 0");
    }
    if (auto r = lines_fit(Error::kScratchpadRange, "COMPUTE", "second-row", uint64_t(first), rows,
                           c.get(compute::kActRowStride),
                           (vectors - 1) * c.get(compute::kActStride) + 1, cfg.scratchpad_lines);
        !r)
      return r;
  }
  // Depthwise: DW_TAPS weight lines per channel block; results only with DW_OUTPUT, each
  // block's dw_outputs() DW_BLOCK_PITCH lines on.
  if (auto r =
          depthwise
              ? lines_fit(Error::kScratchpadRange, "COMPUTE", "weight", c.get(compute::kWgtLine), 1,
                          0, rows * kDwTaps, cfg.scratchpad_lines)
              : lines_fit(Error::kScratchpadRange, "COMPUTE", "weight", c.get(compute::kWgtLine),
                          extra + 1, cfg.rows, cfg.rows, cfg.scratchpad_lines);
      !r)
    return r;
  if (depthwise && !dw_output) return {};
  return depthwise
             ? lines_fit(Error::kAccumulatorRange, "COMPUTE", "accumulator",
                         c.get(compute::kAccLine), rows, pitch, dw_outputs(c),
                         cfg.accumulator_lines)
             : lines_fit(Error::kAccumulatorRange, "COMPUTE", "accumulator",
                         c.get(compute::kAccLine), rows * vectors, 1, 1, cfg.accumulator_lines);
}

CheckResult check_store_params(const Command& c, const BuildConfig& cfg, CheckResult range);

CheckResult check_store(const Command& c, const BuildConfig& cfg) {
  if (auto r =
          check_reserved(c, store::kDepsAllowed, store::kModeAllowed, store::kUsedBytes, "STORE");
      !r)
    return r;
  const bool pool = c.mode() & kStoreModePool2x2;
  const bool to_spad = c.mode() & kStoreModeToScratchpad;
  if (pool && !(c.mode() & kStoreModeRequantize))
    return fail(Error::kBadMode, "STORE MODE sets POOL_2X2 without REQUANTIZE");
  if (to_spad && !(c.mode() & kStoreModeRequantize))
    return fail(Error::kBadMode, "STORE MODE sets TO_SCRATCHPAD without REQUANTIZE");
  const uint64_t rows = c.get(store::kRows);
  const uint64_t pool_width = c.get(store::kPoolWidth), pitch = c.get(store::kAccPitch);
  if (auto r = check_ranges(c, Opcode::kStore, cfg); !r) return r;
  if (!to_spad &&
      (c.get(store::kSramLine) || c.get(store::kSramStride) || c.get(store::kSramPanelPitch))) {
    return fail(Error::kBadDimension,
                "STORE SRAM_LINE = " + std::to_string(c.get(store::kSramLine)) +
                    ", SRAM_STRIDE = " + std::to_string(c.get(store::kSramStride)) +
                    " and SRAM_PANEL_PITCH = " + std::to_string(c.get(store::kSramPanelPitch)) +
                    " must be 0 without TO_SCRATCHPAD");
  }
  if (to_spad && c.get(store::kCols) > cfg.rows) {
    return fail(Error::kBadDimension,
                "STORE TO_SCRATCHPAD COLS = " + std::to_string(c.get(store::kCols)) +
                    " is above a scratchpad line's " + std::to_string(cfg.rows) + " bytes");
  }
  const uint64_t extra = c.get(store::kExtraPanels), panel_pitch = c.get(store::kPanelPitch);
  if (extra == 0 && panel_pitch != 0) {
    return fail(Error::kBadDimension, "STORE PANEL_PITCH = " + std::to_string(panel_pitch) +
                                          " must be 0 without EXTRA_PANELS");
  }
  if (extra > 0 && pool) {
    return fail(Error::kBadDimension,
                "STORE EXTRA_PANELS = " + std::to_string(extra) + " must be 0 with POOL_2X2");
  }
  if (extra > 0 && rows * (extra + 1) > kMaxCount) {
    return fail(Error::kBadDimension,
                "STORE ROWS x (1 + EXTRA_PANELS) = " + std::to_string(rows * (extra + 1)) +
                    " lines; at most " + std::to_string(kMaxCount));
  }
  if (const uint64_t line_bytes = c.get(store::kCols) * (c.mode() & kStoreModeRequantize ? 1 : 4);
      extra > 0 && !to_spad && line_bytes % cfg.bus_bytes != 0) {
    return fail(Error::kBadDimension,
                "STORE EXTRA_PANELS = " + std::to_string(extra) +
                    " needs lines of whole bus beats: " + std::to_string(line_bytes) +
                    " bytes per line, the bus " + std::to_string(cfg.bus_bytes));
  }
  if (!pool) {
    if (pool_width || pitch) {
      return fail(Error::kBadDimension, "STORE POOL_WIDTH = " + std::to_string(pool_width) +
                                            " and ACC_PITCH = " + std::to_string(pitch) +
                                            " must be 0 without POOL_2X2");
    }
    return check_store_params(
        c, cfg,
        lines_fit(Error::kAccumulatorRange, "STORE", "accumulator", c.get(store::kAccLine),
                  extra + 1, panel_pitch, rows, cfg.accumulator_lines));
  }
  if (auto r = in_range("STORE", "POOL_WIDTH", pool_width, 1, kMaxCount); !r) return r;
  if (pitch < 2 * pool_width) {
    return fail(Error::kBadDimension,
                "STORE ACC_PITCH = " + std::to_string(pitch) +
                    " is below 2 x POOL_WIDTH = " + std::to_string(2 * pool_width));
  }
  if (rows * pool_width > kMaxCount) {
    return fail(Error::kBadDimension,
                "STORE ROWS x POOL_WIDTH = " + std::to_string(rows * pool_width) +
                    " pooled pixels; at most " + std::to_string(kMaxCount));
  }
  const uint64_t first = c.get(store::kAccLine);
  const uint64_t last = first + (2 * rows - 1) * pitch + 2 * pool_width - 1;
  CheckResult range;
  if (last >= cfg.accumulator_lines) {
    range = fail(Error::kAccumulatorRange,
                 "STORE POOL_2X2 reads accumulator lines " + std::to_string(first) + " .. " +
                     std::to_string(last) + "; the accumulator has lines 0 .. " +
                     std::to_string(cfg.accumulator_lines - 1));
  }
  return check_store_params(c, cfg, range);
}

// The checks after the accumulator range: the scratchpad range (TO_SCRATCHPAD), the table
// range and the clamp.
CheckResult check_store_params(const Command& c, const BuildConfig& cfg, CheckResult range) {
  if (!range) return range;
  if (c.mode() & kStoreModeToScratchpad) {
    // Line i of panel p at SRAM_LINE + i x SRAM_STRIDE + p x SRAM_PANEL_PITCH; i counts rows,
    // or pooled pixels (both checked <= MAX_COUNT): no overflow in 64 bits.
    const uint64_t lines = c.mode() & kStoreModePool2x2
                               ? c.get(store::kRows) * c.get(store::kPoolWidth)
                               : c.get(store::kRows);
    const uint64_t first = c.get(store::kSramLine);
    const uint64_t last = first + (lines - 1) * c.get(store::kSramStride) +
                          c.get(store::kExtraPanels) * c.get(store::kSramPanelPitch);
    if (last >= cfg.scratchpad_lines) {
      return fail(Error::kScratchpadRange, "STORE TO_SCRATCHPAD writes scratchpad lines " +
                                               std::to_string(first) + ".." + std::to_string(last) +
                                               ", past the last line " +
                                               std::to_string(cfg.scratchpad_lines - 1));
    }
  }
  const uint64_t cols = c.get(store::kCols);
  if (c.mode() & kStoreModeRequantize) {
    const bool per_channel = c.mode() & kStoreModePerChannel;
    const uint64_t entries = per_channel ? cols : 1;  // per panel, whose entries follow
    const uint64_t panels = per_channel ? c.get(store::kExtraPanels) + 1 : 1;
    if (auto r =
            lines_fit(Error::kQtableRange, "STORE", "quantization-table",
                      c.get(store::kQparamEntry), panels, entries, entries, cfg.qtable_entries);
        !r)
      return r;
    const auto lo = static_cast<int8_t>(c.get(store::kActMin));
    const auto hi = static_cast<int8_t>(c.get(store::kActMax));
    if (lo > hi) {
      return fail(Error::kBadClamp, "STORE ACT_MIN = " + std::to_string(lo) +
                                        " is above ACT_MAX = " + std::to_string(hi));
    }
  }
  return {};
}

}  // namespace

Command Command::from_bytes(const uint8_t* bytes) {
  Command c;
  std::copy(bytes, bytes + kCommandBytes, c.bytes_.begin());
  return c;
}

uint64_t Command::get(Field f) const {
  uint64_t v = 0;
  for (uint32_t i = 0; i < f.bytes; ++i)
    v |= static_cast<uint64_t>(bytes_[f.offset + i]) << (8 * i);
  return v;
}

void Command::set(Field f, uint64_t value) {
  for (uint32_t i = 0; i < f.bytes; ++i)
    bytes_[f.offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

Command encode(const Load& a) {
  Command c(Opcode::kLoad);
  c.set(kHdrDeps, a.deps);
  c.set(kHdrMode, (a.dest == Load::Dest::kAccumulator ? kLoadModeToAccumulator
                   : a.dest == Load::Dest::kQTable    ? kLoadModeToQtable
                                                      : 0) |
                      (a.fill ? kLoadModeFill : 0) | (a.windows ? kLoadModeWindows : 0));
  c.set(load::kDramAddr, a.dram_addr);
  c.set(load::kRowBytes, a.row_bytes);
  c.set(load::kRows, a.rows);
  c.set(load::kDramStride, a.dram_stride);
  c.set(load::kSramLine, a.sram_line);
  c.set(load::kSramStride, a.sram_stride);
  c.set(load::kFillValue, static_cast<uint8_t>(a.fill_value));
  if (a.windows) {
    c.set(load::kByteOffset, a.byte_offset);
    c.set(load::kWindowBytes, a.window_bytes);
    c.set(load::kWindowStep, a.window_step);
    c.set(load::kWindows, a.windows);
    c.set(load::kWindowLineStride, a.window_line_stride);
  }
  return c;
}

Command encode(const Compute& a) {
  Command c(Opcode::kCompute);
  c.set(kHdrDeps, a.deps);
  c.set(kHdrMode,
        (a.accumulate ? kComputeModeAccumulate : 0) | (a.rescale ? kComputeModeRescale : 0) |
            (a.depthwise ? kComputeModeDepthwise : 0) |
            (a.dw_stride_2 ? kComputeModeDwStride2 : 0) | (a.dw_output ? kComputeModeDwOutput : 0) |
            (a.dw_pair ? kComputeModeDwPair : 0));
  c.set(compute::kDwBlockPitch, a.dw_block_pitch);
  c.set(compute::kDwPairOffset, uint32_t(a.dw_pair_offset));
  c.set(compute::kDwPad, a.dw_pad);
  c.set(compute::kDwZeroPoint, uint8_t(a.dw_zero_point));
  c.set(compute::kActLine, a.act_line);
  c.set(compute::kActStride, a.act_stride);
  c.set(compute::kVectors, a.vectors);
  c.set(compute::kActRows, a.act_rows);
  c.set(compute::kActRowStride, a.act_row_stride);
  c.set(compute::kWgtLine, a.wgt_line);
  c.set(compute::kAccLine, a.acc_line);
  c.set(compute::kKValid, a.k_valid);
  c.set(compute::kNValid, a.n_valid);
  c.set(compute::kExtraTiles, a.extra_tiles);
  c.set(compute::kActTileStride, a.act_tile_stride);
  if (a.rescale) {
    c.set(compute::kRescaleMultiplier, uint32_t(a.rescale_multiplier));
    c.set(compute::kRescaleRightShift, a.rescale_right_shift);
    c.set(compute::kRescaleZeroPoint, uint8_t(a.rescale_zero_point));
  }
  return c;
}

Command encode(const Store& a) {
  Command c(Opcode::kStore);
  c.set(kHdrDeps, a.deps);
  c.set(kHdrMode,
        (a.requantize ? kStoreModeRequantize : 0) | (a.per_channel ? kStoreModePerChannel : 0) |
            (a.pool ? kStoreModePool2x2 : 0) | (a.to_scratchpad ? kStoreModeToScratchpad : 0));
  c.set(store::kDramAddr, a.dram_addr);
  c.set(store::kRows, a.rows);
  c.set(store::kAccLine, a.acc_line);
  c.set(store::kDramStride, a.dram_stride);
  c.set(store::kCols, a.cols);
  c.set(store::kZeroPoint, static_cast<uint8_t>(a.zero_point));
  c.set(store::kActMin, static_cast<uint8_t>(a.act_min));
  c.set(store::kActMax, static_cast<uint8_t>(a.act_max));
  c.set(store::kQparamEntry, a.qparam_entry);
  c.set(store::kPoolWidth, a.pool_width);
  c.set(store::kAccPitch, a.acc_pitch);
  c.set(store::kExtraPanels, a.extra_panels);
  c.set(store::kPanelPitch, a.panel_pitch);
  c.set(store::kSramLine, a.sram_line);
  c.set(store::kSramStride, a.sram_stride);
  c.set(store::kSramPanelPitch, a.sram_panel_pitch);
  return c;
}

uint32_t dw_outputs(const Command& c) {
  const uint64_t pad = c.get(compute::kDwPad);
  const uint64_t padded =
      c.get(compute::kVectors) + bool(pad & kDwPadLeft) + bool(pad & kDwPadRight);
  if (padded < kDwKernel) return 0;
  return uint32_t((padded - kDwKernel) / (c.mode() & kComputeModeDwStride2 ? 2 : 1) + 1);
}

uint64_t counted_macs(const Command& c, uint32_t rows) {
  if (c.opcode() != Opcode::kCompute || (c.mode() & kComputeModeRescale)) return 0;
  if (c.mode() & kComputeModeDepthwise) {  // each output: a 3 x 3 window on N_VALID lanes
    if (!(c.mode() & kComputeModeDwOutput)) return 0;
    return uint64_t(dw_outputs(c)) * c.get(compute::kActRows) * kDwTaps * c.get(compute::kNValid);
  }
  return c.get(compute::kVectors) * c.get(compute::kActRows) * c.get(compute::kNValid) *
         (c.get(compute::kExtraTiles) * rows + c.get(compute::kKValid));
}

Command encode(const Fence& a) {
  Command c(Opcode::kFence);
  c.set(kHdrMode,
        (a.interrupt ? kFenceModeInterrupt : 0) | (a.timestamp ? kFenceModeTimestamp : 0));
  c.set(fence::kDramAddr, a.dram_addr);
  c.set(fence::kValue, a.value);
  return c;
}

CheckResult check(const Command& c, const BuildConfig& config) {
  switch (c.opcode()) {
    case Opcode::kLoad:
      return check_load(c, config);
    case Opcode::kCompute:
      return check_compute(c, config);
    case Opcode::kStore:
      return check_store(c, config);
    case Opcode::kFence: {
      if (auto r = check_reserved(c, fence::kDepsAllowed, fence::kModeAllowed, fence::kUsedBytes,
                                  "FENCE");
          !r)
        return r;
      const uint64_t align = (c.mode() & kFenceModeTimestamp) ? 16 : 4;
      if (c.get(fence::kDramAddr) % align) {
        return fail(Error::kBadAlignment, "FENCE DRAM_ADDR = 0x" +
                                              hex_digits(c.get(fence::kDramAddr)) + " is not " +
                                              std::to_string(align) + "-byte aligned");
      }
      return {};
    }
  }
  return fail(Error::kBadOpcode, "OPCODE = " + std::to_string(c.bytes()[0]) +
                                     " is not a command (" + opcode_list(true) + ")");
}

std::string opcode_list(bool with_values) {
  std::string s;
  for (const OpcodeInfo& op : kOpcodes) {
    s += std::string(s.empty() ? "" : ", ") + op.name;
    if (with_values) s += "=" + std::to_string(static_cast<int>(op.opcode));
  }
  return s;
}

namespace {

const OpcodeInfo* opcode_info(uint8_t value) {
  for (const OpcodeInfo& op : kOpcodes)
    if (static_cast<uint8_t>(op.opcode) == value) return &op;
  return nullptr;
}

// "a,b" for the flags set in `bits`, in table order.
std::string flag_list(const FlagInfo* flags, std::size_t count, uint8_t bits) {
  std::string s;
  for (std::size_t i = 0; i < count; ++i)
    if (bits & flags[i].mask) s += std::string(s.empty() ? "" : ",") + flags[i].name;
  return s;
}

bool is_address(const FieldInfo& f) {
  const std::string n = f.name;
  return n.size() > 5 && n.compare(n.size() - 5, 5, "_addr") == 0;
}

}  // namespace

std::string disassemble(const Command& c) {
  const OpcodeInfo* op = opcode_info(c.bytes()[0]);
  if (!op) return "INVALID opcode=" + std::to_string(c.bytes()[0]);
  std::ostringstream out;
  out << op->name;
  if (c.deps()) out << " deps=" << flag_list(kDepsFlags, std::size(kDepsFlags), c.deps());
  if (c.mode()) out << " mode=" << flag_list(op->modes, op->mode_count, c.mode());
  for (std::size_t i = 0; i < op->field_count; ++i) {
    const FieldInfo& f = op->fields[i];
    const uint64_t v = c.get(f.field);
    out << ' ' << f.name << '=';
    if (f.is_signed) {
      const int bits = int(8 * f.field.bytes);  // two's complement of the field's width
      out << (bits < 64 && v >> (bits - 1) ? int64_t(v) - (int64_t(1) << bits) : int64_t(v));
    } else if (is_address(f)) {
      char buf[24];
      std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
      out << buf;
    } else {
      out << v;
    }
  }
  return out.str();
}

Command assemble(const std::string& line) {
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("cannot assemble '" + line + "': " + why);
  };
  std::istringstream in(line);
  std::string word;
  if (!(in >> word)) throw bad("empty line");
  const OpcodeInfo* op = nullptr;
  for (const OpcodeInfo& o : kOpcodes)
    if (word == o.name) op = &o;
  if (!op) throw bad("unknown opcode '" + word + "' (" + opcode_list(false) + ")");
  Command c(op->opcode);
  auto parse_flags = [&](const std::string& list, const FlagInfo* flags, std::size_t count,
                         const char* what) {
    uint8_t bits = 0;
    std::istringstream items(list);
    std::string item;
    while (std::getline(items, item, ',')) {
      bool known = false;
      for (std::size_t i = 0; i < count; ++i) {
        if (item == flags[i].name) {
          bits |= flags[i].mask;
          known = true;
        }
      }
      if (!known) {
        std::string names;
        for (std::size_t i = 0; i < count; ++i) names += std::string(i ? ", " : "") + flags[i].name;
        throw bad(std::string(what) + " flag '" + item + "' is not one of: " + names);
      }
    }
    return bits;
  };
  while (in >> word) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) throw bad("'" + word + "' is not key=value");
    const std::string key = word.substr(0, eq), text = word.substr(eq + 1);
    if (key == "deps") {
      c.set(kHdrDeps, parse_flags(text, kDepsFlags, std::size(kDepsFlags), "deps"));
      continue;
    }
    if (key == "mode") {
      c.set(kHdrMode, parse_flags(text, op->modes, op->mode_count, "mode"));
      continue;
    }
    const FieldInfo* field = nullptr;
    for (std::size_t i = 0; i < op->field_count; ++i)
      if (key == op->fields[i].name) field = &op->fields[i];
    if (!field) throw bad(std::string(op->name) + " has no field '" + key + "'");
    const int bits = int(8 * field->field.bytes);
    errno = 0;
    char* end = nullptr;
    if (field->is_signed) {
      const long long v = std::strtoll(text.c_str(), &end, 0);
      const long long lo = -(1ll << (bits - 1)), hi = (1ll << (bits - 1)) - 1;
      if (text.empty() || *end || errno || v < lo || v > hi) {
        throw bad(key + " = '" + text + "' is not an integer in [" + std::to_string(lo) + ", " +
                  std::to_string(hi) + "]");
      }
      c.set(field->field, static_cast<uint64_t>(v) & (bits >= 64 ? ~0ull : (1ull << bits) - 1));
    } else {
      const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
      const unsigned long long max = bits >= 64 ? ~0ull : (1ull << bits) - 1;
      if (text.empty() || text[0] == '-' || *end || errno || v > max) {
        throw bad(key + " = '" + text + "' is not an integer in [0, " + std::to_string(max) + "]");
      }
      c.set(field->field, v);
    }
  }
  return c;
}

CheckResult check_host_access(const Command& c, const HostRange& memory,
                              const std::vector<HostRange>& no_write) {
  uint64_t addr = 0, stride = 0, rows = 0, bytes = 0;
  bool write = true;
  const char* op = "";
  switch (c.opcode()) {
    case Opcode::kLoad:
      if (c.mode() & kLoadModeFill) return {};
      op = "LOAD", write = false;
      addr = c.get(load::kDramAddr), stride = c.get(load::kDramStride);
      rows = c.get(load::kRows), bytes = c.get(load::kRowBytes);
      break;
    case Opcode::kStore: {
      if (c.mode() & kStoreModeToScratchpad) return {};  // no host memory
      op = "STORE";
      addr = c.get(store::kDramAddr), stride = c.get(store::kDramStride);
      const bool pool = c.mode() & kStoreModePool2x2;
      rows = c.get(store::kRows) * (pool ? c.get(store::kPoolWidth) : 1);
      // A row: a line of each of the 1 + EXTRA_PANELS panels (16 x 4 x 16 bits: no overflow).
      bytes = c.get(store::kCols) * ((c.mode() & kStoreModeRequantize) ? 1 : 4) *
              (c.get(store::kExtraPanels) + 1);
      break;
    }
    case Opcode::kFence:
      op = "FENCE", rows = 1;
      addr = c.get(fence::kDramAddr), bytes = (c.mode() & kFenceModeTimestamp) ? 16 : 4;
      break;
    default:
      return {};
  }
  auto inside = [](const HostRange& r, uint64_t a, uint64_t n) {
    return a >= r.base && n <= r.size && a - r.base <= r.size - n;
  };
  auto overlaps = [](const HostRange& r, uint64_t a, uint64_t n) {
    return a < r.base + r.size && r.base < a + n;
  };
  auto row_text = [&](uint64_t row, uint64_t a) {
    return std::string(op) + " row " + std::to_string(row) + " (" + std::to_string(bytes) +
           " bytes at 0x" + hex_digits(a) + ")";
  };
  auto range_text = [](const HostRange& r) {
    return std::string(r.what) + " [0x" + hex_digits(r.base) + ", 0x" +
           hex_digits(r.base + r.size) + ")";
  };
  // The rows run from addr to addr + (rows - 1) * stride + bytes; when that span does not
  // wrap, lies in the memory and meets no protected range, so does every row.
  uint64_t span = 0;
  bool clear = !__builtin_mul_overflow(rows - 1, stride, &span) &&
               !__builtin_add_overflow(span, bytes, &span) && inside(memory, addr, span);
  if (clear && write) {
    for (const HostRange& r : no_write) clear = clear && !overlaps(r, addr, span);
  }
  if (clear) return {};
  for (uint64_t row = 0; row < rows; ++row) {
    const uint64_t a = addr + row * stride;  // wraps as the engine's address generator does
    if (!inside(memory, a, bytes))
      return fail(Error::kDmaWindow, row_text(row, a) + " lies outside " + range_text(memory));
    if (!write) continue;
    for (const HostRange& r : no_write) {
      if (overlaps(r, a, bytes))
        return fail(Error::kDmaWindow, row_text(row, a) + " writes into " + range_text(r));
    }
  }
  return {};
}

std::vector<uint8_t> qtable_entries(const std::vector<int32_t>& bias,
                                    const std::vector<int32_t>& multiplier,
                                    const std::vector<int>& shift) {
  if (bias.size() != multiplier.size() || bias.size() != shift.size()) {
    throw std::invalid_argument("quantization table: " + std::to_string(bias.size()) + " biases, " +
                                std::to_string(multiplier.size()) + " multipliers and " +
                                std::to_string(shift.size()) + " shifts; the three must match");
  }
  std::vector<uint8_t> out(qtable::kEntryBytes * bias.size(), 0);
  auto put = [&](std::size_t entry, Field f, uint64_t v) {
    for (uint32_t i = 0; i < f.bytes; ++i)
      out[qtable::kEntryBytes * entry + f.offset + i] = uint8_t(v >> (8 * i));
  };
  for (std::size_t c = 0; c < bias.size(); ++c) {
    put(c, qtable::kBias, uint32_t(bias[c]));
    put(c, qtable::kMultiplier, uint32_t(multiplier[c]));
    put(c, qtable::kShift, uint32_t(shift[c]));
  }
  return out;
}

CommandStream& CommandStream::push(const Command& c) {
  if (const CheckResult r = check(c, config_); !r) {
    throw InvalidCommand(r.error, "command " + std::to_string(commands_.size()) + ": " + r.message);
  }
  commands_.push_back(c);
  return *this;
}

CommandStream& CommandStream::append(const CommandStream& other) {
  const BuildConfig& o = other.config_;
  if (o.rows != config_.rows || o.cols != config_.cols ||
      o.scratchpad_lines != config_.scratchpad_lines ||
      o.accumulator_lines != config_.accumulator_lines ||
      o.qtable_entries != config_.qtable_entries) {
    for (const Command& c : other.commands_) push(c);  // another build: check each again
    return *this;
  }
  commands_.insert(commands_.end(), other.commands_.begin(), other.commands_.end());
  return *this;
}

std::vector<uint8_t> CommandStream::bytes() const {
  std::vector<uint8_t> out;
  out.reserve(commands_.size() * kCommandBytes);
  for (const auto& c : commands_) out.insert(out.end(), c.bytes().begin(), c.bytes().end());
  return out;
}

}  // namespace tessera::isa
