/// A minimal SVG line chart of loss curves, with optional horizontal reference lines.
///
/// Hand-written SVG (no plotting dependency): axes with five ticks each, a log-scaled y axis
/// when the positive values span more than two decades, one polyline per series, a legend
/// with a line sample per entry. Non-finite points are skipped; on a log axis non-positive
/// values are drawn at the axis' bottom.
///
/// ```swift
/// var plot = LossPlot(title: "copy task, L = 100")
/// plot.series.append(.init(name: "loss", color: "#1f77b4", points: [(1, 2.2), (2, 1.9)]))
/// plot.references.append(.init(name: "baseline", y: 0.173, color: "#d62728"))
/// try plot.svg().write(toFile: "loss.svg", atomically: true, encoding: .utf8)
/// ```
struct LossPlot {
    struct Series {
        let name: String
        let color: String
        var width = 1.5
        var opacity = 1.0
        let points: [(x: Double, y: Double)]

        init(name: String, color: String, width: Double = 1.5, opacity: Double = 1,
             points: [(x: Double, y: Double)]) {
            self.name = name
            self.color = color
            self.width = width
            self.opacity = opacity
            self.points = points
        }
    }

    struct ReferenceLine {
        let name: String
        let y: Double
        let color: String
    }

    var title: String
    var xLabel = "step"
    var yLabel = "loss"
    var series: [Series] = []
    var references: [ReferenceLine] = []

    init(title: String, xLabel: String = "step", yLabel: String = "loss") {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
    }

    /// Whether the y axis is logarithmic: the positive values span more than two decades.
    var usesLogScale: Bool {
        let (low, high) = positiveRange
        return high / low > 100
    }

    /// The smallest and largest positive finite value among the series and references.
    private var positiveRange: (low: Double, high: Double) {
        let ys = series.flatMap { $0.points.map(\.y) } + references.map(\.y)
        let positive = ys.filter { $0.isFinite && $0 > 0 }
        return (positive.min() ?? 1e-3, positive.max() ?? 1)
    }

