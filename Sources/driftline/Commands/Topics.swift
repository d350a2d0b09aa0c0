import ArgumentParser

/// `driftline topics …`: look at and create topics on any broker.
struct Topics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List or create topics.",
        subcommands: [TopicsList.self, TopicsCreate.self]
    )
}
