import CVectorMath

/// Vectorisable elementary functions behind the unary tensor math.
///
/// The C library's `exp` and `log` are calls the loop vectoriser cannot widen, and they cost
/// 4–6 ns each here; NumPy uses SIMD kernels. The functions of `VectorMath` are branch-free
/// straight-line Swift (range reduction, a minimax polynomial, exponent-field arithmetic,
/// selects for special values) marked `@inline(__always)`, so a loop over a buffer becomes
/// SIMD code and composite functions (`sigmoid`, `softplus`, `tanh`) fuse into one pass.
///
/// The Double and Float versions live in `VectorMath+Double.swift` and
/// `VectorMath+Float.swift`; the composites below are written once for both.
///
/// The loops over buffers are concrete (non-generic, not `@inlinable`) functions compiled
/// inside LinAlg, dispatched once per tensor by ``Tensor/applying(_:generic:)``: whether a
/// closure handed across modules gets inlined into a specialised loop, and whether that loop
/// then vectorises, was measured to depend on the client (a 4–10× difference), while a loop
/// compiled here always vectorises.
///
/// On x86-64 CPUs with AVX-512F or AVX2 + FMA every kernel here runs instead in the C target
/// `CVectorMath`, compiled per instruction set and picked at run time: exp, expm1, log and
/// log1p on SLEEF's vector functions (≤ 1 ulp), the composites (tanh, sigmoid, softplus,
/// log σ and their pullbacks) as fused loops on inline cores, and sqrt, abs, relu, square
/// and the arithmetic in wide vectors. The Swift loops compile for the baseline x86-64
/// (SSE2) and measured 2–8× slower; they remain for other CPUs. Large tensors are split
/// across ``ElementwiseKernels/threadCount``.
@usableFromInline
enum VectorMath {}

/// The scalar types with vectorisable kernels: `Float` and `Double`.
protocol VectorMathScalar: BinaryFloatingPoint {
    static func vectorExp(_ x: Self) -> Self
    static func vectorExpMinusOne(_ x: Self) -> Self
    static func vectorLog(_ x: Self) -> Self
    static func vectorLogOnePlus(_ x: Self) -> Self
    static func vectorSquareRoot(_ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int,
                                 reciprocal: Bool)
}

extension Double: VectorMathScalar {
    @inline(__always) static func vectorExp(_ x: Double) -> Double { VectorMath.exp(x) }
    @inline(__always) static func vectorExpMinusOne(_ x: Double) -> Double { VectorMath.expm1(x) }
    @inline(__always) static func vectorLog(_ x: Double) -> Double { VectorMath.log(x) }
    @inline(__always) static func vectorLogOnePlus(_ x: Double) -> Double { VectorMath.log1p(x) }
    @inline(__always)
    static func vectorSquareRoot(_ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int,
                                 reciprocal: Bool) {
        VectorMath.squareRoot(x, y, count: count, reciprocal: reciprocal)
    }
}

extension Float: VectorMathScalar {
    @inline(__always) static func vectorExp(_ x: Float) -> Float { VectorMath.exp(x) }
    @inline(__always) static func vectorExpMinusOne(_ x: Float) -> Float { VectorMath.expm1(x) }
    @inline(__always) static func vectorLog(_ x: Float) -> Float { VectorMath.log(x) }
    @inline(__always) static func vectorLogOnePlus(_ x: Float) -> Float { VectorMath.log1p(x) }
    @inline(__always)
    static func vectorSquareRoot(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int,
                                 reciprocal: Bool) {
        VectorMath.squareRoot(x, y, count: count, reciprocal: reciprocal)
    }
}

