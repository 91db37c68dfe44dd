import Testing
import Constrained

@Test func importingConstrainedGivesTheTensorType() {
    let t = Tensor<Double>.eye(2)
    #expect(t.shape == [2, 2])
}
