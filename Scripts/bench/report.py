#!/usr/bin/env python3
"""Joins the JSON lines of `constrained-bench` and its peers into ratio tables.

    python3 Scripts/bench/report.py bench-out/*.jsonl [--markdown Docs/Benchmarks.md]
                                                      [--svg Docs/benchmarks.svg]

Lines are joined on suite/workload/dtype/n/phase. The ratio is our median time over the
peer's: below 1 we are faster. Prints one table per suite; with --markdown also writes the
document (machine, versions, thread counts, tables, how to reproduce), with --svg a chart of
the ratios (hand-written SVG, no plotting library).
"""

import argparse
import datetime
import json
import math
import os
import platform
import subprocess
from collections import defaultdict

OURS = "constrained"
PEERS = [("numpy", "NumPy/SciPy"), ("torch", "PyTorch"), ("torch-uncached", "PyTorch uncached"),
         ("geotorch", "geotorch"), ("geoopt", "geoopt")]
SUITE_ORDER = ["linalg", "elementwise", "autodiff", "tape", "constrained", "manifolds", "riemannian"]
SUITE_TITLES = {
    "linalg": "Linear algebra (forward)",
    "elementwise": "Elementwise on 10⁶ elements (forward)",
    "autodiff": "Gradient tape: forward and forward+backward",
    "tape": "Gradient tape: one recorded 128 × 190 op (`Sources/ConstrainedBenchmarks/Workloads/TapeWorkloads.swift`)",
    "constrained": "Constrained layers: training steps, cached reads, each parametrization "
                   "(workloads described in `Sources/ConstrainedBenchmarks/Workloads/ConstrainedWorkloads.swift`)",
    "manifolds": "Manifold catalogue against geotorch inside `parametrize.cached()` "
                 "(workloads described in `Sources/ConstrainedBenchmarks/Workloads/ManifoldWorkloads.swift`)",
    "riemannian": "Riemannian Adam steps against geoopt "
                  "(workloads described in `Sources/ConstrainedBenchmarks/Workloads/RiemannianWorkloads.swift`)",
}

# The targets the issues set, as the largest acceptable ratio to one peer.
# (peer, suite, workloads or None for all, phase, smallest n, largest ratio, source)
TARGETS = [
    ("numpy", "linalg", None, "forward", 256, 1.10, "issue 2"),
    ("torch", "elementwise", {"exp", "log", "tanh", "sigmoid", "softplus"}, "forward", 0, 1.0, "issue 10"),
    ("numpy", "elementwise", {"exp", "log", "tanh", "sigmoid", "softplus"}, "forward", 0, 1.0, "issue 10"),
    ("numpy", "elementwise", None, "forward", 0, 1.5, "issue 2"),
    ("torch", "autodiff", {"matrix_exp"}, "forward+backward", 0, 0.35, "issue 3"),
    ("torch", "autodiff", {"householder_product", "householder_product_tall"}, "forward+backward", 0, 0.25, "issue 3"),
    ("torch", "autodiff", {"cayley", "qr", "eigh", "svd"}, "forward+backward", 0, 1.0, "issue 3"),
    ("torch", "constrained", {"rnn-orthogonal-h190", "rnn-sequence-orthogonal-h190"}, "train-step", 0, 0.7, "issue 10"),
    ("torch", "constrained", {"copy-task-h190", "copy-task-sequence-h190"}, "train-step", 0, 0.6, "issue 10"),
    ("torch", "constrained", {"linear-orthogonal-matrix_exp", "linear-orthogonal-cayley",
                              "linear-orthogonal-householder"}, "train-step", 0, 0.5, "issue 10"),
    ("torch", "constrained", {"linear-spectral_norm", "linear-weight_norm"}, "train-step", 0, 1.0, "issue 10"),
    # The first matching line wins: matrix-function sets before the rest of the suite.
    ("geotorch", "manifolds", {"orthogonal", "positive_definite", "positive_semidefinite"}, "forward", 0, 0.5, "issue 8"),
    ("geotorch", "manifolds", {"orthogonal", "positive_definite", "positive_semidefinite"}, "forward+backward", 0, 0.5, "issue 8"),
    ("geotorch", "manifolds", None, "forward", 0, 1.0, "issue 8"),
    ("geotorch", "manifolds", None, "forward+backward", 0, 1.0, "issue 8"),
    ("geoopt", "riemannian", None, "train-step", 0, 0.5, "issue 9"),
]


