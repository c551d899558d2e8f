#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfAccess
import WharfModel
import WharfServer

@Suite("Logins on the wire: the throttle's 429, refusals clients can print, tokens that cannot be born expired")
struct LoginTests {
    /// alice:hunter2 (bcrypt, cost 4).
    static func htpasswdFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("htpasswd-\(UUID().uuidString)").path
        try "alice:$2b$04$OtxIxBNK9rZ4PIbVqEHrhe0u8WoFEpc2bn5bDVt.DB/vYh/e07sxa\n".write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func basic(_ user: String, _ password: String) -> [String: String] {
        ["Authorization": "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()]
    }

    /// The parameters of a `Bearer` challenge.
    static func challenge(_ response: TestResponse) -> [String: String] {
        let header = response.header("WWW-Authenticate") ?? ""
        var parameters: [String: String] = [:]
        let pattern = try! NSRegularExpression(pattern: #"(\w+)="([^"]*)""#)
        for match in pattern.matches(in: header, range: NSRange(header.startIndex..., in: header)) {
            parameters[String(header[Range(match.range(at: 1), in: header)!])] = String(header[Range(match.range(at: 2), in: header)!])
        }
        return parameters
    }

    @Test("Wrong passwords lock out that user with 429 and Retry-After on /v2/, /apis/ and the token endpoint; a valid token still works")
    func throttle() async throws {
        let path = try Self.htpasswdFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await Wire.test(htpasswd: path) { wire in
            let token = try await wire.json(.post, "/apis/wharf.dev/v1/tokens", #"{"metadata":{"name":"alice-ci"},"spec":{"user":"alice"}}"#)
            let secret = try #require(token.value("status.token") as? String)
            for _ in 0..<20 {
                #expect(try await wire.as(nil).send(.get, "/v2/", headers: Self.basic("alice", "guess")).status == .unauthorized)
            }
            for path in ["/v2/", "/apis/wharf.dev/v1/tokens", "/openshift/token"] {
                let locked = try await wire.as(nil).send(.get, path, headers: Self.basic("alice", "hunter2"))
                #expect(locked.status == .tooManyRequests, "\(path): \(locked.status)")
                let retry = try #require(locked.header("Retry-After").flatMap { Int($0) }, "\(path) sends Retry-After")
                #expect((1...60).contains(retry))
            }
            #expect(try await wire.as(secret).send(.get, "/v2/").status == .ok)
            #expect(try await wire.as(nil).send(.get, "/v2/", headers: Self.basic("alice", secret)).status == .ok)
            let exchanged = try await wire.as(nil).send(.get, "/openshift/token", headers: Self.basic("alice", secret))
            #expect(exchanged.status == .ok)
            #expect(exchanged.json["token"] as? String == secret)
        }
    }

    @Test("A refused token says why: error=invalid_token and error_description in the challenge and the token endpoint's body")
    func refusalsSayWhy() async throws {
        try await Wire.test { wire in
            // A token that expires in a few seconds (one already expired cannot be created, so a loaded machine that
            // takes longer than that to create it tries again with more), then a wait until it has.
            var expiry: Int64 = 0
            var created = try await wire.json(.get, "/apis/wharf.dev/v1/tokens")
            for margin in [4, 15, 60] {
                expiry = Int64(Date().timeIntervalSince1970) + Int64(margin)
                created = try await wire.json(.post, "/apis/wharf.dev/v1/tokens",
                                              #"{"metadata":{"name":"brief-\#(margin)"},"spec":{"user":"u","expirationTimestamp":"\#(Time(secondsSince1970: expiry))"}}"#)
                if created.status == .created { break }
            }
            #expect(created.status == .created, "\(created.text)")
            let secret = try #require(created.value("status.token") as? String)
            try await Task.sleep(for: .seconds(max(0, Double(expiry + 1) - Date().timeIntervalSince1970)))

            let registry = try await wire.as(secret).send(.get, "/v2/")
            #expect(registry.status == .unauthorized)
            #expect(Self.challenge(registry)["error"] == "invalid_token")
            #expect(Self.challenge(registry)["error_description"]?.contains("expired") == true, "\(registry.header("WWW-Authenticate") ?? "")")

            for path in ["/openshift/token", "/v2/token"] {
                let endpoint = try await wire.as(nil).send(.get, path, headers: Self.basic("u", secret))
                #expect(endpoint.status == .unauthorized)
                #expect(endpoint.json["error"] as? String == "invalid_token")
                #expect((endpoint.json["error_description"] as? String)?.contains("expired") == true, "\(path): \(endpoint.text)")
                #expect(endpoint.ociCode == "UNAUTHORIZED")
                #expect(Self.challenge(endpoint)["error_description"]?.contains("expired") == true)
            }

            let unknown = try await wire.as("wharf_unknown").send(.get, "/v2/ns/app/tags/list")
            #expect(Self.challenge(unknown)["error"] == "invalid_token")
            #expect(Self.challenge(unknown)["error_description"] == "authentication required: the token is not valid")
            let anonymous = try await wire.as(nil).send(.get, "/v2/ns/app/tags/list")
            #expect(anonymous.status == .unauthorized)
            #expect(Self.challenge(anonymous)["error"] == nil, "a request without credentials gets a plain challenge")
        }
    }

    @Test("POST tokens with an expirationTimestamp in the past is 422 Invalid with a field cause")
    func expiredAtCreation() async throws {
        try await Wire.test { wire in
            let response = try await wire.json(.post, "/apis/wharf.dev/v1/tokens",
                                               #"{"metadata":{"name":"late"},"spec":{"user":"u","expirationTimestamp":"2020-01-01T00:00:00Z"}}"#)
            #expect(response.status == .unprocessableContent)
            #expect(response.reason == "Invalid")
            #expect(response.value("details.causes.0.field") as? String == "spec.expirationTimestamp")
            #expect(response.value("details.causes.0.reason") as? String == "FieldValueInvalid")
            let list = try await wire.json(.get, "/apis/wharf.dev/v1/tokens")
            #expect(!list.text.contains("\"late\""))
        }
    }

    @Test("A Host header with quotes cannot add parameters to the challenge", arguments: [
        #"evil",service="x"#, "a b", "h\\", "",
    ])
    func hostInjection(host: String) async throws {
        try await Wire.testLive { wire in
            let port = try #require(wire.client.port)
            let head = try await RawHTTPClient.run {
                let client = try RawHTTPClient(port: port)
                defer { client.close() }
                try client.send("GET /v2/ns/app/tags/list HTTP/1.1\r\nHost: \(host)\r\n\r\n")
                return try client.readResponse().head
            }
            if head.hasPrefix("HTTP/1.1 400") { return }  // a Host the HTTP parser refuses never reaches the challenge
            #expect(head.hasPrefix("HTTP/1.1 401"), "\(head)")
            let challenge = try #require(head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("www-authenticate:") })
            #expect(challenge.components(separatedBy: "service=").count == 2, "\(challenge)")
            #expect(challenge.contains(#"realm="http://localhost/openshift/token""#), "\(challenge)")
        }
    }

    @Test("Behind a trusted proxy the throttle locks out the client X-Forwarded-For names, not every client of the proxy",
          arguments: [true, false])
    func throttleBehindProxy(trusted: Bool) async throws {
        let path = try Self.htpasswdFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await Wire.testLive(configure: { settings in
            settings.htpasswd = path
            if trusted { settings.trustedProxies = try! TrustedProxies(parsing: "127.0.0.0/8,::1") }
        }) { wire, _ in
            for hop in 0..<20 {
                // A client may prepend what it likes: only the hop the proxy appended counts.
                let forwarded = ["X-Forwarded-For": "198.51.100.\(hop), 203.0.113.7"]
                #expect(try await wire.as(nil).send(.get, "/v2/", headers: Self.basic("alice", "guess").merging(forwarded) { $1 }).status == .unauthorized)
            }
            let attacker = try await wire.as(nil).send(.get, "/v2/", headers: Self.basic("alice", "hunter2").merging(["X-Forwarded-For": "203.0.113.7"]) { $1 })
            #expect(attacker.status == .tooManyRequests)
            let other = try await wire.as(nil).send(.get, "/v2/", headers: Self.basic("alice", "hunter2").merging(["X-Forwarded-For": "203.0.113.8"]) { $1 })
            // Trusted: another client of the proxy logs in. Not trusted: the header is ignored and every request is the proxy's.
            #expect(other.status == (trusted ? .ok : .tooManyRequests), "\(other.status)")
        }
    }
}
