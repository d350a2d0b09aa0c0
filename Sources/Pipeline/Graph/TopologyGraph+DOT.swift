extension TopologyGraph {
    /// A Graphviz digraph, left to right (`dot -Tsvg` draws it): topics as cylinders, stages as
    /// rounded boxes; a bold red arrow for the drift-control loop, dashed ones for restores and
    /// dead letters.
    public func dot() -> String {
        var out = "digraph \(Self.quoted("driftline")) {\n"
        out += "    label=\(Self.quoted(title));\n"
        out += "    labelloc=t;\n"
        out += "    rankdir=LR;\n"
        out += "    node [fontname=\"Helvetica\"];\n"
        out += "    edge [fontname=\"Helvetica\", fontsize=10];\n"
        for node in nodes {
            let label = Self.quoted(node.lines.joined(separator: "\n"))
            switch node.kind {
            case .topic:
                out += "    \(Self.quoted(node.id)) [shape=cylinder, style=filled, fillcolor=\"#eef4ff\", label=\(label)];\n"
            case .stage:
                out += "    \(Self.quoted(node.id)) [shape=box, style=\"rounded,filled\", fillcolor=\"#fff4e0\", label=\(label)];\n"
            }
        }
        for edge in edges {
            var attributes: [String] = []
            switch edge.kind {
            case .reads, .writes: break
            case .control: attributes += ["style=bold", "color=\"#c0392b\""]
            case .restores, .deadLetters: attributes += ["style=dashed"]
            }
            if let label = edge.label { attributes.append("label=\(Self.quoted(label))") }
            let suffix = attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]"
            out += "    \(Self.quoted(edge.from)) -> \(Self.quoted(edge.to))\(suffix);\n"
        }
        out += "}\n"
        return out
    }

    /// A DOT double-quoted string; a newline becomes DOT's centred line break `\n`.
    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            switch character {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out + "\""
    }
}
