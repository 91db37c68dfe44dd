"""What the peer benchmark scripts share with `constrained-bench`.

The timing rule, the command line and the JSON-line format are the same as in
`Sources/ConstrainedBenchmarks` (`Timing.swift`, `ConstrainedBench.swift`), so that
`report.py` can join the lines on the key suite/workload/dtype/n/phase.

This module imports neither NumPy nor PyTorch: a peer script parses its arguments (and sets
`OPENBLAS_NUM_THREADS`) before it imports them, because OpenBLAS reads the variable once, when
it loads.
"""

import argparse
import ctypes
import json
import os
import re
import sys
import time
from dataclasses import dataclass
from typing import Callable

# The sizes of each suite; Sources/ConstrainedBenchmarks/Workloads/Registry.swift has the same.
MATRIX_SIZES = [64, 256, 512]
GRADIENT_SIZES = [64, 256]
QUICK_MATRIX_SIZES = [64]
QUICK_GRADIENT_SIZES = [64]
ELEMENTS = 1_000_000


@dataclass
class Policy:
    """Pause for settle seconds, warm up for min_time / 4 (at least one run), then repeat
    until min_time has passed and min_reps runs were made, or max_reps runs, or max_time has
    passed.

    The pause lets the thread pool of the previous workload go to sleep: OpenBLAS threads spin
    for about 0.1 s after a call, and NumPy and SciPy each bundle their own OpenBLAS, so on two
    cores SciPy's spinning threads slowed NumPy's next call several-fold in a probe.
    """

    settle: float = 0.15
    min_time: float = 0.2
    max_time: float = 2.0
    min_reps: int = 3
    max_reps: int = 1000


QUICK_POLICY = Policy(settle=0, min_time=0.02, max_time=0.2, min_reps=1, max_reps=20)


@dataclass
class Workload:
    suite: str
    name: str
    dtype: str
    n: int
    phase: str
    # Builds the inputs (untimed) and returns the body to time.
    prepare: Callable[[], Callable[[], object]]

    @property
    def key(self):
        return f"{self.suite}/{self.name}/{self.dtype}/{self.n}/{self.phase}"


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--filter", help="run only workloads whose key suite/workload/dtype/n/phase "
                                    "matches this regular expression")
    p.add_argument("--quick", action="store_true", help="smallest sizes, a few repetitions each")
    p.add_argument("--output", help="also write the JSON lines to this file")
    p.add_argument("--threads", type=int,
                   help="BLAS/intra-op threads (default: OPENBLAS_NUM_THREADS, else 2)")
    p.add_argument("--list", action="store_true", help="list the workload keys and exit")
    p.add_argument("--peak-memory", action="store_true",
                   help="run the one selected workload once and print how much it raised the "
                        "peak resident memory (ru_maxrss) over its preparation (a fresh process "
                        "per workload: Scripts/bench/memory.py)")
    args = p.parse_args()
    if args.threads is None:
        args.threads = int(os.environ.get("OPENBLAS_NUM_THREADS", "2"))
    # Before NumPy or PyTorch load their BLAS.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    return args


def measure(body, policy):
    """Median and minimum seconds of `body` under `policy`, and the repetitions made."""
    clock = time.perf_counter
    time.sleep(policy.settle)
    warm_up_end = clock() + policy.min_time / 4
    while True:
        body()
        if clock() >= warm_up_end:
            break
    samples = []
    start = clock()
    while len(samples) < policy.max_reps:
        t0 = clock()
        body()
        samples.append(clock() - t0)
        elapsed = clock() - start
        if elapsed >= policy.max_time or len(samples) >= policy.min_reps and elapsed >= policy.min_time:
            break
    samples.sort()
    mid = len(samples) // 2
    median = samples[mid] if len(samples) % 2 else (samples[mid - 1] + samples[mid]) / 2
    return median, samples[0], len(samples)


def openblas_libraries():
    """The OpenBLAS builds loaded in this process: [(path, configuration, threads)].

    NumPy and SciPy wheels each bundle their own, with prefixed symbol names
    (`scipy_openblas_get_num_threads64_`); this finds them the way threadpoolctl does, by
    reading the process's memory map.
    """
    found = []
    try:
        with open("/proc/self/maps") as maps:
            fields = [line.split() for line in maps]
    except OSError:
        return found
    paths = sorted({f[5] for f in fields if len(f) >= 6 and "openblas" in os.path.basename(f[5]).lower()})
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        config, threads = None, None
        for prefix in ("", "scipy_"):
            for suffix in ("", "64_", "_64_"):
                get_config = getattr(lib, f"{prefix}openblas_get_config{suffix}", None)
                get_threads = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
                if get_config is not None and config is None:
                    get_config.restype = ctypes.c_char_p
                    config = get_config().decode()
                if get_threads is not None and threads is None:
                    threads = get_threads()
        found.append((os.path.basename(path), config, threads))
    return found


def run(impl, meta, workloads, args):
    """Times the selected workloads; prints a meta line, then one line per measurement."""
    pattern = re.compile(args.filter) if args.filter else None
    selected = [w for w in workloads if pattern is None or pattern.search(w.key)]
    if args.list:
        for w in selected:
            print(w.key)
        return
    policy = QUICK_POLICY if args.quick else Policy()
    out = open(args.output, "w") if args.output else None

    def emit(obj):
        line = json.dumps(obj, separators=(",", ":"))
        print(line, flush=True)
        if out:
            out.write(line + "\n")
            out.flush()

    emit({"meta": {"impl": impl, "threads": args.threads, "settle_s": policy.settle,
                   "min_time_s": policy.min_time,
                   "max_time_s": policy.max_time,
                   "min_reps": policy.min_reps, "max_reps": policy.max_reps,
                   "load_average": round(os.getloadavg()[0], 2), "python": sys.version.split()[0], **meta}})
    for w in selected:
        body = w.prepare()
        median, minimum, reps = measure(body, policy)
        emit({"suite": w.suite, "workload": w.name, "dtype": w.dtype, "n": w.n, "phase": w.phase,
              "median_s": float(f"{median:.6g}"), "min_s": float(f"{minimum:.6g}"), "reps": reps,
              "threads": args.threads, "impl": impl})
    if out:
        out.close()


def peak_resident_bytes():
    """The peak resident set size of this process so far (ru_maxrss, KiB on Linux)."""
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def sizes(args):
    """(matrix sizes, gradient sizes) for this run."""
    if args.quick:
        return QUICK_MATRIX_SIZES, QUICK_GRADIENT_SIZES
    return MATRIX_SIZES, GRADIENT_SIZES
