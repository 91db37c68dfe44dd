import Testing
@testable import Constrained

/// A property declared without a value, under a set whose original is packed.
final class PackedHolder: Layer {
    @AnyConstrained var w: Tensor<Double>
    init(_ p: some Parametrization<Double>) { _w = AnyConstrained(AnyParametrization(p)) }
}

/// Setting the original of a property declared without a value registers the parametrization
/// on the value's shape, which a packed original does not tell.
@Suite("Packed originals")
struct PackedOriginalTests {
    @Test func settingAPackedOriginalWithoutTheValueShapeThrowsAndKeepsTheProperty() {
        let cases: [(any Parametrization<Double>, [Int])] = [
            (LowRank<Double>(rank: 2), [8 + 5 + 1, 2]), (FixedRank<Double>(rank: 2), [14, 2]),
            (PositiveSemidefinite<Double>(rank: 2), [5, 2]), (PositiveSemidefinite<Double>(fixedRank: 1), [5, 1]),
            (AlmostOrthogonal<Double>(lambda: 0.5), [7, 3]), (Hurwitz<Double>(), [12, 4]),
        ]
        for (p, shape) in cases {
            let m = PackedHolder(p)
            let error = #expect(throws: ConstrainedError.self) { try m.$w.setOriginal(Tensor<Double>.randomNormal(shape, seed: 1)) }
            #expect(error?.operation == "setOriginal", "\(p)")
            if case .invalidShape(let detail)? = error?.cause {
                #expect(detail.contains("setOriginal(x, valueShape:)"), "\(p): \(detail)")
            } else {
                Issue.record("\(p): expected invalidShape, got \(String(describing: error))")
            }
            #expect(m.$w.storedValue == nil, "\(p): the property got a value")
        }
    }

    @Test func settingAPackedOriginalWithItsValueShapeRegistersTheRightShape() throws {
        let m = PackedHolder(LowRank<Double>(rank: 2))
        let x = Tensor<Double>.randomNormal([8 + 5 + 1, 2], seed: 2)
        try m.$w.setOriginal(x, valueShape: [8, 5])
        #expect(m.w.shape == [8, 5])
        #expect(LowRank<Double>(rank: 2).contains(m.w))
        #expect(m.$w.description.contains("LowRank(rows: 8, columns: 5, rank: 2)"))
        // The wrong packed shape for that value shape is refused.
        let other = PackedHolder(PositiveSemidefinite<Double>(rank: 2))
        let error = #expect(throws: ConstrainedError.self) { try other.$w.setOriginal(x, valueShape: [8, 8]) }
        #expect(error?.cause == .shapeMismatch(expected: [9, 2], found: [14, 2]))
        try other.$w.setOriginal(Tensor<Double>.randomNormal([9, 2], seed: 3), valueShape: [8, 8])
        #expect(PositiveSemidefinite<Double>(rank: 2).contains(other.w))
    }

    @Test func aShapeKeepingOriginalStillRegistersOnItsOwnShape() throws {
        let m = PackedHolder(PositiveSemidefinite<Double>())
        m.$w.original = Tensor<Double>.randomNormal([4, 4], seed: 4)
        #expect(PositiveSemidefinite<Double>().contains(m.w))
    }

    @Test func aCompositionRegistersItsFirstPartOnTheSecondsPackedOriginal() throws {
        // Scaling the packed original is harmless for LowRank; Mask checks the shape it gets.
        let mask = Tensor<Double>.ones([6, 2])
        let m = PackedHolder(Mask(mask) >>> LowRank<Double>(rank: 2))
        try m.$w.assign(try LowRank<Double>(rank: 2).sample(shape: [3, 2], seed: 5))
        #expect(m.$w.original.shape == [6, 2])
        #expect(try (Mask(mask) >>> LowRank<Double>(rank: 2)).originalShape(forValueShape: [3, 2]) == [6, 2])
    }

    @Test func appendingAPackedSetToAParametrizedPropertyThrowsAndKeepsTheProperty() throws {
        let layer = Linear<Double>(3, 6, weight: Positive<Double>(), seed: 6)
        let before = layer.$weight.original.scalars
        let value = layer.weight.scalars
        for p in [AnyParametrization(LowRank<Double>(rank: 2)), AnyParametrization(FixedRank<Double>(rank: 1)),
                  AnyParametrization(AlmostOrthogonal<Double>(lambda: 0.5))] {
            let error = #expect(throws: ConstrainedError.self) { try layer.$weight.parametrize(with: p) }
            #expect(error?.operation == "parametrize" && error?.shape == [6, 3], "\(p)")
            if case .invalidShape(let detail)? = error?.cause {
                #expect(detail.contains("packed") && detail.contains("compose it first"), "\(p): \(detail)")
            } else {
                Issue.record("\(p): expected invalidShape, got \(String(describing: error))")
            }
            #expect(layer.$weight.original.scalars == before && layer.weight.scalars == value, "\(p)")
            #expect(layer.$weight.description.contains("Positive") && !layer.$weight.description.contains(">>>"), "\(p)")
        }
        // A shape-keeping set is still appended, and a packed one registers on a plain property.
        try layer.$weight.parametrize(with: Bounded<Double>(low: 0, high: 10))
        let plain = Linear<Double>(3, 6, seed: 7)
        try plain.$weight.parametrize(with: LowRank<Double>(rank: 2))
        #expect(plain.$weight.original.shape == [6 + 3 + 1, 2] && plain.weight.shape == [6, 3])
    }
}
