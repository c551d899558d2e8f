import WharfModel
import Yams

/// YAML as a `JSONValue`, typed by YAML 1.1 tag resolution: `"1001"` stays a string, `1001` is an integer,
/// and timestamps such as `2015-12-23` stay strings (the API has no date type).
///
/// Aliases are expanded, but the result may be no larger than the text it came from: at most one value and one byte of
/// scalar text per byte of YAML (plus a little slack), so that a few hundred bytes of nested aliases (a "billion
/// laughs") are refused instead of expanding to gigabytes. Nesting deeper than `JSONStructure.depthLimit` is refused
/// too (libyaml itself stops at 1,000 levels), and so are numbers JSON cannot carry (`.nan`, `.inf`).
struct YAMLValue {
    /// The value, and the dotted paths of keys a mapping gives twice (the last one counts, as in Go's decoder).
    static func parse(_ text: String) throws -> (value: JSONValue, duplicateKeys: [String]) {
        guard let node = try Yams.compose(yaml: text) else { return (.null, []) }
        var converter = YAMLValue(budget: text.utf8.count + 1024)
        return (try converter.value(of: node, path: []), converter.duplicateKeys)
    }

    /// How many values and how many bytes of scalar text the conversion may still produce.
    private var values: Int
    private var bytes: Int
    private(set) var duplicateKeys: [String] = []

    private init(budget: Int) {
        values = budget
        bytes = budget
    }

    private mutating func value(of node: Node, path: [String]) throws -> JSONValue {
        values -= 1
        guard values >= 0 else { throw Self.tooLarge }
        guard path.count <= JSONStructure.depthLimit else {
            throw WharfError(.badRequest, "the YAML body nests deeper than \(JSONStructure.depthLimit) levels")
        }
        switch node {
        case .scalar(let scalar):
            bytes -= scalar.string.utf8.count
            guard bytes >= 0 else { throw Self.tooLarge }
            switch node.tag.description {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
            case Tag.Name.float.rawValue:
                guard let number = node.float else { return .string(scalar.string) }
                guard number.isFinite else {
                    throw WharfError(.badRequest, "the YAML value \(scalar.string.prefix(20)) at \(Self.describe(path)) is not a finite number")
                }
                return .double(number)
            default: return .string(scalar.string)
            }
        case .mapping(let mapping):
            var members: [String: JSONValue] = [:]
            for (key, child) in mapping {
                let name = key.string ?? ""
                if members[name] != nil, duplicateKeys.count < JSONStructure.maxReported {
                    duplicateKeys.append((path + [name]).filter { !$0.isEmpty }.joined(separator: "."))
                }
                members[name] = try value(of: child, path: path + [name])
            }
            return .object(members)
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for child in sequence { items.append(try value(of: child, path: path + [""])) }
            return .array(items)
        case .alias:
            return .null
        }
    }

    private static func describe(_ path: [String]) -> String {
        path.isEmpty ? "the top" : path.filter { !$0.isEmpty }.joined(separator: ".").prefix(200).description
    }

    static let tooLarge = WharfError(.manifestTooLarge, "the YAML body expands to more than its own size through aliases")
}
