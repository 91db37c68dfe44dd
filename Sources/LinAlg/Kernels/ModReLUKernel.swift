import CVectorMath

/// Row kernels of expRNN's modReLU, `y = sign(z) · max(|z| + b, 0)` with one bias `b` per
/// column, for the layers built on it (the `ModReLU` activation and the recurrent cells).
///
/// On x86-64 CPUs with AVX-512F or AVX2 the loops run in wide vectors in `CVectorMath`
/// (picked at run time); elsewhere they run as portable Swift loops with the same results.
/// Both forms are exact (no rounding but that of `|z| + b`).
public enum ModReLUKernel {
    /// Applies modReLU in place to the `rows × columns` row-major array `z`, with
    /// `bias[columns]`: `zᵢⱼ ← sign(zᵢⱼ) · max(|zᵢⱼ| + bⱼ, 0)` (0 where `zᵢⱼ` is 0 or NaN).
    @inlinable
    public static func apply<Scalar: TensorScalar>(_ z: UnsafeMutablePointer<Scalar>, bias: UnsafePointer<Scalar>,
                                                  rows: Int, columns: Int) {
        let rz = UnsafeMutableRawPointer(z), rb = UnsafeRawPointer(bias)
        if Scalar.self == Double.self,
           VectorMath.modReLURows(rz.assumingMemoryBound(to: Double.self), rb.assumingMemoryBound(to: Double.self),
                                  rows: rows, columns: columns) { return }
        if Scalar.self == Float.self,
           VectorMath.modReLURows(rz.assumingMemoryBound(to: Float.self), rb.assumingMemoryBound(to: Float.self),
                                  rows: rows, columns: columns) { return }
        for r in 0..<rows {
            let row = z + r * columns
            for j in 0..<columns {
                let v = row[j]
                let m = Swift.abs(v) + bias[j]
                row[j] = m > 0 ? (v > 0 ? m : v < 0 ? -m : 0) : 0
            }
        }
    }

    /// The pullback of ``apply(_:bias:rows:columns:)`` from its output `y` and the output's
    /// cotangent `g`: writes `dz = g` where `y ≠ 0` and 0 elsewhere (an element is active
    /// exactly where its output is non-zero), adds `Σ_rows sign(y) · dz` (the bias's cotangent)
    /// into `biasCotangent[columns]`, and, when given, `Σ_rows dz` into `columnSums[columns]`
    /// (the cotangent of a bias added before the activation). `dz` may be `g` itself.
    @inlinable
    public static func pullback<Scalar: TensorScalar>(
        output y: UnsafePointer<Scalar>, cotangent g: UnsafePointer<Scalar>, into dz: UnsafeMutablePointer<Scalar>,
        biasCotangent: UnsafeMutablePointer<Scalar>, columnSums: UnsafeMutablePointer<Scalar>?,
        rows: Int, columns: Int
    ) {
        let ry = UnsafeRawPointer(y), rg = UnsafeRawPointer(g), rd = UnsafeMutableRawPointer(dz)
        let rdb = UnsafeMutableRawPointer(biasCotangent), rs = columnSums.map(UnsafeMutableRawPointer.init)
        if Scalar.self == Double.self,
           VectorMath.modReLUPullbackRows(ry.assumingMemoryBound(to: Double.self), rg.assumingMemoryBound(to: Double.self),
                                          rd.assumingMemoryBound(to: Double.self), rdb.assumingMemoryBound(to: Double.self),
                                          rs?.assumingMemoryBound(to: Double.self), rows: rows, columns: columns) { return }
        if Scalar.self == Float.self,
           VectorMath.modReLUPullbackRows(ry.assumingMemoryBound(to: Float.self), rg.assumingMemoryBound(to: Float.self),
                                          rd.assumingMemoryBound(to: Float.self), rdb.assumingMemoryBound(to: Float.self),
                                          rs?.assumingMemoryBound(to: Float.self), rows: rows, columns: columns) { return }
        for r in 0..<rows {
            let base = r * columns
            for j in 0..<columns {
                let v = y[base + j]
                let d = v != 0 ? g[base + j] : 0
                dz[base + j] = d
                biasCotangent[j] += v > 0 ? d : -d
                if let columnSums { columnSums[j] += d }
            }
        }
    }
}

// The concrete entry points of the modReLU kernels (`CVectorMath/ModReLU.c`); each returns
// false, having written nothing, when this CPU has no vector kernel.
extension VectorMath {
    @usableFromInline
    static func modReLURows(_ z: UnsafeMutablePointer<Double>, _ bias: UnsafePointer<Double>, rows: Int, columns: Int) -> Bool {
        cvm_modrelu_rows_f64(z, bias, rows, columns) != 0
    }

    @usableFromInline
    static func modReLURows(_ z: UnsafeMutablePointer<Float>, _ bias: UnsafePointer<Float>, rows: Int, columns: Int) -> Bool {
        cvm_modrelu_rows_f32(z, bias, rows, columns) != 0
    }

    @usableFromInline
    static func modReLUPullbackRows(_ y: UnsafePointer<Double>, _ g: UnsafePointer<Double>, _ dz: UnsafeMutablePointer<Double>,
                                    _ db: UnsafeMutablePointer<Double>, _ sums: UnsafeMutablePointer<Double>?,
                                    rows: Int, columns: Int) -> Bool {
        cvm_modrelu_pullback_rows_f64(y, g, dz, db, sums, rows, columns) != 0
    }

    @usableFromInline
    static func modReLUPullbackRows(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, _ dz: UnsafeMutablePointer<Float>,
                                    _ db: UnsafeMutablePointer<Float>, _ sums: UnsafeMutablePointer<Float>?,
                                    rows: Int, columns: Int) -> Bool {
        cvm_modrelu_pullback_rows_f32(y, g, dz, db, sums, rows, columns) != 0
    }
}