def target_for(peer, suite, workload, phase, n):
    for t_peer, t_suite, names, t_phase, min_n, limit, source in TARGETS:
        if (t_peer, t_suite, t_phase) == (peer, suite, phase) and n >= min_n \
                and (names is None or workload in names):
            return limit, source
    return None


def load(paths):
    """(meta by impl, {impl: {key: line}}).

    A key measured more than once (the rounds of one `make bench` run, each in its own file)
    keeps the line with the smallest median; `rounds` on the kept line counts them. Host
    contention only ever adds time, so the least of several medians taken minutes apart is the
    steadiest estimate, and both sides of a ratio get the same number of rounds."""
    meta, rows = {}, defaultdict(dict)
    for path in paths:
        with open(path) as f:
            for text in f:
                text = text.strip()
                if not text:
                    continue
                line = json.loads(text)
                if "meta" in line:
                    meta[line["meta"]["impl"]] = line["meta"]
                    continue
                key = (line["suite"], line["workload"], line["dtype"], line["n"], line["phase"])
                # Peak-memory lines share their workload's key: keep them apart from its times.
                impl = line["impl"] + ("/memory" if "peak_rss_delta_bytes" in line else "")
                kept = rows[impl].get(key)
                rounds = (kept or {}).get("rounds", 0) + 1
                if kept is None or line.get("median_s", 0) < kept.get("median_s", 0):
                    kept = line
                kept["rounds"] = rounds
                rows[impl][key] = kept
    return meta, rows


def order(keys):
    """Suites in SUITE_ORDER, workloads in the order constrained-bench ran them, then dtype,
    size and phase."""
    first_seen = {}
    for suite, workload, *_ in keys:
        first_seen.setdefault((suite, workload), len(first_seen))

    def rank(key):
        suite, workload, dtype, n, phase = key
        s = SUITE_ORDER.index(suite) if suite in SUITE_ORDER else len(SUITE_ORDER)
        return (s, suite, first_seen[(suite, workload)], dtype, n, phase)
    return sorted(keys, key=rank)


def fmt_time(s):
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def fmt_ratio(r):
    if r is None:
        return "—"
    return f"{r:.2f}" if r >= 0.1 else f"{r:.3f}"


def build_rows(rows, stat):
    """One row per workload we measured: times, ratios and targets per peer."""
    out = []
    ours = rows.get(OURS, {})
    peers = [(impl, title) for impl, title in PEERS if impl in rows]
    for key in order(ours):
        suite, workload, dtype, n, phase = key
        row = {"key": key, "ours": ours[key][stat], "peers": {}}
        for impl, _ in peers:
            peer = rows[impl].get(key)
            t = peer[stat] if peer else None
            ratio = row["ours"] / t if t else None
            target = target_for(impl, suite, workload, phase, n)
            met = None if ratio is None or target is None else ratio <= target[0]
            row["peers"][impl] = {"time": t, "ratio": ratio, "target": target, "met": met}
        out.append(row)
    return out, peers


def per_op_table(rows, stat, markdown):
    """The tape suite as ns per op: the recorded forward, and the pullback estimated as
    (op + sum + gradient) − (op alone), ours and PyTorch's."""
    ours, torch = rows.get(OURS, {}), rows.get("torch", {})
    header = ["op (128 × 190)", "dtype", "ours forward", "PyTorch forward", "ours pullback", "PyTorch pullback"]
    lines = []
    for key in order([k for k in ours if k[0] == "tape" and k[4] == "forward"]):
        _, workload, dtype, n, _ = key
        back = (key[0], workload, dtype, n, "forward+backward")

        def ns(impl_rows, k):
            return impl_rows[k][stat] * 1e9 if k in impl_rows else None

        def cells(impl_rows):
            f, fb = ns(impl_rows, key), ns(impl_rows, back)
            return [f"{f:,.0f} ns" if f is not None else "—",
                    # A negative difference is noise (a quick run's single repetitions).
                    f"{fb - f:,.0f} ns" if f is not None and fb is not None and fb >= f else "—"]
        o, t = cells(ours), cells(torch)
        lines.append([workload, dtype, o[0], t[0], o[1], t[1]])
    if not lines:
        return None
    if markdown:
        align = ["---", "---"] + ["---:"] * 4
        return "\n".join("| " + " | ".join(r) + " |" for r in [header, align] + lines)
    widths = [max(len(r[i]) for r in [header] + lines) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header] + lines)


