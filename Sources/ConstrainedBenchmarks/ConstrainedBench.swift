import ArgumentParser
import Constrained
import Foundation

/// `constrained-bench`: times the workloads of `Workloads/` and prints one JSON line each.
///
/// The first line describes the run (`{"meta": {...}}`); every further line is one
/// measurement, in the format the peer scripts in `Scripts/bench/` also print:
///
///     {"suite":"linalg","workload":"gemm","dtype":"float64","n":256,"phase":"forward",
///      "median_s":0.00042,"min_s":0.00040,"reps":475,"threads":2,"impl":"constrained"}
///
/// Build it in release mode: debug builds run the generic kernels 30–40× slower.
@main
struct ConstrainedBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "constrained-bench",
        abstract: "Times LinAlg and the gradient tape; prints one JSON line per measurement.")

    @Option(help: "Run only workloads whose key suite/workload/dtype/n/phase matches this regular expression.")
    var filter: String?

    @Flag(help: "A smoke run: smallest sizes, a few repetitions each.")
    var quick = false

    @Option(help: "Also write the JSON lines to this file.")
    var output: String?

    @Option(help: "OpenBLAS threads (default: OPENBLAS_NUM_THREADS, else OpenBLAS's own choice).")
    var threads: Int?

    @Flag(help: "List the workload keys and exit.")
    var list = false

    @Flag(help: """
        Run each selected workload once after one warm-up run, untimed, printing nothing: for \
        `valgrind --tool=callgrind --toggle-collect='*measuredRun*'` (Scripts/bench/instructions.sh).
        """)
    var once = false

    @Flag(help: """
        Run the one selected workload once and print how much it raised the process's peak \
        resident memory (ru_maxrss) over what its preparation left: run it in a fresh process \
        (Scripts/bench/memory.py does, for ours and the PyTorch peer alike).
        """)
    var peakMemory = false

    mutating func run() throws {
        let pattern = try filter.map { try Regex($0) }
        let workloads = allWorkloads(quick: quick).filter { w in pattern.map { w.key.contains($0) } ?? true }
        if list {
            workloads.forEach { print($0.key) }
            return
        }
        if let threads { OpenBLAS.setThreads(threads) }
        if peakMemory {
            guard workloads.count == 1, let workload = workloads.first else {
                throw ValidationError("--peak-memory measures one workload; --filter selected \(workloads.count)")
            }
            let body = try workload.prepare()
            let before = peakResidentBytes()
            try measuredRun(body)
            let raised = peakResidentBytes() - before
            var sink = try LineSink(path: output)
            sink.write("{\"suite\":\(json(workload.suite)),\"workload\":\(json(workload.name)),"
                       + "\"dtype\":\(json(workload.dtype)),\"n\":\(workload.n),\"phase\":\(json(workload.phase.rawValue)),"
                       + "\"peak_rss_delta_bytes\":\(raised),\"threads\":\(OpenBLAS.threads),\"impl\":\"constrained\"}")
            return
        }
        if once {
            for workload in workloads {
                let body = try workload.prepare()
                try body()
                try measuredRun(body)
            }
            return
        }
        let policy = quick ? TimingPolicy.quick : TimingPolicy()

        var sink = try LineSink(path: output)
        sink.write(metaLine(policy: policy))
        for workload in workloads {
            let body = try workload.prepare()
            let timing = try measure(body, policy: policy)
            sink.write(measurementLine(workload, timing))
        }
    }

    private func metaLine(policy: TimingPolicy) -> String {
        let fields: [(String, String)] = [
            ("impl", json("constrained")),
            ("threads", "\(OpenBLAS.threads)"),
            ("openblas", json(OpenBLAS.configuration)),
            ("openblas_core", json(OpenBLAS.coreName)),
            ("elementwise_isa", json(ElementwiseKernels.instructionSet.description)),
            ("elementwise_threads", "\(ElementwiseKernels.threadCount)"),
            ("settle_s", "\(policy.settleTime)"),
            ("min_time_s", "\(policy.minimumTime)"),
            ("max_time_s", "\(policy.maximumTime)"),
            ("min_reps", "\(policy.minimumRepetitions)"),
            ("max_reps", "\(policy.maximumRepetitions)"),
            ("load_average", loadAverage().map { "\($0)" } ?? "null"),
        ]
        return "{\"meta\":{" + fields.map { "\(json($0.0)):\($0.1)" }.joined(separator: ",") + "}}"
    }

    private func measurementLine(_ w: Workload, _ t: Timing) -> String {
        "{\"suite\":\(json(w.suite)),\"workload\":\(json(w.name)),\"dtype\":\(json(w.dtype)),\"n\":\(w.n),"
            + "\"phase\":\(json(w.phase.rawValue)),\"median_s\":\(seconds(t.median)),\"min_s\":\(seconds(t.minimum)),"
            + "\"reps\":\(t.repetitions),\"threads\":\(OpenBLAS.threads),\"impl\":\"constrained\"}"
    }
}

/// One run of a workload's body, the function whose instructions callgrind counts with
/// `--toggle-collect='*measuredRun*'`.
@inline(never)
func measuredRun(_ body: () throws -> Void) throws {
    try body()
}

/// The peak resident set size of this process so far (`getrusage`'s ru_maxrss, in bytes).
private func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return usage.ru_maxrss * 1024
}

/// The one-minute load average at the start (other processes competing for the cores make
/// multi-threaded BLAS times unreliable; the report shows it).
private func loadAverage() -> Double? {
    guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return nil }
    return text.split(separator: " ").first.flatMap { Double($0) }
}

/// Seconds to six significant digits (the clock's noise is far larger).
private func seconds(_ s: Double) -> String { String(format: "%.6g", s) }

/// A JSON string literal.
private func json(_ s: String) -> String {
    var out = "\""
    for c in s.unicodeScalars {
        switch c {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where c.value < 0x20: out += String(format: "\\u%04x", c.value)
        default: out.unicodeScalars.append(c)
        }
    }
    return out + "\""
}

/// Writes each line to standard output (unbuffered, so a long run shows progress) and appends it
/// to a file when one was given.
private struct LineSink {
    private let file: FileHandle?

    init(path: String?) throws {
        guard let path else { file = nil; return }
        guard FileManager.default.createFile(atPath: path, contents: nil),
              let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("cannot write \(path)")
        }
        file = handle
    }

    mutating func write(_ line: String) {
        let data = Data((line + "\n").utf8)
        FileHandle.standardOutput.write(data)
        file?.write(data)
    }
}
