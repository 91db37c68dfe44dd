import Foundation

/// How long to run each workload.
///
/// A workload is warmed up for a quarter of `minimumTime` (at least one run), then repeated
/// until it has run for `minimumTime` and at least `minimumRepetitions` times, or until
/// `maximumRepetitions`, or until `maximumTime` has passed (so one slow workload on a busy
/// machine cannot hold up the whole run). The peer scripts use the same rule
/// (`Scripts/bench/common.py`).
///
/// Before the warm-up the program pauses for `settleTime`: an OpenBLAS (or OpenMP) thread pool
/// keeps its threads spinning for about 0.1 s after its last call, and on two cores the
/// threads of a pool the previous workload used (NumPy and SciPy each bundle their own
/// OpenBLAS) slowed the next workload several-fold in a probe (SVD n = 256: 16 ms after a
/// 0.2 s pause, 17–20 ms after 0.1 s, 25–70 ms without). OpenBLAS's default spin timeout is
/// 2²⁸ cycles, about 0.11 s at 2.45 GHz.
struct TimingPolicy {
    var settleTime: Double = 0.15
    var minimumTime: Double = 0.2
    var maximumTime: Double = 2
    var minimumRepetitions = 3
    var maximumRepetitions = 1000

    /// A smoke run: a few repetitions of each workload.
    static let quick = TimingPolicy(settleTime: 0, minimumTime: 0.02, maximumTime: 0.2, minimumRepetitions: 1, maximumRepetitions: 20)
}

/// The timings of one workload, in seconds.
struct Timing {
    let median: Double
    let minimum: Double
    let repetitions: Int
}

/// Times `body` under `policy`.
func measure(_ body: () throws -> Void, policy: TimingPolicy) rethrows -> Timing {
    let clock = ContinuousClock()
    if policy.settleTime > 0 { Thread.sleep(forTimeInterval: policy.settleTime) }
    let warmUpEnd = clock.now.advanced(by: .seconds(policy.minimumTime / 4))
    repeat { try body() } while clock.now < warmUpEnd

    var samples: [Double] = []
    let start = clock.now
    while samples.count < policy.maximumRepetitions {
        let t0 = clock.now
        try body()
        samples.append(seconds(clock.now - t0))
        let elapsed = seconds(clock.now - start)
        if elapsed >= policy.maximumTime || samples.count >= policy.minimumRepetitions && elapsed >= policy.minimumTime { break }
    }
    samples.sort()
    let mid = samples.count / 2
    let median = samples.count % 2 == 1 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2
    return Timing(median: median, minimum: samples[0], repetitions: samples.count)
}

private func seconds(_ d: Duration) -> Double {
    let (s, attoseconds) = d.components
    return Double(s) + Double(attoseconds) * 1e-18
}
