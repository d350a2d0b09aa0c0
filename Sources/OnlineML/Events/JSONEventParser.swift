/// Parses one JSON text holding a flat object into an ``Event``, keeping key order.
///
/// Accepts numbers, strings, booleans and null as values; nested objects or arrays, duplicate
/// keys, trailing garbage and syntax errors are ``EventRejection``s with the byte offset.
public enum JSONEventParser {
    public static func parse(_ line: String) throws(EventRejection) -> Event {
        var line = line
        let result: Result<Event, EventRejection> = line.withUTF8 { parse(bytes: $0) }
        return try result.get()
    }

    public static func parse(_ bytes: [UInt8]) throws(EventRejection) -> Event {
        let result: Result<Event, EventRejection> = bytes.withUnsafeBufferPointer { parse(bytes: $0) }
        return try result.get()
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Result<Event, EventRejection> {
        var fieldNames = EventFieldNames(enabled: false)
        return parse(bytes: bytes, fieldNames: &fieldNames)
    }

    /// ``parse(bytes:)`` reusing the names of the previous event parsed with `fieldNames`
    /// (the same event, fewer strings built).
    public static func parse(
        bytes: UnsafeBufferPointer<UInt8>, fieldNames: inout EventFieldNames
    ) -> Result<Event, EventRejection> {
        // A small open-addressing set of the first field names' keys, for duplicate detection
        // without comparing every pair of names (276 comparisons for 24 fields).
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * NameSet.slots) { storage in
            var names = NameSet(storage)
            var scanner = JSONScanner(bytes)
            return parseObject(&scanner, names: &names, fieldNames: &fieldNames, whole: true)
        }
    }

    /// Keys (`slots` of them) then field index + 1 per slot (0: empty), in one stack buffer.
    struct NameSet {
        static let slots = 64
        /// Fields tracked; later ones are compared with every earlier name.
        static let capacity = 32
        let storage: UnsafeMutableBufferPointer<UInt64>

        init(_ storage: UnsafeMutableBufferPointer<UInt64>) {
            self.storage = storage
            UnsafeMutableBufferPointer(rebasing: storage[Self.slots...]).initialize(repeating: 0)
        }

        /// The index of an earlier field whose key is `key` and whose name is `name`, else
        /// records field `index` under `key` and returns nil.
        @inline(__always)
        func duplicate(of name: String, key: UInt64, index: Int, in fields: [EventField]) -> Int? {
            var slot = Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 58)
            while true {
                let entry = Int(truncatingIfNeeded: storage[Self.slots + slot])
                if entry == 0 {
                    storage[slot] = key
                    storage[Self.slots + slot] = UInt64(index + 1)
                    return nil
                }
                if storage[slot] == key && fields[entry - 1].name == name { return entry - 1 }
                slot = (slot + 1) & (Self.slots - 1)
            }
        }
    }

    /// Parses the flat object at the scanner's position (a value inside a larger JSON text,
    /// such as a features record's `event`), leaving the scanner after it. The same rules and
    /// the same values as ``parse(bytes:)`` on the object's bytes alone.
    public static func parseObject(_ scanner: inout JSONScanner) -> Result<Event, EventRejection> {
        var fieldNames = EventFieldNames(enabled: false)
        return parseObject(&scanner, fieldNames: &fieldNames)
    }

    /// ``parseObject(_:)`` reusing the names of the previous event parsed with `fieldNames`.
    public static func parseObject(
        _ scanner: inout JSONScanner, fieldNames: inout EventFieldNames
    ) -> Result<Event, EventRejection> {
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: 2 * NameSet.slots) { storage in
            var names = NameSet(storage)
            return parseObject(&scanner, names: &names, fieldNames: &fieldNames, whole: false)
        }
    }

    /// The object at the scanner's position; with `whole`, nothing but whitespace may follow.
    private static func parseObject(
        _ scanner: inout JSONScanner, names: inout NameSet, fieldNames: inout EventFieldNames, whole: Bool
    ) -> Result<Event, EventRejection> {
        var event = Event()
        if fieldNames.isEnabled { swap(&event.fields, &fieldNames.recycledFields) }
        if event.fields.capacity == 0 {
            // A field takes at least 6 bytes (`"a":1,`) and usually over 16: one allocation.
            event.fields.reserveCapacity(min((scanner.bytes.count - scanner.position) / 16 + 4, 64))
        }
        // Fields parsed so far: `event.fields[..<count]` (a recycled array is overwritten in
        // place, then trimmed).
        var count = 0
        do throws(JSONSyntaxError) {
            guard try scanner.peek() == UInt8(ascii: "{") else {
                return .failure(.notFlatObject(detail: "the text is not a JSON object"))
            }
            scanner.position += 1
            if try scanner.peek() == UInt8(ascii: "}") {
                scanner.position += 1
            } else {
                while true {
                    var nameKey: UInt64 = 0
                    let name = try scanner.fieldName(key: &nameKey, position: count, names: &fieldNames)
                    try scanner.expect(UInt8(ascii: ":"), "':'")
                    let value: FieldValue
                    switch try scanner.peek() {
                    case UInt8(ascii: "\""): value = .string(try scanner.string())
                    case UInt8(ascii: "t"): try scanner.literal("true"); value = .bool(true)
                    case UInt8(ascii: "f"): try scanner.literal("false"); value = .bool(false)
                    case UInt8(ascii: "n"): try scanner.literal("null"); value = .null
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        return .failure(.notFlatObject(detail: "field '\(name)' holds a nested object or array"))
                    default: value = .number(try scanner.number())
                    }
                    let index = count
                    if index < NameSet.capacity {
                        if names.duplicate(of: name, key: nameKey, index: index, in: event.fields) != nil {
                            return .failure(.duplicateField(name))
                        }
                    } else {
                        for field in event.fields[..<count] where field.name == name {
                            return .failure(.duplicateField(name))
                        }
                    }
                    if count < event.fields.count {
                        event.fields[count] = EventField(name, value)
                    } else {
                        event.fields.append(EventField(name, value))
                    }
                    count += 1
                    let next = try scanner.peek()
                    scanner.position += 1
                    if next == UInt8(ascii: "}") { break }
                    guard next == UInt8(ascii: ",") else {
                        scanner.position -= 1
                        throw scanner.error("expected ',' or '}'")
                    }
                }
            }
            if event.fields.count > count { event.fields.removeLast(event.fields.count - count) }
            if whole {
                scanner.skipWhitespace()
                guard scanner.isAtEnd else { throw scanner.error("trailing characters after the object") }
            }
        } catch {
            return .failure(.malformedJSON(offset: error.offset, detail: error.detail))
        }
        if fieldNames.isEnabled { fieldNames.recycledFields = event.fields }
        return .success(event)
    }
}