def memory_table(rows, markdown):
    """Peak-memory lines (Scripts/bench/memory.py): how much one step raised ru_maxrss."""
    ours, torch = rows.get(OURS + "/memory", {}), rows.get("torch/memory", {})
    if not ours:
        return None
    header = ["workload", "dtype", "n", "ours", "PyTorch", "ours/PyTorch", "target"]
    lines = []
    for key in order(ours):
        _, workload, dtype, n, _ = key
        a = ours[key]["peak_rss_delta_bytes"]
        b = torch[key]["peak_rss_delta_bytes"] if key in torch else None
        ratio = a / b if b else None
        target = ""
        if ratio is not None and workload.startswith("rnn-"):
            target = "≤ 1.00 vs PyTorch " + ("✓" if ratio <= 1 else "✗")
        lines.append([workload, dtype, str(n), f"{a / 2**20:,.0f} MiB",
                      f"{b / 2**20:,.0f} MiB" if b is not None else "—", fmt_ratio(ratio), target])
    if markdown:
        align = ["---", "---", "---:", "---:", "---:", "---:", "---"]
        return "\n".join("| " + " | ".join(r) + " |" for r in [header, align] + lines)
    widths = [max(len(r[i]) for r in [header] + lines) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [header] + lines)


def instructions_section(rows):
    """The callgrind line of Scripts/bench/instructions.sh, as a sentence."""
    lines = list(rows.get("callgrind", {}).values())
    if not lines:
        return None
    line = lines[0]
    key = "/".join(str(line[k]) for k in ("suite", "workload", "dtype", "n", "phase"))
    return (f"Instruction count of one `{key}` step (callgrind, one thread, AVX2 code paths under "
            f"{line.get('valgrind', 'valgrind')}): **{line['instructions']:,}**. Unlike the times above it "
            "does not depend on the load of the machine: a change that raises it made the step slower.")


def peers_in(rows, peers):
    """The peers with at least one time among `rows` (a suite's own columns)."""
    return [(impl, title) for impl, title in peers if any(r["peers"][impl]["time"] for r in rows)]


def table(suite_rows, peers, markdown):
    peers = peers_in(suite_rows, peers)
    header = ["workload", "dtype", "n", "phase", "ours"]
    for impl, title in peers:
        header += [title, f"ours/{title}"]
    header.append("target")
    lines = []
    for row in suite_rows:
        _, workload, dtype, n, phase = row["key"]
        cells = [workload, dtype, str(n), phase, fmt_time(row["ours"])]
        targets = []
        for impl, title in peers:
            p = row["peers"][impl]
            cells += [fmt_time(p["time"]), fmt_ratio(p["ratio"])]
            if p["target"] is not None:
                mark = "" if p["met"] is None else (" ✓" if p["met"] else " ✗")
                targets.append(f"≤ {p['target'][0]:.2f} vs {title}{mark}")
        cells.append("; ".join(targets))
        lines.append(cells)
    if markdown:
        align = ["---", "---", "---:", "---", "---:"] + ["---:", "---:"] * len(peers) + ["---"]
        return "\n".join("| " + " | ".join(r) + " |" for r in [header, align] + lines)
    widths = [max(len(r[i]) for r in [header] + lines) for i in range(len(header))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip()
                     for r in [header] + lines)


def command_version(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=30).stdout.strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_section(meta, stat):
    ours, numpy, torch = meta.get(OURS, {}), meta.get("numpy"), meta.get("torch")
    commit = command_version(["git", "rev-parse", "--short", "HEAD"])
    lines = [
        f"- Code: commit `{commit}`",
        f"- CPU: {cpu_model()}, {os.cpu_count()} cores; {platform.system()} {platform.release()}",
        f"- Swift: {command_version(['swift', '--version'])}",
        f"- Ours: OpenBLAS `{ours.get('openblas', 'unknown')}` (core `{ours.get('openblas_core', '?')}`), "
        f"{ours.get('threads', '?')} threads; elementwise kernels: "
        + (f"SLEEF `{ours['elementwise_isa']}` path, up to {ours.get('elementwise_threads', '?')} threads "
           "above 32 768 elements per thread" if ours.get("elementwise_isa") not in (None, "portable")
           else "our portable Swift kernels, one thread"),
    ]
    if numpy:
        blas = "; ".join(f"`{b['config']}` ({b['threads']} threads)" for b in numpy.get("blas", []))
        lines.append(f"- NumPy {numpy['numpy']}, SciPy {numpy['scipy']} (Python {numpy['python']}); "
                     f"their bundled OpenBLAS builds: {blas}")
    if torch:
        lines.append(f"- PyTorch {torch['torch']} (BLAS/LAPACK: {torch['blas']}), "
                     f"`torch.set_num_threads({torch['intra_op_threads']})`")
    loads = ", ".join(f"{name} {meta[impl]['load_average']:.2f}" for impl, name in [(OURS, "ours")] + PEERS
                      if impl in meta and meta[impl].get("load_average") is not None)
    if loads:
        lines.append(f"- One-minute load average when each program started: {loads} (on {os.cpu_count()} "
                     "cores; other work on the machine slows multi-threaded BLAS and OpenMP runs most)")
    timing = ours or numpy or torch or {}
    if timing:
        lines.append(f"- Timing: a {timing.get('settle_s', 0):g} s pause (so the previous workload's BLAS "
                     f"threads stop spinning), warm-up for {timing['min_time_s'] / 4:g} s (at least one run), then "
                     f"repeat until {timing['min_time_s']:g} s and ≥ {timing['min_reps']} runs (at most "
                     f"{timing['max_reps']} runs or {timing.get('max_time_s', '?')} s); the tables show "
                     + ("medians" if stat == "median_s" else "minimums"))
    return "\n".join(lines)


