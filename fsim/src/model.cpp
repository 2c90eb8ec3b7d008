// SPDX-License-Identifier: Apache-2.0
// Model: registers, ring, DMA window and the three units' data; see fsim.hpp. The order
// rules are isa::Dataflow's, the arithmetic tessera::ref's; what is here is what each
// command does to the buffers and to memory, in the RTL's terms (the rtl/ module named at
// each step).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <string>
#include <vector>

#include "compute_kernel.hpp"
#include "tessera/fsim.hpp"
#include "tessera/ref.hpp"
#include "timing.hpp"

namespace tessera::fsim {
namespace {

using isa::Command;
using isa::Error;
namespace load = isa::load;
namespace compute = isa::compute;
namespace store = isa::store;
namespace fence = isa::fence;

constexpr uint32_t kMaxPanels = isa::kMaxExtraPanels + 1;  // a STORE's panels per row

uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}
void put_le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = uint8_t(v >> (8 * i));
}
uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

// tessera_requant_lane: bias, the wrapping left shift, the rounding doubling high multiply
// (any int32 multiplier, as the RTL's signed multiply takes it), the rounding right shift,
// the zero point and the clamp.
int8_t requantize_lane(int32_t acc, int32_t bias, int32_t multiplier, int shift, int zero_point,
                       int act_min, int act_max) {
  const uint32_t x = uint32_t(acc) + uint32_t(bias);
  const int left = shift > 0 ? shift : 0;
  const auto shifted = static_cast<int32_t>(x << left);
  const int32_t high = ref::saturating_rounding_doubling_high_mul(shifted, multiplier);
  const int32_t q = ref::rounding_divide_by_pot(high, shift > 0 ? 0 : -shift);
  const int64_t v = int64_t(q) + zero_point;
  return int8_t(std::clamp<int64_t>(v, act_min, act_max));
}

}  // namespace

struct Model::Impl {
  Model& model;
  const Options& o;
  const uint32_t rows, cols, bus_bytes;
  std::vector<int8_t> scratchpad;    // lines of `rows` bytes
  std::vector<int32_t> accumulator;  // lines of `cols` lanes
  std::vector<uint8_t> qtable;       // entries of 16 bytes
  isa::Dataflow dataflow;
  Timing timing;
  // A STORE's per-lane parameters and output row (reused: no allocation per command).
  std::vector<int32_t> lane_bias, lane_mult, lane_shift;
  std::vector<uint8_t> row_buffer;
  // The depthwise unit's line buffer: the two rows before the next DEPTHWISE COMPUTE's, each
  // DW_LINE_BUFFER_LINES lines of `rows` bytes, line b*VECTORS + x (undefined after reset
  // on the RTL; zero here).
  std::vector<int8_t> dw_older, dw_newer;
  std::vector<int32_t> dw_sum;     // a DEPTHWISE output's lanes (reused: no allocation per command)
  std::vector<int8_t> dw_padding;  // a line of DW_ZERO_POINT

  // Registers
  uint32_t ctrl = 0, intr_status = 0, intr_enable = 0, ring_size = 0, ring_tail = 0, ring_head = 0,
           latched_hi = 0;
  uint64_t ring_base = 0, window_base = 0, window_limit = 0;
  uint64_t counters[regs::kNumCounters] = {};
  // The stop: the fetcher's own, or the dispatcher's (dataflow.stop()).
  Error fetch_error = Error::kNone;
  uint32_t fetch_error_index = 0;
  bool error_raised = false;  // INTR_STATUS.ERROR given for the current stop

