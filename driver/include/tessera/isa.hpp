// SPDX-License-Identifier: Apache-2.0
// Tessera commands in C++: encoding, the engine's checks, disassembly and the command
// stream builder that the simulator's testbench and the driver share (docs/isa.md).
//
// The byte layout comes from isa_fields.hpp, generated from rtl/tessera_isa.json like the
// RTL decoder's package, so the two cannot drift apart. check() applies the same checks,
// in the same order, as the engine's decoder and returns the same error code, with a
// message that names the offending field, its value and the accepted range.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "tessera/default_engine.hpp"
#include "tessera/isa_fields.hpp"

namespace tessera::isa {

// The build an engine reports in its CONFIG registers (Engine::info()); limits for the
// checks. The defaults are this source tree's default engine (rtl/tessera_pkg.sv).
struct BuildConfig {
  uint32_t rows = defaults::kNumRows;  // NumRows: scratchpad line bytes, weight tile rows
  uint32_t cols = defaults::kNumCols;  // NumCols: accumulator line lanes
  uint32_t scratchpad_lines = defaults::kScratchpadBytes / defaults::kNumRows;
  uint32_t accumulator_lines = defaults::kAccumulatorBytes / (4 * defaults::kNumCols);
  uint32_t qtable_entries = defaults::kQTableEntries;
  uint32_t bus_bytes =
      defaults::kBusWidth / 8;  // AXI data bytes: a STORE's panel lines are whole beats
};

class Command {
 public:
  Command() = default;
  explicit Command(Opcode op) { set(kHdrOpcode, static_cast<uint8_t>(op)); }
  static Command from_bytes(const uint8_t* bytes);

  uint64_t get(Field f) const;
  void set(Field f, uint64_t value);
  Opcode opcode() const { return static_cast<Opcode>(bytes_[0]); }
  uint8_t deps() const { return bytes_[1]; }
  uint8_t mode() const { return bytes_[2]; }
  const std::array<uint8_t, kCommandBytes>& bytes() const { return bytes_; }
  bool operator==(const Command& o) const { return bytes_ == o.bytes_; }

 private:
  std::array<uint8_t, kCommandBytes> bytes_{};
};

// Commands by their fields, named as in docs/isa.md. `deps` holds kDeps* flags.
struct Load {
  enum class Dest { kScratchpad, kAccumulator, kQTable };
  Dest dest = Dest::kScratchpad;
  uint64_t dram_addr = 0;
  uint32_t row_bytes = 0, rows = 0;
  uint64_t dram_stride = 0;
  uint32_t sram_line = 0, sram_stride = 0;
  bool fill = false;      // no transfer: every byte of the rows is fill_value (scratchpad)
  int8_t fill_value = 0;  // e.g. the input zero point, for a convolution's padding
  // windows > 0: LOAD WINDOWS (scratchpad): window i of row r is the row's bytes
  // [i*window_step, i*window_step + window_bytes), written at byte byte_offset of line
  // sram_line + r*sram_stride + i*window_line_stride, the line's other bytes unchanged.
  uint16_t windows = 0, window_bytes = 0;
  uint32_t window_step = 0, window_line_stride = 0;
  uint8_t byte_offset = 0;
  uint8_t deps = 0;

