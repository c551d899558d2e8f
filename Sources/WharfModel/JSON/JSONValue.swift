import Foundation

/// Any JSON value, for the parts of the API that work on objects generically: patches, field validation, tables.
///
/// Integers are kept apart from other numbers so that resourceVersions, sizes and generations round-trip exactly.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The value at a dotted path such as `metadata.name`.
    public func value(at path: String) -> JSONValue? {
        var current: JSONValue? = self
        for key in path.split(separator: ".") { current = current?[String(key)] }
        return current
    }

    /// Converts an `Encodable` value (through JSON).
    public init<T: Encodable>(encoding value: T) throws {
        let data = try JSONEncoder().encode(value)
        self = try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// Decodes a typed value from this JSON.
    public func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: JSONEncoder().encode(self))
    }
}

extension JSONValue {
    /// About how many bytes the value takes as compact JSON, counting no further than `limit`: once the count passes
    /// `limit` it stops and returns what it has, so the cost is O(min(size, limit)) whatever the value holds.
    public func encodedSize(limit: Int) -> Int {
        var total = 0
        addSize(to: &total, limit: limit)
        return total
    }

    private func addSize(to total: inout Int, limit: Int) {
        guard total <= limit else { return }
        switch self {
        case .null: total += 4
        case .bool: total += 5
        case .int, .double: total += 20
        case .string(let text): total += text.utf8.count + 2
        case .array(let items):
            total += 2
            for item in items where total <= limit {
                total += 1
                item.addSize(to: &total, limit: limit)
            }
        case .object(let members):
            total += 2
            for (key, value) in members where total <= limit {
                total += key.utf8.count + 4
                value.addSize(to: &total, limit: limit)
            }
        }
    }
}
