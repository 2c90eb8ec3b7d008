// SPDX-License-Identifier: Apache-2.0
// tessera_store_params: a STORE's quantization parameters, fetched from the table.
//
// Function:   start_i takes a new command's first entry, mode, entries per panel and panel
//             count (the *_i inputs are sampled then). While fetch_i, it reads the entries
//             one per cycle into a small per-lane memory of Groups groups of MaxPanels sets:
//             per channel, panels_i x entries_i consecutive entries (entry e into lane
//             e % entries_i of set e / entries_i); per tensor, the one entry into every lane
//             of set 0 (the entry layout is tessera_isa_pkg's Qt* fields). A fetch goes to
//             the group used least recently (true LRU over the Groups), so STOREs that take
//             turns between up to Groups sets of panels (a depthwise layer's two STOREs a
//             row; a fused expansion's chunks and its depthwise rows) fetch each once.
//             done_o marks the cycle the last entry arrives; bad_shift_o says, with it, whether any entry's shift lies
//             outside [QtShiftMin, QtShiftMax] (the post-processing takes 6 bits), in which
//             case the STORE must write nothing. If the command asks for exactly the
//             entries a group already holds and the table has not been written since
//             (qt_written_i), nothing is read: done_o follows in the first fetch cycle.
//             bias_o/mult_o/shift_o are set panel_i's lanes (set 0 per tensor) of the
//             command's group, combinationally.
// Latency:    panels x entries + 1 cycles from the first cycle of fetch_i to done_o, or 1
//             when the entries are held. Throughput: one entry per cycle.
module tessera_store_params #(
  parameter int NumCols       = tessera_pkg::DefaultNumCols,
  parameter int QTableEntries = tessera_pkg::DefaultQTableEntries,
  parameter int MaxPanels     = tessera_isa_pkg::MaxExtraPanels + 1,
  parameter int Groups        = tessera_isa_pkg::StoreParamGroups,
  localparam int GroupWidth   = tessera_pkg::index_width(Groups),
  localparam int QtAddrWidth  = tessera_pkg::index_width(QTableEntries),
  localparam int LaneIdxWidth = tessera_pkg::index_width(NumCols),
  localparam int PanelWidth   = tessera_pkg::index_width(MaxPanels),
  localparam int EntryBits    = tessera_isa_pkg::QtEntryBits
) (
  input  logic                   clk_i,
  input  logic                   rst_ni,
  // Control: start_i with a new command (its fields below), fetch_i while they are wanted
  input  logic                   start_i,
  input  logic [QtAddrWidth-1:0] first_entry_i,
  input  logic                   per_channel_i,
  input  logic [LaneIdxWidth:0]  entries_i,       // per panel: 1, or the lanes stored
  input  logic [PanelWidth-1:0]  last_panel_i,    // panels - 1
  input  logic                   fetch_i,
  output logic                   done_o,
  output logic                   bad_shift_o,
  // Any write to the quantization table (the held entries are stale)
  input  logic                   qt_written_i,
  // Quantization table read port (data one cycle after the request)
  output logic                   qt_rd_en_o,
  output logic [QtAddrWidth-1:0] qt_rd_addr_o,
  input  logic [EntryBits-1:0]   qt_rd_data_i,
  // Per-lane parameters of one panel for the post-processing
  input  logic [PanelWidth-1:0]  panel_i,
  output logic [NumCols*32-1:0]  bias_o,
  output logic [NumCols*32-1:0]  mult_o,
  output logic [NumCols*6-1:0]   shift_o
);

  localparam int ParamBits = 32 + 32 + 6;  // bias, multiplier, shift: one lane of one set

  // The command being fetched or used, and its group.
  logic [QtAddrWidth-1:0]  first_d, first_q;
  logic                    per_channel_d, per_channel_q;
  logic [LaneIdxWidth:0]   entries_d, entries_q;
  logic [PanelWidth-1:0]   last_panel_d, last_panel_q;
  logic [GroupWidth-1:0]   group_d, group_q;
  logic                    hit_d, hit_q;        // the command asked for what its group holds
  // What each group holds (valid while held_q[g]), and whether an entry of it was bad.
  localparam int TagWidth = QtAddrWidth + 1 + LaneIdxWidth + 1 + PanelWidth;
  logic [Groups*TagWidth-1:0] tag_d, tag_q;
  logic [Groups-1:0]       held_d, held_q, tag_bad_d, tag_bad_q;
  // Recency: group g's age at g*GroupWidth (0 the last used, Groups - 1 the victim); the
  // ages are always a permutation of 0 .. Groups - 1.
  logic [Groups*GroupWidth-1:0] age_d, age_q;
  logic [GroupWidth-1:0]   victim, hit_group, use_group, use_age;
  logic [TagWidth-1:0]     start_tag;
  logic [Groups-1:0]       start_hit;
  logic                    written_d, written_q;  // the table was written during the fetch
  logic                    issued_all_d, issued_all_q;
  logic [LaneIdxWidth:0]   issue_lane_d, issue_lane_q;  // the next entry to request: lane ...
  logic [PanelWidth-1:0]   issue_set_d, issue_set_q;    // ... of set
  logic [QtAddrWidth-1:0]  issue_addr_d, issue_addr_q;
  logic                    rsp_q, rsp_last_q;  // a table response arrives; the last one
  logic [LaneIdxWidth-1:0] rsp_lane_q;         // ... for this lane
  logic [PanelWidth-1:0]   rsp_set_q;          // ... of this set
  logic                    bad_d, bad_q;       // an entry's shift was out of range

  // The entry's fields (tessera_isa_pkg's layout).
  logic [31:0] entry_bias, entry_mult, entry_shift;
  logic        entry_shift_ok;
  assign entry_bias     = qt_rd_data_i[tessera_isa_pkg::QtBiasLsb +: 32];
  assign entry_mult     = qt_rd_data_i[tessera_isa_pkg::QtMultiplierLsb +: 32];
  assign entry_shift    = qt_rd_data_i[tessera_isa_pkg::QtShiftLsb +: 32];
  assign entry_shift_ok = $signed(entry_shift) >= 32'(tessera_isa_pkg::QtShiftMin) &&
                          $signed(entry_shift) <= 32'(tessera_isa_pkg::QtShiftMax);

  assign qt_rd_en_o   = fetch_i && !hit_q && !issued_all_q;
  assign qt_rd_addr_o = issue_addr_q;
  assign done_o       = fetch_i && hit_q || rsp_last_q;
  assign bad_shift_o  = hit_q ? tag_bad_q[group_q] : bad_q || !entry_shift_ok;
  assign start_tag    = {first_entry_i, per_channel_i, entries_i, last_panel_i};
  for (genvar g = 0; g < Groups; g++) begin : g_hit
    assign start_hit[g] = held_q[g] && tag_q[g*TagWidth +: TagWidth] == start_tag;
  end
  // The hit group (at most one holds a tag: a miss refills the victim, whose tag differs),
  // the victim, and the age of the one a new command uses.
  always_comb begin
    hit_group = '0;
    victim    = '0;
    for (int g = 0; g < Groups; g++) begin
      if (start_hit[g]) hit_group = GroupWidth'(g);
      if (age_q[g*GroupWidth +: GroupWidth] == GroupWidth'(Groups - 1)) victim = GroupWidth'(g);
    end
  end
  assign use_group = |start_hit ? hit_group : victim;
  assign use_age   = age_q[32'(use_group)*GroupWidth +: GroupWidth];

  always_comb begin
    first_d       = first_q;
    per_channel_d = per_channel_q;
    entries_d     = entries_q;
    last_panel_d  = last_panel_q;
    group_d       = group_q;
    tag_d         = tag_q;
    held_d        = held_q;
    tag_bad_d     = tag_bad_q;
    age_d         = age_q;
    hit_d         = hit_q;
    written_d     = written_q || qt_written_i;
    issued_all_d  = issued_all_q;
    issue_lane_d  = issue_lane_q;
    issue_set_d   = issue_set_q;
    issue_addr_d  = issue_addr_q;
    bad_d         = bad_q;
    if (qt_rd_en_o) begin
      issue_addr_d = issue_addr_q + 1'b1;
      if (issue_lane_q == entries_q - 1'b1) begin
        issue_lane_d = '0;
        issue_set_d  = issue_set_q + 1'b1;
        if (issue_set_q == last_panel_q) issued_all_d = 1'b1;
      end else begin
        issue_lane_d = issue_lane_q + 1'b1;
      end
    end
    if (rsp_q && !entry_shift_ok) bad_d = 1'b1;
    if (rsp_last_q) begin
      held_d[group_q]    = !written_q && !qt_written_i;
      tag_bad_d[group_q] = bad_q || !entry_shift_ok;
    end
    if (qt_written_i) held_d = '0;
    if (start_i) begin
      hit_d         = |start_hit && !qt_written_i;
      group_d       = use_group;
      // The used group becomes the youngest; the ones younger than it age by one.
      for (int g = 0; g < Groups; g++) begin
        if (age_q[g*GroupWidth +: GroupWidth] < use_age) begin
          age_d[g*GroupWidth +: GroupWidth] = age_q[g*GroupWidth +: GroupWidth] + 1'b1;
        end
      end
      age_d[32'(use_group)*GroupWidth +: GroupWidth] = '0;
      first_d       = first_entry_i;
      per_channel_d = per_channel_i;
      entries_d     = entries_i;
      last_panel_d  = last_panel_i;
      written_d     = 1'b0;
      issued_all_d  = 1'b0;
      issue_lane_d  = '0;
      issue_set_d   = '0;
      issue_addr_d  = first_entry_i;
      bad_d = 1'b0;
      if (!hit_d) begin  // the group is refilled
        held_d[group_d]                      = 1'b0;
        tag_d[32'(group_d)*TagWidth +: TagWidth] = start_tag;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rsp_q      <= 1'b0;
      rsp_last_q <= 1'b0;
      held_q     <= '0;
      for (int g = 0; g < Groups; g++) age_q[g*GroupWidth +: GroupWidth] <= GroupWidth'(g);
    end else begin
      rsp_q      <= qt_rd_en_o;
      rsp_last_q <= qt_rd_en_o && issue_lane_q == entries_q - 1'b1 &&
                    issue_set_q == last_panel_q;
      held_q     <= held_d;
      age_q      <= age_d;
    end
  end

  // Reset-free: start_i sets them before fetch_i reads them (held_q, reset, guards the
  // tags and their bad flags).
  always_ff @(posedge clk_i) begin
    first_q       <= first_d;
    per_channel_q <= per_channel_d;
    entries_q     <= entries_d;
    last_panel_q  <= last_panel_d;
    group_q       <= group_d;
    tag_q         <= tag_d;
    tag_bad_q     <= tag_bad_d;
    hit_q         <= hit_d;
    written_q     <= written_d;
    issued_all_q  <= issued_all_d;
    issue_lane_q  <= issue_lane_d;
    issue_set_q   <= issue_set_d;
    issue_addr_q  <= issue_addr_d;
    rsp_lane_q    <= LaneIdxWidth'(issue_lane_q);
    rsp_set_q     <= issue_set_q;
    bad_q         <= bad_d;
  end

  // The sets, a memory per lane (distributed RAM: one write port, an asynchronous read),
  // set s of group g at g*MaxPanels + s. Per tensor, the one entry goes to every lane of
  // set 0.
  localparam int SetIdxWidth = tessera_pkg::index_width(Groups * MaxPanels);
  logic [SetIdxWidth-1:0] read_set, write_set;
  logic [ParamBits-1:0]   entry_param;
  logic [PanelWidth-1:0]  read_panel;
  assign read_panel  = per_channel_q ? panel_i : '0;
  assign read_set    = SetIdxWidth'(32'(group_q) * MaxPanels + 32'(read_panel));
  assign write_set   = SetIdxWidth'(32'(group_q) * MaxPanels + 32'(rsp_set_q));
  assign entry_param = {entry_shift[5:0], entry_mult, entry_bias};

  for (genvar l = 0; l < NumCols; l++) begin : g_lane
    logic [ParamBits-1:0] sets [Groups*MaxPanels];
    logic [ParamBits-1:0] param;
    always_ff @(posedge clk_i) begin
      if (rsp_q && (!per_channel_q || rsp_lane_q == LaneIdxWidth'(l))) begin
        sets[write_set] <= entry_param;
      end
    end
    assign param              = sets[read_set];
    assign bias_o[32*l +: 32] = param[31:0];
    assign mult_o[32*l +: 32] = param[63:32];
    assign shift_o[6*l +: 6]  = param[69:64];
  end

  // Unused: the shift bits beyond the 6 the post-processing takes (a shift outside the range
  // stops the command instead) and the entry's reserved bytes.
  logic unused_bits;
  assign unused_bits = ^{entry_shift[31:6], qt_rd_data_i};

  if (MaxPanels < 1) begin : g_bad_panels
    $error("tessera_store_params: MaxPanels must be >= 1");
  end
  if (Groups < 2) begin : g_bad_groups
    $error("tessera_store_params: Groups must be >= 2");
  end

endmodule