extension VectorMath {
    /// tanh x = sign(x) · e / (e + 2) with e = expm1(2|x|).
    ///
    /// No cancellation for small |x| (expm1 is accurate there, and e/(e + 2) ≈ |x|), and e's
    /// relative error is damped by 2/(e + 2) ≤ 1. The rounding error of e + 2 is recovered
    /// (Fast2Sum, larger operand first) and divided out, `q·(1 − err/d)`, leaving the
    /// quotient's rounding: within 1.5 ulp. |x| is clamped to 20, where tanh is 1 to well
    /// below half an ulp in both types.
    @inline(__always)
    static func tanh<T: VectorMathScalar>(_ x: T) -> T {
        var a = x.magnitude
        a = a > 20 ? 20 : a       // NaN passes through
        let e = T.vectorExpMinusOne(2 * a)
        let (d, err) = fastTwoSum(e, 2)
        let q = e / d
        return T(signOf: x, magnitudeOf: q - q * err / d)
    }

    /// σ(x) = 1 / (1 + e^−x), computed from e = e^−|x| ≤ 1 so that nothing overflows:
    /// σ(x) = 1/(1 + e) for x ≥ 0 and e/(1 + e) for x < 0, accurate in relative terms even
    /// deep in the left tail (σ(−700) ≈ 10⁻³⁰⁴, not 0). The rounding error of 1 + e is
    /// recovered and divided out as in ``tanh(_:)``; e's error is damped by 1/(1 + e):
    /// within 1.5 ulp.
    @inline(__always)
    static func sigmoid<T: VectorMathScalar>(_ x: T) -> T {
        let e = T.vectorExp(-x.magnitude)
        let d = 1 + e
        let err = e - (d - 1)     // exact: 1 ≥ e
        let numerator: T = x >= 0 ? 1 : e
        let q = numerator / d
        return q - q * err / d
    }

    /// The rounded sum `a + b` and its exact rounding error (Fast2Sum on the operands ordered
    /// by magnitude; NaN propagates).
    @inline(__always)
    static func fastTwoSum<T: VectorMathScalar>(_ a: T, _ b: T) -> (sum: T, error: T) {
        let swap = a.magnitude < b.magnitude
        let big = swap ? b : a, small = swap ? a : b
        let sum = big + small
        return (sum, small - (sum - big))
    }

    /// softplus(x) = ln(1 + eˣ) = max(x, 0) + log1p(e^−|x|): e^−|x| ≤ 1 never overflows, and
    /// log1p keeps the left tail (≈ eˣ) accurate in relative terms.
    @inline(__always)
    static func softplus<T: VectorMathScalar>(_ x: T) -> T {
        let positivePart: T = x > 0 ? x : 0
        return positivePart + T.vectorLogOnePlus(T.vectorExp(-x.magnitude))
    }

    /// log σ(x) = −softplus(−x) = min(x, 0) − log1p(e^−|x|).
    @inline(__always)
    static func logSigmoid<T: VectorMathScalar>(_ x: T) -> T {
        let negativePart: T = x < 0 ? x : 0
        return negativePart - T.vectorLogOnePlus(T.vectorExp(-x.magnitude))
    }
}

extension VectorMath {
    /// The elementwise functions with buffer kernels.
    @usableFromInline
    enum Unary: Sendable {
        case exp, expm1, log, log1p, tanh, sigmoid, softplus, logSigmoid
        case sqrt, rsqrt, abs, relu, square
    }

    /// Elementwise functions of two operands, used by pullbacks.
    @usableFromInline
    enum Binary: Sendable {
        /// g · σ(x), the pullback of softplus.
        case timesSigmoid
        /// g · σ(−x), the pullback of log σ.
        case timesSigmoidOfNegation
        /// g · y(1 − y), the pullback of σ from its value y.
        case sigmoidPullback
        /// g · (1 − y²), the pullback of tanh from its value y.
        case tanhPullback
    }

