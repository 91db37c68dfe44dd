/// An n-dimensional array of `Float` or `Double` with value semantics.
///
/// Storage is contiguous and row-major (the last axis varies fastest) and is shared between
/// copies until one of them is mutated (copy-on-write). Every in-place mutation increments
/// ``version``; ``storageID`` changes when a mutation had to copy. While a ``GradientTape``
/// records, operations on tensors that take part in differentiation record their pullbacks.
///
/// ```swift
/// let a = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
/// let b = matmul(a, a.transposed()) + 1   // [[6, 12], [12, 26]]
/// ```
public struct Tensor<Scalar: TensorScalar>: @unchecked Sendable {
    @usableFromInline var storage: TensorStorage<Scalar>
    /// The extent of each axis; `[]` for a scalar (rank-0) tensor.
    public let shape: [Int]
    /// The node of the gradient graph this value belongs to, if it takes part in differentiation.
    @usableFromInline var node: TapeNode<Scalar>?

    @inlinable
    init(storage: TensorStorage<Scalar>, shape: [Int], node: TapeNode<Scalar>? = nil) {
        self.storage = storage
        self.shape = shape
        self.node = node
    }

    /// Creates a tensor of the given shape from row-major scalars.
    ///
    /// - Precondition: `scalars.count` equals the product of `shape`.
    @inlinable
    public init(shape: [Int], scalars: [Scalar]) {
        let count = Shape.count(of: shape)
        precondition(scalars.count == count,
                     "Tensor(shape:scalars:): shape \(shape) needs \(count) scalars, got \(scalars.count)")
        let storage = TensorStorage<Scalar>(uninitializedCount: count)
        scalars.withUnsafeBufferPointer { storage.base.initialize(from: $0.baseAddress!, count: count) }
        self.init(storage: storage, shape: shape)
    }

    /// Creates a one-dimensional tensor holding `scalars`.
    @inlinable
    public init(_ scalars: [Scalar]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// Creates a rank-0 tensor holding `value`.
    @inlinable
    public init(_ value: Scalar) {
        self.init(shape: [], repeating: value)
    }

    /// Creates a tensor of the given shape with every element equal to `value`.
    @inlinable
    public init(shape: [Int], repeating value: Scalar) {
        let count = Shape.count(of: shape)
        let storage = TensorStorage<Scalar>(uninitializedCount: count)
        storage.base.initialize(repeating: value, count: count)
        self.init(storage: storage, shape: shape)
    }

    /// Creates a tensor of the given shape whose scalars `initializer` writes.
    ///
    /// The buffer is uninitialised memory of `shape`'s element count; `initializer` must
    /// write every element. This is the allocation-free way kernels build their results.
    @inlinable
    public init(shape: [Int], unsafeUninitializedScalars initializer: (UnsafeMutableBufferPointer<Scalar>) throws -> Void) rethrows {
        let count = Shape.count(of: shape)
        let storage = TensorStorage<Scalar>(uninitializedCount: count)
        try initializer(UnsafeMutableBufferPointer(start: storage.base, count: count))
        self.init(storage: storage, shape: shape)
    }

    /// The number of axes.
    @inlinable public var rank: Int { shape.count }

    /// The number of elements, the product of ``shape``.
    @inlinable public var scalarCount: Int { storage.count }

    /// The elements in row-major order.
    @inlinable
    public var scalars: [Scalar] {
        Array(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// The single element of a tensor with one element (a rank-0 tensor, or `[1]`, `[1, 1]`, …).
    @inlinable
    public var scalar: Scalar {
        precondition(storage.count == 1, "Tensor.scalar: shape \(shape) has \(storage.count) elements, not 1")
        return storage.base[0]
    }

    /// The number of in-place mutations this tensor's storage has seen.
    ///
    /// Every mutating operation (element assignment, compound assignment, writes through
    /// ``withUnsafeMutableBufferPointer(_:)``) increments it. Together with ``storageID`` it
    /// identifies the content exactly: caches compare the pair.
    @inlinable public var version: UInt64 { storage.version }

    /// An identity unique to this tensor's storage within the process.
    ///
    /// Copies share it until one of them is mutated; the mutated copy then gets a new one.
    @inlinable public var storageID: UInt64 { storage.id }

    /// Whether this value takes part in differentiation (it is watched by a tape, or was
    /// computed from a watched value while a tape recorded).
    @inlinable public var isTracked: Bool { node != nil }

    /// Calls `body` with the elements in row-major order.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// Calls `body` with mutable access to the elements, after making the storage unique.
    ///
    /// Increments ``version``, and detaches the value from any gradient graph: a tensor
    /// mutated in place is a new leaf.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Scalar>) throws -> R) rethrows -> R {
        prepareForMutation()
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// Makes the storage unique (copying if shared), bumps the version, leaves the graph.
    @inlinable
    mutating func prepareForMutation() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
        }
        storage.version &+= 1
        node = nil
    }

    /// Accesses the element at a multi-dimensional index.
    ///
    /// Setting an element is an in-place mutation: it increments ``version``.
    @inlinable
    public subscript(indices: Int...) -> Scalar {
        get { storage.base[Shape.offset(of: indices, in: shape)] }
        set {
            let offset = Shape.offset(of: indices, in: shape)
            prepareForMutation()
            storage.base[offset] = newValue
        }
    }

    /// Replaces this tensor's elements with `other`'s, in place (same shape required).
    ///
    /// Unlike `self = other`, keeps the storage identity (when unique) and increments
    /// ``version``; this is how optimizers update parameters.
    @inlinable
    public mutating func assign(_ other: Tensor) {
        precondition(other.shape == shape, "Tensor.assign: shapes \(shape) and \(other.shape) differ")
        prepareForMutation()
        storage.base.update(from: other.storage.base, count: storage.count)
    }

    /// This value detached from any gradient graph (same storage, no copy).
    @inlinable
    public func detached() -> Tensor {
        Tensor(storage: storage, shape: shape)
    }
}

extension Tensor: Equatable {
    /// Two tensors are equal when their shapes and all elements are equal.
    @inlinable
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        if lhs.storage === rhs.storage { return true }
        for i in 0..<lhs.storage.count where lhs.storage.base[i] != rhs.storage.base[i] {
            return false
        }
        return true
    }
}