  Impl(Model& m, const Options& opt)
      : model(m),
        o(opt),
        rows(opt.config.rows),
        cols(opt.config.cols),
        bus_bytes(opt.config.bus_bytes),
        scratchpad(std::size_t(opt.config.scratchpad_lines) * opt.config.rows),
        accumulator(std::size_t(opt.config.accumulator_lines) * opt.config.cols),
        qtable(std::size_t(opt.config.qtable_entries) * isa::qtable::kEntryBytes),
        dataflow(opt.config),
        timing(opt.config, opt.memory_latency),
        lane_bias(kMaxPanels * cols),
        lane_mult(kMaxPanels * cols),
        lane_shift(kMaxPanels * cols),
        row_buffer(4 * std::size_t(kMaxPanels) * cols),
        dw_older(std::size_t(isa::kDwLineBufferLines) * rows),
        dw_newer(std::size_t(isa::kDwLineBufferLines) * rows),
        dw_sum(cols),
        dw_padding(rows) {}

  uint64_t& counter(regs::Counter c) { return counters[static_cast<uint32_t>(c)]; }

  // ---- Host memory through the DMA (tessera_dma_burst_gen's window check, per row) ------
  // Error::kNone, DMA_WINDOW for a row outside the window, AXI_DECERR for one inside the
  // window where no memory answers.
  Error check_row(uint64_t addr, uint64_t bytes) const {
    const uint64_t end = addr + bytes;  // the RTL looks at 65 bits: a wrap is outside
    if (addr < window_base || end < addr || end - 1 > window_limit) return Error::kDmaWindow;
    if (addr < o.memory_base || end - o.memory_base > o.memory_size) return Error::kAxiDecerr;
    return Error::kNone;
  }
  // Every R beat is a whole bus word (tessera_perf_events).
  void count_read(uint64_t addr, uint64_t bytes) {
    counter(regs::Counter::kDmaReadBytes) +=
        bus_bytes * ceil_div(addr % bus_bytes + bytes, bus_bytes);
  }

  // ---- Fetch (tessera_cmd_fetch) and the stop --------------------------------------------
  bool stopped() const { return fetch_error != Error::kNone || dataflow.stopped(); }
  Error error_code() const { return dataflow.stopped() ? dataflow.stop().error : fetch_error; }
  uint32_t error_index() const {
    return dataflow.stopped() ? dataflow.stop().index : fetch_error_index;
  }

  void pump() {
    if (!(ctrl & regs::kCtrlEnable.mask())) return;
    if (!stopped() && ring_head != ring_tail) timing.doorbell();
    while (!stopped() && ring_head != ring_tail) {
      const uint32_t pending = ring_tail - ring_head;
      const bool ring_ok = ring_size != 0 && (ring_size & (ring_size - 1)) == 0 &&
                           ring_base % isa::kCommandBytes == 0 && pending <= ring_size;
      const uint64_t addr = ring_base + isa::kCommandBytes * (ring_head & (ring_size - 1));
      const Error e = ring_ok ? check_row(addr, isa::kCommandBytes) : Error::kBadRing;
      if (e != Error::kNone) {
        fetch_error = e;
        fetch_error_index = ring_head;
        break;
      }
      count_read(addr, isa::kCommandBytes);
      dataflow.fetched(Command::from_bytes(model.memory(addr)), ring_head);
      timing.fetched();
      ++ring_head;
    }
    dataflow.run([this](const Command& c, uint32_t index) { return execute(c, index); });
    if (stopped() && !error_raised) {
      error_raised = true;
      intr_status |= regs::kIntrStatusError.mask();
    }
    counter(regs::Counter::kCycles) = timing.now();
    for (const auto c : {regs::Counter::kLoadBusy, regs::Counter::kComputeBusy,
                         regs::Counter::kStoreBusy, regs::Counter::kDepthwiseBusy})
      counter(c) = timing.busy(c);
  }

  void soft_reset() {
    dataflow.reset();
    timing.reset();
    fetch_error = Error::kNone;
    error_raised = false;
    ring_head = ring_tail;
  }

