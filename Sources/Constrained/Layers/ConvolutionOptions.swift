/// A pair of sizes along the two spatial axes of an image, `(height, width)`: a kernel size,
/// a stride or a dilation, as PyTorch's `int | tuple[int, int]` arguments.
///
/// An integer literal means the same size on both axes, an array literal gives both:
///
/// ```swift
/// let conv = Conv2d<Double>(3, 8, kernelSize: [3, 5], stride: 2, dilation: [1, 2])
/// ```
public struct Size2D: Sendable, Hashable, CustomStringConvertible,
                      ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// The size along the image's rows (axis 2 of `NCHW`).
    public var height: Int
    /// The size along the image's columns (axis 3 of `NCHW`).
    public var width: Int

    /// `height` along the rows, `width` along the columns.
    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    /// The same size on both axes.
    public init(_ both: Int) {
        self.init(both, both)
    }

    /// The same size on both axes: `stride: 2`.
    public init(integerLiteral value: Int) {
        self.init(value)
    }

    /// `[height, width]`.
    ///
    /// - Precondition: the literal has two elements.
    public init(arrayLiteral elements: Int...) {
        self.init(pair: elements, of: "Size2D")
    }

    /// `(height, width)`.
    public var description: String { "(\(height), \(width))" }
}

/// The zeros a convolution adds around an image, as PyTorch's `padding` argument.
///
/// ```swift
/// conv2d(x, weight: w, bias: nil, padding: 1)        // one row and column on every side
/// conv2d(x, weight: w, bias: nil, padding: [2, 0])   // two rows above and below, no columns
/// conv2d(x, weight: w, bias: nil, padding: .same)    // output size = input size (stride 1)
/// ```
public enum Padding2D: Sendable, Hashable, CustomStringConvertible,
                       ExpressibleByIntegerLiteral, ExpressibleByArrayLiteral {
    /// `height` zero rows above and below, `width` zero columns left and right.
    case explicit(Size2D)
    /// No padding (PyTorch's `"valid"`), the same as `0`.
    case valid
    /// Padding that keeps the output the size of the input at stride 1 (PyTorch's `"same"`):
    /// `d·(k − 1)` rows in total along an axis of kernel size `k` and dilation `d`,
    /// `⌊d·(k − 1)/2⌋` before and the rest after (one more after for an odd total, as
    /// PyTorch pads).
    case same

    /// The same padding on both axes.
    public init(integerLiteral value: Int) {
        self = .explicit(Size2D(value))
    }

    /// `[height, width]`.
    public init(arrayLiteral elements: Int...) {
        self = .explicit(Size2D(pair: elements, of: "Padding2D"))
    }

    /// `1`, `(2, 0)`, `same` or `valid`.
    public var description: String {
        switch self {
        case .explicit(let size): return size.height == size.width ? "\(size.height)" : size.description
        case .valid: return "valid"
        case .same: return "same"
        }
    }
}

extension Size2D {
    /// `[height, width]`, for the array literals of `Size2D` and ``Padding2D``.
    init(pair elements: [Int], of type: String) {
        precondition(elements.count == 2, "\(type): expected [height, width], got \(elements)")
        self.init(elements[0], elements[1])
    }
}
