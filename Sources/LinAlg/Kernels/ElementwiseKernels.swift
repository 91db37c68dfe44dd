import CLAPACK
import CVectorMath
import Dispatch
import Synchronization

/// The run-time settings of LinAlg's elementwise kernels: the instruction set and the
/// number of threads.
///
/// The elementwise kernels (exp, expm1, log, log1p on SLEEF's vector functions; tanh,
/// sigmoid, softplus, log σ and their pullbacks as fused loops; sqrt, abs, relu, square, the
/// arithmetic and the last-axis norms) run in `CVectorMath` for the widest instruction set
/// this CPU has (AVX-512F, else AVX2 + FMA), and on LinAlg's portable Swift kernels
/// elsewhere; every path is within 2 ulp. A kernel over n elements runs on min(``threadCount``, n / grain)
/// threads, where the grain (32 768 elements for the transcendental functions, 131 072 for
/// memory-bound arithmetic) is about where a split measured faster than one thread; smaller
/// tensors, such as the activations of one RNN step, stay on the calling thread.
///
/// ```swift
/// ElementwiseKernels.threadCount = 1           // every elementwise kernel on the caller's thread
/// print(ElementwiseKernels.instructionSet)      // avx512 on a CPU with AVX-512F
/// ```
public enum ElementwiseKernels {
    /// A family of vector instructions the kernels can be compiled for.
    public enum InstructionSet: Int, Comparable, Sendable, CustomStringConvertible {
        /// LinAlg's Swift kernels, compiled for the baseline of the target.
        case portable = 0
        /// AVX2 with FMA: 4 Doubles or 8 Floats per instruction.
        case avx2 = 1
        /// AVX-512F: 8 Doubles or 16 Floats per instruction.
        case avx512 = 2

        public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

        /// `portable`, `avx2` or `avx512`.
        public var description: String {
            switch self {
            case .portable: "portable"
            case .avx2: "avx2"
            case .avx512: "avx512"
            }
        }
    }

    /// The instruction set the kernels run on now.
    ///
    /// Reading gives the widest set the CPU supports, capped by the last value set; setting
    /// a narrower set caps it (for A/B measurements, and so tests reach every path on one
    /// machine). The setting belongs to the calling thread, and a kernel it splits across
    /// threads runs on that set on every thread; other threads keep theirs, so a test that
    /// caps the set does not change what tests running beside it compute.
    public static var instructionSet: InstructionSet {
        get { InstructionSet(rawValue: Int(cvm_isa())) ?? .portable }
        set { cvm_set_isa_limit(Int32(newValue.rawValue)) }
    }

    /// The override of the thread count; 0 follows OpenBLAS.
    private static let threadOverride = Atomic<Int>(0)

    /// The number of threads a large elementwise kernel uses (at least 1).
    ///
    /// By default the count follows OpenBLAS's (`OPENBLAS_NUM_THREADS`,
    /// `openblas_set_num_threads`), so one setting governs the matrix and the elementwise
    /// work; setting a value below 1 restores that default. The setting is process-wide.
    public static var threadCount: Int {
        get {
            let value = threadOverride.load(ordering: .relaxed)
            return value > 0 ? value : Swift.max(1, Int(openblas_get_num_threads()))
        }
        set { threadOverride.store(Swift.max(0, newValue), ordering: .relaxed) }
    }

    /// Elements per thread below which a transcendental kernel is not split.
    static let transcendentalGrain = 1 << 15

    /// Elements per thread below which a memory-bound kernel is not split.
    static let arithmeticGrain = 1 << 17

    /// Ranges per thread in a split: a thread that starts late takes fewer of them.
    static let rangesPerThread = 4

    /// Runs `body` over consecutive ranges covering `0..<count` (starts aligned to 64
    /// elements), on up to `limit` threads when that pays (at least `grain` elements per thread).
    ///
    /// The ranges go to CVectorMath's worker pool (`cvm_parallel_for`), whose threads spin
    /// briefly after a loop, so a kernel called again soon starts on every thread at once;
    /// when the pool is busy with another caller's loop, libdispatch runs this one.
    static func split(_ count: Int, grain: Int, threads limit: Int = threadCount, _ body: (Range<Int>) -> Void) {
        let threads = Swift.min(limit, count / grain)
        if threads <= 1 { body(0..<count); return }
        let chunk = ((count + threads * rangesPerThread - 1) / (threads * rangesPerThread) + 63) & ~63
        // The ranges run on other threads under this thread's cap on the instruction set.
        let limit = cvm_isa_limit()
        let ran = withoutActuallyEscaping(body) { body -> Bool in
            var task: (limit: Int32, body: (Range<Int>) -> Void) = (limit, body)
            return withUnsafeMutablePointer(to: &task) { pointer in
                cvm_parallel_for(Int32(threads), count, chunk, { context, start, end in
                    let task = context!.assumingMemoryBound(to: (limit: Int32, body: (Range<Int>) -> Void).self)
                    let saved = cvm_isa_limit()
                    cvm_set_isa_limit(task.pointee.limit)
                    task.pointee.body(start..<end)
                    cvm_set_isa_limit(saved)
                }, pointer) != 0
            }
        }
        if ran { return }
        let share = ((count + threads - 1) / threads + 63) & ~63
        withoutActuallyEscaping(body) { body in
            let task = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                let start = t * share, end = Swift.min(count, start + share)
                guard start < end else { return }
                let saved = cvm_isa_limit()
                cvm_set_isa_limit(limit)
                task.value(start..<end)
                cvm_set_isa_limit(saved)
            }
        }
    }
}

/// A value handed to `DispatchQueue.concurrentPerform` whose uses are disjoint by
/// construction (each iteration writes its own range of the output).
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
