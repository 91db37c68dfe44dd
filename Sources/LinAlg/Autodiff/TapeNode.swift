import Synchronization

/// Process-wide order of recorded operations, so a backward pass can run them newest first.
@usableFromInline
enum NodeOrder {
    static let counter = Atomic<UInt64>(0)

    @usableFromInline
    static func next() -> UInt64 {
        counter.wrappingAdd(1, ordering: .relaxed).newValue
    }
}

/// How a node's pullback hands back the cotangents of its inputs.
@usableFromInline
enum Pullback<Scalar: TensorScalar> {
    /// Returns one cotangent per input (nil where it has none); the tape adds each to what
    /// the input has already received.
    case returning((Tensor<Scalar>) -> [Tensor<Scalar>?])
    /// Receives, per input, the cotangent accumulated so far (nil when none yet) and adds its
    /// own contribution into it, or stores a new one: a product can then accumulate with
    /// GEMM's `β = 1` instead of writing a fresh result that the tape adds afterwards.
    case accumulating((Tensor<Scalar>, inout [Tensor<Scalar>?]) -> Void)
}

/// One value in a gradient graph: a watched leaf, or the result of a recorded operation.
///
/// A node holds its parents (the nodes of the operation's inputs that take part in
/// differentiation, `nil` for those that do not) and the pullback that maps the cotangent
/// of this value to cotangents of the inputs. Nodes are created only while a tape records;
/// a non-persistent tape drops the pullbacks of its nodes once its gradient is taken, which
/// frees every tensor they captured.
@usableFromInline
final class TapeNode<Scalar: TensorScalar>: @unchecked Sendable {
    /// Creation order; a node is always newer than its parents.
    @usableFromInline let order: UInt64
    /// The tape that recorded this node.
    @usableFromInline let tapeID: UInt64
    /// The shape of the value, for zero cotangents and shape checks.
    @usableFromInline let shape: [Int]
    @usableFromInline var parents: [TapeNode?]
    @usableFromInline var pullback: Pullback<Scalar>?
    /// An operation name, for diagnostics.
    @usableFromInline let operation: StaticString

    @inlinable
    init(tapeID: UInt64, shape: [Int], operation: StaticString,
         parents: [TapeNode?], pullback: Pullback<Scalar>?) {
        self.order = NodeOrder.next()
        self.tapeID = tapeID
        self.shape = shape
        self.operation = operation
        self.parents = parents
        self.pullback = pullback
    }

    @inlinable
    convenience init(tapeID: UInt64, shape: [Int], operation: StaticString,
                     parents: [TapeNode?], pullback: @escaping (Tensor<Scalar>) -> [Tensor<Scalar>?]) {
        self.init(tapeID: tapeID, shape: shape, operation: operation, parents: parents,
                  pullback: .returning(pullback))
    }
}
