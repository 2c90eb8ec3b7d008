// SPDX-License-Identifier: Apache-2.0
// Timing; see timing.hpp.
#include "timing.hpp"

#include <algorithm>

namespace tessera::fsim {
namespace {

uint64_t ceil_div(uint64_t a, uint64_t b) { return (a + b - 1) / b; }
constexpr uint32_t kFetchBatch = 32;  // commands per fetch descriptor (tessera_cmd_path)
// The sim device's memory takes 16 write bursts at once (AxiMemoryConfig::max_writes), each
// answered a latency later: short bursts bound a STORE at 16 per latency.
constexpr uint32_t kMemoryWriteBursts = 16;
constexpr uint32_t kMaxBurstBeats = 256;  // tessera_dma_burst_gen
// tessera_depthwise: cycles from a line to its result in the accumulator, and the fewest
// cycles a channel block takes (its weight lines are read while the block before streams).
constexpr uint64_t kDepthwiseLatency = 4 + 3;
constexpr uint64_t kDepthwiseBlockCycles = isa::kDwTaps;

}  // namespace

Timing::Timing(const isa::BuildConfig& config, uint32_t memory_latency)
    : config_(config), bus_bytes_(config.bus_bytes), latency_(memory_latency) {}

void Timing::doorbell() {
  fetch_time_ = std::max(fetch_time_, barrier());
  batch_ = 0;
}

void Timing::fetched() {
  // A batch per descriptor: the memory's latency, then a command per 64 / bus-bytes cycles.
  if (batch_++ % kFetchBatch == 0) fetch_time_ += latency_;
  fetch_time_ += isa::kCommandBytes / bus_bytes_;
  fetched_at_ = fetch_time_;
}

uint64_t Timing::duration(const isa::Command& c, bool params_held, uint64_t& latency) const {
  namespace load = isa::load;
  namespace compute = isa::compute;
  namespace store = isa::store;
  latency = 0;
  switch (c.opcode()) {
    case isa::Opcode::kLoad: {
      const uint64_t rows = c.get(load::kRows), bytes = c.get(load::kRowBytes);
      const uint8_t mode = c.mode();
      const uint32_t unit = (mode & isa::kLoadModeToAccumulator) ? 4 * config_.cols
                            : (mode & isa::kLoadModeToQtable)    ? isa::qtable::kEntryBytes
                                                                 : config_.rows;
      if (mode & isa::kLoadModeFill) return rows * ceil_div(bytes, unit);
      const uint64_t beats = ceil_div(c.get(load::kDramAddr) % bus_bytes_ + bytes, bus_bytes_);
      const uint64_t units =
          (mode & isa::kLoadModeWindows) ? c.get(load::kWindows) : ceil_div(bytes, unit);
      latency = latency_;
      return rows * std::max(beats,
                             units * ceil_div(std::min<uint64_t>(unit, bus_bytes_), bus_bytes_)) +
             latency_;
    }
    case isa::Opcode::kCompute: {
      const uint64_t vectors = c.get(compute::kVectors) * c.get(compute::kActRows);
      if (c.mode() & isa::kComputeModeRescale) {  // the vector path: its lanes' pipeline
        latency = 4 + 3;
        return vectors;
      }
      if (c.mode() & isa::kComputeModeDepthwise) {
        // tessera_depthwise: a line per cycle (with DW_PAIR a pixel of both rows, the second
        // on a port of its own) and a cycle for a DW_PAD column after the block, a block's
        // DW_TAPS weight lines read while the block before streams; the pipeline: line
        // buffer, window, sum, the collector.
        latency = kDepthwiseLatency;
        const uint64_t steps =
            c.get(compute::kVectors) + bool(c.get(compute::kDwPad) & isa::kDwPadRight);
        return c.get(compute::kActRows) * std::max<uint64_t>(steps, kDepthwiseBlockCycles);
      }
      latency = config_.rows + config_.cols + 3;
      return (c.get(compute::kExtraTiles) + 1) * std::max<uint64_t>(vectors, config_.rows);
    }
    case isa::Opcode::kStore: {
      const uint64_t rows = c.get(store::kRows), cols = c.get(store::kCols);
      const uint64_t panels = c.get(store::kExtraPanels) + 1;
      const uint8_t mode = c.mode();
      const bool requant = mode & isa::kStoreModeRequantize;
      const bool pool = mode & isa::kStoreModePool2x2;
      const uint64_t entries = !requant                             ? 0
                               : (mode & isa::kStoreModePerChannel) ? panels * cols
                                                                    : 1;
      const uint64_t line_bytes = requant ? cols : 4 * cols;
      const uint64_t row_beats = panels * ceil_div(line_bytes, bus_bytes_);
      const uint64_t out_rows = pool ? rows * c.get(store::kPoolWidth) : rows;
      const uint64_t params = requant ? (params_held ? 1 : entries + 1) + 4 : 0;
      if (mode & isa::kStoreModeToScratchpad) {  // a line per cycle, the write a cycle on
        latency = 1;
        return params + (pool ? 4 * out_rows : out_rows * panels);
      }
      const uint64_t lines = pool ? 4 * out_rows : rows * row_beats;
      // Bursts: one DMA row when the rows are back to back in whole beats, else a row each.
      const bool merged =
          !pool && c.get(store::kDramStride) == panels * line_bytes && line_bytes % bus_bytes_ == 0;
      const uint64_t bursts = merged ? ceil_div(rows * row_beats, kMaxBurstBeats)
                                     : out_rows * ceil_div(row_beats, kMaxBurstBeats);
      latency = latency_;
      return params + std::max(lines, bursts * latency_ / kMemoryWriteBursts);
    }
    case isa::Opcode::kFence:
      latency = latency_;
      return 1;
  }
  return 1;
}

void Timing::executed(const isa::Command& c, uint32_t /*index*/) {
  bool params_held = false;
  if (c.opcode() == isa::Opcode::kLoad && (c.mode() & isa::kLoadModeToQtable)) {
    for (HeldParams& h : held_params_) h.held = false;
  } else if (c.opcode() == isa::Opcode::kStore && (c.mode() & isa::kStoreModeRequantize)) {
    // tessera_store_params' tag: per tensor one entry for every lane and panel.
    const bool per_channel = c.mode() & isa::kStoreModePerChannel;
    const std::array<uint64_t, 4> params = {c.get(isa::store::kQparamEntry), per_channel,
                                            per_channel ? c.get(isa::store::kCols) : 1,
                                            per_channel ? c.get(isa::store::kExtraPanels) : 0};
    auto group = std::find_if(held_params_.begin(), held_params_.end(),
                              [&](const HeldParams& h) { return h.held && h.params == params; });
    params_held = group != held_params_.end();
    if (!params_held) group = held_params_.end() - 1;  // the least recently used
    group->held = true;
    group->params = params;
    std::rotate(held_params_.begin(), group, group + 1);  // now the most recent
  }
  uint64_t latency = 0;
  const uint64_t cycles = duration(c, params_held, latency);
  if (c.opcode() == isa::Opcode::kFence) {
    fence_done_ = std::max(barrier(), fetched_at_) + cycles + latency;
    return;
  }
  const std::size_t u = c.opcode() == isa::Opcode::kLoad      ? 0
                        : c.opcode() == isa::Opcode::kCompute ? 1
                                                              : 2;
  const bool transfer = u == 0 && !(c.mode() & isa::kLoadModeFill);  // a LOAD that moves data
  // (A COMPUTE's side decides when it is free, below.)
  uint64_t start = std::max({transfer ? load_data_start_
                             : u == 1 ? 0
                                      : free_[u],
                             fetched_at_, fence_done_});
  const uint8_t deps = c.deps();
  if ((deps & isa::kDepsPopPrev) && !forward_[u - 1].empty()) {
    start = std::max(start, forward_[u - 1].front());
    forward_[u - 1].pop_front();
  }
  if ((deps & isa::kDepsPopNext) && !backward_[u].empty()) {
    start = std::max(start, backward_[u].front());
    backward_[u].pop_front();
  }
  if (transfer) {
    // A transfer: the load unit takes it while the one before runs and its descriptor goes
    // out early, so its memory latency overlaps that one's data (tessera_load_unit,
    // tessera_dma_reader); it is taken once the one before that has finished.
    const uint64_t data_start = std::max(start + latency_, free_[u]);
    busy_[u] += data_start + cycles - latency_ - std::max(start, free_[u]);
    load_data_start_ = data_start;
    free_[u] = data_start + cycles - latency_;
  } else if (u == 1) {
    // tessera_compute_unit: taken in order, once the side has room; run beside the other
    // side; done in command order.
    const bool depthwise = c.mode() & isa::kComputeModeDepthwise;
    const uint64_t taken = std::max({start, compute_taken_, side_started_[depthwise]});
    const uint64_t begin = std::max(taken, side_free_[depthwise]);
    compute_taken_ = taken;
    side_started_[depthwise] = begin;
    side_free_[depthwise] = begin + cycles;
    // COMPUTE_BUSY: cycles when either side runs.
    const uint64_t end = begin + cycles;
    busy_[u] += end - std::clamp(free_[u], begin, end);
    free_[u] = std::max(free_[u], end);
    // The depthwise unit holds its command while it streams and until the last result is
    // written.
    if (depthwise) depthwise_busy_ += cycles + latency;
    compute_done_ = std::max(compute_done_, begin + cycles + latency);
  } else {
    if (u == 0) load_data_start_ = std::max(start, free_[u]);
    free_[u] = start + cycles;
    busy_[u] += cycles;
  }
  done_[u] = u == 1 ? compute_done_ : std::max(done_[u], free_[u] + latency);
  // A STORE's PUSH_PREV token goes once its data is out (its accumulator lines are read,
  // tessera_store_unit's release), not after its write responses.
  if (deps & isa::kDepsPushPrev) backward_[u - 1].push_back(u == 2 ? free_[u] : done_[u]);
  if (deps & isa::kDepsPushNext) forward_[u].push_back(done_[u]);
}

uint64_t Timing::barrier() const {
  return std::max({done_[0], done_[1], done_[2], fence_done_, base_});
}

uint64_t Timing::busy(regs::Counter unit) const {
  switch (unit) {
    case regs::Counter::kLoadBusy:
      return busy_[0];
    case regs::Counter::kComputeBusy:
      return busy_[1];
    case regs::Counter::kStoreBusy:
      return busy_[2];
    case regs::Counter::kDepthwiseBusy:
      return depthwise_busy_;
    default:
      return 0;
  }
}

void Timing::reset() {
  for (auto& q : forward_) q.clear();
  for (auto& q : backward_) q.clear();
  // Assume nothing held after a soft reset (an estimate either way).
  for (HeldParams& h : held_params_) h.held = false;
}

void Timing::clear() {
  base_ = barrier();
  for (auto& b : busy_) b = 0;
  depthwise_busy_ = 0;
}

}  // namespace tessera::fsim
