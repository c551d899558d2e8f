/// What a manifest URL names: a tag or a digest.
public enum Reference: Hashable, Sendable, CustomStringConvertible {
    case tag(Tag)
    case digest(Digest)

    /// A reference containing `:` is a digest (`digestInvalid` if malformed); anything else is a tag (`tagInvalid`).
    public static func parse(_ text: String) throws(WharfError) -> Reference {
        if text.contains(":") { return .digest(try Digest.parse(text)) }
        return .tag(try Tag.parse(text))
    }

    public var description: String {
        switch self {
        case .tag(let tag): return tag.value
        case .digest(let digest): return digest.description
        }
    }
}
