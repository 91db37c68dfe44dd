import Testing
@testable import Constrained

/// The registration hook (`Parametrization.register(shape:)`) and the one error type.
@Suite("Registration hook and ConstrainedError")
struct RegistrationAndErrorTests {
    /// Records the shapes it is registered on, and refuses anything but a vector.
    final class ShapeLog: @unchecked Sendable { var shapes: [[Int]] = [] }

    struct VectorsOnly: Parametrization {
        let log: ShapeLog
        func forward(_ x: Tensor<Double>) -> Tensor<Double> { x * 2 }
        func rightInverse(_ y: Tensor<Double>) -> Tensor<Double> { y / 2 }
        func register(shape: [Int]) throws {
            log.shapes.append(shape)
            guard shape.count == 1 else {
                throw ConstrainedError("register", subject: "VectorsOnly", shape: shape,
                                       cause: .invalidShape("expected a vector"))
            }
        }
    }

    final class Plain: Layer {
        @Constrained var w = Tensor<Double>.ones([2, 2])
        @Constrained var v = Tensor<Double>([1, 2, 3])
    }

    @Test func registrationAtTheDeclarationSeesTheInitialValuesShape() {
        let log = ShapeLog()
        final class M: Layer {
            @AnyConstrained var v: Tensor<Double>
            init(_ log: ShapeLog) { _v = Constrained(wrappedValue: Tensor([1, 2, 3]), VectorsOnly(log: log)) }
        }
        let m = M(log)
        #expect(log.shapes == [[3]])
        #expect(m.v.scalars == [1, 2, 3])
    }

    @Test func aPropertyDeclaredWithoutAValueRegistersOnItsFirstAssignment() throws {
        let log = ShapeLog()
        let w = AnyConstrained<Double>(VectorsOnly(log: log))
        #expect(log.shapes.isEmpty)
        try w.assign(Tensor([2, 4]))
        #expect(log.shapes == [[2]])
        try w.assign(Tensor([6, 8]))
        #expect(log.shapes == [[2]], "only the first value registers")
    }

    @Test func parametrizeWithARefusedShapeThrowsAndChangesNothing() throws {
        let log = ShapeLog()
        let m = Plain()
        let error = #expect(throws: ConstrainedError.self) { try m.$w.parametrize(with: VectorsOnly(log: log)) }
        #expect(error?.cause == .invalidShape("expected a vector"))
        #expect(log.shapes == [[2, 2]])
        #expect(!m.$w.isParametrized)
        #expect(m.w == Tensor<Double>.ones([2, 2]))
        try m.$v.parametrize(with: VectorsOnly(log: log))
        #expect(m.$v.original.scalars == [0.5, 1, 1.5])
    }

    @Test func compositionsRegisterEveryPart() throws {
        let log = ShapeLog()
        var p = VectorsOnly(log: log) >>> VectorsOnly(log: log)
        try p.register(shape: [4])
        #expect(log.shapes == [[4], [4]])
    }

    @Test func theDescriptionNamesOperationSubjectKeyShapeAndCause() {
        let error = ConstrainedError("assign", subject: "Orthogonal<Double>", shape: [7],
                                     cause: .invalidShape("expected a matrix")).with(key: "w")
        #expect(error.description == "assign of Orthogonal<Double> to \"w\" (shape [7]): expected a matrix")
        let load = ConstrainedError("load", key: "head.bias", cause: .missingTensor)
        #expect(load.description == "load of \"head.bias\": no tensor of that name")
        #expect(load.with(key: "outer").key == "head.bias", "the innermost key is kept")
    }
}