    /// The SVG document.
    func svg(width: Double = 760, height: Double = 440) -> String {
        let left = 72.0, right = 24.0, top = 44.0, bottom = 52.0
        let plotW = width - left - right, plotH = height - top - bottom
        let xs = series.flatMap { $0.points.map(\.x) }.filter(\.isFinite)
        let xMin = xs.min() ?? 0, xMax = max(xs.max() ?? 1, xMin + 1)
        let logScale = usesLogScale
        var (yMin, yMax) = positiveRange
        if logScale {
            // Whole decades at both ends, so the ticks land on round numbers.
            yMin = Double.pow(10, Double.log10(yMin).rounded(.down))
            yMax = Double.pow(10, Double.log10(yMax).rounded(.up))
        } else {
            let finite = (series.flatMap { $0.points.map(\.y) } + references.map(\.y)).filter(\.isFinite)
            yMin = min(0, finite.min() ?? 0)
            yMax = max(finite.max() ?? 1, yMin + 1e-12) * 1.05
        }
        func fy(_ y: Double) -> Double {
            let t: Double
            if logScale {
                t = (Double.log10(max(y, yMin)) - Double.log10(yMin)) / (Double.log10(yMax) - Double.log10(yMin))
            } else {
                t = (y - yMin) / (yMax - yMin)
            }
            return top + plotH * (1 - t)
        }
        func fx(_ x: Double) -> Double { left + plotW * (x - xMin) / (xMax - xMin) }
        func f(_ v: Double) -> String { String(Double(Int((v * 10).rounded())) / 10) }

        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" \
        viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(f(width / 2))" y="24" text-anchor="middle" font-size="15">\(Self.escaped(title))</text>

        """
        // Grid and tick labels.
        let yTicks: [Double]
        if logScale {
            let decades = Int((Double.log10(yMax) - Double.log10(yMin)).rounded())
            let stride = max(1, (decades + 5) / 6)
            yTicks = Swift.stride(from: 0, through: decades, by: stride).map {
                Double.pow(10, Double.log10(yMin) + Double($0))
            }
        } else {
            yTicks = Self.niceTicks(from: yMin, to: yMax)
        }
        for y in yTicks {
            out += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(fy(y)))\" y2=\"\(f(fy(y)))\" stroke=\"#e6e6e6\"/>\n"
            out += "<text x=\"\(f(left - 6))\" y=\"\(f(fy(y) + 4))\" text-anchor=\"end\">\(Self.tickLabel(y))</text>\n"
        }
        for x in Self.niceTicks(from: xMin, to: xMax) {
            out += "<line x1=\"\(f(fx(x)))\" x2=\"\(f(fx(x)))\" y1=\"\(f(top))\" y2=\"\(f(top + plotH))\" stroke=\"#f0f0f0\"/>\n"
            out += "<text x=\"\(f(fx(x)))\" y=\"\(f(top + plotH + 18))\" text-anchor=\"middle\">\(Self.tickLabel(x))</text>\n"
        }
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#444\"/>\n"
        out += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 12))\" text-anchor=\"middle\">\(Self.escaped(xLabel))</text>\n"
        let yMid = f(top + plotH / 2)
        out += "<text x=\"18\" y=\"\(yMid)\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(yMid))\">"
            + "\(Self.escaped(yLabel))\(logScale ? " (log scale)" : "")</text>\n"

        // Curves, then reference lines on top (they must stay visible under a dense curve).
        out += "<clipPath id=\"plot-area\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\"/></clipPath>\n"
        out += "<g clip-path=\"url(#plot-area)\">\n"
        for s in series where !s.points.isEmpty {
            let pts = s.points.filter { $0.x.isFinite && $0.y.isFinite }
                .map { "\(f(fx($0.x))),\(f(fy($0.y)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"\(s.width)\" stroke-opacity=\"\(s.opacity)\" points=\"\(pts)\"/>\n"
        }
        for r in references where r.y.isFinite {
            out += "<line x1=\"\(f(left))\" x2=\"\(f(left + plotW))\" y1=\"\(f(fy(r.y)))\" y2=\"\(f(fy(r.y)))\" stroke=\"\(r.color)\" stroke-width=\"1.5\" stroke-dasharray=\"7 4\"/>\n"
        }
        out += "</g>\n"

        // Legend, top right, on a white box.
        let entries = series.filter { !$0.points.isEmpty }.map { ($0.name, $0.color, false) }
            + references.map { ($0.name, $0.color, true) }
        if !entries.isEmpty {
            let longest = entries.map(\.0.count).max() ?? 0
            let boxW = 44 + 7 * Double(longest), boxH = 8 + 18 * Double(entries.count)
            let boxX = left + plotW - boxW - 8, boxY = top + 8
            out += "<rect x=\"\(f(boxX))\" y=\"\(f(boxY))\" width=\"\(f(boxW))\" height=\"\(f(boxH))\" fill=\"white\" fill-opacity=\"0.9\" stroke=\"#bbb\"/>\n"
            for (i, entry) in entries.enumerated() {
                let y = boxY + 16 + 18 * Double(i)
                let dash = entry.2 ? " stroke-dasharray=\"7 4\"" : ""
                out += "<line x1=\"\(f(boxX + 8))\" x2=\"\(f(boxX + 34))\" y1=\"\(f(y - 4))\" y2=\"\(f(y - 4))\" stroke=\"\(entry.1)\" stroke-width=\"2\"\(dash)/>\n"
                out += "<text x=\"\(f(boxX + 40))\" y=\"\(f(y))\">\(Self.escaped(entry.0))</text>\n"
            }
        }
        out += "</svg>\n"
        return out
    }

    /// About five round tick positions in `low...high`: multiples of 1, 2 or 5 times a power
    /// of ten (each computed as an integer over a power of ten, so `0.6` prints as `0.6`).
    static func niceTicks(from low: Double, to high: Double) -> [Double] {
        guard low.isFinite, high.isFinite, high > low else { return [low] }
        let raw = (high - low) / 5
        let exponent = Int(Double.log10(raw).rounded(.down))
        let fraction = raw / Double.pow(10, Double(exponent))
        let mantissa = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10
        let power = Double.pow(10, Double(abs(exponent)))
        func value(_ k: Int) -> Double {
            exponent < 0 ? Double(k * mantissa) / power : Double(k * mantissa) * power
        }
        let step = value(1)
        let first = Int((low / step - 1e-9).rounded(.up)), last = Int((high / step + 1e-9).rounded(.down))
        guard first <= last else { return [low] }
        return (first...last).map(value)
    }

    /// A short tick label: integers as such, `0.0173`, or `1e-4` style for extreme magnitudes.
    static func tickLabel(_ v: Double) -> String {
        if v == 0 { return "0" }
        let magnitude = abs(v)
        if magnitude >= 1e5 || magnitude < 1e-3 {
            let e = Int(Double.log10(magnitude).rounded(.down))
            let m = v / Double.pow(10, Double(e))
            let mantissa = (m * 10).rounded() / 10
            return mantissa == 1 ? "1e\(e)" : mantissa == -1 ? "-1e\(e)" : "\(mantissa)e\(e)"
        }
        if v == v.rounded() && magnitude < 1e5 { return String(Int(v)) }
        // Three significant digits.
        let digits = max(0, 2 - Int(Double.log10(magnitude).rounded(.down)))
        let scale = Double.pow(10, Double(digits))
        let rounded = (v * scale).rounded() / scale
        return String(rounded)
    }

    /// `text` with XML's five special characters escaped.
    static func escaped(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}
