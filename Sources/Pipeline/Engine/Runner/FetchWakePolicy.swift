/// When the runner wakes its consumer's fetchers on librdkafka before 2.3 (``KafkaFetchWaker``).
///
/// There a fetcher whose prefetch queue reached its bound sleeps until something wakes it.
/// Waking it only once a backlog drained (a short poll after a full one) left the runner idle
/// for a whole refill round trip each time the queue ran empty. During a backlog (full polls)
/// it is therefore also woken each time half the bound has been taken since the last wake, so
/// the refill overlaps processing: at most one wake per half bound consumed, none outside a
/// backlog. The bound itself is unchanged (a fetch is still only sent below it).
struct FetchWakePolicy {
    /// Records of a full poll: one this size means more were waiting.
    let fullPoll: Int
    /// Bytes taken during a backlog between early wakes (half the prefetch bound).
    let earlyWakeBytes: Int
    /// A full poll came since the last wake.
    private(set) var inBacklog = false
    /// Record bytes taken by full polls since the last wake.
    private(set) var bytesSinceWake = 0

    init(fullPoll: Int, prefetchBoundKilobytes: Int) {
        self.fullPoll = fullPoll
        earlyWakeBytes = max(1, prefetchBoundKilobytes * 1024 / 2)
    }

    /// After a poll took `records` records of `bytes` key and value bytes: whether to wake the
    /// fetchers now. `canWake` is false while nothing may be fetched (paused, nothing owned).
    mutating func shouldWake(afterTaking records: Int, bytes: Int, canWake: Bool) -> Bool {
        if records >= fullPoll {
            inBacklog = true
            bytesSinceWake += bytes
            guard canWake, bytesSinceWake >= earlyWakeBytes else { return false }
            bytesSinceWake = 0
            return true
        }
        guard inBacklog, canWake else { return false }
        inBacklog = false
        bytesSinceWake = 0
        return true
    }
}
