import WharfModel
import Yams

/// YAML as a `JSONValue`, typed by YAML 1.1 tag resolution: `"1001"` stays a string, `1001` is an integer,
/// and timestamps such as `2015-12-23` stay strings (the API has no date type).
enum YAMLValue {
    static func parse(_ text: String) throws -> JSONValue {
        guard let node = try Yams.compose(yaml: text) else { return .null }
        return value(of: node)
    }

    static func value(of node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue: return node.float.map(JSONValue.double) ?? .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, child) in mapping { members[key.string ?? ""] = value(of: child) }
            return .object(members)
        case .sequence(let sequence):
            return .array(sequence.map(value(of:)))
        case .alias:
            return .null
        }
    }
}
