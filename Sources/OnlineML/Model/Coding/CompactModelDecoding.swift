/// Reads a compact model document (no whitespace between tokens, as Driftline writes it)
/// without building a ``JSONValue`` for its per-feature members.
///
/// A model with 1M weights is a document of ~40 MB whose bulk is `features` and the objects
/// keyed by feature name (`weights`, the optimizer's state, `cumulative` L1). The generic parser
/// turns each of those into a dictionary of a million entries, then looks every name up again.
/// Here the feature names are indexed once by their raw bytes (``FeatureNameIndex``) and each
/// keyed object is read in one pass into an array by feature id. Numbers go through the same
/// correctly rounded conversion as the generic parser, so the result is bit-identical.
///
/// Everything else (configuration, transformer state, metrics, lineage) is small and goes
/// through the generic parser. Returns nil — the caller falls back to the generic path — when a
/// feature name or key holds an escape sequence.
enum CompactModelDecoding {
    typealias Members = [(key: Range<Int>, range: Range<Int>)]

    /// The document and the JSON object of its other (small) top-level members.
    static func decode(_ text: UnsafeBufferPointer<UInt8>, members: Members) throws(ModelDocumentError)
        -> (value: ModelDocument, json: JSONValue)?
    {
        var rest: [String: JSONValue] = [:]
        var keyed: [String: Range<Int>] = [:]
        for member in members {
            let key = String(decoding: UnsafeBufferPointer(rebasing: text[member.key]), as: UTF8.self)
            let value = member.key.upperBound + 2..<member.range.upperBound
            switch key {
            case "features", "weights", "optimizer_state", "l1_state":
                keyed[key] = value
            default:
                guard rest[key] == nil else { throw ModelDocumentError("duplicate key '\(key)'") }
                rest[key] = try CanonicalJSON.parse(UnsafeBufferPointer(rebasing: text[value]))
            }
        }
        let json = JSONValue.object(rest)
        let configuration = try ModelDocument.configuration(json)
        guard let featuresRange = keyed["features"] else { throw ModelDocumentError("missing 'features'") }
        guard let index = try FeatureNameIndex(text, array: featuresRange) else { return nil }
        let names = index.names

        guard let weightsRange = keyed["weights"] else { throw ModelDocumentError("missing 'weights'") }
        guard let weights = try index.values(text, object: weightsRange, "weights") else { return nil }
        guard let intercept = rest["intercept"]?.doubleValue else { throw ModelDocumentError("'intercept' is not a number") }

        guard let optimizerRange = keyed["optimizer_state"] else { throw ModelDocumentError("missing 'optimizer_state'") }
        guard let optimizerState = try index.object(text, optimizerRange, "optimizer_state") else { return nil }
        var optimizer = configuration.learner.optimizer.makeOptimizer()
        guard optimizerState.scalars["name"]?.stringValue == configuration.learner.optimizer.name else {
            throw ModelDocumentError("optimizer state does not match the configured optimizer")
        }
        var arrays: [String: [Double]] = [:]
        for (name, _) in optimizer.stateArrays() {
            guard let values = optimizerState.arrays[name] else { throw ModelDocumentError("missing '\(name)'") }
            arrays[name] = values
        }
        guard let stepCount = optimizerState.scalars["step_count"]?.intValue else {
            throw ModelDocumentError("'step_count' is not an integer")
        }
        try optimizer.restore(stepCount: stepCount, arrays: arrays)

        var maxL1 = 0.0
        var cumulative: [Double] = []
        if configuration.learner.l1 != 0 {
            guard let l1Range = keyed["l1_state"] else { throw ModelDocumentError("missing 'l1_state'") }
            guard let l1 = try index.object(text, l1Range, "l1_state") else { return nil }
            guard let max = l1.scalars["max_cumulative"]?.doubleValue else {
                throw ModelDocumentError("'max_cumulative' is not a number")
            }
            guard let values = l1.arrays["cumulative"] else { throw ModelDocumentError("missing 'cumulative'") }
            maxL1 = max
            cumulative = values
        }
        let learner = LinearModel(
            configuration: configuration.learner, weights: weights, intercept: intercept, optimizer: optimizer,
            maxCumulativeL1: maxL1, cumulativeL1: cumulative)
        let document = try ModelDocument(json: json, configuration: configuration, names: names, learner: learner)
        return (document, json)
    }
}

