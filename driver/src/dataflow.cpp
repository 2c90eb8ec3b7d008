// SPDX-License-Identifier: Apache-2.0
// Dataflow; see dataflow.hpp.
#include "tessera/dataflow.hpp"

namespace tessera::isa {
namespace {

std::size_t unit_index(Unit u) { return static_cast<std::size_t>(u); }

Unit unit_of(const Command& c) {
  for (const OpcodeInfo& op : kOpcodes)
    if (op.opcode == c.opcode()) return op.unit;
  return Unit::kDispatch;  // not reached: the check refused the opcode
}

std::string unit_word(std::size_t u) { return unit_name(static_cast<Unit>(u)); }

std::string command_text(const Command& c, uint32_t index) {
  return "command " + std::to_string(index) + " (" + disassemble(c) + ")";
}

}  // namespace

uint32_t& Dataflow::counter(std::size_t from, std::size_t to) {
  return to == from + 1 ? forward_[from] : backward_[to];
}

uint32_t Dataflow::tokens(Unit from, Unit to) const {
  const std::size_t f = unit_index(from), t = unit_index(to);
  if (t == f + 1) return forward_[f];
  if (f == t + 1) return backward_[t];
  return 0;
}

bool Dataflow::tokens_there(std::size_t u, const Command& c) const {
  // The command set gives the first unit no *_PREV flags and the last no *_NEXT flags.
  if ((c.deps() & kDepsPopPrev) && (u == 0 || forward_[u - 1] == 0)) return false;
  if ((c.deps() & kDepsPopNext) && (u + 1 == kNumUnits || backward_[u] == 0)) return false;
  return true;
}

void Dataflow::stop(Error e, uint32_t index, std::string message) {
  if (stopped()) return;  // the first failure is the one reported
  stop_ = {e, index, std::move(message)};
}

bool Dataflow::idle() const {
  if (!input_.empty() || routed_ || fence_) return false;
  for (const auto& q : queue_)
    if (!q.empty()) return false;
  return true;
}

void Dataflow::reset() {
  input_.clear();
  routed_.reset();
  fence_.reset();
  for (auto& q : queue_) q.clear();
  for (auto& t : forward_) t = 0;
  for (auto& t : backward_) t = 0;
  stop_ = {};
  late_ = false;
  other_errors_.clear();
}

void Dataflow::run(const Executor& execute) {
  for (bool moved = true; moved;) {
    moved = false;
    // The dispatcher: in ring order, one routing register, no overtaking.
    while (!stopped() || late_) {
      if (routed_) {
        auto& q = queue_[unit_index(unit_of(routed_->command))];
        if (q.size() >= kUnitQueueDepth) break;
        q.push_back(*routed_);
        routed_.reset();
        moved = true;
      }
      if (fence_ || input_.empty()) break;
      const Entry e = input_.front();
      input_.pop_front();
      moved = true;
      if (check_) {
        if (const CheckResult r = check(e.command, config_); !r) {
          if (late_) other_errors_.push_back({r.error, e.index, r.message});
          stop(r.error, e.index, r.message);
          late_ = false;
          break;
        }
      }
      if (unit_of(e.command) == Unit::kDispatch) {
        if (late_) {  // the dispatcher would wait here for the failed unit
          late_ = false;
          break;
        }
        fence_ = e;
      } else {
        routed_ = e;
      }
    }
    // FENCE: once every earlier command has finished.
    if (!stopped() && fence_ && !routed_ && idle_units()) {
      if (const Error err = execute(fence_->command, fence_->index); err != Error::kNone)
        stop(err, fence_->index, std::string(error_name(err)) + " writing the FENCE's record");
      fence_.reset();
      moved = true;
    }
    // The units: each starts its next command when its tokens are there.
    for (std::size_t u = 0; u < kNumUnits; ++u) {
      auto& q = queue_[u];
      if (q.empty() || !tokens_there(u, q.front().command)) continue;
      const Entry e = q.front();
      q.pop_front();
      moved = true;
      const uint8_t deps = e.command.deps();
      if (deps & kDepsPopPrev) --forward_[u - 1];
      if (deps & kDepsPopNext) --backward_[u];
      if (const Error err = execute(e.command, e.index); err != Error::kNone) {
        const std::string why =
            std::string(error_name(err)) + " running " + command_text(e.command, e.index);
        if (stopped()) {
          other_errors_.push_back({err, e.index, why});
        } else {
          stop(err, e.index, why);
          late_ = true;
        }
      }
      for (const auto& [flag, to] :
           {std::pair{kDepsPushPrev, u - 1}, std::pair{kDepsPushNext, u + 1}}) {
        if (!(deps & flag)) continue;
        uint32_t& owed = counter(u, to);
        if (owed == kMaxTokens) {
          const std::string why = command_text(e.command, e.index) + " gives the " + unit_word(to) +
                                  " unit a token while it is already owed " +
                                  std::to_string(kMaxTokens) + " (MAX_TOKENS) by the " +
                                  unit_word(u) + " unit";
          if (stopped()) {
            other_errors_.push_back({Error::kTokenOverflow, e.index, why});
          } else {
            stop(Error::kTokenOverflow, e.index, why);
            late_ = true;
          }
        } else {
          ++owed;
        }
      }
    }
  }
  if (stopped()) return;
  if (routed_) {
    const std::size_t u = unit_index(unit_of(routed_->command));
    stop(Error::kDeadlock, routed_->index,
         "the stream deadlocks: " + command_text(routed_->command, routed_->index) +
             " waits for room in the " + unit_word(u) + " unit's queue (" +
             std::to_string(kUnitQueueDepth) + " commands, UNIT_QUEUE_DEPTH); " + waiting());
  } else if (fence_ && !idle_units()) {
    stop(Error::kDeadlock, fence_->index,
         "the stream deadlocks: " + command_text(fence_->command, fence_->index) +
             " waits for every earlier command; " + waiting());
  }
}

bool Dataflow::idle_units() const {
  for (const auto& q : queue_)
    if (!q.empty()) return false;
  return true;
}

std::string Dataflow::waiting() const {
  std::string s;
  for (std::size_t u = 0; u < kNumUnits; ++u) {
    if (queue_[u].empty()) continue;
    const Entry& e = queue_[u].front();
    const uint8_t deps = e.command.deps();
    std::string from;
    if ((deps & kDepsPopPrev) && (u == 0 || forward_[u - 1] == 0)) from = unit_word(u - 1);
    if ((deps & kDepsPopNext) && (u + 1 == kNumUnits || backward_[u] == 0))
      from += (from.empty() ? "" : " and the ") + unit_word(u + 1);
    if (from.empty()) continue;
    s += (s.empty() ? "" : "; ") + std::string("the ") + unit_word(u) + " unit's next, " +
         command_text(e.command, e.index) + ", waits for a token the " + from +
         " unit has not given";
  }
  return s;
}

}  // namespace tessera::isa
