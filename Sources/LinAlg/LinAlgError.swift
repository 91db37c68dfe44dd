/// A data-dependent failure of a linear-algebra operation or of taking a gradient.
///
/// The description names the operation, the shape of its input and the cause, e.g.
/// `cholesky: matrix of shape [3, 3] is not positive definite (the leading minor of order 2 is
/// not positive)`; for a batch it also names which matrix failed:
/// `solve: matrix [1] of the batch of shape [4, 3, 3] is singular (...)`.
public struct LinAlgError: Error, CustomStringConvertible, Equatable, Sendable {
    /// Why the operation failed.
    public enum Cause: Equatable, Sendable {
        /// The matrix is singular: `U[pivot, pivot]` of its LU factorisation is exactly zero,
        /// `pivot` 0-based as every index in Swift (LAPACK's `info` is `pivot + 1`).
        case singular(pivot: Int)
        /// The matrix is not positive definite: the leading minor of this order is not positive.
        case notPositiveDefinite(minor: Int)
        /// The problem is singular or too close to singular to solve in this precision (a
        /// Sylvester or Lyapunov equation whose two sides share an eigenvalue); `detail` says which.
        case nearlySingular(detail: String)
        /// An iterative algorithm did not converge.
        case noConvergence(detail: String)
        /// The input holds NaN or infinity.
        case nonFinite
        /// The result is too large for the scalar type (e.g. the exponential of a matrix with
        /// a large positive eigenvalue).
        case overflow
        /// LAPACK reported an illegal argument or an error not covered above.
        case lapack(routine: String, info: Int)
        /// The target of a gradient has more than one element (``shape`` is its shape).
        case nonScalarTarget
        /// A non-persistent tape gives one gradient, and it was already taken.
        case tapeConsumed(tapeID: UInt64)
    }

    /// The operation that failed, e.g. `"solve"`.
    public let operation: String
    /// The shape of the input that caused the failure.
    public let shape: [Int]
    /// The cause.
    public let cause: Cause
    /// For a batched input, the index (over the leading axes) of the matrix that failed.
    public let batchIndex: [Int]?

    /// Creates an error for `operation` on an input of `shape`; `batchIndex` names the failing
    /// matrix of a batch.
    public init(operation: String, shape: [Int], cause: Cause, batchIndex: [Int]? = nil) {
        self.operation = operation
        self.shape = shape
        self.cause = cause
        self.batchIndex = batchIndex
    }

    /// The operation, the shape (and the failing matrix of a batch) and the cause, in one sentence.
    public var description: String {
        let what: String
        switch cause {
        case .nonScalarTarget:
            return "\(operation): the target must have one element, but has shape \(shape); reduce it first (e.g. .sum())"
        case .tapeConsumed(let id):
            return "\(operation): tape \(id) is not persistent and its gradient was already taken; create it with GradientTape(persistent: true) to take several"
        case .singular(let pivot):
            what = "is singular (U[\(pivot), \(pivot)] is exactly zero in the LU factorisation)"
        case .notPositiveDefinite(let minor):
            what = "is not positive definite (the leading minor of order \(minor) is not positive)"
        case .nearlySingular(let detail):
            what = "gives a singular or nearly singular problem (\(detail))"
        case .noConvergence(let detail):
            what = "did not converge (\(detail))"
        case .nonFinite:
            what = "contains NaN or infinity"
        case .overflow:
            what = "gives a result too large for the scalar type (overflow)"
        case .lapack(let routine, let info):
            what = "made LAPACK's \(routine) fail with info = \(info)"
        }
        if let batchIndex {
            return "\(operation): matrix \(batchIndex) of the batch of shape \(shape) \(what)"
        }
        return "\(operation): matrix of shape \(shape) \(what)"
    }
}
