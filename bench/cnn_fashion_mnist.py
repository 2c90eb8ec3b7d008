#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The source documents' CNN on all 10,000 Fashion-MNIST test images on the simulated engine
(`make bench-cnn`): every layer of every batch compared bit for bit with the reference
executor (`tessera model run --check`), top-1 accuracy next to the float model's, engine
cycles and images/s at 250 MHz, and the simulator's speed.

  bench/cnn_fashion_mnist.py [--tessera build/driver/tool/tessera] [--shards 2] [--count 10000]
                             [--json results.json]

The images are split into shards run side by side, one simulator process each (SystemC runs
one engine per process; the machine has 2 cores). Exit status 1 if any layer or any top-1
differs from the reference.
"""
import argparse
import json
import pathlib
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
DATA = pathlib.Path("/usr/share/datasets/fashion-mnist")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--tessera", default=str(ROOT / "build" / "driver" / "tool" / "tessera"))
    p.add_argument("--model", default=str(ROOT / "models" / "fashion_cnn_int8.onnx"))
    p.add_argument("--shards", type=int, default=2)
    p.add_argument("--count", type=int, default=10000)
    p.add_argument("--batch", type=int, default=100)
    p.add_argument("--json", help="write the combined results here")
    a = p.parse_args()
    per = -(-a.count // a.shards)
    per = -(-per // a.batch) * a.batch  # whole batches per shard
    start = time.time()
    procs = []
    for s in range(a.shards):
        first, n = s * per, min(per, a.count - s * per)
        if n <= 0:
            break
        cmd = [a.tessera, "model", "run", a.model, "--input", str(DATA / "t10k-images-idx3-ubyte.gz"),
               "--labels", str(DATA / "t10k-labels-idx1-ubyte.gz"), "--first", str(first), "--count", str(n),
               "--batch", str(a.batch), "--check", "--json"]
        procs.append((n, subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)))
    shards = []
    for n, proc in procs:
        out, _ = proc.communicate()
        if not out.strip():
            sys.exit(f"a shard failed (status {proc.returncode})")
        shards.append(json.loads(out))
    wall = time.time() - start
    images = sum(s["images"] for s in shards)
    cycles = sum(s["engine_cycles_per_batch"] * s["batches"] for s in shards)
    batches = sum(s["batches"] for s in shards)
    sim_wall = sum(s["device_wall_seconds"] for s in shards)
    result = {
        "images": images,
        "batch": a.batch,
        "accuracy": sum(s["accuracy"] * s["images"] for s in shards) / images,
        "float32_accuracy": sum(s["float32_accuracy"] * s["images"] for s in shards) / images,
        "layers_differing": sum(s["layers_differing"] for s in shards),
        "top1_differing": sum(s["top1_differing"] for s in shards),
        "engine_cycles_per_batch": cycles / batches,
        "engine_cycles_per_image": cycles / (batches * a.batch),
        "images_per_second_at_250_mhz": 250e6 * batches * a.batch / cycles,
        "utilization_percent": sum(s["utilization_percent"] * s["batches"] for s in shards) / batches,
        "host_seconds_per_batch": sum(s["host_seconds_per_batch"] * s["batches"] for s in shards) / batches,
        "compile_seconds": max(s["compile_seconds"] for s in shards),
        "simulated_cycles_per_second": cycles / sim_wall if sim_wall else 0,
        "shards": len(shards),
        "wall_seconds": wall,
        "layers": [{"name": l["name"], "cycles_per_batch": l.get("cycles_per_batch"),
                    "utilization_percent": l.get("utilization_percent"), "runs_on": l["runs_on"]}
                   for l in shards[0]["layer_table"]],
    }
    print(f"CNN on {images} Fashion-MNIST test images, batch {a.batch}, {len(shards)} simulator processes")
    print(f"  accuracy (top-1)                     {result['accuracy']:.4f}  (float32 model: {result['float32_accuracy']:.4f})")
    print(f"  layer tensors differing (reference)  {result['layers_differing']}")
    print(f"  top-1 differing from the reference   {result['top1_differing']}")
    print(f"  engine cycles per image              {result['engine_cycles_per_image']:.1f}")
    print(f"  images/s at 250 MHz                  {result['images_per_second_at_250_mhz']:.0f}")
    print(f"  MAC utilization on the engine        {result['utilization_percent']:.2f} %")
    print(f"  host time per batch                  {result['host_seconds_per_batch'] * 1e3:.2f} ms"
          f"  (engine at 250 MHz: {result['engine_cycles_per_batch'] / 250e3:.2f} ms)")
    print(f"  compile time                         {result['compile_seconds'] * 1e3:.1f} ms")
    print(f"  simulated cycles/s per process       {result['simulated_cycles_per_second']:.0f}")
    print(f"  wall time                            {wall:.0f} s")
    for l in result["layers"]:
        if l["runs_on"] == "engine":
            print(f"    {l['name']:<32} {l['cycles_per_batch']:>10} cycles/batch {l['utilization_percent']:6.2f} %")
    if a.json:
        pathlib.Path(a.json).write_text(json.dumps(result, indent=1) + "\n")
    return 0 if result["layers_differing"] == 0 and result["top1_differing"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
