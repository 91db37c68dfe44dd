import Testing
@testable import Constrained

/// End-to-end training: gradients by name, optimizers updating originals in place.
@Suite("Training")
struct TrainingTests {
    /// `y = x·w + b` with `w = v ⊙ v ≥ 0` (a non-negativity constraint) and a plain bias.
    final class NonNegativeRegression<S: TensorScalar>: Layer {
        @Constrained(CountingSquare<S>()) var weight: Tensor<S>
        @Parameter var bias = Tensor<S>([0])

        init(inputs: Int) {
            weight = Tensor<S>(shape: [inputs, 1], repeating: 0.25)
        }

        func callAsFunction(_ x: Tensor<S>) -> Tensor<S> { matmul(x, weight) + bias }
    }

    struct Problem<S: TensorScalar> {
        let x: Tensor<S>
        let y: Tensor<S>
        let trueWeight: Tensor<S>
        let trueBias: S = 0.5

        init(seed: UInt64) {
            x = Tensor<S>.randomNormal([64, 4], seed: seed)
            trueWeight = Tensor<S>.randomUniform([4, 1], from: 0.2, to: 1.5, seed: seed + 1)
            y = matmul(x, trueWeight) + trueBias
        }

        func loss(_ model: NonNegativeRegression<S>) -> Tensor<S> {
            let r = model(x) - y
            return (r * r).sum() / S(x.shape[0])
        }
    }

    func fits<S: TensorScalar>(_: S.Type, _ makeOptimizer: (NonNegativeRegression<S>) -> any Optimizer,
                               steps: Int) throws -> (loss: S, weightError: S) {
        let problem = Problem<S>(seed: 7)
        let model = NonNegativeRegression<S>(inputs: 4)
        let optimizer = makeOptimizer(model)
        for _ in 0..<steps {
            let (_, gradients) = try valueWithGradient(of: model) { problem.loss($0) }
            optimizer.update(model, along: gradients)
        }
        #expect(model.$weight.cacheStatistics.evaluations <= steps + 1)
        return (problem.loss(model).scalar, maxRelativeError(model.weight, problem.trueWeight))
    }

    @Test(arguments: ["SGD", "SGD+Nesterov", "Adam", "RMSprop"])
    func eachOptimizerFitsANonNegativeRegression(_ name: String) throws {
        func make<S: TensorScalar>(_ m: NonNegativeRegression<S>) -> any Optimizer {
            switch name {
            case "SGD": return SGD(for: m, learningRate: 0.05, momentum: 0.9)
            case "SGD+Nesterov": return SGD(for: m, learningRate: 0.05, momentum: 0.9, nesterov: true)
            case "Adam": return Adam(for: m, learningRate: 0.02)
            default: return RMSprop(for: m, learningRate: 0.005)
            }
        }
        let double = try fits(Double.self, make, steps: 600)
        #expect(double.loss < 1e-8, "\(name): loss \(double.loss)")
        #expect(double.weightError < 1e-4, "\(name): weight error \(double.weightError)")
        let float = try fits(Float.self, make, steps: 600)
        #expect(float.loss < 1e-4, "\(name): loss \(float.loss)")
    }

    @Test func aParameterGroupWithItsOwnLearningRateMovesAtThatRate() throws {
        final class Two: Layer {
            @Parameter var slow = Tensor<Double>([1])
            @Parameter var fast = Tensor<Double>([1])
            let cell = Cell()
        }
        final class Cell: Layer {
            @Constrained(PlusOne<Double>()) var recurrent = Tensor<Double>([2])
            @Constrained(PlusOne<Double>()) var recurrent2 = Tensor<Double>([2])
        }
        let model = Two()
        let sgd = SGD(for: model, learningRate: 0.1, learningRates: ["slow": 0.01, "cell.recurrent": 0.001])
        let (_, gradients) = try valueWithGradient(of: model) { m in
            m.slow.sum() + m.fast.sum() + m.cell.recurrent.sum() + m.cell.recurrent2.sum()
        }
        sgd.update(model, along: gradients)
        #expect(model.slow.scalars == [1 - 0.01])
        #expect(model.fast.scalars == [1 - 0.1])
        #expect(model.cell.$recurrent.original.scalars == [1 - 0.001])
        #expect(model.cell.$recurrent2.original.scalars == [1 - 0.1], "a prefix matches whole name components")
    }

    @Test func learningRatesPickTheLongestMatchingPrefix() {
        let rates = LearningRates(base: 1, byPrefix: ["a": 2, "a.b": 3, "a.b.c.original": 4])
        #expect(rates.rate(for: "a.x") == 2)
        #expect(rates.rate(for: "a.b.original") == 3)
        #expect(rates.rate(for: "a.b.c.original") == 4)
        #expect(rates.rate(for: "ab") == 1)
        #expect(rates.rate(for: "z") == 1)
    }

    @Test func namedTensorsArithmeticWorksNameByName() {
        let a = NamedTensors<Double>([("x", Tensor([1, 2])), ("y", Tensor([3]))])
        let b = NamedTensors<Double>([("y", Tensor([1])), ("x", Tensor([1, 1]))])
        #expect((a + b)["x"]!.scalars == [2, 3])
        #expect((a - b)["y"]!.scalars == [2])
        #expect((a * 2)["x"]!.scalars == [2, 4])
        #expect(a.globalNorm == (1.0 + 4 + 9).squareRoot())
        #expect(a.map(\.name) == ["x", "y"])
    }
}