  Error execute(const Command& c, uint32_t index) {
    Error e = Error::kNone;
    switch (c.opcode()) {
      case isa::Opcode::kLoad:
        e = run_load(c);
        break;
      case isa::Opcode::kCompute:
        e = run_compute(c);
        break;
      case isa::Opcode::kStore:
        e = run_store(c);
        break;
      case isa::Opcode::kFence:
        e = run_fence(c);
        break;
    }
    timing.executed(c, index);
    if (c.opcode() != isa::Opcode::kFence || e == Error::kNone)
      ++counter(regs::Counter::kCommandsRetired);  // a failed fence write does not retire
    return e;
  }

  // ---- LOAD (tessera_load_unit, tessera_line_packer, tessera_window_cutter) ---------------
  Error run_load(const Command& c) {
    const uint32_t row_bytes = uint32_t(c.get(load::kRowBytes)), n = uint32_t(c.get(load::kRows));
    const uint32_t line0 = uint32_t(c.get(load::kSramLine));
    const uint32_t line_stride = uint32_t(c.get(load::kSramStride));
    const uint8_t mode = c.mode();
    if (mode & isa::kLoadModeFill) {
      const auto value = int8_t(c.get(load::kFillValue));
      const uint32_t lines = uint32_t(ceil_div(row_bytes, rows));
      for (uint32_t r = 0; r < n; ++r) {
        int8_t* line = &scratchpad[std::size_t(line0 + r * line_stride) * rows];
        std::memset(line, value, row_bytes);
        std::memset(line + row_bytes, 0, std::size_t(lines) * rows - row_bytes);
      }
      return Error::kNone;
    }
    const uint64_t addr0 = c.get(load::kDramAddr), stride = c.get(load::kDramStride);
    for (uint32_t r = 0; r < n; ++r) {
      const uint64_t addr = addr0 + r * stride;
      if (const Error e = check_row(addr, row_bytes); e != Error::kNone) return e;
      count_read(addr, row_bytes);
      const uint8_t* src = model.memory(addr);
      const std::size_t line = line0 + std::size_t(r) * line_stride;
      if (mode & isa::kLoadModeToAccumulator) {
        int32_t* dst = &accumulator[line * cols];
        for (uint32_t i = 0; i < row_bytes / 4; ++i) dst[i] = int32_t(le32(src + 4 * i));
      } else if (mode & isa::kLoadModeToQtable) {
        std::memcpy(&qtable[line * isa::qtable::kEntryBytes], src, row_bytes);
      } else if (mode & isa::kLoadModeWindows) {
        const uint32_t windows = uint32_t(c.get(load::kWindows));
        const uint32_t bytes = uint32_t(c.get(load::kWindowBytes));
        const uint32_t step = uint32_t(c.get(load::kWindowStep));
        const uint32_t window_lines = uint32_t(c.get(load::kWindowLineStride));
        const uint32_t offset = uint32_t(c.get(load::kByteOffset));
        for (uint32_t i = 0; i < windows; ++i) {
          std::memcpy(&scratchpad[(line + std::size_t(i) * window_lines) * rows + offset],
                      src + std::size_t(i) * step, bytes);
        }
      } else {
        int8_t* dst = &scratchpad[line * rows];
        const std::size_t lines = ceil_div(row_bytes, rows);
        std::memcpy(dst, src, row_bytes);
        std::memset(dst + row_bytes, 0, lines * rows - row_bytes);
      }
    }
    return Error::kNone;
  }

