import Foundation
import Testing
import Constrained

// Every code sample in README.md and Docs/*.md, run, with its claim checked, so the docs
// cannot rot. Each test names the page and section it mirrors; when you change a sample there,
// change it here (and the other way round). The samples use only the public API
// (`import Constrained`, not `@testable`), as a user would.

/// The README's example: an orthogonal recurrent kernel, a positive scale, one Adam step.
final class ReadmeCell: Layer {
    @Constrained(Orthogonal()) var recurrent = Tensor<Double>.eye(8)   // QᵀQ = I on every read
    @Constrained(Positive()) var scale = Tensor<Double>.ones([8])       // > 0 on every read
    @Parameter var bias = Tensor<Double>.zeros([8])
}

/// GettingStarted, "A first constrained layer".
final class Rotation: Layer {
    @Constrained(Skew() >>> CayleyMap()) var q = Tensor<Double>.eye(3)   // always orthogonal
    @Parameter var shift = Tensor<Double>.zeros([3])

    func callAsFunction(_ x: Tensor<Double>) -> Tensor<Double> { matmul(x, q) + shift }
}

/// GettingStarted, "Writing your own parametrization": vectors of unit length.
struct UnitNorm: Parametrization {
    func forward(_ x: Tensor<Double>) -> Tensor<Double> { x / x.norm() }
    func rightInverse(_ y: Tensor<Double>) -> Tensor<Double> { y }   // forward(y) == y when ‖y‖ = 1
}

/// GettingStarted, "Writing your own parametrization": a parametrization with state.
struct Scaled: Parametrization {
    @Buffer var factor = Tensor<Double>([2])
    func forward(_ x: Tensor<Double>) -> Tensor<Double> { x * factor }
    func rightInverse(_ y: Tensor<Double>) -> Tensor<Double> { y / factor }
}

final class Direction: Layer {
    @Constrained(UnitNorm()) var d = Tensor<Double>([0.6, 0.8])
}

/// GettingStarted, "A training loop" and "Training and evaluation mode".
final class Regression: Layer {
    let layer: Linear<Double>
    init(seed: UInt64) { layer = Linear(3, 4, weight: SpectralNorm<Double>(), seed: seed) }
    func callAsFunction(_ x: Tensor<Double>) -> Tensor<Double> { layer(x) }
}

@Suite("Documentation examples")
struct DocumentationExamplesTests {
    /// ‖QᵀQ − I‖_max.
    func orthogonalityError(_ q: Tensor<Double>) -> Double {
        let e = matmul(q, transposed: true, q, transposed: false) - Tensor<Double>.eye(q.shape[0])
        return e.scalars.map(Swift.abs).max()!
    }

    // MARK: The DocC catalog mirrors the Markdown pages

