import Foundation

/// CPU time used by this process and by one of its threads, for benchmarks on a shared
/// machine: a loop's CPU per record does not depend on what else the machine runs, its
/// wall-clock rate does.
enum ThreadCPUTime {
    /// Seconds this process's threads have spent on a CPU so far.
    static func processSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    /// Seconds on a CPU of the live thread of this process whose kernel name is `name`
    /// (`/proc/self/task/TID/schedstat`, nanoseconds); nil when there is no such thread.
    static func seconds(ofThreadNamed name: String) -> Double? {
        guard let tasks = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task") else { return nil }
        for task in tasks {
            guard let comm = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
                  comm.trimmingCharacters(in: .newlines) == name,
                  let schedstat = try? String(contentsOfFile: "/proc/self/task/\(task)/schedstat", encoding: .utf8),
                  let nanoseconds = schedstat.split(separator: " ").first.flatMap({ Int64($0) })
            else { continue }
            return Double(nanoseconds) / 1e9
        }
        return nil
    }
}