  // ---- COMPUTE (tessera_compute_unit on tessera_core) -------------------------------------
  Error run_compute(const Command& c) {
    const uint32_t act_line = uint32_t(c.get(compute::kActLine));
    const uint32_t act_stride = uint32_t(c.get(compute::kActStride));
    const uint32_t vectors = uint32_t(c.get(compute::kVectors));
    const uint32_t act_rows = uint32_t(c.get(compute::kActRows));
    const uint32_t act_row_stride = uint32_t(c.get(compute::kActRowStride));
    const uint32_t acc_line = uint32_t(c.get(compute::kAccLine));
    const bool accumulate = c.mode() & isa::kComputeModeAccumulate;
    if (c.mode() & isa::kComputeModeRescale) {  // the vector path: no weights, no MACs
      const int32_t mult = int32_t(c.get(compute::kRescaleMultiplier));
      const int right = int(c.get(compute::kRescaleRightShift));
      const int32_t zp = int8_t(c.get(compute::kRescaleZeroPoint));
      const uint32_t lanes = std::min(rows, cols);  // lanes past them are 0
      for (uint32_t r = 0; r < act_rows; ++r) {
        for (uint32_t m = 0; m < vectors; ++m) {
          const int8_t* x = &scratchpad[(act_line + std::size_t(r) * act_row_stride +
                                         std::size_t(m) * act_stride) *
                                        rows];
          int32_t* acc = &accumulator[(acc_line + std::size_t(r) * vectors + m) * cols];
          for (uint32_t l = 0; l < cols; ++l) {
            const int32_t v = l < lanes ? ref::rescale_for_add(x[l], zp, mult, right) : 0;
            acc[l] = accumulate ? int32_t(uint32_t(acc[l]) + uint32_t(v)) : v;  // wrapping
          }
        }
      }
      return Error::kNone;
    }
    if (c.mode() & isa::kComputeModeDepthwise) return run_depthwise(c);
    // Tile t (tessera_tile_sequencer): weight row k the low `cols` bytes of line WGT_LINE +
    // t*NumRows + k, vectors ACT_TILE_STRIDE lines on per tile, accumulating after the first.
    const uint32_t extra = uint32_t(c.get(compute::kExtraTiles));
    const std::size_t tile_stride = c.get(compute::kActTileStride);
    for (uint32_t t = 0; t <= extra; ++t) {
      const WeightTile tile(
          &scratchpad[(std::size_t(c.get(compute::kWgtLine)) + std::size_t(t) * rows) * rows], rows,
          cols);
      for (uint32_t r = 0; r < act_rows; ++r) {
        for (uint32_t m = 0; m < vectors; ++m) {
          const std::size_t line = act_line + t * tile_stride + std::size_t(r) * act_row_stride +
                                   std::size_t(m) * act_stride;
          tile.multiply(&scratchpad[line * rows],
                        &accumulator[(acc_line + std::size_t(r) * vectors + m) * cols],
                        accumulate || t > 0);
        }
      }
    }
    counter(regs::Counter::kMacs) += isa::counted_macs(c, rows);
    return Error::kNone;
  }

