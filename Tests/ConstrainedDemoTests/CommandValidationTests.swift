import ArgumentParser
import Testing
@testable import ConstrainedDemo

/// The demo's options are checked before any training starts.
@Suite("Demo option validation")
struct CommandValidationTests {
    func message<C: ParsableCommand>(_: C.Type, _ arguments: [String]) -> String? {
        do {
            _ = try C.parse(arguments)
            return nil
        } catch {
            return C.message(for: error)
        }
    }

    @Test func aNegativeStepCountSaysItMustBePositive() {
        for arguments in [["--steps", "-5"], ["--steps=-5"]] {
            let text = message(CopyTaskCommand.self, arguments)
            #expect(text == "--steps must be a positive integer, got -5.", "\(arguments): \(text ?? "accepted")")
        }
        #expect(message(SpectralFitCommand.self, ["--steps", "-5"]) == "--steps must be a positive integer, got -5.")
        #expect(message(PositiveFitCommand.self, ["--learning-rate", "-0.1"])?.contains("must be a positive finite number") == true)
    }

    @Test func anUnwritableOutputIsRejectedBeforeTraining() {
        // /proc refuses new folders even for root.
        for command in [message(CopyTaskCommand.self, ["--output", "/proc/constrained-demo/plot.svg"]),
                        message(SpectralFitCommand.self, ["--output", "/proc/constrained-demo/plot.svg"]),
                        message(PositiveFitCommand.self, ["--output", "/proc/constrained-demo/plot.svg"])] {
            #expect(command?.hasPrefix("--output: cannot create the folder \"/proc/constrained-demo\"") == true, "\(command ?? "accepted")")
        }
    }

    @Test func validOptionsParse() {
        #expect(message(SpectralFitCommand.self, ["--steps", "5", "--output", "demo-output/validation-test.svg"]) == nil)
    }
}
