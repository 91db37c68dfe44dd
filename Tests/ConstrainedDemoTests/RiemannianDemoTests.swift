import Constrained
import Foundation
import Testing
@testable import ConstrainedDemo

/// The Riemannian demos: the copy-task model on the manifold and the eigenspace command.
@Suite("Riemannian demos")
struct RiemannianDemoTests {
    @Test func theManifoldCopyTaskModelStartsFromTheParametrizedModelsValues() {
        let reference = CopyTaskModel<Double>(hiddenSize: 8, orthogonal: true, seed: 3)
        let model = ManifoldCopyTaskModel(hiddenSize: 8, seed: 3)
        #expect(model.recurrent == reference.cell.recurrent)
        #expect(model.input == reference.cell.input)
        #expect(model.parameterNames == ["recurrent", "input", "modReLU.bias", "readout.weight", "readout.bias"])
        let inputs = Tensor<Double>.randomNormal([5, 2, CopyTask.inputClasses], seed: 4)
        #expect((model.logits(inputs) - reference.logits(inputs)).scalars.map(abs).max()! < 1e-12)
    }

    @Test func theEigenspaceCommandFindsTheEigenspaceBothWays() throws {
        let path = NSTemporaryDirectory() + "/eigenspace-test-\(ProcessInfo.processInfo.processIdentifier).svg"
        let command = try EigenspaceCommand.parse(["--size", "30", "--rank", "2", "--steps", "300", "--output", path])
        try command.validate()
        try command.run()
        #expect(try String(contentsOfFile: path, encoding: .utf8).contains("RiemannianAdam"))
    }
}