  // ---- DEPTHWISE COMPUTE (tessera_depthwise) ---------------------------------------------
  // Block b's output ox, lane l: the sum over the window's rows ky (0, 1: the line buffer's
  // older and newer row, 2: this command's; with DW_PAIR 0: the newer row, 1 and 2: the
  // command's two) and columns kx of padded pixel x' = ox*stride + kx (pixel x' - DW_PAD's
  // LEFT; a pixel outside the row, or with TOP a line-buffer row, is DW_ZERO_POINT), each
  // times byte l of weight line WGT_LINE + b*DW_TAPS + ky*DW_KERNEL + kx. Then this row
  // enters the line buffer (the newer row, or with TOP the padding, becomes the older; with
  // DW_PAIR both rows enter).
  Error run_depthwise(const Command& c) {
    constexpr uint32_t k = isa::kDwKernel;
    const uint32_t vectors = uint32_t(c.get(compute::kVectors));
    const uint32_t blocks = uint32_t(c.get(compute::kActRows));
    const std::size_t act_line = c.get(compute::kActLine), act_stride = c.get(compute::kActStride),
                      row_stride = c.get(compute::kActRowStride);
    const uint32_t lanes = std::min(rows, cols);  // lanes past them are 0
    const bool pair = c.mode() & isa::kComputeModeDwPair;
    const std::ptrdiff_t pair_bytes = std::ptrdiff_t(isa::dw_pair_offset(c)) * rows;
    const auto line_of = [&](uint32_t b, uint32_t x) {
      return &scratchpad[(act_line + b * row_stride + x * act_stride) * rows];
    };
    const auto second_of = [&](uint32_t b, uint32_t x) { return line_of(b, x) + pair_bytes; };
    const uint8_t pad = uint8_t(c.get(compute::kDwPad));
    const bool top = pad & isa::kDwPadTop;
    const uint32_t left = pad & isa::kDwPadLeft ? 1 : 0;
    std::fill(dw_padding.begin(), dw_padding.end(), int8_t(c.get(compute::kDwZeroPoint)));
    if (c.mode() & isa::kComputeModeDwOutput) {
      const uint32_t outputs = isa::dw_outputs(c),
                     step = c.mode() & isa::kComputeModeDwStride2 ? 2 : 1;
      const std::size_t acc_line = c.get(compute::kAccLine), pitch = c.get(compute::kDwBlockPitch);
      const bool accumulate = c.mode() & isa::kComputeModeAccumulate;
      for (uint32_t b = 0; b < blocks; ++b) {
        const int8_t* w =
            &scratchpad[(c.get(compute::kWgtLine) + std::size_t(b) * isa::kDwTaps) * rows];
        for (uint32_t ox = 0; ox < outputs; ++ox) {
          std::fill(dw_sum.begin(), dw_sum.end(), 0);
          int32_t* sum = dw_sum.data();
          for (uint32_t ky = 0; ky < k; ++ky) {
            for (uint32_t kx = 0; kx < k; ++kx) {  // a window line and its weight line
              const uint32_t xp = ox * step + kx;  // x' (padded)
              const uint32_t x = xp - left;        // wraps below 0: outside
              const bool column_inside = xp >= left && x < vectors;
              const int8_t* held =
                  top ? dw_padding.data()
                      : &(ky == 0 && !pair ? dw_older : dw_newer)[(b * vectors + x) * rows];
              const int8_t* in = !column_inside ? dw_padding.data()
                                 : pair         ? (ky == 0   ? held
                                                   : ky == 1 ? line_of(b, x)
                                                             : second_of(b, x))
                                                : (ky == k - 1 ? line_of(b, x) : held);
              const int8_t* wt = &w[(ky * k + kx) * rows];
              for (uint32_t l = 0; l < lanes; ++l) sum[l] += int32_t(in[l]) * wt[l];
            }
          }
          int32_t* acc = &accumulator[(acc_line + b * pitch + ox) * cols];
          for (uint32_t l = 0; l < cols; ++l) {
            const int32_t v = l < lanes ? sum[l] : 0;
            acc[l] = accumulate ? int32_t(uint32_t(acc[l]) + uint32_t(v)) : v;  // wrapping
          }
        }
      }
      counter(regs::Counter::kMacs) += isa::counted_macs(c, rows);
    }
    // Only this command's lines move on (the others keep both rows).
    for (uint32_t b = 0; b < blocks; ++b) {
      for (uint32_t x = 0; x < vectors; ++x) {
        const std::size_t i = (std::size_t(b) * vectors + x) * rows;
        std::memcpy(&dw_older[i],
                    pair  ? line_of(b, x)
                    : top ? dw_padding.data()
                          : &dw_newer[i],
                    rows);
        std::memcpy(&dw_newer[i], pair ? second_of(b, x) : line_of(b, x), rows);
      }
    }
    return Error::kNone;
  }

