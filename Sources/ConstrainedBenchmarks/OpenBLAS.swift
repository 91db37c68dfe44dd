import CLAPACK

/// The OpenBLAS thread pool the LAPACK-backed workloads run on. The setting is process-wide.
enum OpenBLAS {
    /// The number of threads OpenBLAS uses now.
    static var threads: Int { Int(openblas_get_num_threads()) }

    /// Sets the number of threads (as `OPENBLAS_NUM_THREADS` does at start-up).
    static func setThreads(_ count: Int) { openblas_set_num_threads(Int32(count)) }

    /// The build configuration, e.g. `OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Zen MAX_THREADS=64`.
    static var configuration: String { openblas_get_config().map { String(cString: $0) } ?? "unknown" }

    /// The kernel family chosen at run time, e.g. `Zen`.
    static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }
}
