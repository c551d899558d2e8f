import Foundation
import Hummingbird
import WharfModel

/// Decodes API request bodies, sent as JSON or YAML, with Kubernetes' field validation.
enum KubernetesBody {
    static let maxSize = 4 * 1024 * 1024

    /// The decoded object and the unknown fields it carried (reported as warnings under `fieldValidation=Warn`).
    struct Decoded<T> {
        var object: T
        var unknownFields: [String]
    }

    /// Decodes `T` from the body. `badRequest` for malformed input, a `kind` other than `expectedKind`, or (with
    /// `fieldValidation=Strict`) an unknown field; `manifestTooLarge` (413) above 4 MiB.
    static func decode<T: Codable>(_ type: T.Type, kind expectedKind: String, from request: Request) async throws -> Decoded<T> {
        let json = try await value(from: request)
        try checkType(json, expectedKind)
        let object: T
        do {
            object = try json.decode(type)
        } catch {
            throw WharfError(.badRequest, "the body of the request is not a valid \(expectedKind): \(describe(error))", cause: error)
        }
        let unknown = unknownFields(in: json, comparedWith: try JSONValue(encoding: object))
        if request.query("fieldValidation") == "Strict", let first = unknown.first {
            throw WharfError(.badRequest, "strict decoding error: unknown field \"\(first)\"")
        }
        return Decoded(object: object, unknownFields: unknown)
    }

    /// The body as a JSON value, from JSON or YAML according to its Content-Type.
    static func value(from request: Request) async throws -> JSONValue {
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            bytes.append(contentsOf: buffer.readableBytesView)
            if bytes.count > maxSize { throw WharfError(.manifestTooLarge, "request body is larger than \(maxSize) bytes") }
        }
        let contentType = MediaType.essence(request.headers[.contentType] ?? "application/json")
        if contentType == KubernetesProtobuf.contentType { return try KubernetesProtobuf.decode(bytes) }
        let isYAML = contentType.hasSuffix("yaml")
        do {
            if isYAML { return try YAMLValue.parse(String(decoding: bytes, as: UTF8.self)) }
            return try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw WharfError(.badRequest, "the body of the request could not be decoded as \(isYAML ? "YAML" : "JSON"): \(describe(error))",
                             cause: error)
        }
    }

    /// The kinds of this group are accepted as `image.openshift.io/v1` or, as in the seed document, legacy `v1`.
    static func checkType(_ json: JSONValue, _ expected: String) throws {
        guard case .object = json else { throw WharfError(.badRequest, "the body of the request must be a JSON object") }
        if let kind = json["kind"]?.stringValue, !kind.isEmpty, kind != expected {
            throw WharfError(.badRequest, "the kind of the body (\(kind)) does not match the resource (\(expected))")
        }
        if let apiVersion = json["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != ImageAPIGroup.version, apiVersion != "v1" {
            throw WharfError(.badRequest, "unsupported apiVersion \"\(apiVersion)\" for \(expected)")
        }
    }

    /// Dotted paths present in `input` with a non-empty value but absent from the decoded-and-re-encoded `known`.
    static func unknownFields(in input: JSONValue, comparedWith known: JSONValue, path: String = "") -> [String] {
        switch (input, known) {
        case (.object(let given), .object(let kept)):
            return given.keys.sorted().flatMap { key -> [String] in
                let child = path.isEmpty ? key : "\(path).\(key)"
                guard let value = given[key] else { return [] }
                guard let counterpart = kept[key] else { return isEmpty(value) ? [] : [child] }
                if key == "annotations" || key == "labels" || key == "Labels" || key == "ExposedPorts" || key == "Volumes" { return [] }
                return unknownFields(in: value, comparedWith: counterpart, path: child)
            }
        case (.array(let given), .array(let kept)) where given.count == kept.count:
            return zip(given, kept).flatMap { unknownFields(in: $0, comparedWith: $1, path: path) }
        default:
            return []
        }
    }

    private static func isEmpty(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool(false), .int(0): return true
        case .string(let text): return text.isEmpty
        case .array(let items): return items.isEmpty
        case .object(let members): return members.isEmpty
        default: return false
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(context.debugDescription) at \(path)"
        default: return "\(error)"
        }
    }
}