  // ---- STORE (tessera_store_unit: params, reader, postproc, pool, beat packer) ----------
  Error run_store(const Command& c) {
    const uint8_t mode = c.mode();
    const bool requant = mode & isa::kStoreModeRequantize;
    const bool per_channel = mode & isa::kStoreModePerChannel;
    const bool pool = mode & isa::kStoreModePool2x2;
    const uint32_t n = uint32_t(c.get(store::kRows)), lanes = uint32_t(c.get(store::kCols));
    const uint32_t acc_line = uint32_t(c.get(store::kAccLine));
    const uint64_t addr0 = c.get(store::kDramAddr), stride = c.get(store::kDramStride);
    // Row i: line acc_line + p*panel_pitch + i of panels p = 0 .. extra, back to back.
    const uint32_t panels = uint32_t(c.get(store::kExtraPanels)) + 1;
    const uint32_t panel_pitch = uint32_t(c.get(store::kPanelPitch));
    // tessera_store_params: the table entries first; a shift outside [-31, 30] writes nothing.
    int32_t* bias = lane_bias.data();
    int32_t* mult = lane_mult.data();
    int32_t* shift = lane_shift.data();
    if (requant) {
      const uint32_t first = uint32_t(c.get(store::kQparamEntry));
      for (uint32_t l = 0; l < panels * lanes; ++l) {  // lane l % lanes of panel l / lanes
        const uint8_t* e =
            &qtable[std::size_t(first + (per_channel ? l : 0)) * isa::qtable::kEntryBytes];
        bias[l] = int32_t(le32(e + isa::qtable::kBias.offset));
        mult[l] = int32_t(le32(e + isa::qtable::kMultiplier.offset));
        shift[l] = int32_t(le32(e + isa::qtable::kShift.offset));
        if (shift[l] < isa::qtable::kShiftMin || shift[l] > isa::qtable::kShiftMax)
          return Error::kBadClamp;
      }
    }
    const int zp = int8_t(c.get(store::kZeroPoint)), lo = int8_t(c.get(store::kActMin)),
              hi = int8_t(c.get(store::kActMax));
    auto quantized = [&](std::size_t line, uint32_t l) {
      return requantize_lane(accumulator[line * cols + l], bias[l], mult[l], shift[l], zp, lo, hi);
    };
    const uint32_t width = pool ? uint32_t(c.get(store::kPoolWidth)) : 1;
    const uint32_t pitch = uint32_t(c.get(store::kAccPitch));
    const uint32_t out_rows = pool ? n * width : n;
    const uint32_t line_bytes = requant ? lanes : 4 * lanes, row_bytes = panels * line_bytes;
    // TO_SCRATCHPAD: line i of panel p at SRAM_LINE + i*SRAM_STRIDE + p*SRAM_PANEL_PITCH, its
    // first COLS bytes (the checker keeps COLS <= a line's bytes and every line inside).
    const bool to_spad = mode & isa::kStoreModeToScratchpad;
    const std::size_t sram_line = c.get(store::kSramLine), sram_stride = c.get(store::kSramStride);
    const std::size_t sram_pitch = c.get(store::kSramPanelPitch);
    // Contiguous rows of whole bus beats are one DMA row (tessera_store_unit): all of it
    // inside the window, or nothing written.
    if (!to_spad && !pool && stride == row_bytes && line_bytes % bus_bytes == 0 &&
        uint64_t(row_bytes) * out_rows <= isa::kMaxRowBytes) {
      if (const Error e = check_row(addr0, uint64_t(row_bytes) * out_rows); e != Error::kNone)
        return e;
    }
    uint8_t* row = row_buffer.data();
    for (uint32_t i = 0; i < out_rows; ++i) {
      const uint64_t addr = addr0 + i * stride;
      if (!to_spad)
        if (const Error e = check_row(addr, row_bytes); e != Error::kNone) return e;
      if (pool) {
        const std::size_t top = acc_line + std::size_t(i / width) * 2 * pitch + 2 * (i % width);
        for (uint32_t l = 0; l < lanes; ++l) {
          const int8_t a = quantized(top, l), b = quantized(top + 1, l);
          const int8_t c2 = quantized(top + pitch, l), d = quantized(top + pitch + 1, l);
          row[l] = uint8_t(std::max(std::max(a, b), std::max(c2, d)));
        }
      } else {
        for (uint32_t p = 0; p < panels; ++p) {
          const std::size_t line = acc_line + std::size_t(p) * panel_pitch + i;
          uint8_t* out = &row[p * line_bytes];
          for (uint32_t l = 0; l < lanes; ++l) {
            if (requant) {
              out[l] =
                  uint8_t(requantize_lane(accumulator[line * cols + l], bias[p * lanes + l],
                                          mult[p * lanes + l], shift[p * lanes + l], zp, lo, hi));
            } else {
              put_le32(&out[4 * l], uint32_t(accumulator[line * cols + l]));
            }
          }
        }
      }
      if (to_spad) {
        for (uint32_t p = 0; p < panels; ++p) {
          std::memcpy(&scratchpad[(sram_line + i * sram_stride + p * sram_pitch) * rows],
                      &row[p * line_bytes], line_bytes);
        }
        continue;
      }
      std::memcpy(model.memory(addr), row, row_bytes);
      counter(regs::Counter::kDmaWriteBytes) += row_bytes;
    }
    return Error::kNone;
  }

