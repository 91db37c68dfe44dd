#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar redrawn in place: `[####....] 120/2000 loss 0.0312 …`.
///
/// On a terminal it redraws with a carriage return; when the output is piped it prints a
/// full line every `plainEvery` updates instead, so logs stay readable.
struct ProgressBar {
    let total: Int
    let width = 28
    let isTerminal = isatty(1) == 1
    var plainEvery = 100

    /// Draws the bar at `step` (1-based) followed by `detail`.
    func update(step: Int, detail: String) {
        let filled = total == 0 ? width : width * step / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let line = "[\(bar)] \(step)/\(total) \(detail)"
        if isTerminal {
            print("\r" + line, terminator: step == total ? "\n" : "")
            fflush(stdout)
        } else if step % plainEvery == 0 || step == total || step == 1 {
            print(line)
        }
    }
}
