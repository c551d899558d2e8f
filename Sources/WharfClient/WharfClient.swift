import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
public import WharfModel

/// A typed client for Wharf's HTTP APIs. It speaks HTTP only, so everything it does the public API also does.
public struct WharfClient: Sendable {
    public let server: URL
    public let token: String?
    let http: HTTPClient

    /// `insecure` skips TLS verification (for self-signed certificates).
    public init(server: URL, token: String?, insecure: Bool = false) {
        self.server = server
        self.token = token
        var configuration = HTTPClient.Configuration()
        if insecure { configuration.tlsConfiguration = .clientDefault; configuration.tlsConfiguration?.certificateVerification = .none }
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async throws { try await http.shutdown() }

    /// Sends a request and returns the body; a non-2xx answer throws `WharfClientError` with the server's message.
    public func send(_ method: HTTPMethod, _ path: String, json body: JSONValue? = nil) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: server.absoluteString.trimmingCharacters(in: CharacterSet(charactersIn: "/")) + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            let data = try JSONEncoder().encode(body)
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = Array(try await response.body.collect(upTo: 16 * 1024 * 1024).readableBytesView)
        guard (200..<300).contains(response.status.code) else {
            throw WharfClientError(status: Int(response.status.code), message: Self.message(in: bytes) ?? response.status.reasonPhrase)
        }
        return bytes
    }

    /// The message of a Kubernetes Status or an OCI error body.
    static func message(in bytes: [UInt8]) -> String? {
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else { return nil }
        if let message = json["message"]?.stringValue { return message }
        if case .array(let errors)? = json["errors"], let first = errors.first { return first["message"]?.stringValue }
        return nil
    }

    func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        try JSONDecoder().decode(type, from: Data(bytes))
    }

    // MARK: - Tokens

    public func createToken(name: String, user: String?, expires: Time?) async throws -> AccessToken {
        var spec: [String: JSONValue] = [:]
        if let user { spec["user"] = .string(user) }
        if let expires { spec["expirationTimestamp"] = .string(expires.description) }
        let body: JSONValue = .object(["apiVersion": .string(AccessGroup.version), "kind": .string("Token"),
                                       "metadata": .object(["name": .string(name)]), "spec": .object(spec)])
        return try decode(AccessToken.self, try await send(.POST, "/apis/wharf.dev/v1/tokens", json: body))
    }

    public func tokens() async throws -> [AccessToken] {
        try decode(ObjectList<AccessToken>.self, try await send(.GET, "/apis/wharf.dev/v1/tokens")).items
    }

    public func deleteToken(name: String) async throws {
        _ = try await send(.DELETE, "/apis/wharf.dev/v1/tokens/\(name)")
    }

    // MARK: - Image streams

    public func imageStreams(namespace: String?) async throws -> [ImageStream] {
        let path = namespace.map { "/apis/image.openshift.io/v1/namespaces/\($0)/imagestreams" } ?? "/apis/image.openshift.io/v1/imagestreams"
        return try decode(ObjectList<ImageStream>.self, try await send(.GET, path)).items
    }

    /// `oc tag`: points `destination` (`ns/stream:tag`) at `source` (`ns/stream:tag` tracks with `alias`, otherwise the
    /// source's current image is pinned; `ns/stream@digest` pins that image; anything else is an external reference).
    public func tag(source: String, destination: String, alias: Bool) async throws {
        let (namespace, name) = try Self.split(destination, separator: ":")
        var from: [String: JSONValue]
        if source.contains("@"), let slash = source.firstIndex(of: "/"), !source[..<slash].contains(".") {
            from = ["kind": .string("ImageStreamImage"), "namespace": .string(String(source[..<slash])),
                    "name": .string(String(source[source.index(after: slash)...]))]
        } else if let slash = source.firstIndex(of: "/"), !source[..<slash].contains("."), !source[..<slash].contains(":"),
                  source.split(separator: "/").count == 2 {
            let sourceNamespace = String(source[..<slash]), sourceName = String(source[source.index(after: slash)...])
            if alias {
                from = ["kind": .string("ImageStreamTag"), "namespace": .string(sourceNamespace), "name": .string(sourceName)]
            } else {
                let current = try decode(ImageStreamTag.self, try await send(.GET, "/apis/image.openshift.io/v1/namespaces/\(sourceNamespace)/imagestreamtags/\(sourceName)"))
                let stream = sourceName.split(separator: ":").first.map(String.init) ?? sourceName
                from = ["kind": .string("ImageStreamImage"), "namespace": .string(sourceNamespace),
                        "name": .string("\(stream)@\(current.image.metadata.name ?? "")")]
            }
        } else {
            from = ["kind": .string("DockerImage"), "name": .string(source)]
        }
        let body: JSONValue = .object(["apiVersion": .string(ImageAPIGroup.version), "kind": .string("ImageStreamTag"),
                                       "metadata": .object(["name": .string(name), "namespace": .string(namespace)]),
                                       "tag": .object(["from": .object(from)])])
        _ = try await send(.PUT, "/apis/image.openshift.io/v1/namespaces/\(namespace)/imagestreamtags/\(name)", json: body)
    }

    /// `namespace/rest` → (namespace, rest), requiring `separator` in `rest`.
    static func split(_ text: String, separator: Character) throws -> (String, String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[1].contains(separator) else {
            throw WharfClientError(status: 0, message: "\"\(text)\" must have the form <namespace>/<stream>\(separator)<tag>")
        }
        return (parts[0], parts[1])
    }
}

/// A failed request: the HTTP status and the server's message.
public struct WharfClientError: Error, CustomStringConvertible {
    public let status: Int
    public let message: String
    public var description: String { status == 0 ? message : "error (\(status)): \(message)" }
}
