/// A small, fast, seedable random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Same seed, same sequence, on every platform: tests and examples use it to be repeatable.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose sequence is determined by `seed`.
    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = ((state.1 &* 5) << 7 | (state.1 &* 5) >> 57) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = state.3 << 45 | state.3 >> 19
        return result
    }
}

extension Tensor {
    /// Samples from the normal distribution N(`mean`, `standardDeviation`²) (Box–Muller).
    @inlinable
    public static func randomNormal<G: RandomNumberGenerator>(
        _ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1, using generator: inout G
    ) -> Tensor {
        Tensor(shape: shape) { out in
            var i = 0
            while i < out.count {
                // u1 in (0, 1] keeps the logarithm finite.
                let u1 = Double(generator.next() >> 11 + 1) * 0x1p-53
                let u2 = Double(generator.next() >> 11) * 0x1p-53
                let r = (-2 * Double.log(u1)).squareRoot()
                let theta = 2 * Double.pi * u2
                out[i] = mean + standardDeviation * Scalar(r * Double.cos(theta))
                if i + 1 < out.count {
                    out[i + 1] = mean + standardDeviation * Scalar(r * Double.sin(theta))
                }
                i += 2
            }
        }
    }

    /// Samples from the normal distribution with a generator seeded by `seed`.
    @inlinable
    public static func randomNormal(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
                                    seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return randomNormal(shape, mean: mean, standardDeviation: standardDeviation, using: &g)
    }

    /// Samples uniformly from [`lowerBound`, `upperBound`).
    @inlinable
    public static func randomUniform<G: RandomNumberGenerator>(
        _ shape: [Int], from lowerBound: Scalar = 0, to upperBound: Scalar = 1, using generator: inout G
    ) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count {
                let u = Scalar(Double(generator.next() >> 11) * 0x1p-53)
                out[i] = lowerBound + (upperBound - lowerBound) * u
            }
        }
    }

    /// Samples uniformly with a generator seeded by `seed`.
    @inlinable
    public static func randomUniform(_ shape: [Int], from lowerBound: Scalar = 0, to upperBound: Scalar = 1,
                                     seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        return randomUniform(shape, from: lowerBound, to: upperBound, using: &g)
    }
}
