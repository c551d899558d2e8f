import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Synchronization
import Testing
import WharfModel
import WharfServer
import WharfTesting

@Suite("Logs: JSON lines, request ids in every line and in X-Request-Id, pulls and failed logins at info")
struct LoggingTests {
    /// The lines a `JSONLogHandler` wrote, each parsed.
    final class Captured: Sendable {
        let lines = Mutex<[String]>([])
        var objects: [[String: Any]] {
            lines.withLock { $0 }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        }
        func line(_ message: String, requestID: String) -> [String: Any]? {
            objects.first { $0["message"] as? String == message && $0["request_id"] as? String == requestID }
        }
    }

    /// Runs `body` against an in-memory Wharf whose logger writes JSON lines into `captured`.
    static func withJSONLogs(_ body: @escaping @Sendable (Wire, Captured) async throws -> Void) async throws {
        let captured = Captured()
        let logger = Logger(label: "wharfd") { label in JSONLogHandler(label: label) { line in captured.lines.withLock { $0.append(line) } } }
        var configuration = WharfConfiguration(port: 0, storage: .inMemory, adminToken: WharfTestServer.adminToken)
        configuration.registryHostname = WharfTestServer.registryHostname
        let (router, _, _) = try await WharfServer.makeRouterCountingWatches(configuration, logger: logger)
        try await Application(router: router, logger: logger).test(.router) { client in try await body(Wire(client: client), captured) }
    }

    @Test("A push, a pull and a failed login each log one JSON line at info with the request's id, never the password")
    func jsonLines() async throws {
        try await Self.withJSONLogs { wire, captured in
            let blob = Fixtures.bytes(100, seed: 3)
            let digest = Digest.sha256(of: blob)
            let pushed = try await wire.send(.post, "/v2/ns/app/blobs/uploads/?digest=\(digest)", headers: ["X-Request-Id": "push-1"], body: blob)
            #expect(pushed.status == .created)
            let pulled = try await wire.send(.get, "/v2/ns/app/blobs/\(digest)", headers: ["X-Request-Id": "pull-1"])
            #expect(pulled.status == .ok)
            let refused = try await wire.as(nil).send(.get, "/v2/", headers: ["X-Request-Id": "login-1", "Authorization": "Basic Ym9iOnNlY3JldC1wdw=="])
            #expect(refused.status == .unauthorized)

            let push = try #require(captured.line("audit", requestID: "push-1"), "\(captured.lines.withLock { $0 })")
            #expect(push["level"] as? String == "info")
            #expect(push["method"] as? String == "POST")
            #expect(push["user"] as? String == "admin")
            #expect(push["status"] as? String == "201")
            #expect((push["time"] as? String)?.hasSuffix("Z") == true)
            let pull = try #require(captured.line("pull", requestID: "pull-1"))
            #expect(pull["level"] as? String == "info")
            #expect(pull["path"] as? String == "/v2/ns/app/blobs/\(digest)")
            let login = try #require(captured.line("login failed", requestID: "login-1"))
            #expect(login["level"] as? String == "info")
            #expect(login["user"] as? String == "bob")
            #expect(!captured.lines.withLock { $0 }.contains { $0.contains("secret-pw") })
            #expect(captured.lines.withLock { $0 }.allSatisfy { $0.hasSuffix("}\n") && !$0.dropLast().contains("\n") })
        }
    }

    @Test("Every answer carries X-Request-Id: the client's when short and printable, else a new one; errors too")
    func requestIDHeader() async throws {
        try await Wire.test { wire in
            #expect(try await wire.send(.get, "/v2/", headers: ["X-Request-Id": "abc-123_X.y"]).header("X-Request-Id") == "abc-123_X.y")
            for sent in ["two words", String(repeating: "a", count: 200), "naïve", ""] {
                let id = try #require(try await wire.send(.get, "/v2/", headers: ["X-Request-Id": sent]).header("X-Request-Id"))
                #expect(id != sent && UUID(uuidString: id) != nil, "\(sent) → \(id)")
            }
            var seen = Set<String>()
            for path in ["/v2/", "/livez", "/no/such/route", "/v2/ns/app/manifests/missing"] {
                for token in [WharfTestServer.adminToken, nil, "wrong"] {
                    let response = try await wire.as(token).send(.get, path)
                    let id = try #require(response.header("X-Request-Id"), "\(path) \(response.status)")
                    #expect(UUID(uuidString: id) != nil)
                    seen.insert(id)
                }
            }
            #expect(seen.count == 12, "request ids repeat")
        }
    }

    @Test("JSONLogHandler writes one parseable object a line: quotes, newlines and nested metadata escaped")
    func handlerEscapes() throws {
        let captured = Captured()
        var logger = Logger(label: "t") { label in JSONLogHandler(label: label) { line in captured.lines.withLock { $0.append(line) } } }
        logger[metadataKey: "request_id"] = "r-1"
        logger.debug("below the level")
        logger.warning("a \"quoted\"\nline\u{1}", metadata: ["list": ["1", "two"], "map": ["k": "v\\"], "level": "spoofed"])
        let lines = captured.lines.withLock { $0 }
        #expect(lines.count == 1)
        let object = try #require(captured.objects.first)
        #expect(object["message"] as? String == "a \"quoted\"\nline\u{1}")
        #expect(object["level"] as? String == "warning")
        #expect(object["label"] as? String == "t")
        #expect(object["request_id"] as? String == "r-1")
        #expect(object["list"] as? [String] == ["1", "two"])
        #expect(object["map"] as? [String: String] == ["k": "v\\"])
    }
}
