import Foundation
import Hummingbird
import WharfModel
import Yams

/// Decodes API request bodies, sent as JSON, YAML or Kubernetes protobuf, with Kubernetes' field validation.
///
/// Every body is bounded before it is typed: at most `maxSize` bytes, nesting at most `JSONStructure.depthLimit`
/// levels, and YAML aliases expanding to no more than the text's own size (`YAMLValue`). Errors are short messages
/// about the body, never a dump of what was decoded.
enum KubernetesBody {
    static let maxSize = 4 * 1024 * 1024

    /// A parsed body: its value, and the fields it gives twice (`duplicate field` under field validation).
    struct Parsed {
        var value: JSONValue
        var duplicateFields: [String]
    }

    /// The decoded object and the warnings for it (`unknown field "x"`, `duplicate field "x"`), sent as `Warning`
    /// headers under `fieldValidation=Warn`, the default.
    struct Decoded<T> {
        var object: T
        var warnings: [String]
    }

    /// Decodes `T` from the body. `badRequest` for malformed input, a `kind` other than `expectedKind`, an
    /// `apiVersion` not in `apiVersions`, or (with `fieldValidation=Strict`) an unknown or duplicate field;
    /// `unsupportedMediaType` (415) for a Content-Type that is not JSON, YAML or protobuf; `manifestTooLarge` (413)
    /// above 4 MiB.
    static func decode<T: Codable>(_ type: T.Type, kind expectedKind: String, apiVersions: Set<String> = imageAPIVersions,
                                   from request: Request) async throws -> Decoded<T> {
        let validation = try FieldValidation(request)
        let body = try await parse(request)
        try checkType(body.value, expectedKind, apiVersions: apiVersions)
        let object: T
        do {
            object = try body.value.decode(type)
        } catch {
            throw WharfError(.badRequest, "the body of the request is not a valid \(expectedKind): \(describe(error))", cause: error)
        }
        let unknown = validation == .ignore ? [] : unknownFields(in: body.value, comparedWith: try JSONValue(encoding: object))
        let problems = unknown.map { "unknown field \"\($0)\"" } + body.duplicateFields.map { "duplicate field \"\($0)\"" }
        switch validation {
        case .strict where !problems.isEmpty:
            throw WharfError(.badRequest, "strict decoding error: " + problems.prefix(5).joined(separator: ", "))
        case .ignore: return Decoded(object: object, warnings: [])
        default: return Decoded(object: object, warnings: problems)
        }
    }

    /// The image API's kinds are accepted as `image.openshift.io/v1` or, as in the seed document, legacy `v1`.
    static let imageAPIVersions: Set<String> = [ImageAPIGroup.version, "v1"]

    /// `fieldValidation`: what to do with unknown and duplicate fields (Kubernetes' default is `Warn`).
    enum FieldValidation {
        case ignore, warn, strict

        init(_ request: Request) throws {
            switch request.query("fieldValidation") {
            case nil, "", "Warn": self = .warn
            case "Strict": self = .strict
            case "Ignore": self = .ignore
            case let other?:
                throw WharfError(.badRequest, "fieldValidation must be Ignore, Warn or Strict, not \"\(other.prefix(40))\"")
            }
        }
    }

    /// The body as a JSON value, for bodies that are not decoded into one type (patches, RBAC objects).
    static func value(from request: Request) async throws -> JSONValue {
        let body = try await parse(request)
        if try FieldValidation(request) == .strict, let first = body.duplicateFields.first {
            throw WharfError(.badRequest, "strict decoding error: duplicate field \"\(first)\"")
        }
        return body.value
    }

