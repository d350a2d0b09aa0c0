import Yams

/// Reads a composed YAML tree (Yams' node API, which keeps every node's line and column) field
/// by field. Each accessor either returns a value or records a ``TopologyError`` at the node and
/// returns `nil`, so one pass over a file finds all of its problems.
final class TopologyReader {
    let file: String
    private(set) var errors: [TopologyError] = []
    /// Where each field path was seen, for checks that relate several fields. Lookup only.
    private var marks: [String: Mark] = [:]

    init(file: String) {
        self.file = file
    }

    // MARK: Errors

    func fail(at mark: Mark?, _ path: String, _ message: String) {
        errors.append(TopologyError(
            file: file, line: mark?.line ?? 1, column: mark?.column ?? 1, fieldPath: path, message: message
        ))
    }

    func fail(_ node: Node, _ path: String, expected: String) {
        fail(at: node.mark, path, "expected \(expected), got \(Self.describe(node))")
    }

    /// Reports at the recorded position of `path` (or of its nearest recorded ancestor).
    func fail(atPath path: String, reportedAs reported: String? = nil, _ message: String) {
        fail(at: mark(of: path), reported ?? path, message)
    }

    func mark(of path: String) -> Mark? {
        var current = path
        while true {
            if let mark = marks[current] { return mark }
            guard let cut = current.lastIndex(where: { $0 == "." || $0 == "[" }) else { return marks[""] }
            current = String(current[..<cut])
        }
    }

    /// Whether the file spelled out `path` (rather than leaving it to its default).
    func wasGiven(_ path: String) -> Bool {
        marks[path] != nil
    }

    func record(_ path: String, _ node: Node) {
        if let mark = node.mark { marks[path] = mark }
    }

    /// The resolved YAML type of a node (`int`, `float`, `str`, `null`, …). Yams keeps
    /// `Tag.name` internal; its description is the same name.
    static func tagName(_ node: Node) -> Tag.Name {
        Tag.Name(rawValue: node.tag.description)
    }