    /// `y[i] = f(x[i])` for `i < count`; `x` and `y` may be the same buffer.
    @inline(__always)
    static func loop<T: VectorMathScalar>(_ f: Unary, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, count n: Int) {
        switch f {
        case .exp: for i in 0..<n { y[i] = T.vectorExp(x[i]) }
        case .expm1: for i in 0..<n { y[i] = T.vectorExpMinusOne(x[i]) }
        case .log: for i in 0..<n { y[i] = T.vectorLog(x[i]) }
        case .log1p: for i in 0..<n { y[i] = T.vectorLogOnePlus(x[i]) }
        case .tanh: for i in 0..<n { y[i] = tanh(x[i]) }
        case .sigmoid: for i in 0..<n { y[i] = sigmoid(x[i]) }
        case .softplus: for i in 0..<n { y[i] = softplus(x[i]) }
        case .logSigmoid: for i in 0..<n { y[i] = logSigmoid(x[i]) }
        case .sqrt: T.vectorSquareRoot(x, y, count: n, reciprocal: false)
        case .rsqrt: T.vectorSquareRoot(x, y, count: n, reciprocal: true)
        case .abs: for i in 0..<n { y[i] = x[i].magnitude }
        case .relu: for i in 0..<n { let v = x[i]; y[i] = v < 0 ? 0 : v }   // NaN stays NaN
        case .square: for i in 0..<n { let v = x[i]; y[i] = v * v }
        }
    }

    /// `y[i] = f(a[i], b[i])` for `i < count`.
    @inline(__always)
    static func loop<T: VectorMathScalar>(_ f: Binary, _ a: UnsafePointer<T>, _ b: UnsafePointer<T>,
                                           _ y: UnsafeMutablePointer<T>, count n: Int) {
        switch f {
        case .timesSigmoid: for i in 0..<n { y[i] = a[i] * sigmoid(b[i]) }
        case .timesSigmoidOfNegation: for i in 0..<n { y[i] = a[i] * sigmoid(-b[i]) }
        case .sigmoidPullback: for i in 0..<n { let v = b[i]; y[i] = a[i] * (v * (1 - v)) }
        case .tanhPullback: for i in 0..<n { let v = b[i]; y[i] = a[i] * (1 - v * v) }
        }
    }

    /// The vector kernel's operation code for `f` (`CVectorMath`).
    static func kernelCode(_ f: Unary) -> Int32 {
        switch f {
        case .exp: Int32(CVM_EXP)
        case .expm1: Int32(CVM_EXPM1)
        case .log: Int32(CVM_LOG)
        case .log1p: Int32(CVM_LOG1P)
        case .tanh: Int32(CVM_TANH)
        case .sigmoid: Int32(CVM_SIGMOID)
        case .softplus: Int32(CVM_SOFTPLUS)
        case .logSigmoid: Int32(CVM_LOG_SIGMOID)
        case .sqrt: Int32(CVM_SQRT)
        case .rsqrt: Int32(CVM_RSQRT)
        case .abs: Int32(CVM_ABS)
        case .relu: Int32(CVM_RELU)
        case .square: Int32(CVM_SQUARE)
        }
    }

    static func kernelCode(_ f: Binary) -> Int32 {
        switch f {
        case .timesSigmoid: Int32(CVM_TIMES_SIGMOID)
        case .timesSigmoidOfNegation: Int32(CVM_TIMES_SIGMOID_OF_NEGATION)
        case .sigmoidPullback: Int32(CVM_SIGMOID_PULLBACK)
        case .tanhPullback: Int32(CVM_TANH_PULLBACK)
        }
    }

    /// Elements per thread below which `f` is not split: the memory-bound single instructions
    /// (sqrt, abs, relu, square) need more work per thread to pay for the hand-off.
    static func grain(_ f: Unary) -> Int {
        switch f {
        case .sqrt, .rsqrt, .abs, .relu, .square: ElementwiseKernels.arithmeticGrain
        default: ElementwiseKernels.transcendentalGrain
        }
    }

    static func grain(_ f: Binary) -> Int {
        switch f {
        case .sigmoidPullback, .tanhPullback: ElementwiseKernels.arithmeticGrain
        default: ElementwiseKernels.transcendentalGrain
        }
    }

