import WharfModel

/// Decodes the protobuf bodies kubectl sends for built-in kinds (`application/vnd.kubernetes.protobuf`): the `k8s\0`
/// envelope around a `runtime.Unknown`, whose raw bytes are decoded with the field numbers of the few kinds Wharf
/// serves (RBAC objects and SelfSubjectAccessReview). The result is the object as JSON.
enum KubernetesProtobuf {
    static let contentType = "application/vnd.kubernetes.protobuf"

    indirect enum Field {
        case string, strings, int, bool, stringMap
        case message(Schema)
        case messages(Schema)
    }
    typealias Schema = [Int: (String, Field)]

    static let objectMeta: Schema = [1: ("name", .string), 2: ("generateName", .string), 3: ("namespace", .string), 5: ("uid", .string),
                                     6: ("resourceVersion", .string), 7: ("generation", .int), 11: ("labels", .stringMap),
                                     12: ("annotations", .stringMap), 14: ("finalizers", .strings)]
    static let subject: Schema = [1: ("kind", .string), 2: ("apiGroup", .string), 3: ("name", .string), 4: ("namespace", .string)]
    static let roleRef: Schema = [1: ("apiGroup", .string), 2: ("kind", .string), 3: ("name", .string)]
    static let rule: Schema = [1: ("verbs", .strings), 2: ("apiGroups", .strings), 3: ("resources", .strings), 4: ("resourceNames", .strings),
                               5: ("nonResourceURLs", .strings)]
    static let binding: Schema = [1: ("metadata", .message(objectMeta)), 2: ("subjects", .messages(subject)), 3: ("roleRef", .message(roleRef))]
    static let role: Schema = [1: ("metadata", .message(objectMeta)), 2: ("rules", .messages(rule))]
    static let resourceAttributes: Schema = [1: ("namespace", .string), 2: ("verb", .string), 3: ("group", .string), 4: ("version", .string),
                                             5: ("resource", .string), 6: ("subresource", .string), 7: ("name", .string)]
    static let review: Schema = [1: ("metadata", .message(objectMeta)),
                                 2: ("spec", .message([1: ("resourceAttributes", .message(resourceAttributes))]))]

    static let kinds: [String: Schema] = ["RoleBinding": binding, "ClusterRoleBinding": binding, "Role": role, "ClusterRole": role,
                                          "SelfSubjectAccessReview": review]

    /// The object in a protobuf body; `badRequest` when malformed or of a kind Wharf does not decode.
    static func decode(_ bytes: [UInt8]) throws -> JSONValue {
        guard bytes.starts(with: [0x6b, 0x38, 0x73, 0x00]) else { throw malformed("missing the k8s envelope") }
        let unknown = try fields(ArraySlice(bytes.dropFirst(4)))
        guard let typeMeta = unknown.first(where: { $0.number == 1 })?.bytes, let raw = unknown.first(where: { $0.number == 2 })?.bytes else {
            throw malformed("missing type information or object")
        }
        let meta = try fields(typeMeta)
        let apiVersion = meta.first { $0.number == 1 }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
        let kind = meta.first { $0.number == 2 }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
        guard let schema = kinds[kind] else {
            throw WharfError(.unsupportedMediaType, "Wharf cannot decode \(kind) from protobuf; send JSON or YAML")
        }
        guard case .object(var object) = try message(raw, schema) else { throw malformed("not a message") }
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        return .object(object)
    }

    struct RawField {
        var number: Int
        var varint: UInt64 = 0
        var bytes: ArraySlice<UInt8> = []
    }

    static func malformed(_ why: String) -> WharfError {
        WharfError(.badRequest, "the protobuf body of the request is malformed: \(why)")
    }

    static func fields(_ data: ArraySlice<UInt8>) throws -> [RawField] {
        var result: [RawField] = []
        var index = data.startIndex
        func varint() throws -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard index < data.endIndex, shift < 64 else { throw malformed("truncated varint") }
                let byte = data[index]
                index += 1
                value |= UInt64(byte & 0x7f) << shift
                if byte & 0x80 == 0 { return value }
                shift += 7
            }
        }
        while index < data.endIndex {
            let key = try varint()
            var field = RawField(number: Int(key >> 3))
            switch key & 7 {
            case 0: field.varint = try varint()
            case 2:
                let length = try varint()
                guard length <= UInt64(data.endIndex - index) else { throw malformed("truncated field") }
                field.bytes = data[index..<(index + Int(length))]
                index += Int(length)
            case 1:
                guard data.endIndex - index >= 8 else { throw malformed("truncated field") }
                index += 8
            case 5:
                guard data.endIndex - index >= 4 else { throw malformed("truncated field") }
                index += 4
            default: throw malformed("unsupported wire type \(key & 7)")
            }
            result.append(field)
        }
        return result
    }

    /// The message's fields as JSON. Repeated fields and map entries are gathered apart and added at the end, so a
    /// message of n entries costs O(n).
    static func message(_ data: ArraySlice<UInt8>, _ schema: Schema) throws -> JSONValue {
        var object: [String: JSONValue] = [:]
        var lists: [String: [JSONValue]] = [:]
        var maps: [String: [String: JSONValue]] = [:]
        for field in try fields(data) {
            guard let (name, type) = schema[field.number] else { continue }
            switch type {
            case .string where !field.bytes.isEmpty: object[name] = .string(String(decoding: field.bytes, as: UTF8.self))
            case .string: continue
            case .int: object[name] = .int(Int64(bitPattern: field.varint))
            case .bool: object[name] = .bool(field.varint != 0)
            case .strings: lists[name, default: []].append(.string(String(decoding: field.bytes, as: UTF8.self)))
            case .stringMap:
                let entry = try fields(field.bytes)
                let key = entry.first { $0.number == 1 }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
                let value = entry.first { $0.number == 2 }.map { String(decoding: $0.bytes, as: UTF8.self) } ?? ""
                maps[name, default: [:]][key] = .string(value)
            case .message(let inner): object[name] = try message(field.bytes, inner)
            case .messages(let inner): lists[name, default: []].append(try message(field.bytes, inner))
            }
        }
        for (name, items) in lists { object[name] = .array(items) }
        for (name, members) in maps { object[name] = .object(members) }
        return .object(object)
    }
}
