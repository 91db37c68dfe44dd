#!/usr/bin/env python3
"""Peak memory of the RNN and copy-task training steps, ours and PyTorch's, measured the same
way: a fresh process per workload prepares it, then runs one step, and reports how much the
step raised the process's peak resident set size (ru_maxrss) over what the preparation left.

    python3 Scripts/bench/memory.py BENCH_BINARY [--peer-python PY] [--quick] [--output F]

Writes JSON lines with `peak_rss_delta_bytes` (impl `constrained`, `torch`); report.py puts
them in a table beside the times.
"""

import argparse
import json
import os
import subprocess
import sys

p = argparse.ArgumentParser(description=__doc__)
p.add_argument("bench")
p.add_argument("--peer-python")
p.add_argument("--quick", action="store_true")
p.add_argument("--threads", type=int, default=int(os.environ.get("OPENBLAS_NUM_THREADS", "2")))
p.add_argument("--output")
args = p.parse_args()

steps = [20] if args.quick else [1000]
delay = 10 if args.quick else 100
keys = [f"constrained/rnn{kind}-orthogonal-h190/float64/{t}/train-step" for t in steps for kind in ["", "-sequence"]]
keys += [f"constrained/copy-task{kind}-h190/float64/{delay + 20}/train-step" for kind in ["", "-sequence"]]

env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads))
here = os.path.dirname(os.path.abspath(__file__))
lines = []
for key in keys:
    flags = ["--threads", str(args.threads), "--filter", f"^{key}$", "--peak-memory"]
    if args.quick:
        flags.append("--quick")
    commands = [[args.bench] + flags]
    if args.peer_python and os.path.exists(args.peer_python):
        # The cached (parametrize.cached()) peer: the key matches its `torch` workload only.
        commands.append([args.peer_python, os.path.join(here, "peer_torch_constrained.py")] + flags)
    for command in commands:
        result = subprocess.run(command, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            sys.stderr.write(f"memory.py: {' '.join(command)} failed:\n{result.stderr}\n")
            continue
        for text in result.stdout.splitlines():
            if '"peak_rss_delta_bytes"' in text:
                line = json.loads(text)
                if line["impl"] in ("constrained", "torch"):
                    lines.append(line)
                    print(text, flush=True)
if args.output:
    with open(args.output, "w") as f:
        f.writelines(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