    /// Double entry point: SLEEF's vector kernel for this CPU where there is one (AVX-512 or
    /// AVX2), else ``loop(_:_:_:count:)`` compiled (and vectorised) here; split across
    /// ``ElementwiseKernels/threadCount`` for large counts.
    @usableFromInline
    static func apply(_ f: Unary, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count n: Int) {
        let code = kernelCode(f)
        ElementwiseKernels.split(n, grain: grain(f)) { r in
            let px = x + r.lowerBound, py = y + r.lowerBound
            if cvm_unary_f64(code, px, py, r.count) != 0 { return }
            loop(f, px, py, count: r.count)
        }
    }

    /// Float entry point (see the Double one).
    @usableFromInline
    static func apply(_ f: Unary, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        let code = kernelCode(f)
        ElementwiseKernels.split(n, grain: grain(f)) { r in
            let px = x + r.lowerBound, py = y + r.lowerBound
            if cvm_unary_f32(code, px, py, r.count) != 0 { return }
            loop(f, px, py, count: r.count)
        }
    }

    /// Double entry point of the binary kernels.
    @usableFromInline
    static func apply(_ f: Binary, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                      _ y: UnsafeMutablePointer<Double>, count n: Int) {
        let code = kernelCode(f)
        ElementwiseKernels.split(n, grain: grain(f)) { r in
            let o = r.lowerBound
            if cvm_binary_f64(code, a + o, b + o, y + o, r.count) != 0 { return }
            loop(f, a + o, b + o, y + o, count: r.count)
        }
    }

    /// Float entry point of the binary kernels.
    @usableFromInline
    static func apply(_ f: Binary, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                      _ y: UnsafeMutablePointer<Float>, count n: Int) {
        let code = kernelCode(f)
        ElementwiseKernels.split(n, grain: grain(f)) { r in
            let o = r.lowerBound
            if cvm_binary_f32(code, a + o, b + o, y + o, r.count) != 0 { return }
            loop(f, a + o, b + o, y + o, count: r.count)
        }
    }
}

extension VectorMath {
    /// Elementwise arithmetic of two operands of the same shape.
    @usableFromInline
    enum Arithmetic: Int32, Sendable {
        case add = 0, subtract = 1, multiply = 2, divide = 3
    }

    /// `y = a ∘ b` on the vector kernel for this CPU, split across threads for large
    /// counts; false (nothing written) when there is no vector kernel.
    @usableFromInline
    static func arithmetic(_ op: Arithmetic, _ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>,
                           _ y: UnsafeMutablePointer<Double>, count n: Int) -> Bool {
        guard ElementwiseKernels.instructionSet > .portable else { return false }
        ElementwiseKernels.split(n, grain: ElementwiseKernels.arithmeticGrain) { r in
            let o = r.lowerBound
            _ = cvm_arith_f64(op.rawValue, a + o, b + o, y + o, r.count)
        }
        return true
    }

    /// Float form of the arithmetic kernel.
    @usableFromInline
    static func arithmetic(_ op: Arithmetic, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
                           _ y: UnsafeMutablePointer<Float>, count n: Int) -> Bool {
        guard ElementwiseKernels.instructionSet > .portable else { return false }
        ElementwiseKernels.split(n, grain: ElementwiseKernels.arithmeticGrain) { r in
            let o = r.lowerBound
            _ = cvm_arith_f32(op.rawValue, a + o, b + o, y + o, r.count)
        }
        return true
    }

    /// Σ p[i] on the vector kernel, or nil when there is none.
    @usableFromInline
    static func sum(_ p: UnsafePointer<Double>, count n: Int) -> Double? {
        var handled: Int32 = 0
        let s = cvm_sum_f64(p, n, &handled)
        return handled != 0 ? s : nil
    }

