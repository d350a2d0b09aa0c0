extension TopologyGraph {
    /// A Mermaid flowchart, left to right: topics as cylinders, stages as rounded boxes;
    /// solid arrows for data, a thick arrow for the drift-control loop, dotted ones for
    /// restores and dead letters.
    public func mermaid() -> String {
        // The front matter is YAML: the title is double-quoted (it contains ": ").
        var quotedTitle = "\""
        for character in title {
            if character == "\"" || character == "\\" { quotedTitle.append("\\") }
            quotedTitle.append(character)
        }
        quotedTitle += "\""
        var out = "---\ntitle: \(quotedTitle)\n---\nflowchart LR\n"
        for node in nodes {
            let label = "\"" + node.lines.map(Self.mermaidText).joined(separator: "<br/>") + "\""
            switch node.kind {
            case .topic: out += "    \(node.id)[(\(label))]\n"
            case .stage: out += "    \(node.id)(\(label))\n"
            }
        }
        for edge in edges {
            let arrow: String
            switch edge.kind {
            case .reads, .writes: arrow = "-->"
            case .control: arrow = "==>"
            case .restores, .deadLetters: arrow = "-.->"
            }
            let label = edge.label.map { "|\"\(Self.mermaidText($0))\"|" } ?? ""
            out += "    \(edge.from) \(arrow)\(label) \(edge.to)\n"
        }
        let topics = nodes.filter { $0.kind == .topic }.map(\.id)
        let stages = nodes.filter { $0.kind == .stage }.map(\.id)
        out += "    classDef topic fill:#eef4ff,stroke:#4a6fa5\n"
        out += "    classDef stage fill:#fff4e0,stroke:#b07a1a\n"
        if !topics.isEmpty { out += "    class \(topics.joined(separator: ",")) topic\n" }
        if !stages.isEmpty { out += "    class \(stages.joined(separator: ",")) stage\n" }
        return out
    }

    /// Text inside a quoted Mermaid label: `"` and markup characters as entity codes.
    static func mermaidText(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "\"": out += "#quot;"
            case "<": out += "#lt;"
            case ">": out += "#gt;"
            default: out.append(character)
            }
        }
        return out
    }
}
