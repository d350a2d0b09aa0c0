import Foundation

/// glibc malloc settings for a long-lived stage process, applied before its clients start.
///
/// By default glibc raises its mmap threshold (up to 32 MB) each time a large block is freed,
/// so later fetch buffers, record batches and model documents come from the heap, whose pages
/// it keeps after they are freed; and it creates up to 8 arenas per core for threads that
/// contend. A fixed 128 KB threshold (as before glibc moves it), a 128 KB trim threshold and 2
/// arenas, measured with `driftline bench pipeline --parts rss` (peak RSS, three runs each,
/// interleaved with the build without them): librdkafka 2.16 transform 66–71 → 60–61 MB,
/// learn 69–71 → 62–63 MB, detect 47–48 → 44–47 MB; librdkafka 2.0.2 (64 MB prefetch)
/// transform 120–122 → 110–119 MB, learn 96–106 → 85–93 MB.
enum StageAllocator {
    /// Blocks of at least this size are mapped on their own and returned when freed.
    static let mmapThresholdBytes: Int32 = 128 * 1024
    /// Free memory above this at the top of the heap goes back to the system.
    static let trimThresholdBytes: Int32 = 128 * 1024
    /// At most this many malloc arenas (glibc: 8 per core).
    static let arenaLimit: Int32 = 2

    /// Applies the settings unless the environment sets them (`MALLOC_*_` variables or
    /// `GLIBC_TUNABLES`), which then win.
    static func configure() {
        #if os(Linux)
        let configured = ProcessInfo.processInfo.environment.keys.contains { key in
            key == "GLIBC_TUNABLES" || key == "MALLOC_ARENA_MAX" || (key.hasPrefix("MALLOC_") && key.hasSuffix("_"))
        }
        guard !configured else { return }
        _ = glibcMallopt(Parameter.mmapThreshold, mmapThresholdBytes)
        _ = glibcMallopt(Parameter.trimThreshold, trimThresholdBytes)
        _ = glibcMallopt(Parameter.arenaMax, arenaLimit)
        #endif
    }

    /// `<malloc.h>`'s parameter numbers (the Glibc module does not export `mallopt`).
    private enum Parameter {
        static let trimThreshold: Int32 = -1  // M_TRIM_THRESHOLD
        static let mmapThreshold: Int32 = -3  // M_MMAP_THRESHOLD
        static let arenaMax: Int32 = -8  // M_ARENA_MAX
    }
}

#if os(Linux)
/// glibc's `int mallopt(int param, int value)`.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
