import Testing
@testable import ConstrainedDemo

/// The demo's hand-written SVG chart and its helpers.
struct LossPlotTests {
    @Test func escapesXMLSpecialCharacters() {
        #expect(LossPlot.escaped("a < b & \"c\" > 'd'") == "a &lt; b &amp; &quot;c&quot; &gt; &apos;d&apos;")
    }

    @Test func usesALogAxisOnlyWhenValuesSpanMoreThanTwoDecades() {
        var plot = LossPlot(title: "t")
        plot.series.append(.init(name: "s", color: "#000", points: [(1, 2.0), (2, 0.05)]))
        #expect(!plot.usesLogScale)
        plot.references.append(.init(name: "r", y: 0.001, color: "#f00"))
        #expect(plot.usesLogScale)
    }

    @Test func drawsEverySeriesReferenceAndLegendEntry() {
        var plot = LossPlot(title: "Copy <task>")
        plot.series.append(.init(name: "loss", color: "#111", points: [(1, 2.2), (2, .nan), (3, 0.01)]))
        plot.series.append(.init(name: "avg", color: "#222", points: [(1, 2.2), (3, 0.02)]))
        plot.references.append(.init(name: "baseline", y: 0.17, color: "#333"))
        let svg = plot.svg()
        #expect(svg.hasPrefix("<svg") && svg.hasSuffix("</svg>\n"))
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("Copy &lt;task&gt;"))
        for name in ["loss", "avg", "baseline"] { #expect(svg.contains(">\(name)</text>")) }
        // The NaN point is skipped: the first polyline has two points.
        let first = svg.components(separatedBy: "points=\"")[1].prefix { $0 != "\"" }
        #expect(first.split(separator: " ").count == 2)
        #expect(!svg.contains("nan"))
    }

    @Test func tickLabelsAreShort() {
        #expect(LossPlot.tickLabel(0) == "0")
        #expect(LossPlot.tickLabel(1500) == "1500")
        #expect(LossPlot.tickLabel(0.1733) == "0.173")
        #expect(LossPlot.tickLabel(1e-4) == "1e-4")
        #expect(LossPlot.tickLabel(2.5e-5) == "2.5e-5")
    }

    @Test func movingMedianIsTheTrailingMedianOfFiniteValues() {
        let points: [(x: Double, y: Double)] = [(1, 1), (2, 9), (3, .nan), (4, 5), (5, 7), (6, 100)]
        let smoothed = movingMedian(points, window: 3)
        #expect(smoothed.map(\.x) == [1, 2, 4, 5, 6])
        #expect(smoothed.map(\.y) == [1, 5, 5, 7, 7])
    }

    @Test func axisTicksAreRoundNumbersInsideTheRange() {
        #expect(LossPlot.niceTicks(from: 1, to: 800) == [200, 400, 600, 800])
        #expect(LossPlot.niceTicks(from: 0, to: 1000) == [0, 200, 400, 600, 800, 1000])
        #expect(LossPlot.niceTicks(from: 0, to: 300) == [0, 50, 100, 150, 200, 250, 300])
        #expect(LossPlot.niceTicks(from: 0, to: 1) == [0, 0.2, 0.4, 0.6, 0.8, 1])
    }

    @Test func progressBarClampsAndFills() {
        let bar = ProgressBar(total: 4)
        #expect(bar.line(step: 2, detail: "x").hasPrefix("[" + String(repeating: "#", count: 14) + String(repeating: ".", count: 14) + "] 2/4 x"))
        #expect(bar.line(step: 9, detail: "").hasPrefix("[" + String(repeating: "#", count: 28) + "]"))
    }
}
