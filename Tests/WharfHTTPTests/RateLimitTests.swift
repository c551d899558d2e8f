import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel
import WharfServer
import WharfTesting

@Suite("--rate-limit on the wire: 429 with Retry-After in each protocol's format, per caller, never the probes")
struct RateLimitTests {
    /// A server allowing one request each ten seconds to each caller, so the second request is always refused.
    static func limited(_ body: @escaping @Sendable (Wire) async throws -> Void) async throws {
        let app = try await WharfTestServer.makeApplication { $0.rateLimit = 0.1 }
        try await app.test(.router) { client in try await body(Wire(client: client)) }
    }

    @Test("Beyond the limit /v2/ answers 429 TOOMANYREQUESTS with Retry-After")
    func registry() async throws {
        try await Self.limited { (wire: Wire) async throws in
            #expect(try await wire.send(.get, "/v2/").status == .ok)
            let refused = try await wire.send(.get, "/v2/_catalog")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.ociCode == "TOOMANYREQUESTS")
            let retry = try #require(refused.header("Retry-After").flatMap { Int($0) })
            #expect((1...10).contains(retry), "at most the ten seconds a token takes at 0.1 a second")
        }
    }

    @Test("Beyond the limit the image API answers a TooManyRequests Status with Retry-After")
    func imageAPI() async throws {
        try await Self.limited { (wire: Wire) async throws in
            #expect(try await wire.send(.get, "/apis/image.openshift.io/v1/imagestreams").status == .ok)
            let refused = try await wire.send(.get, "/apis/image.openshift.io/v1/imagestreams")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.json["kind"] as? String == "Status")
            #expect(refused.json["reason"] as? String == "TooManyRequests")
            #expect(refused.json["code"] as? Int == 429)
            #expect(refused.header("Retry-After") != nil)
        }
    }

    @Test("Each caller has its own share; the probes and the token endpoint are never limited")
    func perCallerAndProbes() async throws {
        try await Self.limited { (wire: Wire) async throws in
            #expect(try await wire.send(.get, "/v2/").status == .ok)
            #expect(try await wire.send(.get, "/v2/").status == .tooManyRequests)
            // Anonymous callers are limited by address, apart from the admin.
            #expect(try await wire.as(nil).send(.get, "/v2/").status == .unauthorized)
            #expect(try await wire.as(nil).send(.get, "/v2/").status == .tooManyRequests)
            for path in ["/livez", "/readyz", "/healthz", "/readyz", "/openshift/token", "/v2/token"] {
                #expect(try await wire.as(nil).send(.get, path).status == .ok, "\(path)")
            }
        }
    }

    @Test("Without --rate-limit nothing is limited")
    func offByDefault() async throws {
        try await Wire.test { (wire: Wire) async throws in
            for _ in 0..<50 { #expect(try await wire.send(.get, "/v2/").status == .ok) }
        }
    }
}
