extension Tensor: CustomStringConvertible {
    /// A NumPy-like rendering: a header with the scalar type and the shape, then nested
    /// brackets with aligned columns.
    ///
    /// Each value is written with Swift's shortest description that reads back to the same
    /// value (`Float(1) / 3` is `0.33333334`, `Double(1) / 3` is `0.3333333333333333`), so
    /// printing loses nothing. Columns align on the decimal point (`" 1.0 "`, `"-3.25"`); when
    /// a shown value needs an exponent (`1e-05`), they are right-aligned instead. Past 1,000
    /// elements (NumPy's threshold) only the first and last three entries of each axis are
    /// shown, with `...` between them.
    ///
    /// ```
    /// Tensor<Double>(shape: [2, 2])
    /// [[ 1.0 ,  2.5 ],
    ///  [-3.0 ,  4.25]]
    /// ```
    public var description: String {
        let layout = TensorLayout(shape: shape, summarised: scalarCount > TensorLayout.summaryThreshold)
        let values = scalars
        let texts = layout.shownOffsets.map { "\(values[$0])" }
        let align = TensorLayout.aligner(for: texts)
        var next = 0
        let body = layout.render { _ in
            defer { next += 1 }
            return align(texts[next])
        }
        return "Tensor<\(Scalar.self)>(shape: \(shape))\n\(body)"
    }
}

/// Which entries of a tensor its description shows, and how the brackets are laid out.
struct TensorLayout {
    /// Tensors with more elements than this are summarised.
    static let summaryThreshold = 1000
    /// How many entries are shown at each end of a summarised axis.
    static let edge = 3

    let shape: [Int]
    let summarised: Bool
    let strides: [Int]

    init(shape: [Int], summarised: Bool) {
        self.shape = shape
        self.summarised = summarised
        strides = Shape.strides(of: shape)
    }

    /// The indices shown along an axis of length `n` (nil where `...` stands).
    func shownIndices(_ n: Int) -> [Int?] {
        guard summarised, n > 2 * Self.edge else { return Array(0..<n) }
        return Array(0..<Self.edge) + [nil] + Array((n - Self.edge)..<n)
    }

    /// The row-major offsets of the shown entries, in the order ``render(_:)`` visits them.
    var shownOffsets: [Int] {
        var offsets: [Int] = []
        func walk(axis: Int, offset: Int) {
            if axis == shape.count { offsets.append(offset); return }
            for case let i? in shownIndices(shape[axis]) { walk(axis: axis + 1, offset: offset + i * strides[axis]) }
        }
        walk(axis: 0, offset: 0)
        return offsets
    }

    /// The nested brackets, with `cell(offset)` for each shown entry, in row-major order: rows
    /// of a matrix on separate lines, one blank line more between blocks of each higher axis.
    func render(_ cell: (Int) -> String) -> String {
        let rank = shape.count
        func walk(axis: Int, offset: Int) -> String {
            if axis == rank { return cell(offset) }
            let pieces = shownIndices(shape[axis]).map { i in
                i.map { walk(axis: axis + 1, offset: offset + $0 * strides[axis]) } ?? "..."
            }
            let separator = axis == rank - 1
                ? ", "
                : ",\n" + String(repeating: "\n", count: rank - axis - 2) + String(repeating: " ", count: axis + 1)
            return "[" + pieces.joined(separator: separator) + "]"
        }
        return walk(axis: 0, offset: 0)
    }

    /// A function padding each of `texts` to a common layout: aligned on the decimal point
    /// (integer parts right-aligned, fractions left-aligned), or right-aligned to the widest
    /// when one of them has an exponent or no decimal point (`inf`, `nan`).
    static func aligner(for texts: [String]) -> (String) -> String {
        func split(_ text: String) -> (whole: Substring, fraction: Substring)? {
            guard !text.contains("e"), let dot = text.firstIndex(of: ".") else { return nil }
            return (text[..<dot], text[dot...])
        }
        let parts = texts.map(split)
        if parts.allSatisfy({ $0 != nil }) {
            let whole = parts.map { $0!.whole.count }.max() ?? 0
            let fraction = parts.map { $0!.fraction.count }.max() ?? 0
            return { text in
                let (w, f) = split(text)!
                return String(repeating: " ", count: whole - w.count) + w + f
                    + String(repeating: " ", count: fraction - f.count)
            }
        }
        let width = texts.map(\.count).max() ?? 0
        return { text in String(repeating: " ", count: width - text.count) + text }
    }
}
