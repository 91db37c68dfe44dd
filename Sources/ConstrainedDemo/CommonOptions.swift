import ArgumentParser
import Foundation

/// Validation shared by the subcommands: each failure names the option and the value.
enum Check {
    static func positive(_ value: Int, _ option: String) throws {
        guard value > 0 else { throw ValidationError("\(option) must be a positive integer, got \(value).") }
    }

    static func positive(_ value: Double, _ option: String) throws {
        guard value.isFinite && value > 0 else {
            throw ValidationError("\(option) must be a positive finite number, got \(value).")
        }
    }

    static func range(_ value: Int, _ range: ClosedRange<Int>, _ option: String, why: String = "") throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be in \(range.lowerBound)...\(range.upperBound), got \(value)\(why.isEmpty ? "" : " (\(why))").")
        }
    }

    /// The plot path can be written, checked before training rather than after it: its folder
    /// is created (as the final write does), and the file, or the folder for a new file, must
    /// be writable.
    static func writable(_ path: String, _ option: String = "--output") throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw ValidationError("\(option): cannot create the folder \"\(folder.path)\" for \"\(path)\": \(error.localizedDescription)")
        }
        let target = FileManager.default.fileExists(atPath: url.path) ? url.path : folder.path
        guard FileManager.default.isWritableFile(atPath: target) else {
            throw ValidationError("\(option): \"\(target)\" is not writable, so the plot \"\(path)\" could not be saved after training.")
        }
    }

    /// The plot path: it must name an `.svg` file.
    static func svgPath(_ path: String, _ option: String = "--output") throws {
        guard path.hasSuffix(".svg"), !path.hasSuffix("/") else {
            throw ValidationError("\(option) must name an .svg file, got \"\(path)\".")
        }
    }
}

/// Writes `contents` to `path`, creating the directories on the way; returns the absolute path.
func writeFile(_ contents: String, to path: String) throws -> String {
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try contents.write(to: url, atomically: true, encoding: .utf8)
    return url.standardizedFileURL.path
}

/// `value` with `digits` significant digits (`%g`: plain for moderate magnitudes,
/// scientific below 1e-4 or from 10^digits on).
func formatted(_ value: Double, digits: Int = 4) -> String {
    guard value.isFinite else { return "\(value)" }
    return String(format: "%.\(max(digits, 1))g", value)
}

/// A fixed-width column: `text` padded on the left to `width`.
func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

/// Wall-clock seconds since `start`.
func seconds(since start: ContinuousClock.Instant) -> Double {
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
}
