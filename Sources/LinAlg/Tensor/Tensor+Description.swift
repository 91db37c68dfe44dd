extension Tensor: CustomStringConvertible {
    /// A NumPy-like rendering: nested brackets, aligned columns, and, past 1,000 elements,
    /// only the first and last three entries of each axis with `...` between them.
    public var description: String {
        let summarise = scalarCount > 1000
        let edge = 3
        let values = scalars
        func format(_ x: Scalar) -> String {
            let d = Double(x)
            if d.isNaN { return "nan" }
            if d.isInfinite { return d > 0 ? "inf" : "-inf" }
            if d == d.rounded() && Swift.abs(d) < 1e15 { return String(Int64(d)) + "." }
            let a = Swift.abs(d)
            if a >= 1e-4 && a < 1e8 {
                // Eight significant digits, trailing zeros removed.
                var s = String(d.formatted(significantDigits: 8))
                while s.contains(".") && s.hasSuffix("0") { s.removeLast() }
                return s
            }
            return String(describing: x)
        }
        let strides = Shape.strides(of: shape)
        func render(axis: Int, offset: Int, indent: Int) -> String {
            if axis == rank { return format(values[offset]) }
            let n = shape[axis]
            var indices = Array(0..<n)
            var elided = false
            if summarise && n > 2 * edge {
                indices = Array(0..<edge) + Array((n - edge)..<n)
                elided = true
            }
            let parts = indices.map { render(axis: axis + 1, offset: offset + $0 * strides[axis], indent: indent + 1) }
            var pieces = parts
            if elided { pieces.insert("...", at: edge) }
            let separator = axis == rank - 1 ? ", " : ",\n" + String(repeating: "\n", count: Swift.max(0, rank - axis - 2)) + String(repeating: " ", count: indent + 1)
            return "[" + pieces.joined(separator: separator) + "]"
        }
        let body = rank == 0 ? format(values[0]) : render(axis: 0, offset: 0, indent: 0)
        return "Tensor<\(Scalar.self)>(shape: \(shape))\n\(body)"
    }
}

extension Double {
    /// This value rounded to `digits` significant decimal digits, rendered without exponent.
    fileprivate func formatted(significantDigits digits: Int) -> String {
        let magnitude = Int(Double.log10(Swift.abs(self)).rounded(.down))
        let decimals = Swift.max(0, digits - 1 - magnitude)
        let scale = Double.pow(10, Double(decimals))
        let rounded = (self * scale).rounded() / scale
        var s = String(rounded)
        if s.contains("e") { s = String(self) }
        return s
    }
}
