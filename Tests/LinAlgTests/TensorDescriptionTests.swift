import Testing
@testable import LinAlg

/// `print(tensor)`: the header, aligned columns, every digit the scalar type holds, and
/// NumPy's summary of large tensors.
@Suite("Tensor description")
struct TensorDescriptionTests {
    @Test func matrixColumnsAlignOnTheDecimalPoint() {
        let t = Tensor<Double>(shape: [2, 2], scalars: [1, 2.5, -3, 4.25])
        #expect(t.description == """
            Tensor<Double>(shape: [2, 2])
            [[ 1.0 ,  2.5 ],
             [-3.0 ,  4.25]]
            """)
    }

    @Test func mixedWidthsPadTheWholeAndTheFractionalParts() {
        let t = Tensor<Double>(shape: [3], scalars: [-120.5, 3, 0.125])
        #expect(t.description == "Tensor<Double>(shape: [3])\n[-120.5  ,    3.0  ,    0.125]")
    }

    @Test func floatShowsTheDigitsAFloatHolds() {
        let t = Tensor<Float>(shape: [3], scalars: [1 / 3, -2, 0.1])
        #expect(t.description == "Tensor<Float>(shape: [3])\n[ 0.33333334, -2.0       ,  0.1       ]")
    }

    @Test func doubleShowsTheDigitsADoubleHolds() {
        let t = Tensor<Double>(shape: [2], scalars: [1.0 / 3, -0.1])
        #expect(t.description == "Tensor<Double>(shape: [2])\n[ 0.3333333333333333, -0.1               ]")
    }

    @Test func valuesWithAnExponentAreRightAligned() {
        let t = Tensor<Double>(shape: [3], scalars: [1e-5, -2, .infinity])
        #expect(t.description == "Tensor<Double>(shape: [3])\n[1e-05,  -2.0,   inf]")
    }

    @Test func everyPrintedValueReadsBackExactly() {
        let d = Tensor<Double>.randomNormal([4, 5], seed: 1)
        #expect(printedValues(d.description).map { Double($0)! } == d.scalars)
        let f = Tensor<Float>.randomNormal([4, 5], seed: 2)
        #expect(printedValues(f.description).map { Float($0)! } == f.scalars)
    }

    @Test func threeDimensionalBlocksAreSeparatedByABlankLine() {
        let t = Tensor<Double>(shape: [2, 2, 2], scalars: [1, 2, 3, 4, 5, 6, 7, -8])
        #expect(t.description == """
            Tensor<Double>(shape: [2, 2, 2])
            [[[ 1.0,  2.0],
              [ 3.0,  4.0]],

             [[ 5.0,  6.0],
              [ 7.0, -8.0]]]
            """)
    }

    @Test func scalarsAndEmptyTensors() {
        #expect(Tensor<Double>(shape: [], scalars: [-1.5]).description == "Tensor<Double>(shape: [])\n-1.5")
        #expect(Tensor<Float>(shape: [0], scalars: []).description == "Tensor<Float>(shape: [0])\n[]")
    }

    @Test func largeTensorsShowThreeEntriesAtEachEndOfEachAxis() {
        let t = Tensor<Double>(shape: [40, 40], scalars: (0..<1600).map { Double($0) })
        #expect(t.description == """
            Tensor<Double>(shape: [40, 40])
            [[   0.0,    1.0,    2.0, ...,   37.0,   38.0,   39.0],
             [  40.0,   41.0,   42.0, ...,   77.0,   78.0,   79.0],
             [  80.0,   81.0,   82.0, ...,  117.0,  118.0,  119.0],
             ...,
             [1480.0, 1481.0, 1482.0, ..., 1517.0, 1518.0, 1519.0],
             [1520.0, 1521.0, 1522.0, ..., 1557.0, 1558.0, 1559.0],
             [1560.0, 1561.0, 1562.0, ..., 1597.0, 1598.0, 1599.0]]
            """)
        let long = Tensor<Float>.zeros([2000]).description
        #expect(long == "Tensor<Float>(shape: [2000])\n[0.0, 0.0, 0.0, ..., 0.0, 0.0, 0.0]")
    }

    @Test func tensorsAtTheThresholdAreShownWhole() {
        let t = Tensor<Double>.zeros([1000]).description
        #expect(!t.contains("...") && printedValues(t).count == 1000)
    }

    /// The numbers of a description, in order.
    private func printedValues(_ description: String) -> [String] {
        description.split(separator: "\n").dropFirst().joined(separator: " ")
            .split(whereSeparator: { "[], ".contains($0) }).map(String.init)
    }
}
