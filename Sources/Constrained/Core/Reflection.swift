/// A tensor slot with its dotted name relative to some root.
struct NamedSlot {
    let name: String
    let slot: any TensorSlot
}

/// The default traversal: walking stored properties with `Mirror`.
///
/// A layer or parametrization written without `@Layer` (or a hand-written
/// ``Traversable/traverse(with:)``) is walked by reflection: superclass properties first, then
/// the class's own in declaration order, each classified at run time by
/// ``TraversalVisitor/visit(_:named:)``. A layer property holding tensors or layers in a form
/// the walk cannot follow is an error, not a silent skip; inside a parametrization, values
/// that are not tensors or parametrizations are skipped (they are settings).
enum Reflection {
    /// Walks the stored properties of `layer` into `visitor`.
    static func traverse(layer: any Layer, with visitor: TraversalVisitor) throws {
        visitor.result.usesReflection = true
        var mirrors: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: layer)
        while let current = mirror {
            mirrors.append(current)
            mirror = current.superclassMirror
        }
        for current in mirrors.reversed() {
            for child in current.children {
                guard let label = child.label, !(child.value is LayerState) else { continue }
                try visitor.visit(child.value, named: propertyName(label))
            }
        }
    }

    /// Walks the stored properties of a parametrization into `visitor`: its `@Parameter`s,
    /// `@Buffer`s, nested parametrizations and arrays of them.
    static func traverse(parametrization: any Parametrization, with visitor: TraversalVisitor) throws {
        var mirror: Mirror? = Mirror(reflecting: parametrization)
        while let current = mirror {
            for child in current.children {
                guard let label = child.label else { continue }
                try visitPart(child.value, named: propertyName(label), with: visitor)
            }
            mirror = current.superclassMirror
        }
    }

    private static func visitPart(_ value: Any, named name: String, with visitor: TraversalVisitor) throws {
        if let slot = value as? any TensorSlot {
            visitor.visitSlot(slot, named: name, kind: slot.role == .trainable ? .parameter(slot) : .buffer(slot))
        } else if let part = value as? any Parametrization {
            try visitor.visitPart(part, named: name)
        } else if let parts = value as? [any Parametrization] {
            for (index, part) in parts.enumerated() { try visitor.visitPart(part, named: "\(name).\(index)") }
        } else if let unwrapped = unwrapOptional(value) {
            try visitPart(unwrapped, named: name, with: visitor)
        }
    }

    /// The wrapped value of a non-nil optional, nil otherwise.
    static func unwrapOptional(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return nil }
        return mirror.children.first?.value
    }

    /// Whether `value` holds, within a few levels, a tensor wrapper, a layer or a
    /// parametrization: what a walk that cannot follow it would silently lose.
    static func holdsTraversable(_ value: Any) -> Bool {
        var seen: Set<ObjectIdentifier> = []
        return holdsTraversable(value, depth: 0, seen: &seen)
    }

    private static func holdsTraversable(_ value: Any, depth: Int, seen: inout Set<ObjectIdentifier>) -> Bool {
        if value is any TensorSlot || value is any Layer || value is any Parametrization { return true }
        if value is any PlainTensor || value is LayerState || depth > 4 { return false }
        if type(of: value) is AnyClass {
            guard seen.insert(ObjectIdentifier(value as AnyObject)).inserted else { return false }
        }
        let mirror = Mirror(reflecting: value)
        // A collection of plain values (scalars, strings) is looked at through its first
        // elements only: a layer holding a large array stays cheap to check.
        for child in mirror.children.prefix(16) {
            if holdsTraversable(child.value, depth: depth + 1, seen: &seen) { return true }
        }
        return false
    }

    /// A property name as the user wrote it: the backing storage of a wrapped property `w`
    /// is labelled `_w`.
    static func propertyName(_ label: String) -> String {
        label.hasPrefix("_") ? String(label.dropFirst()) : label
    }
}

/// A plain tensor value: a constant of a layer, not a trainable tensor. Traversal skips it.
protocol PlainTensor {}

extension Tensor: PlainTensor {}

/// Finding the `@Parameter`/`@Buffer` tensors of a parametrization, named as PyTorch's
/// `ParametrizationList` does.
///
/// The parts of a composition are numbered from 0 (a single parametrization is part 0), and
/// a part's tensors are named by their property name, so property `w` registered with
/// `Skew() >>> Orthogonal()` has its base at `w.1.base`. A parametrization nested in a stored
/// property of another adds that property's name (`w.0.map.base`), and an array of
/// parametrizations its indices.
///
/// This runs once, when a parametrization is registered or replaced; the cache keeps the list.
enum ParametrizationReflection {
    /// The tensors of `parametrization`, named `0.g`, `1.u`, …
    static func slots(of parametrization: any Parametrization) -> [NamedSlot] {
        let visitor = TraversalVisitor()
        do {
            for (index, part) in parts(of: parametrization).enumerated() {
                try visitor.visitPart(part, named: "\(index)")
            }
        } catch {
            fatalError("\(type(of: parametrization)).traverse(with:) failed: \(error)")
        }
        return visitor.result.slots
    }

    /// The flattened parts of a composition, or `[p]`.
    static func parts(of parametrization: any Parametrization) -> [any Parametrization] {
        (parametrization as? any ComposedParametrization)?.parts ?? [parametrization]
    }
}
