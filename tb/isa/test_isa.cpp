// SPDX-License-Identifier: Apache-2.0
// The command set in C++: the byte layout docs/isa.md promises, every error code the
// engine's checks can give (with messages naming the value and range), disassembly, and
// the stream builder refusing what the engine would refuse.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "random_commands.hpp"
#include "tessera/isa.hpp"
#include "test_seed.hpp"

namespace {

using namespace tessera::isa;

Load valid_load() {
  Load l;
  l.dram_addr = 0x1122334455667788ull;
  l.row_bytes = 100;
  l.rows = 3;
  l.dram_stride = 512;
  l.sram_line = 10;
  l.sram_stride = 7;  // a 100-byte row fills 7 lines of 16
  l.deps = kDepsPushNext;
  return l;
}
Compute valid_compute() {
  Compute c;
  c.act_line = 0;
  c.act_stride = 32;
  c.vectors = 128;
  c.wgt_line = 8192;
  c.acc_line = 0;
  c.k_valid = 16;
  c.n_valid = 16;
  c.deps = kDepsPopPrev | kDepsPushNext;
  return c;
}
Store valid_store() {
  Store s;
  s.requantize = s.per_channel = true;
  s.dram_addr = 0x8000;
  s.rows = 128;
  s.acc_line = 0;
  s.dram_stride = 512;
  s.cols = 16;
  s.zero_point = -3;
  s.act_min = -3;
  s.act_max = 127;
  s.qparam_entry = 16;
  s.deps = kDepsPopPrev | kDepsPushPrev;
  return s;
}

TEST(Isa, LayoutIsTheDocumentedOne) {
  const Command c = encode(valid_load());
  const auto& b = c.bytes();
  EXPECT_EQ(b[0], 1);     // OPCODE LOAD
  EXPECT_EQ(b[1], 0x08);  // DEPS PUSH_NEXT
  EXPECT_EQ(b[2], 0);     // MODE scratchpad
  EXPECT_EQ(b[8], 0x88);  // DRAM_ADDR, little-endian from byte 8
  EXPECT_EQ(b[15], 0x11);
  EXPECT_EQ(b[16], 100);   // ROW_BYTES
  EXPECT_EQ(b[20], 3);     // ROWS
  EXPECT_EQ(b[25], 0x02);  // DRAM_STRIDE 512 = 0x200
  EXPECT_EQ(b[32], 10);    // SRAM_LINE
  EXPECT_EQ(b[36], 7);     // SRAM_STRIDE
  for (std::size_t i = 40; i < kCommandBytes; ++i) EXPECT_EQ(b[i], 0) << i;
  EXPECT_EQ(encode(Fence{true, 0x40, 0xdeadbeef}).get(fence::kValue), 0xdeadbeefu);
  static_assert(kCommandBytes == 64);
  static_assert(kVersion == 2);
}

TEST(Isa, ValidCommandsPass) {
  const BuildConfig cfg;
  EXPECT_TRUE(check(encode(valid_load()), cfg)) << check(encode(valid_load()), cfg).message;
  EXPECT_TRUE(check(encode(valid_compute()), cfg));
  EXPECT_TRUE(check(encode(valid_store()), cfg));
  EXPECT_TRUE(check(encode(Fence{}), cfg));
}

struct Case {
  const char* what;
  Command command;
  Error error;
  const char* message_has;
};

TEST(Isa, EveryCheckGivesItsErrorAndNamesTheValue) {
  const BuildConfig cfg;
  std::vector<Case> cases;
  Command zero;  // zeroed ring slot
  cases.push_back({"zero opcode", zero, Error::kBadOpcode, "OPCODE = 0"});
  Command op9 = encode(Fence{});
  op9.set(kHdrOpcode, 9);
  cases.push_back({"opcode 9", op9, Error::kBadOpcode, "OPCODE = 9"});
  Command reserved = encode(valid_compute());
  reserved.set({50, 1}, 1);
  cases.push_back({"reserved byte", reserved, Error::kReservedBits, "reserved byte 50"});
  Load l = valid_load();
  l.deps = kDepsPopPrev;  // LOAD has no previous unit
  cases.push_back({"deps", encode(l), Error::kReservedBits, "DEPS = 1"});
  Command mode = encode(valid_store());
  mode.set(kHdrMode, 0x80);
  cases.push_back({"mode bit", mode, Error::kReservedBits, "MODE = 128"});
  Command both = encode(valid_load());
  both.set(kHdrMode, kLoadModeToAccumulator | kLoadModeToQtable);
  cases.push_back({"both destinations", both, Error::kBadMode, "TO_ACCUMULATOR"});
  l = valid_load();
  l.rows = 0;
  cases.push_back(
      {"zero rows", encode(l), Error::kBadDimension, "ROWS = 0 is out of range [1, 65535]"});
  l = valid_load();
  l.row_bytes = 1u << 24;
  cases.push_back({"huge row", encode(l), Error::kBadDimension, "ROW_BYTES = 16777216"});
  l = valid_load();
  l.sram_stride = 6;
  cases.push_back({"overlapping rows", encode(l), Error::kBadDimension, "SRAM_STRIDE = 6"});
  l = valid_load();
  l.dest = Load::Dest::kAccumulator;
  l.row_bytes = 96;
  cases.push_back({"partial acc line", encode(l), Error::kBadDimension, "multiple of 64"});
  l = valid_load();
  l.sram_line = 16384 - 20;  // 3 rows x 7 lines apart run past the end
  cases.push_back(
      {"scratchpad end", encode(l), Error::kScratchpadRange, "run past the last line 16383"});
  l = valid_load();
  l.dest = Load::Dest::kQTable;
  l.row_bytes = 32;
  l.sram_stride = 2;
  l.sram_line = 1020;
  cases.push_back({"qtable end", encode(l), Error::kQtableRange, "lines 1020..1025"});
  Compute c = valid_compute();
  c.k_valid = 17;
  cases.push_back(
      {"k_valid", encode(c), Error::kBadDimension, "K_VALID = 17 is out of range [1, 16]"});
  c = valid_compute();
  c.wgt_line = 16384 - 8;
  cases.push_back({"weight tile end", encode(c), Error::kScratchpadRange, "weight lines"});
  c = valid_compute();
  c.acc_line = 1000;
  cases.push_back(
      {"accumulator end", encode(c), Error::kAccumulatorRange, "accumulator lines 1000..1127"});
  c = valid_compute();
  c.act_rows = 600;  // x 128 vectors
  cases.push_back({"act rows x vectors", encode(c), Error::kBadDimension, "= 76800 results"});
  c = valid_compute();
  c.act_rows = 3;
  c.act_row_stride = 8000;  // rows 0, 8000, 16000: the last row runs past the end
  cases.push_back(
      {"activation rows end", encode(c), Error::kScratchpadRange, "activation lines 0..20064"});
  Store s = valid_store();
  s.cols = 0;
  cases.push_back({"zero cols", encode(s), Error::kBadDimension, "COLS = 0"});
  s = valid_store();
  s.qparam_entry = 1010;
  cases.push_back({"qtable entries", encode(s), Error::kQtableRange, "1010..1025"});
  s = valid_store();
  s.act_min = 5;
  s.act_max = 4;
  cases.push_back({"clamp", encode(s), Error::kBadClamp, "ACT_MIN = 5 is above ACT_MAX = 4"});
  l = valid_load();
  l.dest = Load::Dest::kAccumulator;
  l.fill = true;
  cases.push_back({"fill to acc", encode(l), Error::kBadMode, "FILL with TO_ACCUMULATOR"});
  s = valid_store();
  s.requantize = s.per_channel = false;
  s.pool = true;
  s.pool_width = 2;
  s.acc_pitch = 4;
  cases.push_back({"raw pool", encode(s), Error::kBadMode, "POOL_2X2 without REQUANTIZE"});
  s = valid_store();
  s.pool_width = 3;
  cases.push_back({"pool width unpooled", encode(s), Error::kBadDimension, "POOL_WIDTH = 3"});
  s = valid_store();
  s.pool = true;
  s.pool_width = 4;
  s.acc_pitch = 7;
  cases.push_back(
      {"pool pitch", encode(s), Error::kBadDimension, "ACC_PITCH = 7 is below 2 x POOL_WIDTH = 8"});
  s = valid_store();
  s.pool = true;
  s.rows = 300;
  s.pool_width = 300;
  s.acc_pitch = 600;
  cases.push_back({"pooled pixels", encode(s), Error::kBadDimension, "90000 pooled pixels"});
  s = valid_store();
  s.pool = true;
  s.rows = 8;
  s.pool_width = 8;
  s.acc_pitch = 70;  // the last window's last line: 15 x 70 + 15 = 1065
  cases.push_back({"pool windows end", encode(s), Error::kAccumulatorRange, "lines 0 .. 1065"});
  // STORE into the scratchpad: requantized, COLS within a line, every line inside.
  Store sp = valid_store();
  sp.to_scratchpad = true;
  sp.rows = 10;
  sp.extra_panels = 2;
  sp.panel_pitch = 10;
  sp.sram_line = 16000;
  sp.sram_stride = 3;
  sp.sram_panel_pitch = 1;  // the last line: 16000 + 9 x 3 + 2 = 16029
  EXPECT_TRUE(bool(check(encode(sp), cfg))) << check(encode(sp), cfg).message;
  // It moves no host bytes: no host range to check, whatever DRAM_ADDR holds.
  EXPECT_TRUE(bool(check_host_access(encode(sp), {0x1000, 0x1000, "the memory"}, {})));
  s = sp;
  s.requantize = s.per_channel = false;
  cases.push_back({"raw to scratchpad", encode(s), Error::kBadMode, "TO_SCRATCHPAD without"});
  s = valid_store();
  s.sram_stride = 4;
  cases.push_back({"sram without", encode(s), Error::kBadDimension, "SRAM_STRIDE = 4"});
  s = sp;
  s.sram_line = 16384 - 29;  // the last line one past the end
  cases.push_back({"scratchpad lines", encode(s), Error::kScratchpadRange, "16355..16384"});
  s = sp;
  s.pool = true;
  s.extra_panels = s.panel_pitch = 0;
  s.sram_panel_pitch = 0;
  s.rows = 2;
  s.pool_width = 100;
  s.acc_pitch = 200;  // 200 pooled pixels, 3 lines apart from 16000: past the end
  s.qparam_entry = 0;
  cases.push_back({"pooled to scratchpad", encode(s), Error::kScratchpadRange, "16000..16597"});
  // The depthwise unit: an input row per command, within the line buffer, DW_TAPS weight
  // lines per block, each block's outputs a pitch apart.
  Compute dw = valid_compute();
  dw.depthwise = true;
  dw.vectors = 114;
  dw.act_rows = 2;
  dw.act_row_stride = 1;
  dw.act_stride = 2;
  dw.dw_output = true;
  dw.dw_block_pitch = 224;
  EXPECT_TRUE(bool(check(encode(dw), cfg))) << check(encode(dw), cfg).message;
  c = dw;
  c.rescale = true;
  cases.push_back({"depthwise rescale", encode(c), Error::kBadMode, "DEPTHWISE and RESCALE"});
  c = valid_compute();
  c.dw_stride_2 = true;
  cases.push_back({"stride without depthwise", encode(c), Error::kBadMode, "DW_STRIDE_2 without"});
  c = dw;
  c.vectors = 2;
  cases.push_back({"depthwise row", encode(c), Error::kBadDimension, "VECTORS = 2 is below"});
  c = dw;
  c.act_rows = 9;
  cases.push_back({"line buffer", encode(c), Error::kBadDimension, "1026 lines; the line buffer"});
  c = dw;
  c.extra_tiles = 1;
  c.act_tile_stride = 1;
  cases.push_back({"depthwise tiles", encode(c), Error::kBadDimension, "EXTRA_TILES = 1"});
  c = dw;
  c.dw_output = false;
  cases.push_back(
      {"pitch without output", encode(c), Error::kBadDimension, "DW_BLOCK_PITCH = 224"});
  c = dw;
  c.wgt_line = 16384 - 17;  // 18 weight lines from here: one past the last
  cases.push_back(
      {"depthwise weights", encode(c), Error::kScratchpadRange, "weight lines 16367..16384"});
  c = dw;
  c.dw_block_pitch = 950;  // block 1's 112 outputs from line 950 on
  cases.push_back({"depthwise outputs", encode(c), Error::kAccumulatorRange, "lines 0..1061"});
  // Pairs of rows (stride 2): the second row DW_PAIR_OFFSET lines on, in the scratchpad.
  Compute pair = dw;
  pair.dw_stride_2 = pair.dw_pair = true;
  pair.dw_pair_offset = 8192;
  EXPECT_TRUE(bool(check(encode(pair), cfg))) << check(encode(pair), cfg).message;
  c = valid_compute();
  c.dw_pair = true;
  cases.push_back(
      {"pair without depthwise", encode(c), Error::kBadMode, "DW_PAIR without DEPTHWISE"});
  c = pair;
  c.dw_stride_2 = false;
  cases.push_back({"pair at stride 1", encode(c), Error::kBadMode, "DW_PAIR without DW_STRIDE_2"});
  c = dw;
  c.dw_pair_offset = 4;
  cases.push_back({"offset without pair", encode(c), Error::kBadDimension, "DW_PAIR_OFFSET = 4"});
  Compute back = pair;  // the second row before the first: the offset is signed
  back.act_line = 8192;
  back.dw_pair_offset = -8192;
  EXPECT_TRUE(bool(check(encode(back), cfg))) << check(encode(back), cfg).message;
  c = back;
  c.dw_pair_offset = -8193;
  cases.push_back(
      {"pair's second row below 0", encode(c), Error::kScratchpadRange, "line -1 (ACT_LINE +"});
  c = pair;
  c.dw_pair_offset = 16384 - 227;  // the second row's lines 16157 .. 16384: one past the last
  cases.push_back(
      {"pair's second row", encode(c), Error::kScratchpadRange, "second-row lines 16157..16384"});
  // The unit's own padding: a column each side widens the outputs (114 + 2 - 2 of them).
  Compute padded = dw;
  padded.dw_pad = kDwPadLeft | kDwPadRight | kDwPadTop;
  padded.dw_zero_point = -5;
  EXPECT_TRUE(bool(check(encode(padded), cfg))) << check(encode(padded), cfg).message;
  EXPECT_EQ(dw_outputs(encode(padded)), 114u);
  c = padded;
  c.dw_block_pitch = 911;  // block 1's 114 outputs from line 911 on: one past the last
  cases.push_back({"padded outputs", encode(c), Error::kAccumulatorRange, "lines 0..1024"});
  c = padded;
  c.dw_pad = 8;
  cases.push_back({"pad range", encode(c), Error::kBadDimension, "DW_PAD = 8 is out of range"});
  c = valid_compute();
  c.dw_zero_point = 3;
  cases.push_back({"zero point without depthwise", encode(c), Error::kBadDimension,
                   "DW_ZERO_POINT = 3 must be 0 without DEPTHWISE"});
  Command fence_deps = encode(Fence{});
  fence_deps.set(kHdrDeps, kDepsPushNext);
  cases.push_back({"fence deps", fence_deps, Error::kReservedBits, "FENCE DEPS"});

  for (const auto& k : cases) {
    const CheckResult r = check(k.command, cfg);
    EXPECT_EQ(r.error, k.error) << k.what << ": " << r.message;
    EXPECT_NE(r.message.find(k.message_has), std::string::npos)
        << k.what << ": message '" << r.message << "' lacks '" << k.message_has << "'";
  }
}

TEST(Isa, StreamRefusesWhatTheEngineWouldRefuse) {
  CommandStream stream;
  stream.push(valid_load()).push(valid_compute()).push(valid_store()).push(Fence{true, 0x100, 7});
  EXPECT_EQ(stream.size(), 4u);
  EXPECT_EQ(stream.bytes().size(), 4 * kCommandBytes);
  Compute bad = valid_compute();
  bad.vectors = 0;
  try {
    stream.push(bad);
    FAIL() << "expected InvalidCommand";
  } catch (const InvalidCommand& e) {
    EXPECT_EQ(e.error(), Error::kBadDimension);
    EXPECT_STREQ(e.what(), "command 4: COMPUTE VECTORS = 0 is out of range [1, 65535]");
  }
  EXPECT_EQ(stream.size(), 4u);  // nothing appended
}

TEST(Isa, DisassemblyNamesEveryField) {
  EXPECT_EQ(disassemble(encode(valid_compute())),
            "COMPUTE deps=pop_prev,push_next act_line=0 act_stride=32 vectors=128 wgt_line=8192 "
            "acc_line=0 k_valid=16 n_valid=16 act_rows=1 act_row_stride=0 rescale_multiplier=0 "
            "rescale_right_shift=0 rescale_zero_point=0 dw_pad=0 dw_zero_point=0 extra_tiles=0 "
            "act_tile_stride=0 "
            "dw_block_pitch=0 dw_pair_offset=0");
  EXPECT_EQ(disassemble(encode(Fence{true, 0x40, 9})),
            "FENCE mode=interrupt dram_addr=0x40 value=9");
  Store s = valid_store();
  s.zero_point = -3;
  EXPECT_NE(disassemble(encode(s)).find("mode=requantize,per_channel "), std::string::npos);
  EXPECT_NE(disassemble(encode(s)).find(" zero_point=-3 "), std::string::npos);
  EXPECT_EQ(disassemble(Command{}), "INVALID opcode=0");
}

TEST(Isa, AssemblyRoundTripsEveryValidCommand) {
  std::mt19937_64 rng(tessera::test::test_seed());
  const BuildConfig cfg;
  int valid = 0;
  for (int i = 0; i < 20000; ++i) {
    const Command c = tessera::test::random_command(rng, cfg);
    if (!check(c, cfg)) continue;
    ++valid;
    const std::string text = disassemble(c);
    ASSERT_EQ(assemble(text), c) << text;
  }
  EXPECT_GT(valid, 5000);
}

TEST(Isa, AssemblyNamesWhatItCannotRead) {
  const struct {
    const char* text;
    const char* message_has;
  } cases[] = {
      {"", "empty line"},
      {"JUMP value=1", "unknown opcode 'JUMP'"},
      {"FENCE value", "'value' is not key=value"},
      {"FENCE vectors=3", "FENCE has no field 'vectors'"},
      {"COMPUTE mode=overwrite", "mode flag 'overwrite' is not one of: accumulate"},
      {"STORE zero_point=200", "zero_point = '200' is not an integer in [-128, 127]"},
      {"COMPUTE k_valid=65536", "k_valid = '65536' is not an integer in [0, 65535]"},
      {"LOAD rows=-1", "rows = '-1' is not an integer in [0, 4294967295]"},
      {"LOAD deps=pop_sideways", "deps flag 'pop_sideways'"},
  };
  for (const auto& k : cases) {
    try {
      assemble(k.text);
      ADD_FAILURE() << "'" << k.text << "' assembled";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(k.message_has), std::string::npos)
          << "'" << e.what() << "' lacks '" << k.message_has << "'";
    }
  }
  EXPECT_EQ(assemble("FENCE mode=interrupt dram_addr=0x40 value=9"), encode(Fence{true, 0x40, 9}));
}

TEST(Isa, RandomCommandsReachEveryCheck) {
  std::mt19937_64 rng(tessera::test::test_seed());
  const BuildConfig cfg;
  std::set<Error> seen;
  int valid = 0;
  for (int i = 0; i < 200000; ++i) {
    const CheckResult r = check(tessera::test::random_command(rng, cfg), cfg);
    valid += static_cast<bool>(r);
    seen.insert(r.error);
    ASSERT_EQ(r.message.empty(), static_cast<bool>(r));
  }
  EXPECT_GT(valid, 50000);
  // Every error a command alone can cause (not the run-time DMA, bus and ring ones).
  for (Error e : {Error::kNone, Error::kBadOpcode, Error::kReservedBits, Error::kBadDimension,
                  Error::kScratchpadRange, Error::kAccumulatorRange, Error::kBadClamp,
                  Error::kBadMode, Error::kQtableRange}) {
    EXPECT_TRUE(seen.count(e)) << "never produced " << error_name(e);
  }
}

}  // namespace
