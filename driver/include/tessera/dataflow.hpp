// SPDX-License-Identifier: Apache-2.0
// The engine's command path without its data (docs/isa.md, "Model"): the dispatcher with
// its one routing register, a queue of UNIT_QUEUE_DEPTH commands per unit, the dependency
// tokens between neighbours (at most MAX_TOKENS owed), and FENCE's barrier - the order rules
// exactly as tessera_cmd_path implements them, so that a stream deadlocks or overflows a
// token counter here exactly when it does on the engine.
//
// Two users: the golden model (tessera::fsim), which runs each command's data as the
// command starts, and the driver, which runs a stream here with no data before it submits
// it (Engine::run), to refuse with a message what would otherwise stop the engine.
//
// Commands are checked as the engine's dispatcher checks them (isa::check). A command
// starts as soon as it is at the head of its unit's queue with its tokens there, and
// finishes at once. The dispatcher moves first, as far as it can: of the schedules the
// engine may follow this is the one where the dispatcher is furthest ahead. After a stop
// the units keep running what is queued, as the engine's do.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tessera/isa.hpp"

namespace tessera::isa {

class Dataflow {
 public:
  // Runs a command's effect: a unit's command when it starts, a FENCE when its barrier is
  // met. Returns Error::kNone or the run-time error the engine reports for it.
  using Executor = std::function<Error(const Command& c, uint32_t index)>;

  // `check_commands`: check each command as the dispatcher does (off for streams already
  // checked, e.g. a CommandStream's).
  explicit Dataflow(const BuildConfig& config, bool check_commands = true)
      : config_(config), check_(check_commands) {}

  // A fetched command, in ring order (the dispatcher's input).
  void fetched(const Command& c, uint32_t index) { input_.push_back({c, index}); }
  // Moves everything that can move. When nothing can and the dispatcher waits on the units
  // (a full queue, or a FENCE's barrier), the stream has deadlocked: the engine stops with
  // DEADLOCK against the command the dispatcher holds.
  void run(const Executor& execute);

  struct Stop {
    Error error = Error::kNone;
    uint32_t index = 0;
    std::string message;  // why: the check's message, or what waits on what
  };
  bool stopped() const { return stop_.error != Error::kNone; }
  const Stop& stop() const { return stop_; }
  // The other errors the engine may report first, by its timing: run-time failures of the
  // commands queued before the stop (the units run them), and - since the engine learns of a
  // unit's failure some cycles after the command started - what the dispatcher meets when it
  // carries on past that failure to the next failing check, FENCE or full queue.
  const std::vector<Stop>& other_errors() const { return other_errors_; }
  // Nothing fetched, routed or queued (tokens may still be owed).
  bool idle() const;
  // Tokens `from` owes its neighbour `to` (units next to each other in the chain).
  uint32_t tokens(Unit from, Unit to) const;
  // What the commands still queued wait for, one clause per unit ("" when nothing waits).
  std::string waiting() const;
  // Soft reset: drops every command and token and the stop.
  void reset();

 private:
  struct Entry {
    Command command;
    uint32_t index;
  };
  uint32_t& counter(std::size_t from, std::size_t to);
  bool tokens_there(std::size_t unit, const Command& c) const;
  bool idle_units() const;  // every unit queue empty
  void stop(Error e, uint32_t index, std::string message);

  BuildConfig config_;
  bool check_;
  std::deque<Entry> input_;
  std::optional<Entry> routed_, fence_;  // the dispatcher's routing register; a FENCE waiting
  std::deque<Entry> queue_[kNumUnits];
  uint32_t forward_[kNumUnits - 1] = {}, backward_[kNumUnits - 1] = {};  // link k: k <-> k + 1
  Stop stop_;
  bool late_ = false;  // stopped by a unit: the dispatcher carries on, collecting other_errors_
  std::vector<Stop> other_errors_;
};

}  // namespace tessera::isa
