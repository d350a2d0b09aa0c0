extension ModelDocument {
    /// Canonical JSON bytes of the full document (what ``encoded()`` returns as text), built
    /// from one ``hashedContent`` tree whose member values are encoded once: the hashed text
    /// and the full text are the same pieces with and without `content_hash`/`created_at`.
    /// A learner publishes a document every few thousand events, so this is on its hot path.
    public func encodedBytes() -> [UInt8] {
        guard case .object(let members) = hashedContent else { return [] }
        let sorted = members.sorted { CanonicalJSON.utf8Precedes($0.key, $1.key) }
        var pieces: [(key: String, value: [UInt8])] = []
        pieces.reserveCapacity(sorted.count + 2)
        var hashed: [UInt8] = []
        hashed.reserveCapacity(4096)
        hashed.append(UInt8(ascii: "{"))
        for (index, (key, member)) in sorted.enumerated() {
            var value: [UInt8] = []
            CanonicalJSON.write(member, into: &value)
            if index > 0 { hashed.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(key, into: &hashed)
            hashed.append(UInt8(ascii: ":"))
            hashed.append(contentsOf: value)
            pieces.append((key, value))
        }
        hashed.append(UInt8(ascii: "}"))
        var hash: [UInt8] = []
        CanonicalJSON.writeString("sha256:" + SHA256.hexDigest(hashed), into: &hash)
        var created: [UInt8] = []
        CanonicalJSON.write(createdAt.map { .string($0) } ?? .null, into: &created)
        pieces.append(("content_hash", hash))
        pieces.append(("created_at", created))
        pieces.sort { CanonicalJSON.utf8Precedes($0.key, $1.key) }
        var out: [UInt8] = []
        out.reserveCapacity(hashed.count + hash.count + created.count + 32)
        out.append(UInt8(ascii: "{"))
        for (index, piece) in pieces.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            CanonicalJSON.writeString(piece.key, into: &out)
            out.append(UInt8(ascii: ":"))
            out.append(contentsOf: piece.value)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }
}
