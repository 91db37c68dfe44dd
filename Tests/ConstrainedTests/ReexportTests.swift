import Testing
import Constrained

/// `import Constrained` alone reaches LinAlg's types, free functions and errors (the
/// re-export): this file imports nothing else, so it stops compiling if the re-export goes.
@Test func importingConstrainedGivesTheTensorType() throws {
    let t = Tensor<Double>.eye(2)
    #expect(t.shape == [2, 2])
    let x = try solve(t * 2, Tensor<Double>(shape: [2, 1], scalars: [2, 4]))
    #expect(x.scalars == [1, 2])
    #expect(try matrixExp(Tensor<Double>.zeros([2, 2])) == t)
    let error = #expect(throws: LinAlgError.self) { try solve(Tensor<Double>.zeros([2, 2]), Tensor<Double>.ones([2])) }
    #expect(error?.cause == .singular(pivot: 0))
    let tape = GradientTape()
    let (w, loss) = tape.record { () -> (Tensor<Double>, Tensor<Double>) in
        let w = tape.watch(Tensor<Double>([3]))
        return (w, (w * w).sum())
    }
    #expect(try tape.gradient(of: loss, wrt: [w])[0].scalars == [6])
}