    /// The Swift code blocks of a Markdown file, in order.
    static func swiftBlocks(_ relativePath: String) throws -> [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent(relativePath), encoding: .utf8)
        var blocks: [String] = [], current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line.trimmingCharacters(in: .whitespaces) == "```swift" {
                current = []
            } else if current != nil, line.trimmingCharacters(in: .whitespaces) == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else if current != nil {
                current!.append(line)
            }
        }
        return blocks
    }

    @Test(arguments: ["GettingStarted", "Caching"])
    func theDocCArticleHasTheSameSamplesAsTheDocsPage(_ name: String) throws {
        let page = try Self.swiftBlocks("Docs/\(name).md")
        let article = try Self.swiftBlocks("Sources/Constrained/Constrained.docc/\(name).md")
        #expect(!page.isEmpty)
        #expect(article == page)
    }

    @Test func theDocCLandingPageShowsTheReadmeExample() throws {
        let readme = try Self.swiftBlocks("README.md")
        let landing = try Self.swiftBlocks("Sources/Constrained/Constrained.docc/Constrained.md")
        #expect(readme.count >= 2 && landing.count == 1)
        #expect(landing.first == readme[1])
    }

    // MARK: README.md

    @Test func readmeExampleTrainsAnOrthogonalCellWithOneEvaluationPerStep() throws {
        let cell = ReadmeCell()
        let optimizer = Adam(for: cell, learningRate: 1e-2, learningRates: ["recurrent": 1e-3])
        let x = Tensor<Double>.randomNormal([16, 8], seed: 1)
        let target = Tensor<Double>.randomNormal([16, 8], seed: 2)

        func loss(_ c: ReadmeCell) -> Tensor<Double> {
            var h = x
            for _ in 0..<10 { h = tanh(matmul(h, c.recurrent) * c.scale + c.bias) }   // 10 reads, 1 evaluation
            return meanSquaredError(h, target)
        }
        let (before, gradients) = try valueWithGradient(of: cell) { c in loss(c) }
        optimizer.update(cell, along: gradients)   // in place: each cache invalidates by version

        #expect(cell.$recurrent.cacheStatistics.evaluations == 1)   // ten uses, one matrix exponential
        #expect(Set(gradients.names) == ["recurrent.original", "scale.original", "bias"])
        #expect(cell.parameterNames.contains("recurrent.original"))
        #expect(orthogonalityError(cell.recurrent) < 1e-12)
        #expect(cell.$recurrent.cacheStatistics.evaluations == 2)   // the step made it stale
        #expect(cell.scale.scalars.allSatisfy { $0 > 0 })
        let after = withoutRecording { loss(cell) }
        #expect(after.scalar < before.scalar)
    }

    // MARK: Docs/GettingStarted.md

    @Test func aFirstConstrainedLayerReadsBackItsInitialValue() {
        let r = Rotation()
        #expect(r.q == Tensor<Double>.eye(3))            // initial values are constrained values
        #expect(r.$q.original == Tensor<Double>.zeros([3, 3]))   // Cayley⁻¹(I) = 0, Skew⁻¹(0) = 0
        #expect(r.parameterNames == ["q.original", "shift"])
        let y = r(Tensor<Double>.ones([2, 3]))
        #expect(y.shape == [2, 3])
    }

    @Test func readingAssigningAndTheProjectedValue() throws {
        let r = Rotation()
        let c = cos(0.3), s = sin(0.3)                   // a rotation about the z axis
        let rotation = Tensor<Double>(shape: [3, 3], scalars: [c, -s, 0, s, c, 0, 0, 0, 1])

        r.q = rotation                                   // runs CayleyMap⁻¹, then Skew⁻¹
        #expect(maxDifference(r.q, rotation) < 1e-14)
        let a = r.$q.original                            // the unconstrained tensor
        #expect(a.shape == [3, 3])
        #expect(a.scalars[3] == 0)                       // Skew keeps only the strict upper triangle

        r.$q.original = Tensor<Double>.zeros([3, 3])     // set the original directly
        #expect(r.q == Tensor<Double>.eye(3))

        r.$q.resetCacheStatistics()
        _ = r.q; _ = r.q
        #expect(r.$q.cacheStatistics == CacheStatistics(evaluations: 0, hits: 2))
        r.$q.invalidate()                                // rarely needed: versions do this
        _ = r.q
        #expect(r.$q.cacheStatistics.evaluations == 1)

        r.$q.isCaching = false                           // every read evaluates
        _ = r.q; _ = r.q
        #expect(r.$q.cacheStatistics.evaluations == 3)
        r.$q.isCaching = true

        #expect(throws: (any Error).self) {
            try r.$q.assign(Tensor<Double>.eye(3) * -1)   // −I has eigenvalue −1: no Cayley preimage
        }
        #expect(r.q == Tensor<Double>.eye(3))            // a failed assignment changes nothing

        try r.$q.removeParametrization(keeping: .constrained)
        #expect(r.parameterNames == ["q", "shift"])
        #expect(r.q == Tensor<Double>.eye(3))
    }

    @Test func aParametrizationWithoutRightInverseKeepsTheInitialValueAsOriginal() throws {
        final class M: Layer {
            @Constrained(Skew() >>> MatrixExp()) var q = Tensor<Double>.zeros([3, 3])
        }
        let m = M()
        #expect(m.$q.original == Tensor<Double>.zeros([3, 3]))
        #expect(throws: ConstrainedError("rightInverse", subject: "MatrixExp<Double>", shape: [3, 3], cause: .noRightInverse)) {
            try m.$q.assign(Tensor<Double>.eye(3))
        }
    }

    @Test func writingYourOwnParametrization() throws {
        let m = Direction()
        #expect(maxDifference(m.d, Tensor<Double>([0.6, 0.8])) < 1e-15)
        m.$d.original = Tensor<Double>([5, 12])
        #expect(maxDifference(m.d, Tensor<Double>([5.0 / 13, 12.0 / 13])) < 1e-15)

        let x = Tensor<Double>.randomNormal([5], seed: 3)
        let check = try gradientCheck(at: [x]) { xs in UnitNorm().forward(xs[0]) }
        #expect(check.passed, "\(check)")
    }

    @Test func aParametrizationsBufferIsItsState() {
        final class M: Layer {
            @Constrained(Scaled()) var w = Tensor<Double>([2, 4])
        }
        let m = M()
        #expect(m.$w.original == Tensor<Double>([1, 2]))
        #expect(m.parameterNames == ["w.original"])
        #expect(m.stateNames == ["w.0.factor"])
        _ = m.w
        m.$w.parametrization(as: Scaled.self)!.factor = Tensor([3])   // shared by reference
        #expect(m.w == Tensor<Double>([3, 6]))                          // the cache saw the new version
    }

    @Test func composingWithTheOperatorOrByName() throws {
        final class M: Layer {
            @Constrained(Skew() >>> CayleyMap()) var a = Tensor<Double>.eye(4)
            @Constrained(Skew().followed(by: CayleyMap())) var b = Tensor<Double>.eye(4)
            @Constrained(UnitNorm() >>> Scaled()) var v = Tensor<Double>([0, 2])
        }
        let m = M()
        let x = Tensor<Double>.randomNormal([4, 4], seed: 5)
        m.$a.original = x
        m.$b.original = x
        #expect(m.a == m.b)
        #expect(orthogonalityError(m.a) < 1e-13)
        #expect(m.$v.original == Tensor<Double>([0, 1]))   // Scaled⁻¹ first, then UnitNorm⁻¹
        #expect(m.stateNames == ["v.1.factor"])
    }

    @Test func aTrainingLoopWithModesAndACheckpoint() throws {
        let model = Regression(seed: 1)
        let x = Tensor<Double>.randomNormal([32, 3], seed: 1)
        let target = Regression(seed: 2)(x)                   // a spectrally normalised target
        let optimizer = SGD(for: model, learningRate: 0.1, momentum: 0.9)
        var lastLoss = Double.infinity
        for _ in 0..<300 {
            let (loss, gradients) = try valueWithGradient(of: model) { m in
                meanSquaredError(m(x), target)
            }
            optimizer.update(model, along: gradients)
            lastLoss = loss.scalar
        }
        #expect(lastLoss < 1e-3)
        #expect(model.parameterNames == ["layer.weight.original", "layer.bias"])
        #expect(model.stateNames == ["layer.weight.0.u", "layer.weight.0.v"])
        let sigma = try singularValues(model.layer.weight).scalars[0]
        #expect(Swift.abs(sigma - 1) < 1e-2)

        model.isTraining = false                       // spectral norm stops iterating
        let evaluation = model(x)
        #expect(model(x) == evaluation)
        // Not a cache hit: a recomputation in evaluation mode runs no power iteration, so u
        // and v keep their versions and the value is the same.
        let norm = try #require(model.layer.$weight.parametrization(as: SpectralNorm<Double>.self))
        let (uVersion, vVersion) = (norm.u.version, norm.v.version)
        model.layer.$weight.invalidate()
        #expect(model(x) == evaluation)
        #expect(model.layer.$weight.cacheStatistics.evaluations >= 1)
        #expect(norm.u.version == uVersion && norm.v.version == vVersion)
        model.isTraining = true

        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("docs-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.save(to: url)
        let restored = Regression(seed: 3)
        try restored.load(from: url)
        restored.isTraining = false
        #expect(restored(x) == evaluation)
    }

    // MARK: Docs/Caching.md

    @Test func cachingCountsOneEvaluationPerContentAndTape() throws {
        let cell = ReadmeCell()
        let x = Tensor<Double>.randomNormal([16, 8], seed: 1)
        _ = cell.recurrent; _ = cell.recurrent          // recording off: 1 evaluation, 1 hit
        #expect(cell.$recurrent.cacheStatistics == CacheStatistics(evaluations: 1, hits: 1))

        // PyTorch issue 28937: the value above has no graph; the recorded read must not reuse it.
        let (_, gradients) = try valueWithGradient(of: cell) { c in matmul(x, c.recurrent).sum() }
        #expect(cell.$recurrent.cacheStatistics.evaluations == 2)
        #expect(gradients["recurrent.original"]!.scalars.contains { $0 != 0 })

        _ = cell.recurrent                              // recording off reuses the tracked value
        #expect(cell.$recurrent.cacheStatistics.evaluations == 2)

        let optimizer = SGD(for: cell, learningRate: 0.1)
        optimizer.update(cell, along: gradients)        // version + 1
        _ = cell.recurrent; _ = cell.recurrent
        #expect(cell.$recurrent.cacheStatistics.evaluations == 3)
    }

    // MARK: Docs/LinAlg.md

    @Test func versionCountersAndCopyOnWrite() {
        var a = Tensor<Double>([1, 2, 3])
        let b = a                                       // shares a's storage
        #expect(b.storageID == a.storageID)
        let v = a.version
        a += Tensor<Double>([1, 1, 1])                  // copy-on-write: a gets new storage
        #expect(a.storageID != b.storageID)
        #expect(b == Tensor<Double>([1, 2, 3]))
        a += Tensor<Double>([1, 1, 1])                  // unique now: in place, version + 1
        let id = a.storageID, w = a.version
        a *= 2
        #expect(a.storageID == id && a.version == w + 1)
        _ = v
    }

    @Test func gradientTapeBasicsPersistenceAndNesting() throws {
        let tape = GradientTape()
        let x = tape.watch(Tensor<Double>([1, 2, 3]))
        let y = tape.record { (x * x).sum() }
        let dx = try tape.gradient(of: y, wrt: x)
        #expect(dx == Tensor<Double>([2, 4, 6]))
        #expect(throws: LinAlgError.self) { try tape.gradient(of: y, wrt: x) }   // consumed

        let persistent = GradientTape(persistent: true)
        let p = persistent.watch(Tensor<Double>([3]))
        let q = persistent.record { p * p * p }
        #expect(try persistent.gradient(of: q, wrt: p) == Tensor<Double>([27]))
        #expect(try persistent.gradient(of: q, wrt: p) == Tensor<Double>([27]))   // again

        let outer = GradientTape()
        let u = outer.watch(Tensor<Double>([2]))
        let z = try outer.record { () throws -> Tensor<Double> in
            let inner = GradientTape()
            let w = inner.watch(Tensor<Double>([5]))
            let f = inner.record { u * w * w }          // recorded on the inner tape
            #expect(try inner.gradient(of: f, wrt: w) == Tensor<Double>([20]))   // 2·u·w
            return f
        }
        #expect(try outer.gradient(of: z, wrt: u) == Tensor<Double>([25]))       // w²

        let off = persistent.record { withoutRecording { p * 2 } }
        #expect(!off.isTracked)
    }

    @Test func matrixExpOfASkewMatrixIsOrthogonal() throws {
        let x = Tensor<Double>.randomNormal([5, 5], seed: 9)
        let a = x - x.transposed()
        let q = try matrixExp(a)
        #expect(orthogonalityError(q) < 1e-13)
    }

    @Test func aSingularSystemThrowsALinAlgError() {
        let a = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 2, 4])
        let error = #expect(throws: LinAlgError.self) { try solve(a, Tensor<Double>([1, 1])) }
        #expect(error?.cause == .singular(pivot: 1) && error?.operation == "solve")
    }
}

/// The largest absolute elementwise difference.
private func maxDifference(_ a: Tensor<Double>, _ b: Tensor<Double>) -> Double {
    zip(a.scalars, b.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
}
