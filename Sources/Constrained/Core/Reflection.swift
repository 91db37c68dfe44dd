/// A tensor slot with its dotted name relative to some root.
struct NamedSlot {
    let name: String
    let slot: any TensorSlot
}

/// Finding the `@Parameter`/`@Buffer` tensors of a parametrization by reflection.
///
/// Naming follows PyTorch's `ParametrizationList`: the parts of a composition are numbered
/// from 0 (a single parametrization is part 0), and a part's tensors are named by their
/// property name, so property `w` registered with `Skew() >>> Orthogonal()` has its base at
/// `w.1.base`. A parametrization nested in a stored property of another adds that
/// property's name (`w.0.map.base`), and an array of parametrizations its indices.
///
/// Reflection is slow (microseconds), so it runs once, when a parametrization is registered
/// or replaced; the cache keeps the list.
enum ParametrizationReflection {
    /// The tensors of `parametrization`, named `0.g`, `1.u`, …
    static func slots(of parametrization: Any) -> [NamedSlot] {
        var result: [NamedSlot] = []
        var seen: Set<ObjectIdentifier> = []
        for (index, part) in parts(of: parametrization).enumerated() {
            collect(part, prefix: "\(index)", into: &result, seen: &seen, depth: 0)
        }
        return result
    }

    /// The flattened parts of a composition, or `[p]`.
    static func parts(of parametrization: Any) -> [Any] {
        (parametrization as? any ComposedParametrization)?.parts ?? [parametrization]
    }

    private static func collect(_ value: Any, prefix: String, into result: inout [NamedSlot],
                                seen: inout Set<ObjectIdentifier>, depth: Int) {
        guard depth < 32 else { return }
        if type(of: value) is AnyClass {
            guard seen.insert(ObjectIdentifier(value as AnyObject)).inserted else { return }
        }
        var mirror: Mirror? = Mirror(reflecting: value)
        while let current = mirror {
            for child in current.children {
                guard let label = child.label else { continue }
                visit(child.value, label: label, prefix: prefix, into: &result, seen: &seen, depth: depth)
            }
            mirror = current.superclassMirror
        }
    }

    private static func visit(_ value: Any, label: String, prefix: String, into result: inout [NamedSlot],
                              seen: inout Set<ObjectIdentifier>, depth: Int) {
        if let slot = value as? any TensorSlot {
            guard seen.insert(ObjectIdentifier(slot)).inserted else { return }
            result.append(NamedSlot(name: "\(prefix).\(propertyName(label))", slot: slot))
        } else if value is any Parametrization {
            let nested = parts(of: value)
            if nested.count == 1 {
                collect(value, prefix: "\(prefix).\(label)", into: &result, seen: &seen, depth: depth + 1)
            } else {
                for (index, part) in nested.enumerated() {
                    collect(part, prefix: "\(prefix).\(label).\(index)", into: &result, seen: &seen, depth: depth + 1)
                }
            }
        } else if let array = value as? [any Parametrization] {
            for (index, element) in array.enumerated() {
                visit(element, label: "\(label).\(index)", prefix: prefix, into: &result, seen: &seen, depth: depth + 1)
            }
        } else if let unwrapped = unwrapOptional(value) {
            visit(unwrapped, label: label, prefix: prefix, into: &result, seen: &seen, depth: depth + 1)
        }
    }

    /// The wrapped value of a non-nil optional, nil otherwise.
    static func unwrapOptional(_ value: Any) -> Any? {
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return nil }
        return mirror.children.first?.value
    }

    /// A property name as the user wrote it: the backing storage of a wrapped property `w`
    /// is labelled `_w`.
    static func propertyName(_ label: String) -> String {
        label.hasPrefix("_") ? String(label.dropFirst()) : label
    }
}
