import Foundation
import PropertyBased
import Testing

/// Property checks whose cases are the same on every run, so that CI cannot turn red on a case
/// nobody has seen before.
///
/// swift-property-based's `propertyCheck` draws a fresh random seed on every run (its
/// `.fixedSeed` trait runs a single case and is meant only to reproduce a failure). These
/// overloads draw `count` cases from the same generators with `Xoshiro` seeded by a base seed
/// and the call site: the base is fixed unless `CONSTRAINED_PROPERTY_SEED` sets another number,
/// or `random` for a new one per run (printed, so a failing run can be replayed). A thrown
/// error is recorded with the case's inputs, its index and the base seed; no shrinking.
enum PropertySeed {
    /// The base seed of this run: `CONSTRAINED_PROPERTY_SEED`, a fresh one for `random`, else a
    /// constant.
    static let base: UInt64 = {
        let setting = ProcessInfo.processInfo.environment["CONSTRAINED_PROPERTY_SEED"]
        switch setting {
        case nil, "": return 0x5EED_C0DE
        case "random":
            let seed = UInt64.random(in: 1...UInt64.max)
            print("property checks: CONSTRAINED_PROPERTY_SEED=\(seed)")
            return seed
        case let text?:
            guard let seed = UInt64(text) else {
                preconditionFailure("CONSTRAINED_PROPERTY_SEED must be a UInt64 or 'random', got '\(text)'")
            }
            return seed
        }
    }()

    /// A generator for case `index` of the check at `site`: SplitMix64 spreads the three numbers
    /// over Xoshiro's whole state (whose first outputs would otherwise hang on one word of it).
    static func generator(site: UInt64, index: Int) -> Xoshiro {
        var mix = base ^ (site &* 0x9E37_79B9_7F4A_7C15) ^ (UInt64(index) &* 0xBF58_476D_1CE4_E5B9)
        func next() -> UInt64 {
            mix &+= 0x9E37_79B9_7F4A_7C15
            var z = mix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        return Xoshiro(seed: (next(), next(), next(), next()))
    }

    /// FNV-1a of the call site, so that two checks in one run draw different cases.
    static func site(_ location: SourceLocation) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(location.fileID):\(location.line)".utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}

/// Runs `body` on `count` cases drawn from `input`, the same cases on every run with the same
/// base seed (see ``PropertySeed``).
func reproduciblePropertyCheck<Value>(
    count: Int, input: Generator<Value, some Sequence>,
    perform body: (Value) async throws -> Void,
    isolation: isolated (any Actor)? = #isolation,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    let site = PropertySeed.site(sourceLocation)
    for index in 0..<count {
        var rng = PropertySeed.generator(site: site, index: index)
        let value = input.run(using: &rng)
        do {
            try await body(value)
        } catch {
            Issue.record("case \(index) of \(count), inputs \(value), CONSTRAINED_PROPERTY_SEED=\(PropertySeed.base): \(error)",
                         sourceLocation: sourceLocation)
        }
    }
}

/// Two generators; see ``reproduciblePropertyCheck(count:input:perform:isolation:sourceLocation:)``.
func reproduciblePropertyCheck<A, B>(
    count: Int, input a: Generator<A, some Sequence>, _ b: Generator<B, some Sequence>,
    perform body: (A, B) async throws -> Void,
    isolation: isolated (any Actor)? = #isolation, sourceLocation: SourceLocation = #_sourceLocation
) async {
    await reproduciblePropertyCheck(count: count, input: zip(a, b), perform: { try await body($0.0, $0.1) },
                                    sourceLocation: sourceLocation)
}

/// Three generators.
func reproduciblePropertyCheck<A, B, C>(
    count: Int, input a: Generator<A, some Sequence>, _ b: Generator<B, some Sequence>,
    _ c: Generator<C, some Sequence>,
    perform body: (A, B, C) async throws -> Void,
    isolation: isolated (any Actor)? = #isolation, sourceLocation: SourceLocation = #_sourceLocation
) async {
    await reproduciblePropertyCheck(count: count, input: zip(a, b, c), perform: { try await body($0.0, $0.1, $0.2) },
                                    sourceLocation: sourceLocation)
}

/// Four generators.
func reproduciblePropertyCheck<A, B, C, D>(
    count: Int, input a: Generator<A, some Sequence>, _ b: Generator<B, some Sequence>,
    _ c: Generator<C, some Sequence>, _ d: Generator<D, some Sequence>,
    perform body: (A, B, C, D) async throws -> Void,
    isolation: isolated (any Actor)? = #isolation, sourceLocation: SourceLocation = #_sourceLocation
) async {
    await reproduciblePropertyCheck(count: count, input: zip(a, b, c, d),
                                    perform: { try await body($0.0, $0.1, $0.2, $0.3) },
                                    sourceLocation: sourceLocation)
}