  // ---- FENCE (tessera_dispatch) -----------------------------------------------------------
  Error run_fence(const Command& c) {
    const bool timestamp = c.mode() & isa::kFenceModeTimestamp;
    const uint64_t addr = c.get(fence::kDramAddr);
    const uint32_t bytes = timestamp ? 16 : 4;
    if (const Error e = check_row(addr, bytes); e != Error::kNone) return e;
    uint8_t record[16] = {};
    put_le32(record, uint32_t(c.get(fence::kValue)));
    put_le32(record + 4, uint32_t(timing.busy(regs::Counter::kDepthwiseBusy)));
    const uint64_t cycles = timing.barrier();
    for (int i = 0; i < 8; ++i) record[8 + i] = uint8_t(cycles >> (8 * i));
    std::memcpy(model.memory(addr), record, bytes);
    counter(regs::Counter::kDmaWriteBytes) += bytes;
    if (c.mode() & isa::kFenceModeInterrupt) intr_status |= regs::kIntrStatusFence.mask();
    return Error::kNone;
  }

  // ---- Registers (tessera_regs) -----------------------------------------------------------
  uint32_t status() const {
    uint32_t s = 0;
    if (!dataflow.idle()) s = regs::kStatusBusy.set(s, 1);  // also stopped, until the soft reset
    if (stopped()) {
      s = regs::kStatusError.set(s, 1);
      s = regs::kStatusErrorCode.set(s, static_cast<uint32_t>(error_code()));
    }
    return s;
  }

  uint32_t read(uint32_t offset) {
    if (offset >= regs::counter_lo(regs::Counter(0)) &&
        offset < regs::counter_lo(regs::Counter(0)) + 8 * regs::kNumCounters) {
      const uint64_t v = counters[(offset - regs::counter_lo(regs::Counter(0))) / 8];
      if (offset % 8 == 0) {
        latched_hi = uint32_t(v >> 32);
        return uint32_t(v);
      }
      if (offset % 8 == 4) return latched_hi;
    }
    switch (offset) {
      case regs::kId:
        return regs::kExpectedId;
      case regs::kVersion:
        return regs::kVersionMajor.set(
            regs::kVersionMinor.set(regs::kVersionPatch.set(0, regs::kHardwarePatch),
                                    regs::kHardwareMinor),
            regs::kHardwareMajor);
      case regs::kIsaVersion:
        return isa::kVersion;
      case regs::kConfigArray:
        return regs::kConfigArrayCols.set(regs::kConfigArrayRows.set(0, rows), cols);
      case regs::kConfigScratchpad:
        return uint32_t(scratchpad.size());
      case regs::kConfigAccumulator:
        return uint32_t(accumulator.size() * 4);
      case regs::kConfigBus:
        return o.config.bus_bytes * 8;
      case regs::kConfigQtable:
        return o.config.qtable_entries;
      case regs::kCtrl:
        return ctrl;
      case regs::kSoftReset:
        return 0;
      case regs::kStatus:
        return status();
      case regs::kErrorIndex:
        return stopped() ? error_index() : 0;
      case regs::kIntrStatus:
        return intr_status;
      case regs::kIntrEnable:
        return intr_enable;
      case regs::kRingBaseLo:
        return uint32_t(ring_base);
      case regs::kRingBaseHi:
        return uint32_t(ring_base >> 32);
      case regs::kRingSize:
        return ring_size;
      case regs::kRingTail:
        return ring_tail;
      case regs::kRingHead:
        return ring_head;
      case regs::kWindowBaseLo:
        return uint32_t(window_base);
      case regs::kWindowBaseHi:
        return uint32_t(window_base >> 32);
      case regs::kWindowLimitLo:
        return uint32_t(window_limit);
      case regs::kWindowLimitHi:
        return uint32_t(window_limit >> 32);
      case regs::kPerfCtrl:
        return 0;
    }
    throw std::out_of_range("fsim: no register at offset " + std::to_string(offset));
  }

