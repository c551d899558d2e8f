import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel

@Suite("Logins on the wire: refusals clients can print")
struct LoginTests {
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

    @Test("A refused token says why: error=invalid_token and error_description in the challenge and the token endpoint's body")
    func refusalsSayWhy() async throws {
        try await Wire.test { wire in
            // A token that expires in a few seconds (one already expired cannot be created), then a wait until it has.
            let expiry = Int64(Date().timeIntervalSince1970) + 4
            let created = try await wire.json(.post, "/apis/wharf.dev/v1/tokens",
                                              #"{"metadata":{"name":"brief"},"spec":{"user":"u","expirationTimestamp":"\#(Time(secondsSince1970: expiry))"}}"#)
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
}