PEER_CALLS = """\
What each peer runs for a workload:

| workload | NumPy/SciPy | PyTorch |
|---|---|---|
| gemm | `a @ b` | `a @ b` |
| matrix_exp | `scipy.linalg.expm(a)` | `torch.linalg.matrix_exp(a)` |
| solve | `np.linalg.solve(a, b)` (b is n×n) | `torch.linalg.solve(a, b)` |
| qr | `np.linalg.qr(a)` (reduced) | `torch.linalg.qr(a)` |
| eigh | `np.linalg.eigh(a)` | `torch.linalg.eigh(a)` |
| svd | `np.linalg.svd(a, full_matrices=False)` | `torch.linalg.svd(a, full_matrices=False)` |
| add, mul, exp, log, tanh, sum | the ufunc / `a.sum()` | the `torch` function |
| sigmoid | `scipy.special.expit(a)` | `torch.sigmoid(a)` |
| softplus | `np.logaddexp(0, a)` | `torch.nn.functional.softplus(a)` |
| cayley | — | `torch.linalg.solve(I - a/2, I + a/2)` |
| householder_product(_tall) | — | `torch.linalg.householder_product(a, tau)` (n×n; tall: 4n×n) |

In the autodiff suite `forward` runs the function on an input that requires a gradient (a
`GradientTape` watching it, for us), and `forward+backward` also takes the gradient of
Σᵢ sum(outputᵢ ⊙ Wᵢ) for fixed random Wᵢ (`tape.gradient(of:wrt:)`, `torch.autograd.grad`).
Inputs: standard normal n×n matrices; scaled by 1/√n for `matrix_exp` and `cayley` (skew);
symmetric (X + Xᵀ)/2 for `eigh`; uniform in (0.5, 1.5) for elementwise.
"""

REPRODUCE = """\
## Reproduce

```sh
make bench-peer-setup   # once: .venv-bench with numpy, scipy and torch (CPU) from PyPI
make bench              # release build, OPENBLAS_NUM_THREADS=2, ours + NumPy/SciPy + PyTorch, this file
make bench QUICK=1      # smoke run (smallest sizes, few repetitions), report in bench-out/
```

Or step by step (`--filter` takes a regular expression over `suite/workload/dtype/n/phase`):

```sh
swift build -c release --product constrained-bench
OPENBLAS_NUM_THREADS=2 .build/release/constrained-bench --threads 2 --filter 'linalg/svd' --output bench-out/constrained.jsonl
OPENBLAS_NUM_THREADS=2 python3 Scripts/bench/peer_numpy.py --filter 'linalg/svd' --output bench-out/numpy.jsonl
OPENBLAS_NUM_THREADS=2 .venv-bench/bin/python Scripts/bench/peer_torch.py --filter 'linalg/svd' --output bench-out/torch.jsonl
python3 Scripts/bench/report.py bench-out/*.jsonl
```

To add a workload: one line in its suite's file in `Sources/ConstrainedBenchmarks/Workloads/`
and the same name in `Scripts/bench/peer_numpy.py` and/or `peer_torch.py`.
"""