  // A LOAD FILL of `rows` scratchpad rows of `lines` lines (NumRows = `line_bytes` each),
  // `stride` lines apart from `line` on, every byte `value` (a convolution's padding).
  static Load fill_rows(uint32_t line, uint32_t lines, uint32_t line_bytes, uint32_t rows,
                        uint32_t stride, int8_t value) {
    Load l;
    l.fill = true;
    l.fill_value = value;
    l.row_bytes = lines * line_bytes;
    l.rows = rows;
    l.sram_line = line;
    l.sram_stride = stride;
    return l;
  }
};
struct Compute {
  bool accumulate = false;
  // The vector path instead of the array (TFLite ADD's input stage): lane l of result m is
  // ref::rescale_for_add(byte l of vector m, rescale_zero_point, rescale_multiplier,
  // rescale_right_shift); the weights are not read, no MACs are counted.
  bool rescale = false;
  int32_t rescale_multiplier = 0;
  uint8_t rescale_right_shift = 0;  // 0 .. 31
  int8_t rescale_zero_point = 0;
  uint32_t act_line = 0, act_stride = 1, vectors = 0, wgt_line = 0, acc_line = 0;
  // act_rows rows of `vectors` vectors, act_row_stride lines apart (results consecutive).
  uint32_t act_rows = 1, act_row_stride = 0;
  uint16_t k_valid = 0, n_valid = 0;  // k_valid: of the last tile (the others are full)
  // extra_tiles more K tiles accumulating into the same results: tile t's vectors from
  // act_line + t*act_tile_stride, its weights from wgt_line + t*NumRows.
  uint16_t extra_tiles = 0;
  uint32_t act_tile_stride = 0;
  // The depthwise unit instead of the array (docs/isa.md, "Depthwise"): one input row of an
  // image, act_rows channel blocks of `vectors` pixels; with dw_output the 3 x 3 windows
  // ending on it are written, block b's output ox at acc_line + b*dw_block_pitch + ox.
  // dw_pair (with dw_stride_2): two input rows, the second's line of block b, pixel x at
  // act_line + dw_pair_offset + b*act_row_stride + x*act_stride (the offset signed).
  // dw_pad: the kDwPad* padding the unit makes of dw_zero_point bytes.
  bool depthwise = false, dw_stride_2 = false, dw_output = false, dw_pair = false;
  uint16_t dw_block_pitch = 0;
  int32_t dw_pair_offset = 0;
  uint8_t dw_pad = 0;
  int8_t dw_zero_point = 0;
  uint8_t deps = 0;
};
struct Store {
  bool requantize = false, per_channel = false;
  uint64_t dram_addr = 0;
  uint32_t rows = 0, acc_line = 0;
  uint64_t dram_stride = 0;
  uint16_t cols = 0;
  int8_t zero_point = 0, act_min = -128, act_max = 127;
  uint32_t qparam_entry = 0;
  // 2x2 max-pool (with requantize): rows pooled rows of pool_width pixels, pooled pixel
  // (y, x) the maximum of lines acc_line + 2y*acc_pitch + 2x + {0, 1, acc_pitch, acc_pitch+1}.
  bool pool = false;
  uint16_t pool_width = 0, acc_pitch = 0;
  // Several panels per row (not pooled): row m is line acc_line + p*panel_pitch + m of each
  // panel p = 0 .. extra_panels, back to back; panel p's lanes use entries qparam_entry +
  // p*cols + l (per channel). A line's bytes must be whole bus beats.
  uint16_t extra_panels = 0, panel_pitch = 0;
  // Into the scratchpad instead of host memory (with requantize; cols <= the line's bytes):
  // line i of panel p (i a row, or a pooled pixel) to sram_line + i*sram_stride +
  // p*sram_panel_pitch; dram_addr and dram_stride unused.
  bool to_scratchpad = false;
  uint32_t sram_line = 0, sram_stride = 0, sram_panel_pitch = 0;
  uint8_t deps = 0;
};
struct Fence {
  bool interrupt = false;
  uint64_t dram_addr = 0;  // 4-byte aligned, 16 with timestamp
  uint32_t value = 0;
  // Write 16 bytes {value, 0, u64 cycles}: the cycle counter when every earlier command
  // had finished.
  bool timestamp = false;
};

Command encode(const Load& c);
Command encode(const Compute& c);
Command encode(const Store& c);
Command encode(const Fence& c);

// The MACs the engine's counter adds for a (checked) COMPUTE: ACT_ROWS x VECTORS x N_VALID
// x the K rows of its tiles (NumRows = `rows` each, K_VALID for the last); 0 for RESCALE;
// DEPTHWISE: dw_outputs() x ACT_ROWS x DW_KERNEL^2 x N_VALID with DW_OUTPUT, else 0.
uint64_t counted_macs(const Command& compute, uint32_t rows);

// The outputs per channel block a DEPTHWISE COMPUTE writes with DW_OUTPUT:
// (VECTORS + DW_PAD's columns - DW_KERNEL) / stride + 1 (0 below DW_KERNEL).
inline constexpr uint32_t kDwTaps = kDwKernel * kDwKernel;  // weight lines per channel block
uint32_t dw_outputs(const Command& compute);
// A COMPUTE's DW_PAIR_OFFSET: lines from the first row to the second, two's complement.
inline int64_t dw_pair_offset(const Command& c) {
  return int32_t(uint32_t(c.get(compute::kDwPairOffset)));
}

// The engine's decoder in software: kNone, or the first error the engine would report.
struct CheckResult {
  Error error = Error::kNone;
  std::string message;  // names the field, its value and the accepted range
  explicit operator bool() const { return error == Error::kNone; }
};
CheckResult check(const Command& c, const BuildConfig& config);

// Host memory a command may touch. check_host_access() refuses (DMA_WINDOW, naming the row,
// its address and the range) a command with a host row outside `memory`, or one that writes
// a row into a `no_write` range (e.g. the command ring: a STORE there would change commands
// the engine has yet to fetch). The engine checks rows one by one as they go out, so what a
// command moved before its failing row is moved (docs/isa.md); checked here, nothing is.
struct HostRange {
  uint64_t base = 0, size = 0;
  const char* what = "";  // "the device memory", "the command ring", ...
};
CheckResult check_host_access(const Command& c, const HostRange& memory,
                              const std::vector<HostRange>& no_write);

// Quantization-table entries (docs/isa.md): per channel {int32 bias, int32 multiplier,
// int32 shift, int32 0}, little-endian, ready for a LOAD with Load::Dest::kQTable. Throws
// std::invalid_argument if the three vectors differ in length.
std::vector<uint8_t> qtable_entries(const std::vector<int32_t>& bias,
                                    const std::vector<int32_t>& multiplier,
                                    const std::vector<int>& shift);

// One line of assembly text naming every field: "OPCODE [deps=flag,..] [mode=flag,..]
// field=value ...", in the order and with the lower-case names of docs/isa.md (addresses in
// hex, int8 fields signed). assemble() reads it back, byte for byte, for every command whose
// reserved bytes are zero; it also takes any subset of the fields (the rest are zero) and
// throws std::invalid_argument naming the offending word and the accepted values.
std::string disassemble(const Command& c);
Command assemble(const std::string& line);

// The opcodes of the command set, "LOAD, COMPUTE, ..." (with values: "LOAD=1, ...").
std::string opcode_list(bool with_values);

// A command the engine would refuse.
class InvalidCommand : public std::invalid_argument {
 public:
  InvalidCommand(Error error, const std::string& message)
      : std::invalid_argument(message), error_(error) {}
  Error error() const { return error_; }

 private:
  Error error_;
};

// The command stream: the exact bytes the engine fetches, on every backend.
class CommandStream {
 public:
  explicit CommandStream(BuildConfig config = {}) : config_(config) {}

  // Appends a command after checking it as the engine would; throws InvalidCommand.
  CommandStream& push(const Command& c);
  template <typename Args>
  CommandStream& push(const Args& args) {
    return push(encode(args));
  }
  // Appends another stream's commands (checked when they were pushed there, so checked
  // again only if that stream was for another build).
  CommandStream& append(const CommandStream& other);

  const std::vector<Command>& commands() const { return commands_; }
  std::vector<uint8_t> bytes() const;
  std::size_t size() const { return commands_.size(); }
  const BuildConfig& config() const { return config_; }

 private:
  BuildConfig config_;
  std::vector<Command> commands_;
};

}  // namespace tessera::isa
