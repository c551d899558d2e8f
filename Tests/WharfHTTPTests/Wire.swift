import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import WharfModel
import WharfServer
import WharfTesting

/// A thin client over the router test framework, with helpers to push content.
struct Wire {
    let client: any TestClientProtocol
    /// The bearer token requests carry; the bootstrap admin's unless changed, `nil` for anonymous requests.
    var token: String? = WharfTestServer.adminToken

    /// The same client acting with another token (or anonymously).
    func `as`(_ token: String?) -> Wire { Wire(client: client, token: token) }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ uri: String, headers: [String: String] = [:], body: [UInt8]? = nil) async throws -> TestResponse {
        var fields = HTTPFields()
        if let token, headers["Authorization"] == nil { fields[.authorization] = "Bearer \(token)" }
        for (name, value) in headers { fields[HTTPField.Name(name)!] = value }
        if let body, fields[.contentLength] == nil { fields[.contentLength] = String(body.count) }
        return try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(bytes: $0) })
    }

    /// Uploads `bytes` in one POST ?digest= and returns their digest.
    @discardableResult
    func pushBlob(_ bytes: [UInt8], to repository: String) async throws -> Digest {
        let digest = Digest.sha256(of: bytes)
        let response = try await send(.post, "/v2/\(repository)/blobs/uploads/?digest=\(digest)", body: bytes)
        #expect(response.status == .created, "blob push: \(response.text)")
        return digest
    }

    /// Pushes a config and one layer, then an image manifest under `reference`. Returns the manifest bytes and digest.
    @discardableResult
    func pushImage(_ repository: String, reference: String, seed: UInt8 = 1, extra: String = "") async throws -> (bytes: [UInt8], digest: Digest) {
        let config = Fixtures.config(seed: seed)
        let layer = Fixtures.bytes(1000 + Int(seed), seed: seed)
        try await pushBlob(config, to: repository)
        try await pushBlob(layer, to: repository)
        let manifest = Fixtures.manifest(config: config, layers: [layer], extra: extra)
        let response = try await send(.put, "/v2/\(repository)/manifests/\(reference)",
                                      headers: ["Content-Type": MediaType.ociManifest], body: manifest)
        #expect(response.status == .created, "manifest push: \(response.text)")
        return (manifest, Digest.sha256(of: manifest))
    }

    /// Runs `body` against a fresh in-memory Wharf.
    static func test(_ body: @escaping @Sendable (Wire) async throws -> Void) async throws {
        try await WharfTestServer.withRouter { client in try await body(Wire(client: client)) }
    }

    /// Runs `body` against a fresh in-memory Wharf whose users are those of the htpasswd file at `htpasswd`.
    static func test(htpasswd: String, _ body: @escaping @Sendable (Wire) async throws -> Void) async throws {
        let app = try await WharfTestServer.makeApplication(htpasswd: htpasswd)
        try await app.test(.router) { client in try await body(Wire(client: client)) }
    }

    /// Runs `body` against a fresh Wharf on the embedded storage (SQLite and files in a temporary directory), over a
    /// real socket.
    static func testLive(_ body: @escaping @Sendable (Wire) async throws -> Void) async throws {
        try await testLive(configure: { _ in }) { wire, _ in try await body(wire) }
    }

    /// As `testLive`, with the settings `configure` makes, and a count of the watches open on the server.
    static func testLive(configure: (inout WharfConfiguration) -> Void,
                         _ body: @escaping @Sendable (Wire, _ openWatches: @escaping @Sendable () -> Int) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-live-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (app, openWatches) = try await WharfTestServer.makeObservedApplication(storage: .embedded, dataDirectory: directory, configure: configure)
        try await app.test(.live) { client in try await body(Wire(client: client), openWatches) }
    }
}

extension TestResponse {
    var bytes: [UInt8] { Array(body.readableBytesView) }
    var text: String { String(buffer: body) }
    func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]) ?? [:] }
    /// The first OCI error code of the body.
    var ociCode: String? { ((json["errors"] as? [[String: Any]])?.first?["code"]) as? String }
}

enum Fixtures {
    static func bytes(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ Int(seed) &* 101) }
    }

    static func config(seed: UInt8) -> [UInt8] {
        Array("""
            {"architecture":"amd64","os":"linux","created":"2016-01-29T13:40:00Z","author":"wharf-\(seed)",\
            "config":{"Cmd":["/usr/libexec/s2i/run"],"Entrypoint":["container-entrypoint"],"Env":["A=\(seed)"],\
            "ExposedPorts":{"8080/tcp":{}},"Labels":{"build-date":"2015-12-23"},"User":"1001","WorkingDir":"/opt/app-root/src"},\
            "rootfs":{"type":"layers","diff_ids":[]}}
            """.utf8)
    }

    static func descriptor(_ mediaType: String, _ bytes: [UInt8]) -> String {
        "{\"mediaType\":\"\(mediaType)\",\"digest\":\"\(Digest.sha256(of: bytes))\",\"size\":\(bytes.count)}"
    }

    static func manifest(config: [UInt8], layers: [[UInt8]], extra: String = "") -> [UInt8] {
        let layerList = layers.map { descriptor("application/vnd.oci.image.layer.v1.tar+gzip", $0) }.joined(separator: ",")
        return Array("""
            {"schemaVersion":2,"mediaType":"\(MediaType.ociManifest)","config":\(descriptor(MediaType.ociConfig, config)),\
            "layers":[\(layerList)]\(extra)}
            """.utf8)
    }

    static func index(_ children: [[UInt8]]) -> [UInt8] {
        let entries = children.enumerated().map { index, child in
            "{\"mediaType\":\"\(MediaType.ociManifest)\",\"digest\":\"\(Digest.sha256(of: child))\",\"size\":\(child.count),"
                + "\"platform\":{\"architecture\":\"\(index == 0 ? "amd64" : "arm64")\",\"os\":\"linux\"}}"
        }
        return Array("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociIndex)\",\"manifests\":[\(entries.joined(separator: ","))]}".utf8)
    }

    /// The seed document's ImageStreamMapping, as the repository keeps it in `examples/`.
    static func seedMapping() throws -> [UInt8] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return Array(try Data(contentsOf: root.appendingPathComponent("examples/origin-ruby-sample-mapping.yaml")))
    }
}