def svg_chart(rows, peers, title):
    """A horizontal bar chart of the ratios on a log axis: one group per measurement, one bar
    per peer, growing from the line at 1 (left: we are faster)."""
    colors = {"numpy": "#4c78a8", "torch": "#e45756", "torch-uncached": "#f2a5a4", "geotorch": "#54a24b", "geoopt": "#b279a2"}
    items = [r for r in rows if any(r["peers"][p]["ratio"] for p, _ in peers)]
    if not items:
        return None
    ratios = [r["peers"][p]["ratio"] for r in items for p, _ in peers if r["peers"][p]["ratio"]]
    lo = min(0.1, 10 ** math.floor(math.log10(min(ratios))))
    hi = max(10.0, 10 ** math.ceil(math.log10(max(ratios))))
    label_w, plot_w, bar_h, gap, top = 300, 540, 7, 5, 66

    def x(ratio):
        t = (math.log10(ratio) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        return label_w + max(0.0, min(1.0, t)) * plot_w

    # Lay out first (suite headings, groups), so the grid can be drawn under the bars.
    body, y = [], top
    for i, r in enumerate(items):
        suite, workload, dtype, n, phase = r["key"]
        if i == 0 or items[i - 1]["key"][0] != suite:
            # Each suite shows the bars of the peers it has.
            suite_peers = peers_in([r2 for r2 in items if r2["key"][0] == suite], peers)
            group_h = len(suite_peers) * bar_h + gap
            y += 6
            body.append(f'<text x="4" y="{y + 12}" font-size="12" font-weight="bold">{suite}</text>')
            y += 18
        short = f'{workload} {dtype.replace("float", "f")} n={n} {phase.replace("forward", "fwd").replace("backward", "bwd")}'
        body.append(f'<text x="{label_w - 6}" y="{y + group_h / 2 + 3}" text-anchor="end">{short}</text>')
        for j, (impl, _) in enumerate(suite_peers):
            ratio = r["peers"][impl]["ratio"]
            if not ratio:
                continue
            x0, x1 = sorted((x(1.0), x(ratio)))
            by = y + j * bar_h
            body.append(f'<rect x="{x0:.1f}" y="{by}" width="{max(x1 - x0, 0.5):.1f}" '
                        f'height="{bar_h - 1}" fill="{colors[impl]}"><title>{workload} {dtype} '
                        f'n={n} {phase} vs {impl}: {fmt_ratio(ratio)}</title></rect>')
            tx, anchor = (x1 + 3, "start") if ratio >= 1 else (x0 - 3, "end")
            body.append(f'<text x="{tx:.1f}" y="{by + bar_h - 1}" font-size="7" '
                        f'text-anchor="{anchor}" fill="#333">{fmt_ratio(ratio)}</text>')
        y += group_h
    bottom = y + 4
    width, height = label_w + plot_w + 40, bottom + 24

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif" font-size="10">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">{title}</text>',
           f'<text x="{width / 2}" y="34" text-anchor="middle" font-size="11">time ours / time peer '
           f'(log scale; left of 1: we are faster)</text>']
    for j, (impl, name) in enumerate(peers):
        lx = label_w + 130 * j
        out.append(f'<rect x="{lx}" y="44" width="10" height="10" fill="{colors[impl]}"/>'
                   f'<text x="{lx + 14}" y="53">{name}</text>')
    decades = range(round(math.log10(lo)), round(math.log10(hi)) + 1)
    # Label 2 and 5 only where a decade is wide enough to hold them.
    labelled = (1, 2, 5) if len(decades) <= 4 else (1,)
    for k in decades:
        for m in (1, 2, 5):
            t = 10 ** k * m
            if not lo <= t <= hi:
                continue
            one = abs(t - 1) < 1e-12
            out.append(f'<line x1="{x(t):.1f}" y1="{top}" x2="{x(t):.1f}" y2="{bottom}" '
                       f'stroke="{"#000" if one else "#ddd"}" stroke-width="{1 if one else 0.5}"/>')
            if m in labelled:
                out.append(f'<text x="{x(t):.1f}" y="{bottom + 14}" text-anchor="middle">{t:g}</text>')
    return "\n".join(out + body + ["</svg>"]) + "\n"


