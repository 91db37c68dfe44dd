/// A minimal SVG line chart of a loss curve, with optional horizontal reference lines.
///
/// Hand-written SVG (no plotting dependency): axes with five ticks each, a log-scaled y axis
/// when the values span more than two decades, one polyline per series.
struct LossPlot {
    struct Series {
        let name: String
        let color: String
        let points: [(x: Double, y: Double)]
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

    /// The SVG document.
    func svg(width: Double = 720, height: Double = 420) -> String {
        let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let plotW = width - left - right, plotH = height - top - bottom
        let xs = series.flatMap { $0.points.map(\.x) }
        let ys = series.flatMap { $0.points.map(\.y) }.filter { $0.isFinite && $0 > 0 } + references.map(\.y)
        let xMin = xs.min() ?? 0, xMax = max(xs.max() ?? 1, xMin + 1)
        var yMin = ys.min() ?? 1e-3, yMax = ys.max() ?? 1
        let logScale = yMax / max(yMin, 1e-300) > 100
        if !logScale { yMin = min(0, yMin); yMax *= 1.05 }
        func fy(_ y: Double) -> Double {
            let t: Double
            if logScale { t = (Double.log10(max(y, yMin)) - Double.log10(yMin)) / (Double.log10(yMax) - Double.log10(yMin)) }
            else { t = (y - yMin) / max(yMax - yMin, 1e-300) }
            return top + plotH * (1 - t)
        }
        func fx(_ x: Double) -> Double { left + plotW * (x - xMin) / (xMax - xMin) }
        func num(_ v: Double) -> String {
            if v != 0 && (abs(v) < 1e-2 || abs(v) >= 1e5) {
                let e = Int(Double.log10(abs(v)).rounded(.down))
                let m = v / Double.pow(10, Double(e))
                return "\(Double(Int(m * 10)) / 10)e\(e)"
            }
            return String(Double(Int(v * 1000)) / 1000)
        }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="22" text-anchor="middle" font-size="15">\(title)</text>
        <rect x="\(left)" y="\(top)" width="\(plotW)" height="\(plotH)" fill="none" stroke="#444"/>

        """
        for i in 0...4 {
            let x = xMin + (xMax - xMin) * Double(i) / 4
            out += "<text x=\"\(fx(x))\" y=\"\(top + plotH + 18)\" text-anchor=\"middle\">\(Int(x))</text>\n"
            let y = logScale ? Double.pow(10, Double.log10(yMin) + (Double.log10(yMax) - Double.log10(yMin)) * Double(i) / 4)
                             : yMin + (yMax - yMin) * Double(i) / 4
            out += "<text x=\"\(left - 6)\" y=\"\(fy(y) + 4)\" text-anchor=\"end\">\(num(y))</text>\n"
            out += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(fy(y))\" y2=\"\(fy(y))\" stroke=\"#eee\"/>\n"
        }
        out += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 12)\" text-anchor=\"middle\">\(xLabel)\(logScale ? "" : "")</text>\n"
        out += "<text x=\"18\" y=\"\(top + plotH / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 18 \(top + plotH / 2))\">\(yLabel)\(logScale ? " (log scale)" : "")</text>\n"
        var legendY = top + 16
        for r in references {
            out += "<line x1=\"\(left)\" x2=\"\(left + plotW)\" y1=\"\(fy(r.y))\" y2=\"\(fy(r.y))\" stroke=\"\(r.color)\" stroke-dasharray=\"6 4\"/>\n"
            out += "<text x=\"\(left + plotW - 8)\" y=\"\(legendY)\" text-anchor=\"end\" fill=\"\(r.color)\">\(r.name)</text>\n"
            legendY += 16
        }
        for s in series where !s.points.isEmpty {
            let pts = s.points.filter { $0.y.isFinite }.map { "\(fx($0.x)),\(fy($0.y))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(s.color)\" stroke-width=\"1.5\" points=\"\(pts)\"/>\n"
            out += "<text x=\"\(left + plotW - 8)\" y=\"\(legendY)\" text-anchor=\"end\" fill=\"\(s.color)\">\(s.name)</text>\n"
            legendY += 16
        }
        out += "</svg>\n"
        return out
    }
}
