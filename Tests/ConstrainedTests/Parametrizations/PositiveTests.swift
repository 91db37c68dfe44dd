import Testing
@testable import Constrained

@Suite("Positive, NonNegative and Bounded")
struct PositiveTests {
    func positiveOnRead<S: TensorScalar>(_: S.Type) {
        let x = Tensor<S>([-80, -20, -1, 0, 1, 20, 80])
        for function in [Positive<S>.Function.softplus, .exp] {
            #expect(Positive<S>(function).forward(x).scalars.allSatisfy { $0 > 0 }, "\(function)")
        }
    }

    @Test func positiveValuesArePositive() {
        positiveOnRead(Float.self)
        positiveOnRead(Double.self)
    }

    func softplusIsAccurate<S: TensorScalar>(_: S.Type) {
        // softplus(x) = max(x, 0) + log1p(t), t = e^{−|x|}; for |x| ≥ 30, t < 1e-13 and
        // log1p(t) = t − t²/2 + O(t³) exactly enough: the reference, in Double. The naive
        // log(1 + eˣ) returns 0 for x = −60 and loses e⁻³⁰ at x = 30.
        let inputs: [Double] = [-60, -30, 30, 60]
        let y = Positive<S>().forward(Tensor<S>(inputs.map { S($0) })).scalars
        for (x, value) in zip(inputs, y) {
            let t = Double.exp(-abs(x))
            let reference = S(max(x, 0) + (t - t * t / 2))
            #expect(abs(value - reference) <= 4 * S.ulpOfOne * reference, "softplus(\(x)) = \(value), expected \(reference)")
        }
    }

    @Test func softplusKeepsFullRelativeAccuracyInBothTails() {
        softplusIsAccurate(Float.self)
        softplusIsAccurate(Double.self)
    }

    func roundTrips<S: TensorScalar>(_: S.Type) throws {
        let y = Tensor<S>([S(1e-30), S(1e-6), 0.5, 1, 3, 50, 1000])
        for function in [Positive<S>.Function.softplus, .exp] {
            let p = Positive<S>(function)
            let back = p.forward(try p.rightInverse(y))
            #expect(maxRelativeError(back, y, floor: 0) <= 16 * S.ulpOfOne, "\(function): \(back.scalars)")
        }
    }

    @Test func positiveRightInverseRoundTripsFromTinyToLargeValues() throws {
        try roundTrips(Float.self)
        try roundTrips(Double.self)
    }

    @Test func nonPositiveValuesCannotBeAssigned() throws {
        let error = #expect(throws: ConstrainedError.self) { try Positive<Double>().rightInverse(Tensor([1, 0, 2])) }
        #expect(error?.description.contains("flat index 1") == true)
        let nonNegative = #expect(throws: ConstrainedError.self) { try NonNegative<Double>().rightInverse(Tensor([1, -1])) }
        let bounded = #expect(throws: ConstrainedError.self) { try Bounded<Double>(low: 0, high: 1).rightInverse(Tensor([1])) }
        for error in [nonNegative, bounded] {
            guard case .notInImage(let detail) = error?.cause else {
                Issue.record("expected notInImage, got \(String(describing: error))")
                continue
            }
            #expect(detail.contains("flat index"), "\(detail)")
        }
        #expect(nonNegative?.subject == "NonNegative" && bounded?.subject == "Bounded")
    }

    func nonNegativeAndBounded<S: TensorScalar>(_: S.Type) throws {
        let x = Tensor<S>([-40, -3, 0, 0.5, 3, 40])
        #expect(NonNegative<S>().forward(x).scalars.allSatisfy { $0 >= 0 })
        for function in [Bounded<S>.Function.sigmoid, .tanh] {
            let b = Bounded<S>(low: -2, high: 5, function: function)
            #expect(b.forward(x * 0.1).scalars.allSatisfy { $0 > -2 && $0 < 5 }, "\(function)")
            let y = Tensor<S>([-1.999, -1, 0, 4.5, 4.999])
            let back = b.forward(try b.rightInverse(y))
            #expect(maxRelativeError(back, y) <= 5000 * S.ulpOfOne, "\(function): \(back.scalars)")
        }
        let y = Tensor<S>([0, 0.25, 4])
        #expect(NonNegative<S>().forward(try NonNegative<S>().rightInverse(y)).scalars == y.scalars)
    }

    @Test func nonNegativeAndBoundedSatisfyTheirConstraintsAndRoundTrip() throws {
        try nonNegativeAndBounded(Float.self)
        try nonNegativeAndBounded(Double.self)
    }

    @Test func tanhBoundIsTheShiftedScaledTanh() {
        let x = Tensor<Double>([-2, -0.3, 0, 0.7, 2])
        let y = Bounded<Double>(low: -1, high: 3, function: .tanh).forward(x)
        let reference = x.map { 1 + 2 * Double.tanh($0) }
        #expect(maxAbsoluteDifference(y, reference) <= 1e-15)
    }

    @Test func gradientsMatchFiniteDifferences() throws {
        let x = Tensor<Double>.randomNormal([3, 4], seed: 1) * 3
        let checks: [(String, (Tensor<Double>) -> Tensor<Double>)] = [
            ("softplus", { Positive<Double>().forward($0) }),
            ("exp", { Positive<Double>(.exp).forward($0) }),
            ("square", { NonNegative<Double>().forward($0) }),
            ("sigmoid", { Bounded<Double>(low: -1, high: 2).forward($0) }),
            ("tanh", { Bounded<Double>(low: -1, high: 2, function: .tanh).forward($0) }),
        ]
        for (name, f) in checks {
            let result = try gradientCheck(at: [x]) { xs in f(xs[0]) }
            #expect(result.passed, "\(name): \(result)")
        }
    }
}
