/// A Kubernetes timestamp: whole seconds, written as RFC 3339 in UTC (`2016-01-29T13:40:00Z`).
public struct Time: Hashable, Sendable, Comparable, Codable, CustomStringConvertible {
    public var secondsSince1970: Int64

    public init(secondsSince1970: Int64) { self.secondsSince1970 = secondsSince1970 }

    public init?(rfc3339 text: String) {
        guard let seconds = RFC3339.parse(text) else { return nil }
        secondsSince1970 = seconds
    }

    public var description: String { RFC3339.format(secondsSince1970) }

    public static func < (lhs: Time, rhs: Time) -> Bool { lhs.secondsSince1970 < rhs.secondsSince1970 }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let time = Time(rfc3339: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "invalid RFC 3339 time \"\(text)\""))
        }
        self = time
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
