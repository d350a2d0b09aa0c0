/// A failure the command explains in one sentence; ArgumentParser prints it as
/// "Error: <message>" and exits 1.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String

    init(_ message: String) { description = message }
}
