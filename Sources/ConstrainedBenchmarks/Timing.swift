/// How long to run each workload.
///
/// A workload is warmed up for a quarter of `minimumTime` (at least one run), then repeated
/// until it has run for `minimumTime` and at least `minimumRepetitions` times, or until
/// `maximumRepetitions`, or until `maximumTime` has passed (so one slow workload on a busy
/// machine cannot hold up the whole run). The peer scripts use the same rule
/// (`Scripts/bench/common.py`).
struct TimingPolicy {
    var minimumTime: Double = 0.2
    var maximumTime: Double = 2
    var minimumRepetitions = 3
    var maximumRepetitions = 1000

    /// A smoke run: a few repetitions of each workload.
    static let quick = TimingPolicy(minimumTime: 0.02, maximumTime: 0.2, minimumRepetitions: 1, maximumRepetitions: 20)
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