    /// Float form of ``sum(_:count:)-(UnsafePointer<Double>,_)``.
    @usableFromInline
    static func sum(_ p: UnsafePointer<Float>, count n: Int) -> Float? {
        var handled: Int32 = 0
        let s = cvm_sum_f32(p, n, &handled)
        return handled != 0 ? s : nil
    }
}

extension Tensor {
    /// `a ∘ b` elementwise with broadcasting: the vector kernel of ``VectorMath`` when the
    /// shapes are equal and the scalars are Float or Double, else `broadcastingMap` with `f`
    /// (which must compute the same operation).
    @inlinable
    static func arithmetic(_ op: VectorMath.Arithmetic, _ a: Tensor, _ b: Tensor, operation: String,
                           _ f: (Scalar, Scalar) -> Scalar) -> Tensor {
        if a.shape == b.shape && (Scalar.self == Double.self || Scalar.self == Float.self) {
            var done = false
            let out = Tensor(shape: a.shape) { out in
                let n = out.count
                let pa = UnsafeRawPointer(a.storage.base), pb = UnsafeRawPointer(b.storage.base)
                let po = UnsafeMutableRawPointer(out.baseAddress!)
                if n == 0 { done = true; return }
                if Scalar.self == Double.self {
                    done = VectorMath.arithmetic(op, pa.assumingMemoryBound(to: Double.self), pb.assumingMemoryBound(to: Double.self),
                                                 po.assumingMemoryBound(to: Double.self), count: n)
                } else {
                    done = VectorMath.arithmetic(op, pa.assumingMemoryBound(to: Float.self), pb.assumingMemoryBound(to: Float.self),
                                                 po.assumingMemoryBound(to: Float.self), count: n)
                }
                if !done {
                    let xa = a.storage.base, xb = b.storage.base
                    for i in 0..<n { out[i] = f(xa[i], xb[i]) }
                }
            }
            return out
        }
        if let out = stridedArithmetic(op, a, b, operation: operation) { return out }
        return broadcastingMap(a, b, operation: operation, f)
    }

    /// `a ∘ b` broadcast, on the strided vector kernel row by row (after coalescing the axes),
    /// or nil where that does not apply (another scalar type, no vector kernel, or an inner
    /// stride other than 0 and 1), leaving it to `broadcastingMap`.
    @inlinable
    static func stridedArithmetic(_ op: VectorMath.Arithmetic, _ a: Tensor, _ b: Tensor, operation: String) -> Tensor? {
        guard Scalar.self == Double.self || Scalar.self == Float.self,
              ElementwiseKernels.instructionSet > .portable else { return nil }
        let shape = Shape.broadcast(a.shape, b.shape, operation: operation)
        let layout = BroadcastLayout.coalesced(
            shape: shape,
            strides: [Shape.broadcastStrides(of: a.shape, to: shape), Shape.broadcastStrides(of: b.shape, to: shape)])
        let walk = layout.shape, sa = layout.strides[0], sb = layout.strides[1]
        let innerA = sa.last ?? 0, innerB = sb.last ?? 0
        guard innerA | innerB == 1, innerA >= 0, innerB >= 0 else { return nil }
        let n = walk.last ?? 1
        return Tensor(shape: shape) { out in
            if out.count == 0 { return }
            let pa = UnsafeRawPointer(a.storage.base), pb = UnsafeRawPointer(b.storage.base)
            let po = UnsafeMutableRawPointer(out.baseAddress!)
            forEachRow(of: walk, stridesA: sa, stridesB: sb) { oa, ob, oo in
                if Scalar.self == Double.self {
                    _ = VectorMath.strided(op, pa.assumingMemoryBound(to: Double.self) + oa, innerA,
                                           pb.assumingMemoryBound(to: Double.self) + ob, innerB,
                                           po.assumingMemoryBound(to: Double.self) + oo, count: n)
                } else {
                    _ = VectorMath.strided(op, pa.assumingMemoryBound(to: Float.self) + oa, innerA,
                                           pb.assumingMemoryBound(to: Float.self) + ob, innerB,
                                           po.assumingMemoryBound(to: Float.self) + oo, count: n)
                }
            }
        }
    }

