// Elementwise comparisons, producing masks of 0 and 1 in the tensor's scalar type.
//
// Names: the pointwise comparison operators of Swift's SIMD types, `.<`, `.<=`, `.>`, `.>=`,
// `.==`, `.!=` (declared by the standard library). The dot marks "elementwise, result is a
// mask" exactly as it does for `SIMD4<Float>`, and leaves `==` its Equatable meaning (whole
// tensors equal, a Bool). Named methods (`x.isGreater(than: y)`) were the alternative; they
// read worse inside expressions such as `Tensor.where(x .> 0, x, 0.1 * x)`.
//
// Masks are plain tensors (0 or 1) so they multiply, sum (`(x .> 0).sum()` counts) and feed
// `Tensor.where`. They are constants for differentiation: no gradient flows through a
// comparison. Comparisons with NaN are false, except `.!=`, which is true (IEEE 754).

extension Tensor {
    /// 1 where `a < b`, else 0, broadcasting.
    @inlinable
    public static func .< (a: Tensor, b: Tensor) -> Tensor {
        broadcastingMap(a, b, operation: ".<") { $0 < $1 ? 1 : 0 }
    }

    /// 1 where `a ≤ b`, else 0, broadcasting.
    @inlinable
    public static func .<= (a: Tensor, b: Tensor) -> Tensor {
        broadcastingMap(a, b, operation: ".<=") { $0 <= $1 ? 1 : 0 }
    }

    /// 1 where `a > b`, else 0, broadcasting.
    @inlinable
    public static func .> (a: Tensor, b: Tensor) -> Tensor {
        broadcastingMap(a, b, operation: ".>") { $0 > $1 ? 1 : 0 }
    }

    /// 1 where `a ≥ b`, else 0, broadcasting.
    @inlinable
    public static func .>= (a: Tensor, b: Tensor) -> Tensor {
        broadcastingMap(a, b, operation: ".>=") { $0 >= $1 ? 1 : 0 }
    }

    /// 1 where `a = b`, else 0, broadcasting.
    @inlinable
    public static func .== (a: Tensor, b: Tensor) -> Tensor {
        broadcastingMap(a, b, operation: ".==") { $0 == $1 ? 1 : 0 }
    }

    /// 1 where `a ≠ b` (or either is NaN), else 0, broadcasting.
    @inlinable
    public static func .!= (a: Tensor, b: Tensor) -> Tensor {
        broadcastingMap(a, b, operation: ".!=") { $0 != $1 ? 1 : 0 }
    }

    /// 1 where an element is less than `b`, else 0.
    @inlinable
    public static func .< (a: Tensor, b: Scalar) -> Tensor { a.map { $0 < b ? 1 : 0 } }

    /// 1 where an element is at most `b`, else 0.
    @inlinable
    public static func .<= (a: Tensor, b: Scalar) -> Tensor { a.map { $0 <= b ? 1 : 0 } }

    /// 1 where an element is greater than `b`, else 0.
    @inlinable
    public static func .> (a: Tensor, b: Scalar) -> Tensor { a.map { $0 > b ? 1 : 0 } }

    /// 1 where an element is at least `b`, else 0.
    @inlinable
    public static func .>= (a: Tensor, b: Scalar) -> Tensor { a.map { $0 >= b ? 1 : 0 } }

    /// 1 where an element equals `b`, else 0.
    @inlinable
    public static func .== (a: Tensor, b: Scalar) -> Tensor { a.map { $0 == b ? 1 : 0 } }

    /// 1 where an element differs from `b` (or is NaN), else 0.
    @inlinable
    public static func .!= (a: Tensor, b: Scalar) -> Tensor { a.map { $0 != b ? 1 : 0 } }

    /// 1 where `a` is less than an element, else 0.
    @inlinable
    public static func .< (a: Scalar, b: Tensor) -> Tensor { b .> a }

    /// 1 where `a` is at most an element, else 0.
    @inlinable
    public static func .<= (a: Scalar, b: Tensor) -> Tensor { b .>= a }

    /// 1 where `a` is greater than an element, else 0.
    @inlinable
    public static func .> (a: Scalar, b: Tensor) -> Tensor { b .< a }

    /// 1 where `a` is at least an element, else 0.
    @inlinable
    public static func .>= (a: Scalar, b: Tensor) -> Tensor { b .<= a }

    /// 1 where an element equals `a`, else 0.
    @inlinable
    public static func .== (a: Scalar, b: Tensor) -> Tensor { b .== a }

    /// 1 where an element differs from `a`, else 0.
    @inlinable
    public static func .!= (a: Scalar, b: Tensor) -> Tensor { b .!= a }
}
