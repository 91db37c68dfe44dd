/// An error from a parametrization of the catalogue: an input it cannot map, or an option it
/// does not know.
///
/// ```swift
/// var p = Orthogonal<Double>()
/// try p.forward(Tensor([1, 2, 3]))
/// // Orthogonal: expected a matrix or a batch of matrices (..., m, n), got shape [3]
/// ```
public struct ParametrizationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The parametrization that refused, e.g. `"Orthogonal"`.
    public let parametrization: String
    /// What was wrong, naming the shapes involved.
    public let reason: String

    /// An error of `parametrization` for `reason`.
    public init(_ parametrization: String, _ reason: String) {
        self.parametrization = parametrization
        self.reason = reason
    }

    /// `parametrization: reason`, e.g. `Orthogonal: updateBase() needs dynamic trivialization …`.
    public var description: String { "\(parametrization): \(reason)" }

    /// The input is not a (batch of) square matrix.
    static func requireSquare(_ name: String, _ shape: [Int]) throws {
        guard shape.count >= 2, shape[shape.count - 1] == shape[shape.count - 2] else {
            throw ParametrizationError(name, "expected a square matrix or a batch of square matrices (..., n, n), got shape \(shape)")
        }
    }

    /// The input is not a (batch of) matrix.
    static func requireMatrix(_ name: String, _ shape: [Int]) throws {
        guard shape.count >= 2 else {
            throw ParametrizationError(name, "expected a matrix or a batch of matrices (..., m, n), got shape \(shape)")
        }
    }
}
