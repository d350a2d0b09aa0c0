/// The field names of the last event a reader parsed, by position, for the next one to reuse.
///
/// Events of a stream share their layout, and building 23 name strings per event (UTF-8
/// validation and all) was a sixth of parsing one: with this cache a name whose bytes equal
/// the previous event's name at the same position is the same `String`, found by comparing
/// the scanner's key of the bytes (exact for names under 8 bytes) and, for longer names,
/// the bytes themselves. Pass one per reader (a stage task); the parsed events are the same
/// with or without it.
public struct EventFieldNames: Sendable {
    @usableFromInline var names: [String] = []
    @usableFromInline var keys: [UInt64] = []
    /// False for the parser's own throwaway instance (one parse: nothing to reuse or keep).
    let isEnabled: Bool
    /// The storage of the last event's fields, shared with that event: when the reader has
    /// dropped the event by the next parse (a stage task handles one record at a time), the
    /// parser overwrites it in place instead of allocating an array and destroying the old
    /// one element by element (a sixth of reading a features record). If the event is still
    /// held, copy-on-write leaves it untouched.
    var recycledFields: [EventField] = []

    public init() {
        isEnabled = true
    }

    /// With `enabled` false, keeps nothing: for a single parse, where nothing can be reused.
    public init(enabled: Bool) {
        isEnabled = enabled
    }

    /// The cached name at `position` if its bytes are `raw` (whose scanner key is `key`).
    @inline(__always)
    func name(at position: Int, raw: UnsafeBufferPointer<UInt8>, key: UInt64) -> String? {
        guard position < keys.count, keys[position] == key else { return nil }
        let name = names[position]
        if raw.count < 8 { return name }  // the key is the bytes and the length
        let equal = JSONScanner.bytes(raw, equal: name)
        return equal ? name : nil
    }

    mutating func store(_ name: String, key: UInt64, at position: Int) {
        guard isEnabled else { return }
        while keys.count <= position {
            keys.append(0)
            names.append("")
        }
        keys[position] = key
        names[position] = name
    }
}
