/// One problem found in a topology file, located precisely enough to fix it without guessing:
/// `topologies/x.yaml:12:5: stages.learn.optimizer.lr: expected a positive number, got "fast"`.
public struct TopologyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file as it was named to the loader (or `<string>` for in-memory YAML).
    public var file: String
    /// 1-based line of the offending node.
    public var line: Int
    /// 1-based column of the offending node (counted in Unicode scalars, as libyaml does).
    public var column: Int
    /// Dotted path of the field, e.g. `stages.learn.optimizer.lr` or `schema.categorical[1]`.
    /// Empty for problems with the document as a whole.
    public var fieldPath: String
    /// What is wrong and what was expected.
    public var message: String

    public init(file: String, line: Int, column: Int, fieldPath: String, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.fieldPath = fieldPath
        self.message = message
    }

    public var description: String {
        let location = "\(file):\(line):\(column)"
        return fieldPath.isEmpty ? "\(location): \(message)" : "\(location): \(fieldPath): \(message)"
    }
}

/// Everything wrong with one topology file. Loading reports all problems at once, in file order,
/// so a user fixes a file in one pass rather than one error per run.
public struct TopologyErrors: Error, Sendable, Equatable, CustomStringConvertible {
    public var errors: [TopologyError]

    public init(_ errors: [TopologyError]) {
        self.errors = errors
    }

    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}
