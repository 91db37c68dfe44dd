import Testing
@testable import LinAlg

@Suite("Slicing, concatenation, stacking, permutation, padding, expand/squeeze")
struct ShapeOpsTests {
    func agreesWithTheFixtures<S: TensorScalar>(_: S.Type) throws {
        let fixture = try Fixture.load("shape_ops")
        #expect(fixture.cases.count > 15)
        for c in fixture.cases {
            let expected: Tensor<S> = c.output("y")
            let y: Tensor<S>
            switch c.string("op")! {
            case "slice":
                y = (c.input("x") as Tensor<S>).slice(c.int("lower")!..<c.int("upper")!, alongAxis: c.int("axis")!)
            case "concatenate":
                let parts: [Tensor<S>] = ["a", "b", "c"].compactMap { c.inputs[$0] == nil ? nil : c.input($0) }
                y = concatenate(parts, alongAxis: c.int("axis")!)
            case "stack":
                y = stack([c.input("a"), c.input("b")], alongAxis: c.int("axis")!)
            case "permute":
                y = (c.input("x") as Tensor<S>).permuted(c.integers("axes"))
            case "pad":
                let pairs = c.string("pads")!.split(separator: ",").map { pair in
                    let p = pair.split(separator: ":").map { Int($0)! }
                    return (before: p[0], after: p[1])
                }
                y = (c.input("x") as Tensor<S>).padded(forSizes: pairs, with: S(c.number("value")!))
            case let op: fatalError("unknown op \(op)")
            }
            #expect(y == expected, "\(c.name): got shape \(y.shape)")
        }
    }

    @Test func agreesWithTheFixtures() throws {
        try agreesWithTheFixtures(Float.self)
        try agreesWithTheFixtures(Double.self)
    }

    @Test func sliceAcceptsEveryRangeExpression() {
        let x = Tensor<Double>.arange(10)
        #expect(x.slice(2...4) == x.slice(2..<5))
        #expect(x.slice(7...) == x.slice(7..<10))
        #expect(x.slice(..<3) == x.slice(0..<3))
        #expect(x.slice(4..<4).shape == [0])
    }

    @Test func sliceAtAnIndexRemovesTheAxis() {
        let m = Tensor<Double>.arange(12).reshaped(to: [3, 4])
        let column = m.slice(at: 2, alongAxis: 1)
        #expect(column.shape == [3])
        #expect(column == m.slice(2..<3, alongAxis: -1).reshaped(to: [3]))
        #expect(m.slice(at: 1) == m.slice(1..<2).reshaped(to: [4]))
    }

    @Test func expandingAndSqueezingAreInverseViews() {
        let v = Tensor<Double>([1, 2, 3])
        #expect(v.expandingShape(at: 0).shape == [1, 3])
        #expect(v.expandingShape(at: -1).shape == [3, 1])
        #expect(v.expandingShape(at: 0, 2).shape == [1, 3, 1])
        let e = v.expandingShape(at: 0, -1)
        #expect(e.shape == [1, 3, 1])
        #expect(e.storageID == v.storageID)
        #expect(e.squeezingShape() == v)
        #expect(e.squeezingShape(at: 0).shape == [3, 1])
        #expect(e.squeezingShape(at: -1, 0) == v)
    }

