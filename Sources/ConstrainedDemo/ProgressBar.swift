#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-line progress bar redrawn in place: `[####....] 120/2000 loss 0.0312 …`.
///
/// On a terminal it redraws with a carriage return; when the output is piped (a log, CI) it
/// prints a full line every `plainEvery` steps (and the first and last) instead, so logs stay
/// readable.
struct ProgressBar {
    let total: Int
    let width = 28
    let isTerminal = isatty(STDOUT_FILENO) == 1
    var plainEvery: Int

    init(total: Int, plainEvery: Int = 100) {
        self.total = total
        self.plainEvery = max(plainEvery, 1)
    }

    /// The bar at `step` (1-based, clamped to `0...total`) followed by `detail`.
    func line(step: Int, detail: String) -> String {
        let clamped = min(max(step, 0), total)
        let filled = total <= 0 ? width : width * clamped / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "[\(bar)] \(step)/\(total) \(detail)"
    }

    /// Draws the bar at `step` (1-based) followed by `detail`.
    func update(step: Int, detail: String) {
        if isTerminal {
            // Clear to the end of the line: a shorter line must not leave the tail of the last.
            print("\r" + line(step: step, detail: detail) + "\u{1B}[K", terminator: step >= total ? "\n" : "")
            // `fflush(nil)` flushes every stream; naming `stdout` is a global `var` that Swift 6's
            // strict concurrency refuses.
            fflush(nil)
        } else if step % plainEvery == 0 || step >= total || step == 1 {
            print(line(step: step, detail: detail))
            fflush(nil)
        }
    }
}
