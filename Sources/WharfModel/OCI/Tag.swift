/// A tag, matching `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
public struct Tag: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let value: String

    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard (1...128).contains(bytes.count) else { return nil }
        guard Self.isWord(bytes[0]) else { return nil }
        guard bytes.dropFirst().allSatisfy({ Self.isWord($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }) else { return nil }
        value = text
    }

    /// Parses a tag or throws `tagInvalid`.
    public static func parse(_ text: String) throws(WharfError) -> Tag {
        guard let tag = Tag(text) else {
            throw WharfError(.tagInvalid, "invalid tag \"\(text.prefix(200))\": must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}",
                             detail: ["tag": String(text.prefix(200))])
        }
        return tag
    }

    public var description: String { value }

    public static func < (lhs: Tag, rhs: Tag) -> Bool { lhs.value < rhs.value }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let tag = Tag(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid tag \"\(text)\""))
        }
        self = tag
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }

    private static func isWord(_ byte: UInt8) -> Bool {
        RepositoryName.isLowerAlnum(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
    }
}
