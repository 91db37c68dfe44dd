// Elementwise arithmetic with NumPy broadcasting, and with scalar operands.
//
// Pullbacks reduce each cotangent back to its operand's shape (`summed(toShape:)`), so a bias
// of shape [n] added to a batch [b, n] gets the batch-summed gradient.

extension Tensor {
    /// Elementwise sum, broadcasting.
    @inlinable
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        var out = arithmetic(.add, a, b, operation: "+") { $0 + $1 }
        if let tapeID = recordingTapeID(a, b) {
            let sa = a.shape, sb = b.shape, ta = a.isTracked, tb = b.isTracked
            out.record(tapeID, "+", a, b) { g in
                (ta ? g.summed(toShape: sa) : nil, tb ? g.summed(toShape: sb) : nil)
            }
        }
        return out
    }

    /// Elementwise difference, broadcasting.
    @inlinable
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        var out = arithmetic(.subtract, a, b, operation: "-") { $0 - $1 }
        if let tapeID = recordingTapeID(a, b) {
            let sa = a.shape, sb = b.shape, ta = a.isTracked, tb = b.isTracked
            out.record(tapeID, "-", a, b) { g in
                (ta ? g.summed(toShape: sa) : nil, tb ? (-g).summed(toShape: sb) : nil)
            }
        }
        return out
    }

    /// Elementwise product, broadcasting.
    @inlinable
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        var out = arithmetic(.multiply, a, b, operation: "*") { $0 * $1 }
        if let tapeID = recordingTapeID(a, b) {
            let ta = a.isTracked, tb = b.isTracked
            out.record(tapeID, "*", a, b) { g in
                (ta ? (g * b).summed(toShape: a.shape) : nil, tb ? (g * a).summed(toShape: b.shape) : nil)
            }
        }
        return out
    }

    /// Elementwise quotient, broadcasting.
    @inlinable
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        var out = arithmetic(.divide, a, b, operation: "/") { $0 / $1 }
        if let tapeID = recordingTapeID(a, b) {
            let ta = a.isTracked, tb = b.isTracked
            let result = out.detached()
            out.record(tapeID, "/", a, b) { g in
                let ga = g / b
                return (ta ? ga.summed(toShape: a.shape) : nil,
                        tb ? (-(ga * result)).summed(toShape: b.shape) : nil)
            }
        }
        return out
    }

    /// Elementwise negation.
    @inlinable
    public static prefix func - (a: Tensor) -> Tensor {
        var out = a.arithmetic(.multiply, scalar: -1, scalarOnLeft: false) { -$0 }   // exact, signed zeros too
        if let tapeID = recordingTapeID(a) {
            out.record(tapeID, "neg", a) { g in -g }
        }
        return out
    }

    /// Adds a scalar to every element.
    @inlinable
    public static func + (a: Tensor, b: Scalar) -> Tensor {
        var out = a.arithmetic(.add, scalar: b, scalarOnLeft: false) { $0 + b }
        if let tapeID = recordingTapeID(a) { out.record(tapeID, "+ scalar", a) { g in g } }
        return out
    }

    /// Adds a scalar to every element.
    @inlinable
    public static func + (a: Scalar, b: Tensor) -> Tensor { b + a }

    /// Subtracts a scalar from every element.
    @inlinable
    public static func - (a: Tensor, b: Scalar) -> Tensor { a + (-b) }

    /// A scalar minus every element.
    @inlinable
    public static func - (a: Scalar, b: Tensor) -> Tensor {
        var out = b.arithmetic(.subtract, scalar: a, scalarOnLeft: true) { a - $0 }
        if let tapeID = recordingTapeID(b) { out.record(tapeID, "scalar -", b) { g in -g } }
        return out
    }

    /// Multiplies every element by a scalar.
    @inlinable
    public static func * (a: Tensor, b: Scalar) -> Tensor {
        var out = a.arithmetic(.multiply, scalar: b, scalarOnLeft: false) { $0 * b }
        if let tapeID = recordingTapeID(a) { out.record(tapeID, "* scalar", a) { g in g * b } }
        return out
    }

    /// Multiplies every element by a scalar.
    @inlinable
    public static func * (a: Scalar, b: Tensor) -> Tensor { b * a }

    /// Divides every element by a scalar.
    @inlinable
    public static func / (a: Tensor, b: Scalar) -> Tensor { a * (1 / b) }

    /// A scalar divided by every element.
    @inlinable
    public static func / (a: Scalar, b: Tensor) -> Tensor {
        var out = b.arithmetic(.divide, scalar: a, scalarOnLeft: true) { a / $0 }
        if let tapeID = recordingTapeID(b) {
            let result = out.detached()
            out.record(tapeID, "scalar /", b) { g in -(g * result * result) / a }
        }
        return out
    }

    /// In-place sum. Without tracking it mutates the storage (bumping ``version``); with a
    /// recording tape and a tracked operand it is `lhs = lhs + rhs`.
    @inlinable
    public static func += (lhs: inout Tensor, rhs: Tensor) {
        if recordingTapeID(lhs, rhs) != nil || lhs.shape != Shape.broadcast(lhs.shape, rhs.shape, operation: "+=") {
            lhs = lhs + rhs
            return
        }
        lhs.updateInPlace(with: rhs, operation: "+=") { $0 + $1 }
    }

    /// In-place difference (see `+=`).
    @inlinable
    public static func -= (lhs: inout Tensor, rhs: Tensor) {
        if recordingTapeID(lhs, rhs) != nil || lhs.shape != Shape.broadcast(lhs.shape, rhs.shape, operation: "-=") {
            lhs = lhs - rhs
            return
        }
        lhs.updateInPlace(with: rhs, operation: "-=") { $0 - $1 }
    }

    /// In-place product (see `+=`).
    @inlinable
    public static func *= (lhs: inout Tensor, rhs: Tensor) {
        if recordingTapeID(lhs, rhs) != nil || lhs.shape != Shape.broadcast(lhs.shape, rhs.shape, operation: "*=") {
            lhs = lhs * rhs
            return
        }
        lhs.updateInPlace(with: rhs, operation: "*=") { $0 * $1 }
    }

    /// In-place scaling (see `+=`).
    @inlinable
    public static func *= (lhs: inout Tensor, rhs: Scalar) {
        if recordingTapeID(lhs) != nil { lhs = lhs * rhs; return }
        lhs.prepareForMutation()
        let p = lhs.storage.base
        for i in 0..<lhs.storage.count { p[i] *= rhs }
    }

    /// Writes `f(self, other)` into this tensor's storage; `other` broadcasts to `shape`.
    @inlinable
    mutating func updateInPlace(with other: Tensor, operation: String, _ f: (Scalar, Scalar) -> Scalar) {
        if other.shape == shape {
            prepareForMutation()  // copies first if `other` shares our storage
            let p = storage.base, q = other.storage.base
            for i in 0..<storage.count { p[i] = f(p[i], q[i]) }
            return
        }
        let result = Tensor.broadcastingMap(self, other, operation: operation, f)
        prepareForMutation()
        storage.base.update(from: result.storage.base, count: storage.count)
    }
}