    /// A short rendering of what the file holds, for "got …".
    static func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            switch tagName(node) {
            case .null: return "null"
            case .int, .float, .bool: return scalar.string
            default: return "\"\(scalar.string)\""
            }
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    static func join(_ path: String, _ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    // MARK: Mappings

    /// The entries of a mapping, in file order, after checking every key is allowed.
    struct Fields {
        let path: String
        let node: Node
        let entries: [(key: String, value: Node)]

        subscript(key: String) -> Node? {
            entries.first(where: { $0.key == key })?.value
        }

        func path(_ key: String) -> String { TopologyReader.join(path, key) }
    }

    /// Reads `node` as a mapping whose keys must be among `allowed` (unless `allowed` is nil,
    /// for free-form maps). Unknown keys are errors, with a suggestion when one is close.
    /// `aliases` maps a likely wrong key to the right one (`lr` → `alpha` for FTRL), for keys
    /// that are not simple typos.
    func fields(
        _ node: Node, _ path: String, allowed: [String]?, aliases: [String: String] = [:],
        what: String = "a mapping"
    ) -> Fields? {
        guard case .mapping(let mapping) = node else {
            fail(node, path, expected: what)
            return nil
        }
        record(path, node)
        var entries: [(key: String, value: Node)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode, Self.tagName(keyNode) != .null else {
                fail(keyNode, path, expected: "a field name")
                continue
            }
            let key = keyScalar.string
            let fieldPath = Self.join(path, key)
            if let allowed, !allowed.contains(key) {
                var message = "unknown field"
                if let suggestion = aliases[key] ?? NameSuggestion.closest(to: key, among: allowed) {
                    message += " (did you mean \"\(suggestion)\"?)"
                }
                message += "; expected one of: \(allowed.joined(separator: ", "))"
                fail(at: keyNode.mark, fieldPath, message)
                continue
            }
            record(fieldPath, value)
            entries.append((key, value))
        }
        return Fields(path: path, node: node, entries: entries)
    }

    /// Reports a required field that is absent, at its mapping.
    func missing(_ fields: Fields, _ key: String, expected: String) {
        fail(at: fields.node.mark, fields.path, "missing required field \"\(key)\" (\(expected))")
    }

    // MARK: Scalars

    /// Any non-null scalar, as written (numbers included: field names such as `0` are valid).
    func string(_ node: Node, _ path: String, what: String = "a non-empty string") -> String? {
        guard case .scalar(let scalar) = node, Self.tagName(node) != .null, !scalar.string.isEmpty else {
            fail(node, path, expected: what)
            return nil
        }
        return scalar.string
    }

    /// A scalar that must be one of `options`.
    func choice(_ node: Node, _ path: String, _ options: [String]) -> String? {
        let expected = "one of \(options.joined(separator: ", "))"
        guard case .scalar(let scalar) = node, Self.tagName(node) != .null else {
            fail(node, path, expected: expected)
            return nil
        }
        let value = scalar.string
        if options.contains(value) { return value }
        var message = "expected \(expected), got \(Self.describe(node))"
        if let suggestion = NameSuggestion.closest(to: value, among: options) {
            message += " (did you mean \"\(suggestion)\"?)"
        }
        fail(at: node.mark, path, message)
        return nil
    }

    /// What a number must satisfy, and how the requirement reads in an error.
    struct NumberRule: Sendable {
        let wording: String
        let accepts: @Sendable (Double) -> Bool

        static let any = NumberRule(wording: "a number") { _ in true }
        static let positive = NumberRule(wording: "a positive number") { $0 > 0 }
        static let nonNegative = NumberRule(wording: "a number >= 0") { $0 >= 0 }
        /// Strictly between 0 and 1, as significance levels and confidences are.
        static let openUnit = NumberRule(wording: "a number between 0 and 1 (exclusive)") { $0 > 0 && $0 < 1 }
        /// In (0, 1].
        static let unitInterval = NumberRule(wording: "a number in (0, 1]") { $0 > 0 && $0 <= 1 }
    }

    /// A plain YAML number (quoted strings are not numbers), finite, satisfying `rule`.
    func number(_ node: Node, _ path: String, _ rule: NumberRule) -> Double? {
        guard case .scalar = node, Self.tagName(node) == .int || Self.tagName(node) == .float,
              let value = node.float, value.isFinite, rule.accepts(value)
        else {
            fail(node, path, expected: rule.wording)
            return nil
        }
        return value
    }

    /// A plain YAML integer `>= minimum`.
    func integer(_ node: Node, _ path: String, minimum: Int, maximum: Int = Int.max) -> Int? {
        let wording: String
        switch (minimum, maximum) {
        case (1, Int.max): wording = "a positive integer"
        case (0, Int.max): wording = "an integer >= 0"
        case (_, Int.max): wording = "an integer >= \(minimum)"
        default: wording = "an integer from \(minimum) to \(maximum)"
        }
        guard case .scalar = node, Self.tagName(node) == .int, let value = node.int,
              value >= minimum, value <= maximum
        else {
            fail(node, path, expected: wording)
            return nil
        }
        return value
    }

    func bool(_ node: Node, _ path: String) -> Bool? {
        guard case .scalar = node, Self.tagName(node) == .bool, let value = node.bool else {
            fail(node, path, expected: "true or false")
            return nil
        }
        return value
    }

    /// A list of distinct non-empty strings (`[a, b]` or a block list).
    func stringList(_ node: Node, _ path: String) -> [String]? {
        guard case .sequence(let sequence) = node else {
            fail(node, path, expected: "a list of field names")
            return nil
        }
        var result: [String] = []
        var ok = true
        for (index, element) in sequence.enumerated() {
            let elementPath = "\(path)[\(index)]"
            record(elementPath, element)
            guard let value = string(element, elementPath) else {
                ok = false
                continue
            }
            if result.contains(value) {
                fail(at: element.mark, elementPath, "\"\(value)\" is listed twice")
                ok = false
                continue
            }
            result.append(value)
        }
        return ok ? result : nil
    }
}