  static void set_lo(uint64_t& r, uint32_t v) { r = (r & ~0xffff'ffffull) | v; }
  static void set_hi(uint64_t& r, uint32_t v) { r = (r & 0xffff'ffffull) | uint64_t(v) << 32; }

  void write(uint32_t offset, uint32_t v) {
    switch (offset) {
      case regs::kCtrl:
        ctrl = v & regs::kCtrlEnable.mask();
        pump();
        return;
      case regs::kSoftReset:
        if (v & regs::kSoftResetGo.mask()) soft_reset();
        return;
      case regs::kIntrStatus:
        intr_status &= ~v;
        return;
      case regs::kIntrEnable:
        intr_enable = v & (regs::kIntrEnableFence.mask() | regs::kIntrEnableError.mask());
        return;
      case regs::kRingBaseLo:
        set_lo(ring_base, v);
        return;
      case regs::kRingBaseHi:
        set_hi(ring_base, v);
        return;
      case regs::kRingSize:
        ring_size = v;
        return;
      case regs::kRingTail:
        ring_tail = v;
        pump();
        return;
      case regs::kWindowBaseLo:
        set_lo(window_base, v);
        return;
      case regs::kWindowBaseHi:
        set_hi(window_base, v);
        return;
      case regs::kWindowLimitLo:
        set_lo(window_limit, v);
        return;
      case regs::kWindowLimitHi:
        set_hi(window_limit, v);
        return;
      case regs::kPerfCtrl:
        if (v & regs::kPerfCtrlClear.mask()) {
          for (auto& x : counters) x = 0;
          timing.clear();
        }
        return;
    }
    throw std::out_of_range("fsim: no writable register at offset " + std::to_string(offset));
  }
};

Model::Model(const Options& options)
    : options_(options),
      memory_(static_cast<uint8_t*>(std::calloc(options.memory_size, 1)), std::free) {
  if (!memory_) {
    throw std::bad_alloc();
  }
  impl_ = std::make_unique<Impl>(*this, options_);
}
Model::~Model() = default;

uint32_t Model::read_reg(uint32_t offset) { return impl_->read(offset); }
void Model::write_reg(uint32_t offset, uint32_t value) { impl_->write(offset, value); }
bool Model::interrupt() const { return (impl_->intr_status & impl_->intr_enable) != 0; }

std::vector<isa::Dataflow::Stop> Model::errors() const {
  const Impl& m = *impl_;
  std::vector<isa::Dataflow::Stop> all;
  if (m.dataflow.stopped()) all.push_back(m.dataflow.stop());
  if (m.fetch_error != Error::kNone)
    all.push_back({m.fetch_error, m.fetch_error_index, "fetching the command"});
  for (const auto& e : m.dataflow.other_errors()) all.push_back(e);
  return all;
}

}  // namespace tessera::fsim
