extension Orthogonal {
    /// An orthogonal matrix from the "torus" initialisation of expRNN (Casado and
    /// Martínez-Rubio 2019) and geotorch: block-diagonal 2 × 2 rotations with angles uniform
    /// in (−π, π), a random point of a maximal torus of SO(n).
    ///
    /// The skew-symmetric matrix `A` with blocks `[[0, θᵢ], [−θᵢ, 0]]` (a trailing zero for odd
    /// `n`) is mapped through `map`: `.matrixExp` gives the rotations by `θᵢ` exactly
    /// (`e^A` has blocks `[[cos θᵢ, sin θᵢ], [−sin θᵢ, cos θᵢ]]`), `.cayley` the Cayley image
    /// `(I − A/2)⁻¹(I + A/2)`, rotations by `2 atan(θᵢ/2)`. `.householder` has no skew
    /// argument; it gets the rotations of `.matrixExp`. Both are evaluated in closed form per
    /// block, so the result is orthogonal to rounding of `cos`/`sin`.
    ///
    /// Use it as the initial (constrained) value; with trivialisation it becomes the base:
    /// ```swift
    /// var g = SeededGenerator(seed: 7)
    /// final class Cell: Layer {
    ///     @Constrained(Orthogonal()) var recurrent: Tensor<Double>
    ///     init(g: inout SeededGenerator) {
    ///         recurrent = Orthogonal<Double>.torusSample(n: 190, using: &g)
    ///     }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - n: the size of the square matrices.
    ///   - batch: leading axes, each matrix sampled independently.
    ///   - map: the map the angles go through (default `.matrixExp`).
    ///   - generator: the source of the angles.
    public static func torusSample<G: RandomNumberGenerator>(
        n: Int, batch: [Int] = [], map: Map = .matrixExp, using generator: inout G
    ) -> Tensor<Scalar> {
        torusSample(rows: n, columns: n, batch: batch, map: map, using: &generator)
    }

    /// A `rows × columns` matrix with orthonormal columns (tall) or rows (wide): the first
    /// columns (rows) of a ``torusSample(n:batch:map:using:)`` of size `max(rows, columns)`.
    public static func torusSample<G: RandomNumberGenerator>(
        rows: Int, columns: Int, batch: [Int] = [], map: Map = .matrixExp, using generator: inout G
    ) -> Tensor<Scalar> {
        precondition(rows >= 0 && columns >= 0, "torusSample: negative size \(rows) × \(columns)")
        let n = Swift.max(rows, columns), blocks = n / 2
        let count = Shape.count(of: batch)
        let angles = Tensor<Scalar>.randomUniform([count * blocks], from: -Scalar.pi, to: Scalar.pi,
                                                  using: &generator).scalars
        return Tensor<Scalar>(shape: batch + [rows, columns]) { out in
            out.initialize(repeating: 0)
            for b in 0..<count {
                let o = b * rows * columns
                // Entry (i, j) of the n × n sample lands at (i, j) of the output when it fits.
                func put(_ i: Int, _ j: Int, _ value: Scalar) {
                    if i < rows && j < columns { out[o + i * columns + j] = value }
                }
                for t in 0..<blocks {
                    let theta = angles[b * blocks + t]
                    let c: Scalar, s: Scalar
                    if map == .cayley {
                        // The Cayley image of the block is the rotation by φ = 2 atan(h), h = θ/2:
                        // cos φ = (1 − h²)/(1 + h²), sin φ = 2h/(1 + h²) (no trigonometry needed).
                        let h = theta / 2, d = 1 + h * h
                        c = (1 - h * h) / d
                        s = 2 * h / d
                    } else {
                        c = Scalar.cos(theta)
                        s = Scalar.sin(theta)
                    }
                    put(2 * t, 2 * t, c); put(2 * t, 2 * t + 1, s)
                    put(2 * t + 1, 2 * t, -s); put(2 * t + 1, 2 * t + 1, c)
                }
                if n % 2 == 1 { put(n - 1, n - 1, 1) }
            }
        }
    }
}