    /// Reads and parses the body according to its Content-Type: JSON when absent, `application/json` or any `+json`
    /// type (the patch types), YAML for `application/yaml` and `+yaml` types, Kubernetes protobuf; anything else is
    /// `unsupportedMediaType`.
    static func parse(_ request: Request) async throws -> Parsed {
        let contentType = MediaType.essence(request.headers[.contentType] ?? "application/json")
        let format = try Format(contentType)
        if let declared = request.declaredLength, declared > Int64(maxSize) {
            throw WharfError(.manifestTooLarge, "the request body is larger than \(maxSize) bytes")
        }
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            guard bytes.count + buffer.readableBytes <= maxSize else {
                throw WharfError(.manifestTooLarge, "the request body is larger than \(maxSize) bytes")
            }
            bytes.append(contentsOf: buffer.readableBytesView)
        }
        switch format {
        case .protobuf:
            return Parsed(value: try KubernetesProtobuf.decode(bytes), duplicateFields: [])
        case .yaml:
            do {
                let (value, duplicates) = try YAMLValue.parse(String(decoding: bytes, as: UTF8.self))
                return Parsed(value: value, duplicateFields: duplicates)
            } catch let error as WharfError {
                throw error
            } catch {
                throw WharfError(.badRequest, "the body of the request could not be decoded as YAML: \(describe(error))", cause: error)
            }
        case .json:
            let structure = JSONStructure(scanning: bytes, depthLimit: JSONStructure.depthLimit)
            if structure.tooDeep { throw WharfError(.badRequest, "the JSON body nests deeper than \(JSONStructure.depthLimit) levels") }
            do {
                return Parsed(value: try JSONDecoder().decode(JSONValue.self, from: Data(bytes)), duplicateFields: structure.duplicateKeys)
            } catch {
                throw WharfError(.badRequest, "the body of the request could not be decoded as JSON: \(describe(error))", cause: error)
            }
        }
    }

    enum Format {
        case json, yaml, protobuf

        init(_ contentType: String) throws {
            if contentType == "application/json" || contentType.hasSuffix("+json") {
                self = .json
            } else if contentType == "application/yaml" || contentType.hasSuffix("+yaml") {
                self = .yaml
            } else if contentType == KubernetesProtobuf.contentType {
                self = .protobuf
            } else {
                throw WharfError(.unsupportedMediaType, "the body of the request was in an unknown format (\(contentType.prefix(60))) - "
                                 + "accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf")
            }
        }
    }

    /// The body must be an object whose `kind` and `apiVersion`, when given, are `expected` and one of `apiVersions`.
    static func checkType(_ json: JSONValue, _ expected: String, apiVersions: Set<String>) throws {
        guard case .object = json else { throw WharfError(.badRequest, "the body of the request must be a JSON object") }
        if let kind = json["kind"], kind != .string(""), kind != .string(expected) {
            throw WharfError(.badRequest, "the kind of the body (\(kind.stringValue?.prefix(60) ?? "not a string")) does not match the resource (\(expected))")
        }
        if let apiVersion = json["apiVersion"], apiVersion != .string(""), !apiVersions.contains(apiVersion.stringValue ?? "") {
            throw WharfError(.badRequest, "unsupported apiVersion \"\(apiVersion.stringValue?.prefix(60) ?? "not a string")\" for \(expected)")
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

    /// A short account of a decoding failure: what was wrong, and where. It names fields and types only, never
    /// values, so the message stays small whatever the body held.
    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, let context): return "missing field \"\(path(context.codingPath + [key]))\""
        case DecodingError.typeMismatch(let type, let context): return "expected \(typeName(type)) at \(path(context.codingPath))"
        case DecodingError.valueNotFound(let type, let context): return "expected \(typeName(type)) at \(path(context.codingPath))"
        case DecodingError.dataCorrupted(let context):
            return context.codingPath.isEmpty ? "malformed input" : "invalid value at \(path(context.codingPath))"
        case EncodingError.invalidValue(_, let context): return "a value JSON cannot carry at \(path(context.codingPath))"
        case let error as YamlError: return yamlProblem(error)
        default: return "malformed input"
        }
    }

    private static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return "\(problem.prefix(100)) at line \(mark.line), column \(mark.column)"
        case .duplicatedKeysInMapping(let duplicates, let context):
            return "duplicate field \"\(duplicates.first?.prefix(100) ?? "")\" at line \(context.mark.line)"
        default:
            return "malformed YAML"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        let text = keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return text.isEmpty ? "the top level" : String(text.prefix(200))
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "a boolean"
        case is Int.Type, is Int64.Type, is Int32.Type, is UInt.Type, is UInt64.Type: return "an integer"
        case is Double.Type, is Float.Type: return "a number"
        default: return String(describing: type).hasPrefix("Array") ? "a list" : "an object"
        }
    }
}