    @Test func squeezingAnAxisLongerThanOneStopsTheProcess() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor<Double>.zeros([2, 3]).squeezingShape(at: 1)
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("squeezingShape(at:): axis 1 of shape [2, 3] has extent 3, not 1"), "\(text)")
    }

    @Test func concatenatingMismatchedShapesStopsTheProcess() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = concatenate([Tensor<Double>.zeros([2, 3]), Tensor<Double>.zeros([3, 2])], alongAxis: 0)
        }
        let text = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(text.contains("concatenate(_:alongAxis:): shapes [2, 3] and [3, 2] differ off axis 0"), "\(text)")
    }

    @Test func permutingTheLastTwoAxesIsTheTranspose() {
        let x = Tensor<Double>.randomNormal([2, 3, 4], seed: 4)
        #expect(x.permuted(0, 2, 1) == x.transposed())
        #expect(x.permuted(0, 1, 2) == x)
        #expect(x.permuted(-1, 0, 1).shape == [4, 2, 3])
    }

    @Test(arguments: [[1, 1], [3, 5], [4, 4], [37, 70], [33, 32], [2, 65, 7]])
    func transposeMatchesTheDefinitionForAnySize(shape: [Int]) {
        let x = Tensor<Float>.randomNormal(shape, seed: 7)
        let t = x.transposed()
        let m = shape[shape.count - 2], n = shape[shape.count - 1], batch = x.scalarCount / (m * n)
        let a = x.scalars, b = t.scalars
        var mismatches = 0
        for k in 0..<batch { for i in 0..<m { for j in 0..<n where b[k * m * n + j * m + i] != a[k * m * n + i * n + j] {
            mismatches += 1
        } } }
        #expect(t.shape == Array(shape.dropLast(2)) + [n, m])
        #expect(mismatches == 0)
    }

    @Test func everyPermutationOfFourAxesMatchesTheDefinition() {
        // Covers the copy, transpose and gather paths, with extent-1 axes in the way.
        for shape in [[2, 3, 4, 5], [2, 1, 3, 4], [1, 3, 1, 2]] {
            let x = Tensor<Double>.randomNormal(shape, seed: 12)
            let strides = Shape.strides(of: shape)
            for perm in permutations(of: [0, 1, 2, 3]) {
                let y = x.permuted(perm)
                let outShape = perm.map { shape[$0] }
                #expect(y.shape == outShape)
                let outStrides = Shape.strides(of: outShape)
                let a = x.scalars, b = y.scalars
                var mismatches = 0
                for flat in 0..<a.count {
                    var rest = flat, source = 0
                    for (k, s) in outStrides.enumerated() { source += (rest / s) * strides[perm[k]]; rest %= s }
                    if b[flat] != a[source] { mismatches += 1 }
                }
                #expect(mismatches == 0, "shape \(shape) perm \(perm)")
            }
        }
    }

    func permutations(of items: [Int]) -> [[Int]] {
        if items.count <= 1 { return [items] }
        return items.indices.flatMap { i in
            var rest = items
            let first = rest.remove(at: i)
            return permutations(of: rest).map { [first] + $0 }
        }
    }

    @Test func shapeOpGradientsMatchFiniteDifferences() throws {
        let x = Tensor<Double>.randomNormal([3, 4, 5], seed: 41)
        let ops: [(String, (Tensor<Double>) -> Tensor<Double>)] = [
            ("slice 0", { $0.slice(1..<3) }),
            ("slice 1", { $0.slice(1...2, alongAxis: 1) }),
            ("slice -1", { $0.slice(..<2, alongAxis: -1) }),
            ("slice at", { $0.slice(at: 2, alongAxis: 2) }),
            ("permute", { $0.permuted(2, 0, 1) }),
            ("permute 2", { $0.permuted(1, 0, 2) }),
            ("pad", { $0.padded(forSizes: [(1, 0), (0, 2), (1, 1)], with: 3) }),
            ("expand", { $0.expandingShape(at: 1) * 2 }),
            ("squeeze", { $0.slice(0..<1).squeezingShape(at: 0) * 2 }),
        ]
        for (name, f) in ops {
            let result = try checkGradient(at: x, f)
            #expect(result.passed, "\(name): \(result)")
        }
    }

    @Test func concatenateAndStackGradientsMatchFiniteDifferences() throws {
        let a = Tensor<Double>.randomNormal([2, 3], seed: 1), b = Tensor<Double>.randomNormal([2, 2], seed: 2)
        let c = Tensor<Double>.randomNormal([2, 3], seed: 3)
        let cat = try gradientCheck(at: [a, b]) { concatenate($0, alongAxis: 1) }
        #expect(cat.passed, "\(cat)")
        let stacked = try gradientCheck(at: [a, c]) { stack($0, alongAxis: 1) }
        #expect(stacked.passed, "\(stacked)")
        // An untracked operand gets no gradient and does not disturb the others.
        let tape = GradientTape()
        let ta = tape.watch(a)
        let y = tape.record { concatenate([ta, b], alongAxis: 1).sum() }
        #expect(try tape.gradient(of: y, wrt: ta).scalars == [Double](repeating: 1, count: 6))
    }
}