def rounds_note(rows):
    """How many rounds the run had, when more than one."""
    counts = [line.get("rounds", 1) for impl, lines in rows.items() if not impl.endswith("/memory")
              for line in lines.values() if "median_s" in line]
    rounds = max(counts, default=1)
    if rounds <= 1:
        return ""
    return (f", in {rounds} interleaved rounds (ours, then every peer, then again), each time "
            f"the least of a workload's {rounds} medians")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("files", nargs="+", help="JSON-line files of constrained-bench and the peers")
    p.add_argument("--markdown", help="write the Markdown report here")
    p.add_argument("--svg", help="write the SVG chart of ratios here")
    p.add_argument("--stat", choices=["median_s", "min_s"], default="median_s",
                   help="which time to compare (default: median)")
    args = p.parse_args()

    meta, rows = load([f for f in args.files if os.path.exists(f)])
    if OURS not in rows:
        raise SystemExit("report.py: no constrained-bench lines in " + ", ".join(args.files))
    table_rows, peers = build_rows(rows, args.stat)
    by_suite = defaultdict(list)
    for r in table_rows:
        by_suite[r["key"][0]].append(r)
    suites = [s for s in SUITE_ORDER if s in by_suite] + sorted(set(by_suite) - set(SUITE_ORDER))

    for s in suites:
        print(f"\n== {s}: ratio = ours / peer ({args.stat}); below 1 we are faster")
        print(table(by_suite[s], peers, markdown=False))
    per_op = per_op_table(rows, args.stat, markdown=False)
    if per_op:
        print("\n== tape: ns per op (pullback = forward+backward − forward, including the sum)")
        print(per_op)
    memory = memory_table(rows, markdown=False)
    if memory:
        print("\n== peak memory: how much one training step raised ru_maxrss (fresh process each)")
        print(memory)
    guard = instructions_section(rows)
    if guard:
        print("\n== " + guard)

    if args.markdown:
        missing = [title for impl, title in PEERS if impl not in rows]
        # When the measurements were written, not when this report was.
        written = max(os.path.getmtime(f) for f in args.files if os.path.exists(f))
        stamp = datetime.datetime.fromtimestamp(written).strftime("%Y-%m-%d %H:%M")
        doc = ["# Benchmarks", "",
               "Generated by `make bench` (`Scripts/bench/report.py`) from measurements taken on " + stamp + ". Times are "
               + ("medians" if args.stat == "median_s" else "minimums") + " in one run on the same "
               "machine" + rounds_note(rows) + "; the ratio is **our time / the peer's time**: below 1 we are faster. "
               "The target column states the issues' goals (✓ met, ✗ not met). "
               "On this shared virtual machine the same workload varies by about ±20% from run "
               "to run (more for multi-threaded PyTorch), so ratios between 0.8 and 1.25 are ties "
               "and a single ✗ near its limit is worth re-measuring with `--filter`.", "",
               "## Machine", "", machine_section(meta, args.stat), ""]
        if missing:
            doc += [f"Not measured in this run: {', '.join(missing)} "
                    "(`make bench-peer-setup` installs PyTorch).", ""]
        doc += [PEER_CALLS, "![ratios](benchmarks.svg)", ""]
        for s in suites:
            doc += [f"## {SUITE_TITLES.get(s, s)}", "", table(by_suite[s], peers, markdown=True), ""]
            per_op = per_op_table(rows, args.stat, markdown=True) if s == "tape" else None
            if per_op:
                doc += ["The same in nanoseconds per op. The pullback is estimated as (op, `.sum()`, "
                        "gradient) minus the op alone, so it includes the sum, its pullback and, for us, "
                        "making and consuming a tape.", "", per_op, ""]
        memory = memory_table(rows, markdown=True)
        if memory:
            doc += ["## Peak memory of one training step", "",
                    "How much one step raised the process's peak resident memory (`ru_maxrss`) over "
                    "what preparing the model and data left, each measured in a fresh process "
                    "(`Scripts/bench/memory.py`), ours and PyTorch's (inside `parametrize.cached()`) "
                    "the same way.", "", memory, ""]
        guard = instructions_section(rows)
        if guard:
            doc += ["## Regression guard", "", guard, ""]
        doc.append(REPRODUCE)
        os.makedirs(os.path.dirname(args.markdown) or ".", exist_ok=True)
        with open(args.markdown, "w") as f:
            f.write("\n".join(doc))
        print(f"\nwrote {args.markdown}")
    if args.svg:
        chart = svg_chart([r for s in suites for r in by_suite[s]], peers,
                          "Constrained / LinAlg vs NumPy/SciPy and PyTorch")
        if chart:
            os.makedirs(os.path.dirname(args.svg) or ".", exist_ok=True)
            with open(args.svg, "w") as f:
                f.write(chart)
            print(f"wrote {args.svg}")


if __name__ == "__main__":
    main()
