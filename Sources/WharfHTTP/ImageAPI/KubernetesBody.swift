import Foundation
import Hummingbird
import WharfModel
import Yams

/// Decodes API request bodies, sent as JSON or YAML.
enum KubernetesBody {
    static let maxSize = 4 * 1024 * 1024

    /// Decodes `T` from the body. `badRequest` for malformed input or a `kind` other than `expectedKind`;
    /// `manifestTooLarge` (413) above 4 MiB.
    static func decode<T: Decodable>(_ type: T.Type, kind expectedKind: String, from request: Request) async throws -> T {
        var bytes: [UInt8] = []
        for try await buffer in request.body {
            bytes.append(contentsOf: buffer.readableBytesView)
            if bytes.count > maxSize { throw WharfError(.manifestTooLarge, "request body is larger than \(maxSize) bytes") }
        }
        let contentType = MediaType.essence(request.headers[.contentType] ?? "application/json")
        let isYAML = contentType.hasSuffix("yaml")
        do {
            if isYAML {
                let text = String(decoding: bytes, as: UTF8.self)
                let header = try YAMLDecoder().decode(TypeMeta.self, from: text)
                try header.check(expectedKind)
                return try YAMLDecoder().decode(type, from: text)
            }
            let header = try JSONDecoder().decode(TypeMeta.self, from: Data(bytes))
            try header.check(expectedKind)
            return try JSONDecoder().decode(type, from: Data(bytes))
        } catch let error as WharfError {
            throw error
        } catch {
            throw WharfError(.badRequest, "the body of the request could not be decoded as \(isYAML ? "YAML" : "JSON"): \(describe(error))",
                             cause: error)
        }
    }

    private struct TypeMeta: Decodable {
        var kind: String?
        var apiVersion: String?

        /// The kinds of this group are accepted as `image.openshift.io/v1` or, as in the seed document, legacy `v1`.
        func check(_ expected: String) throws {
            if let kind, kind != expected {
                throw WharfError(.badRequest, "expected kind \(expected), got \(kind)")
            }
            if let apiVersion, apiVersion != ImageAPIGroup.version, apiVersion != "v1" {
                throw WharfError(.badRequest, "unsupported apiVersion \"\(apiVersion)\" for \(expected)")
            }
        }
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context), DecodingError.dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(context.debugDescription) at \(path)"
        default: return "\(error)"
        }
    }
}
