#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The bounds a depthwise datapath can reach on MobileNet-v2's depthwise layers, by arithmetic.

For each depthwise layer of torchvision's MobileNet-v2 (224x224, batch 1) on the engine's
shape (--lanes channels per line, the bus moving one line per cycle each way), prints the
cycles three designs cannot go below and the utilization (MACs / (cycles x rows x cols))
that gives:

- bus: the layer reads its input from host memory and writes its output (one line per
  cycle in, one out, on AXI's separate read and write channels);
- line buffer: a unit reading each padded input pixel's line once per cycle (K-1 rows held
  on chip), at least the bus;
- column reads: a unit reading the K lines of a window column per cycle (K read ports),
  one column per output pixel at stride 1, two at stride 2, at least the bus;
- fused: the layer inside its inverted-residual block, its input the expansion's rows
  STOREd into the scratchpad (STORE TO_SCRATCHPAD) and its output kept there for the
  projection, so no host traffic; the unit takes each unpadded input line once (the padding
  made inside it), --wide lines per cycle at stride 2 (one per scratchpad bank), and writes
  one output line per cycle;
- fused, the unit as built: the same input, one line per cycle at stride 1, and at stride 2
  each output row's two rows as one DW_PAIR command, a pixel of both per cycle; the unit
  makes the padding above and beside the image (DW_PAD: the column after a block a cycle
  of its own where a window reaches it), the row below is one COMMAND more.

Usage: bench/depthwise_bounds.py [--lanes 16] [--rows 16 --cols 16] [--wide 4] [--json FILE]
"""
import argparse
import json


def depthwise_layers():
    import torch
    import torchvision

    model = torchvision.models.mobilenet_v2().eval()
    layers = []

    def hook(module, inputs, output):
        if isinstance(module, torch.nn.Conv2d) and module.groups > 1:
            _, c, h, w = inputs[0].shape
            layers.append(dict(h=h, w=w, c=c, k=module.kernel_size[0], stride=module.stride[0],
                               pad=module.padding[0], oh=output.shape[2], ow=output.shape[3]))

    for m in model.modules():
        m.register_forward_hook(hook)
    with torch.no_grad():
        model(torch.zeros(1, 3, 224, 224))
    return layers


def bounds(layer, lanes, wide):
    g = -(-layer["c"] // lanes)  # lines per pixel
    wp = layer["w"] + 2 * layer["pad"]
    hp = layer["h"] + 2 * layer["pad"]
    outputs = layer["oh"] * layer["ow"] * g
    bus = max(layer["h"] * layer["w"] * g, outputs)
    line_buffer = max(hp * wp * g, bus)
    columns = layer["oh"] * (layer["ow"] * layer["stride"] + layer["k"] - layer["stride"]) * g
    inputs = layer["h"] * layer["w"] * g
    fused = max(-(-inputs // (wide if layer["stride"] > 1 else 1)), outputs)
    # A row's cycles: its pixels and, where a window reaches it, the padding column after
    # them; rows: at stride 2 a pair per output row (an odd height's last pair two rows),
    # at stride 1 the image's and the padding row below.
    right = 1 if (layer["ow"] - 1) * layer["stride"] + layer["k"] == wp else 0
    if layer["stride"] == 2:
        commands = layer["oh"] + layer["h"] % 2
    else:
        commands = hp - layer["pad"]
    pairs = g * (layer["w"] + right) * commands
    return dict(macs=layer["oh"] * layer["ow"] * layer["c"] * layer["k"] ** 2, bus=bus,
                line_buffer=line_buffer, column_reads=max(columns, bus), fused=fused,
                fused_unit=max(pairs, outputs), held_lines=g * wp * (layer["k"] - 1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lanes", type=int, default=16, help="channels per line (16)")
    ap.add_argument("--rows", type=int, default=16, help="array rows (16)")
    ap.add_argument("--cols", type=int, default=16, help="array columns (16)")
    ap.add_argument("--wide", type=int, default=4,
                    help="fused: input lines per cycle at stride 2 (4)")
    ap.add_argument("--json", help="also write the table as JSON to FILE")
    args = ap.parse_args()
    for name in ("lanes", "rows", "cols", "wide"):
        if getattr(args, name) < 1:
            ap.error(f"--{name} = {getattr(args, name)}: expected 1 or more")
    macs_per_cycle = args.rows * args.cols
    kinds = ("bus", "line_buffer", "column_reads", "fused", "fused_unit")
    rows, total = [], dict(macs=0, bus=0, line_buffer=0, column_reads=0, fused=0, fused_unit=0)
    print(f"{'layer':<20} {'MACs':>9} {'bus':>8} {'%':>5} {'line buf':>9} {'%':>5} "
          f"{'columns':>8} {'%':>5} {'fused':>8} {'%':>5} {'fused, unit':>11} {'%':>5} "
          f"{'held lines':>10}")
    for layer in depthwise_layers():
        b = bounds(layer, args.lanes, args.wide)
        for key in total:
            total[key] += b[key]
        name = f"{layer['h']}x{layer['w']}x{layer['c']} s{layer['stride']}"
        pct = {k: 100.0 * b["macs"] / (b[k] * macs_per_cycle) for k in kinds}
        print(f"{name:<20} {b['macs']:>9} {b['bus']:>8} {pct['bus']:>5.1f} {b['line_buffer']:>9} "
              f"{pct['line_buffer']:>5.1f} {b['column_reads']:>8} {pct['column_reads']:>5.1f} "
              f"{b['fused']:>8} {pct['fused']:>5.1f} {b['fused_unit']:>11} {pct['fused_unit']:>5.1f} "
              f"{b['held_lines']:>10}")
        rows.append(dict(layer, **b))
    pct = {k: 100.0 * total["macs"] / (total[k] * macs_per_cycle) for k in kinds}
    print(f"{'all depthwise':<20} {total['macs']:>9} {total['bus']:>8} {pct['bus']:>5.1f} "
          f"{total['line_buffer']:>9} {pct['line_buffer']:>5.1f} {total['column_reads']:>8} "
          f"{pct['column_reads']:>5.1f} {total['fused']:>8} {pct['fused']:>5.1f} "
          f"{total['fused_unit']:>11} {pct['fused_unit']:>5.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(layers=rows, total=total, utilization_percent=pct), f, indent=1)


if __name__ == "__main__":
    main()