    /// `self ∘ c` (or `c ∘ self` with `scalarOnLeft`) on the vector kernel, or `map` with `f`
    /// (which must compute the same operation).
    @inlinable
    func arithmetic(_ op: VectorMath.Arithmetic, scalar c: Scalar, scalarOnLeft: Bool,
                    _ f: (Scalar) -> Scalar) -> Tensor {
        if (Scalar.self == Double.self || Scalar.self == Float.self) && scalarCount > 0
            && ElementwiseKernels.instructionSet > .portable {
            return withUnsafePointer(to: c) { pc in
                Tensor(shape: shape) { out in
                    let px = UnsafeRawPointer(storage.base), raw = UnsafeRawPointer(pc)
                    let po = UnsafeMutableRawPointer(out.baseAddress!)
                    let (pa, sa, pb, sb) = scalarOnLeft ? (raw, 0, px, 1) : (px, 1, raw, 0)
                    if Scalar.self == Double.self {
                        _ = VectorMath.strided(op, pa.assumingMemoryBound(to: Double.self), sa,
                                               pb.assumingMemoryBound(to: Double.self), sb,
                                               po.assumingMemoryBound(to: Double.self), count: out.count)
                    } else {
                        _ = VectorMath.strided(op, pa.assumingMemoryBound(to: Float.self), sa,
                                               pb.assumingMemoryBound(to: Float.self), sb,
                                               po.assumingMemoryBound(to: Float.self), count: out.count)
                    }
                }
            }
        }
        return map(f)
    }

    /// A new tensor of this shape holding `f` of every element, through the buffer kernels of
    /// ``VectorMath`` for Float and Double; `generic` serves any other conforming type.
    @inlinable
    func applying(_ f: VectorMath.Unary, generic: (Scalar) -> Scalar) -> Tensor {
        Tensor(shape: shape) { out in
            let n = out.count
            let x = UnsafeRawPointer(storage.base), y = UnsafeMutableRawPointer(out.baseAddress!)
            if Scalar.self == Double.self {
                VectorMath.apply(f, x.assumingMemoryBound(to: Double.self),
                                 y.assumingMemoryBound(to: Double.self), count: n)
            } else if Scalar.self == Float.self {
                VectorMath.apply(f, x.assumingMemoryBound(to: Float.self),
                                 y.assumingMemoryBound(to: Float.self), count: n)
            } else {
                let p = storage.base
                for i in 0..<n { out[i] = generic(p[i]) }
            }
        }
    }

    /// `f(a, b)` elementwise over two tensors of the same shape (see ``applying(_:generic:)``).
    @inlinable
    static func applying(_ f: VectorMath.Binary, _ a: Tensor, _ b: Tensor,
                         generic: (Scalar, Scalar) -> Scalar) -> Tensor {
        precondition(a.shape == b.shape, "\(f): shapes \(a.shape) and \(b.shape) differ")
        return Tensor(shape: a.shape) { out in
            let n = out.count
            let pa = UnsafeRawPointer(a.storage.base), pb = UnsafeRawPointer(b.storage.base)
            let y = UnsafeMutableRawPointer(out.baseAddress!)
            if Scalar.self == Double.self {
                VectorMath.apply(f, pa.assumingMemoryBound(to: Double.self), pb.assumingMemoryBound(to: Double.self),
                                 y.assumingMemoryBound(to: Double.self), count: n)
            } else if Scalar.self == Float.self {
                VectorMath.apply(f, pa.assumingMemoryBound(to: Float.self), pb.assumingMemoryBound(to: Float.self),
                                 y.assumingMemoryBound(to: Float.self), count: n)
            } else {
                let x = a.storage.base, z = b.storage.base
                for i in 0..<n { out[i] = generic(x[i], z[i]) }
            }
        }
    }
}
