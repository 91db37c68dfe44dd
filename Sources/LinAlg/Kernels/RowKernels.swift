import CVectorMath

// The concrete entry points of the row kernels and of broadcast arithmetic (`CVectorMath`),
// one per scalar type, compiled here so that generic callers reach a vector loop through one
// type check (see ``VectorMath``). Each returns false, having written nothing, when this CPU
// has no vector kernel; the caller then runs its portable loop.
extension VectorMath {
    /// `y[i] = a[i·sa] ∘ b[i·sb]`, strides 0 (a broadcast scalar) or 1, not both 0; split
    /// across threads for large counts.
    @usableFromInline
    static func strided(_ op: Arithmetic, _ a: UnsafePointer<Double>, _ sa: Int, _ b: UnsafePointer<Double>, _ sb: Int,
                        _ y: UnsafeMutablePointer<Double>, count n: Int) -> Bool {
        guard ElementwiseKernels.instructionSet > .portable else { return false }
        ElementwiseKernels.split(n, grain: ElementwiseKernels.arithmeticGrain) { r in
            let o = r.lowerBound
            _ = cvm_arith_strided_f64(op.rawValue, a + o * sa, sa, b + o * sb, sb, y + o, r.count)
        }
        return true
    }

    /// Float form of ``strided(_:_:_:_:_:_:count:)-(_,UnsafePointer<Double>,_,_,_,_,_)``.
    @usableFromInline
    static func strided(_ op: Arithmetic, _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int,
                        _ y: UnsafeMutablePointer<Float>, count n: Int) -> Bool {
        guard ElementwiseKernels.instructionSet > .portable else { return false }
        ElementwiseKernels.split(n, grain: ElementwiseKernels.arithmeticGrain) { r in
            let o = r.lowerBound
            _ = cvm_arith_strided_f32(op.rawValue, a + o * sa, sa, b + o * sb, sb, y + o, r.count)
        }
        return true
    }

    /// The Euclidean norm of each row of a `rows × n` array (robust to overflow and underflow).
    @usableFromInline
    static func rowNorms(_ x: UnsafePointer<Double>, _ out: UnsafeMutablePointer<Double>, rows: Int, n: Int) -> Bool {
        cvm_row_norms_f64(x, out, rows, n) != 0
    }

    /// Float form of the row norms.
    @usableFromInline
    static func rowNorms(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, rows: Int, n: Int) -> Bool {
        cvm_row_norms_f32(x, out, rows, n) != 0
    }

    /// `y = s·x` per row with `s = radius/‖x‖` written to `scale`.
    @usableFromInline
    static func normalizeRows(_ x: UnsafePointer<Double>, radius: Double, _ y: UnsafeMutablePointer<Double>,
                              scale: UnsafeMutablePointer<Double>, rows: Int, n: Int) -> Bool {
        cvm_normalize_rows_f64(x, radius, y, scale, rows, n) != 0
    }

    /// Float form of the row normalisation.
    @usableFromInline
    static func normalizeRows(_ x: UnsafePointer<Float>, radius: Float, _ y: UnsafeMutablePointer<Float>,
                              scale: UnsafeMutablePointer<Float>, rows: Int, n: Int) -> Bool {
        cvm_normalize_rows_f32(x, radius, y, scale, rows, n) != 0
    }

    /// The normalisation's pullback: `dx = s·(g − y⟨y, g⟩/radius²)` per row.
    @usableFromInline
    static func normalizeRowsPullback(_ y: UnsafePointer<Double>, _ g: UnsafePointer<Double>, scale: UnsafePointer<Double>,
                                      radius: Double, _ dx: UnsafeMutablePointer<Double>, rows: Int, n: Int) -> Bool {
        cvm_normalize_rows_pullback_f64(y, g, scale, radius, dx, rows, n) != 0
    }

    /// Float form of the normalisation's pullback.
    @usableFromInline
    static func normalizeRowsPullback(_ y: UnsafePointer<Float>, _ g: UnsafePointer<Float>, scale: UnsafePointer<Float>,
                                      radius: Float, _ dx: UnsafeMutablePointer<Float>, rows: Int, n: Int) -> Bool {
        cvm_normalize_rows_pullback_f32(y, g, scale, radius, dx, rows, n) != 0
    }
}