/// The feature names of a document, indexed by their raw UTF-8 bytes in the document text
/// (open addressing; no `String` is hashed), to read objects keyed by feature name.
struct FeatureNameIndex {
    let names: [String]
    private let ranges: [Range<Int>]
    private let slots: [Slot]
    private let mask: Int

    /// Reads the array of strings at `array` in `text`; nil if a name holds an escape.
    init?(_ text: UnsafeBufferPointer<UInt8>, array: Range<Int>) throws(ModelDocumentError) {
        var names: [String] = []
        var ranges: [Range<Int>] = []
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: text[..<array.upperBound]))
        scanner.position = array.lowerBound
        do throws(JSONSyntaxError) {
            if try scanner.opens(UInt8(ascii: "["), closedBy: UInt8(ascii: "]")) {
                while true {
                    let start = scanner.position + 1
                    let name = try scanner.string()
                    let raw = start..<scanner.position - 1
                    guard name.utf8.count == raw.count else { return nil }  // an escape
                    names.append(name)
                    ranges.append(raw)
                    if try scanner.closes(UInt8(ascii: "]")) { break }
                }
            }
        } catch {
            throw ModelDocumentError("JSON syntax at byte \(error.offset): \(error.detail)")
        }
        guard scanner.position == array.upperBound else { throw ModelDocumentError("'features' is not an array of strings") }
        var capacity = 16
        while capacity < names.count * 2 { capacity <<= 1 }
        var slots = [Slot](repeating: Slot(lo: 0, hi: 0, id: -1, count: 0), count: capacity)
        let mask = capacity - 1
        for (id, range) in ranges.enumerated() {
            let key = Slot(text, range, id: id)
            var slot = Self.hash(text, range, key) & mask
            while slots[slot].id >= 0 {
                if Self.matches(slots[slot], ranges, text, range, key) { throw ModelDocumentError("duplicate feature names") }
                slot = (slot + 1) & mask
            }
            slots[slot] = key
        }
        self.names = names
        self.ranges = ranges
        self.slots = slots
        self.mask = mask
    }

    /// A table entry: the name's first 16 bytes inline (zero-padded), so that a lookup
    /// usually touches one entry and nothing else — with a million names every other memory
    /// access is a cache miss.
    struct Slot {
        var lo: UInt64
        var hi: UInt64
        var id: Int32
        var count: Int32

        @inline(__always)
        init(lo: UInt64, hi: UInt64, id: Int32, count: Int32) {
            self.lo = lo
            self.hi = hi
            self.id = id
            self.count = count
        }

        /// The entry for the bytes at `range` of `text`.
        @inline(__always)
        init(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, id: Int) {
            var lo: UInt64 = 0, hi: UInt64 = 0
            let base = text.baseAddress! + range.lowerBound
            let n = min(range.count, 16)
            if range.lowerBound + 16 <= text.count {
                let raw = UnsafeRawPointer(base)
                lo = raw.loadUnaligned(as: UInt64.self)
                hi = raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)
                if n < 8 {
                    lo &= (1 << UInt64(8 * n)) &- 1
                    hi = 0
                } else if n < 16 {
                    hi &= (1 << UInt64(8 * (n - 8))) &- 1
                }
            } else {
                for k in 0..<n {
                    if k < 8 { lo |= UInt64(base[k]) << UInt64(8 * k) } else { hi |= UInt64(base[k]) << UInt64(8 * (k - 8)) }
                }
            }
            self.init(lo: lo, hi: hi, id: Int32(id), count: Int32(range.count))
        }
    }

    /// Whether `entry` holds the name whose bytes (at `range` of `text`) `key` was made from.
    @inline(__always)
    private static func matches(
        _ entry: Slot, _ ranges: [Range<Int>], _ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ key: Slot
    ) -> Bool {
        guard entry.lo == key.lo, entry.hi == key.hi, entry.count == key.count else { return false }
        guard key.count > 16 else { return true }
        let other = ranges[Int(entry.id)]
        return equal(text.baseAddress! + other.lowerBound + 16, text.baseAddress! + range.lowerBound + 16, range.count - 16)
    }

    /// Byte equality, 8 bytes at a time.
    @inline(__always)
    static func equal(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        var k = 0
        while k + 8 <= count {
            if UnsafeRawPointer(a + k).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + k).loadUnaligned(as: UInt64.self) {
                return false
            }
            k += 8
        }
        while k < count {
            if a[k] != b[k] { return false }
            k += 1
        }
        return true
    }

    /// A hash of the name: its inline words, plus FNV-1a over any bytes past 16, finalised
    /// with murmur3's fmix64.
    @inline(__always)
    static func hash(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ key: Slot) -> Int {
        var h = key.lo &* 0x9E37_79B9_7F4A_7C15 ^ (key.hi &+ UInt64(key.count)) &* 0xC2B2_AE3D_27D4_EB4F
        if range.count > 16 {
            for b in text[(range.lowerBound + 16)..<range.upperBound] { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return Int(truncatingIfNeeded: h)
    }

    /// The id of the name whose raw bytes are `key`.
    @inline(__always)
    func id(_ text: UnsafeBufferPointer<UInt8>, key range: Range<Int>) -> Int? {
        let key = Slot(text, range, id: -1)
        var slot = Self.hash(text, range, key) & mask
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let entry = slots[slot]
                if entry.id < 0 { return nil }
                if Self.matches(entry, ranges, text, range, key) { return Int(entry.id) }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The object at `object` (feature name → number) as an array by feature id (absent names
    /// are 0, unknown names are ignored, as in the generic reader); nil if a key holds an escape.
    func values(_ text: UnsafeBufferPointer<UInt8>, object: Range<Int>, _ what: String) throws(ModelDocumentError)
        -> [Double]?
    {
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: text[..<object.upperBound]))
        scanner.position = object.lowerBound
        let values = try values(&scanner, what)
        guard scanner.position == object.upperBound else { throw ModelDocumentError("'\(what)' is not an object") }
        return values
    }

    /// Two passes: the text is parsed in order into (key range, number), then the keys are
    /// looked up. The lookups and the writes by id are independent of each other — the CPU
    /// overlaps their cache misses — while interleaved with the parsing they ran one by one.
    private func values(_ scanner: inout JSONScanner, _ what: String) throws(ModelDocumentError) -> [Double]? {
        let text = scanner.bytes
        var keys: [Range<Int>] = []
        var numbers: [Double] = []
        keys.reserveCapacity(names.count)
        numbers.reserveCapacity(names.count)
        do throws(JSONSyntaxError) {
            if try scanner.opens(UInt8(ascii: "{"), closedBy: UInt8(ascii: "}")) {
                while true {
                    guard try scanner.peek() == UInt8(ascii: "\"") else { throw scanner.error("expected a key") }
                    let start = scanner.position + 1
                    var end = start
                    while end < text.count, text[end] != UInt8(ascii: "\"") {
                        if text[end] == UInt8(ascii: "\\") { return nil }
                        end += 1
                    }
                    guard end < text.count else { throw scanner.error("unterminated string") }
                    scanner.position = end + 1
                    try scanner.expect(UInt8(ascii: ":"), "':'")
                    let valueStart = scanner.position
                    guard let first = try? scanner.peek(), first == UInt8(ascii: "-") || (first >= 0x30 && first <= 0x39)
                    else {
                        let name = String(decoding: UnsafeBufferPointer(rebasing: text[start..<end]), as: UTF8.self)
                        throw JSONSyntaxError(offset: valueStart, detail: "'\(what)' of '\(name)' is not a number")
                    }
                    numbers.append(try scanner.number())
                    keys.append(start..<end)
                    if try scanner.closes(UInt8(ascii: "}")) { break }
                }
            }
        } catch {
            throw ModelDocumentError("JSON syntax at byte \(error.offset): \(error.detail)")
        }
        var out = [Double](repeating: 0, count: names.count)
        var seen = [Bool](repeating: false, count: names.count)
        for k in keys.indices {
            guard let id = id(text, key: keys[k]) else { continue }  // not a feature: ignored
            guard !seen[id] else {
                throw ModelDocumentError("JSON syntax at byte \(keys[k].lowerBound): duplicate key in '\(what)'")
            }
            seen[id] = true
            out[id] = numbers[k]
        }
        return out
    }

    /// An object whose object-valued members are keyed by feature name (read as arrays by id)
    /// and whose other members are small values (`name`, `step_count`, `max_cumulative`).
    func object(_ text: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, _ what: String) throws(ModelDocumentError)
        -> (scalars: [String: JSONValue], arrays: [String: [Double]])?
    {
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: text[..<range.upperBound]))
        scanner.position = range.lowerBound
        var scalars: [String: JSONValue] = [:]
        var arrays: [String: [Double]] = [:]
        do throws(JSONSyntaxError) {
            if try scanner.opens(UInt8(ascii: "{"), closedBy: UInt8(ascii: "}")) {
                while true {
                    let key = try scanner.string()
                    try scanner.expect(UInt8(ascii: ":"), "':'")
                    guard scalars[key] == nil, arrays[key] == nil else { throw scanner.error("duplicate key '\(key)'") }
                    if try scanner.peek() == UInt8(ascii: "{") {
                        do throws(ModelDocumentError) {
                            guard let values = try values(&scanner, key) else { return nil }
                            arrays[key] = values
                        } catch {
                            throw JSONSyntaxError(offset: scanner.position, detail: error.message)
                        }
                    } else {
                        let start = scanner.position
                        try skipValue(&scanner)
                        do throws(ModelDocumentError) {
                            scalars[key] = try CanonicalJSON.parse(UnsafeBufferPointer(rebasing: text[start..<scanner.position]))
                        } catch {
                            throw JSONSyntaxError(offset: start, detail: error.message)
                        }
                    }
                    if try scanner.closes(UInt8(ascii: "}")) { break }
                }
            }
        } catch {
            throw ModelDocumentError("JSON syntax at byte \(error.offset) of '\(what)': \(error.detail)")
        }
        guard scanner.position == range.upperBound else { throw ModelDocumentError("'\(what)' is not an object") }
        return (scalars, arrays)
    }

    /// Moves past one scalar value (string, number, literal).
    private func skipValue(_ scanner: inout JSONScanner) throws(JSONSyntaxError) {
        switch try scanner.peek() {
        case UInt8(ascii: "\""): _ = try scanner.string()
        case UInt8(ascii: "t"): try scanner.literal("true")
        case UInt8(ascii: "f"): try scanner.literal("false")
        case UInt8(ascii: "n"): try scanner.literal("null")
        case UInt8(ascii: "["), UInt8(ascii: "{"): throw scanner.error("unexpected nested value")
        default: _ = try scanner.number()
        }
    }
}

extension JSONScanner {
    /// Consumes `open`, and `close` right after it if the object or array is empty: true when
    /// members or items follow.
    @inline(__always)
    fileprivate mutating func opens(_ open: UInt8, closedBy close: UInt8) throws(JSONSyntaxError) -> Bool {
        try expect(open, "'\(Character(Unicode.Scalar(open)))'")
        guard try peek() == close else { return true }
        position += 1
        return false
    }

    /// The step after a member or an item: consumes a `,` (false: another one follows) or
    /// `close` (true: the object or array ended).
    @inline(__always)
    fileprivate mutating func closes(_ close: UInt8) throws(JSONSyntaxError) -> Bool {
        let next = try peek()
        position += 1
        if next == close { return true }
        guard next == UInt8(ascii: ",") else {
            throw error("expected ',' or '\(Character(Unicode.Scalar(close)))'")
        }
        return false
    }
}
