import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel

/// Bodies and parameters built to crash, stall or exhaust the server: each gets a short, clear 4xx, at once.
@Suite("Hostile input on the image API: numbers, YAML and JSON bombs, patch amplification, error size, bad bodies")
struct HostileBodyTests {
    @Test("Watch timeouts and list limits that overflow 64 bits are 400, not a crash", arguments: [
        "timeout=99999999999999999999s", "timeout=2562047788015216h", "timeout=153722867280912931m", "timeout=1x",
        "timeoutSeconds=99999999999999999999", "timeoutSeconds=ten", "limit=99999999999999999999", "limit=-",
    ])
    func overflowingNumbers(query: String) async throws {
        try await Wire.test { wire in
            for path in ["imagestreams", "images", "namespaces/ns/imagestreams"] {
                let watch = try await wire.json(.get, "\(path)?watch=true&\(query)")
                #expect(watch.status == .badRequest, "\(path)?\(query): \(watch.text)")
                #expect(watch.reason == "BadRequest")
            }
        }
    }

    @Test("Watch timeouts within range still bound the watch")
    func boundedTimeouts() async throws {
        try await Wire.test { wire throws in
            let clock = ContinuousClock(), start = clock.now
            for query in ["timeout=1s", "timeout=1.5s", "timeoutSeconds=1", "timeout=-5m", "timeout=900ms&timeoutSeconds=99999"] {
                #expect(try await wire.json(.get, "imagestreams?watch=true&\(query)").status == .ok)
            }
            // Each watch ends within seconds, not after the default watch timeout of many minutes; the bound is loose
            // because the whole suite runs in parallel on a busy machine.
            #expect(clock.now - start < .seconds(60))
            #expect(try await wire.json(.get, "imagestreams?limit=0").status == .ok)
            #expect(try await wire.json(.get, "imagestreams?limit=9223372036854775807").status == .ok)
        }
    }

    /// A billion laughs: `levels` levels of ten aliases each.
    static func aliasBomb(levels: Int) -> String {
        var lines = ["a0: &a0 [\"lol\"]"]
        for level in 1...levels {
            let aliases = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ",")
            lines.append("a\(level): &a\(level) [\(aliases)]")
        }
        return "apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: bomb\n  labels:\n"
            + lines.map { "    " + $0 }.joined(separator: "\n") + "\n"
    }

    @Test("YAML alias bombs are refused at once with 413, on every YAML route")
    func yamlAliasBombs() async throws {
        try await Wire.test { wire throws in
            let clock = ContinuousClock()
            for levels in [7, 9] {
                let body = Self.aliasBomb(levels: levels)
                let start = clock.now
                for (method, path) in [(HTTPRequest.Method.post, "namespaces/ns/imagestreams"), (.post, "namespaces/ns/imagestreammappings"),
                                       (.post, "/apis/rbac.authorization.k8s.io/v1/namespaces/ns/rolebindings")] {
                    let response = try await wire.json(method, path, body, contentType: "application/yaml")
                    #expect(response.status == .contentTooLarge, "\(path): \(response.text.prefix(300))")
                    #expect(response.reason == "RequestEntityTooLarge")
                    #expect(response.text.utf8.count < 2048)
                }
                #expect(clock.now - start < .seconds(30), "\(levels) levels")  // unbounded, 9 levels would take hours
            }
            // A small alias that does not expand past the text is fine.
            let fine = "apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: ok\n  labels: &l {a: b}\n  annotations: *l\n"
            #expect(try await wire.json(.post, "namespaces/ns/imagestreams", fine, contentType: "application/yaml").status == .created)
        }
    }

    @Test("Nesting deeper than 100 levels is a clear 400 in JSON and YAML")
    func deepNesting() async throws {
        try await Wire.test { wire in
            for depth in [101, 10_000, 200_000] {
                let json = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
                let deepJSON = try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":"x","labels":"#
                                                    + json + "}}")
                #expect(deepJSON.status == .badRequest)
                #expect((deepJSON.json["message"] as? String)?.contains("nests deeper than 100 levels") == true, "\(deepJSON.text.prefix(200))")
            }
            let yaml = "metadata:\n  name: x\n  labels: " + String(repeating: "[", count: 150) + String(repeating: "]", count: 150) + "\n"
            let deepYAML = try await wire.json(.post, "namespaces/ns/imagestreams", yaml, contentType: "application/yaml")
            #expect(deepYAML.status == .badRequest)
            #expect((deepYAML.json["message"] as? String)?.contains("nests deeper than 100 levels") == true, "\(deepYAML.text.prefix(200))")
            let flow = String(repeating: "- ", count: 5000) + "x\n"
            #expect(try await wire.json(.post, "namespaces/ns/imagestreams", flow, contentType: "application/yaml").status == .badRequest)
        }
    }

    @Test("Error messages are short and never dump a decoded value")
    func shortErrors() async throws {
        try await Wire.test { wire in
            // Expands through aliases to a large value that JSON cannot carry (.nan), under a field of the wrong type.
            var yaml = "apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: x\nspec:\n  tags:\n"
            yaml += "  - name: t\n    from: &f {kind: DockerImage, name: [.nan, .inf, \(String(repeating: "word ", count: 200))]}\n"
            yaml += "    annotations: [*f, *f, *f, *f]\n"
            let response = try await wire.json(.post, "namespaces/ns/imagestreams", yaml, contentType: "application/yaml")
            #expect(response.status == .badRequest, "\(response.text.prefix(300))")
            #expect(response.text.utf8.count < 2048, "\(response.text.utf8.count) bytes")
            let wrongType = try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":["\#(String(repeating: "a", count: 50_000))"]}}"#)
            #expect(wrongType.status == .badRequest)
            #expect(wrongType.text.utf8.count < 2048)
            #expect((wrongType.json["message"] as? String)?.contains("expected a string at metadata.name") == true, "\(wrongType.text.prefix(300))")
        }
    }

    @Test("JSON patches that copy a value over and over stop at the size limit, fast, with 413")
    func patchAmplification() async throws {
        try await Wire.test { wire in
            try await wire.createStream("ns", "app")
            let copies = (0..<30).map { #"{"op":"copy","from":"/metadata","path":"/metadata/annotations/c\#($0)"}"# }
            let patch = #"[{"op":"add","path":"/metadata/annotations","value":{}},"# + copies.joined(separator: ",") + "]"
            let clock = ContinuousClock(), start = clock.now
            let response = try await wire.json(.patch, "namespaces/ns/imagestreams/app", patch, contentType: "application/json-patch+json")
            #expect(response.status == .contentTooLarge, "\(response.text.prefix(300))")
            #expect(clock.now - start < .seconds(30))  // unbounded, 30 copies would take hours and terabytes
            // The limit applies to images too, and a push still goes through right after.
            try await wire.pushImage("ns/app", reference: "latest")
            let image = try #require(try await wire.json(.get, "namespaces/ns/imagestreams/app").value("status.tags.0.items.0.image") as? String)
            let imagePatch = try await wire.json(.patch, "images/\(image)", patch, contentType: "application/json-patch+json")
            #expect(imagePatch.status == .contentTooLarge)
        }
    }

    @Test("SelfSubjectAccessReview and token bodies of the wrong shape are 400, never 500", arguments: [
        "null", "[]", "{}", "\"text\"", "42", #"{"spec":[]}"#, #"{"spec":{"resourceAttributes":"x"}}"#, #"{"spec":{"user":7}}"#,
        #"{"kind":"Pod","apiVersion":"v1"}"#, #"{"metadata":{"name":{"a":1}}}"#, "{not json",
    ])
    func wrongShapes(body: String) async throws {
        try await Wire.test { wire in
            for path in ["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "/apis/wharf.dev/v1/tokens",
                         "/apis/rbac.authorization.k8s.io/v1/namespaces/ns/rolebindings", "\(Wire.api)/namespaces/ns/imagestreams"] {
                let response = try await wire.json(.post, path, body)
                #expect((400..<500).contains(response.status.code), "\(path) \(body): \(response.status) \(response.text.prefix(200))")
                #expect(response.json["kind"] as? String == "Status")
            }
        }
    }

    @Test("A bare protobuf envelope, a truncated one and an unknown kind are 4xx")
    func protobufEnvelopes() async throws {
        try await Wire.test { wire in
            for bytes: [UInt8] in [[0x6b, 0x38, 0x73, 0x00], [0x6b, 0x38, 0x73, 0x00, 0x0a, 0xff], [0x6b, 0x38, 0x73], [0x0a, 0x02, 0x08]] {
                for path in ["/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "/apis/wharf.dev/v1/tokens"] {
                    let response = try await wire.send(.post, path, headers: ["Content-Type": "application/vnd.kubernetes.protobuf"], body: bytes)
                    #expect((400..<500).contains(response.status.code), "\(path) \(bytes): \(response.status) \(response.text.prefix(200))")
                }
            }
        }
    }

    @Test("A body that is neither JSON, YAML nor protobuf is 415")
    func unsupportedMediaType() async throws {
        try await Wire.test { wire in
            for type in ["text/plain", "application/x-www-form-urlencoded", "application/xml"] {
                let response = try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":"a"}}"#, contentType: type)
                #expect(response.status == .unsupportedMediaType, "\(type)")
                #expect(response.reason == "UnsupportedMediaType")
            }
            #expect(try await wire.json(.get, "namespaces/ns/imagestreams/a").status == .notFound)
            #expect(try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":"a"}}"#,
                                        contentType: "application/json; charset=utf-8").status == .created)
        }
    }

    @Test("Continue tokens are self-contained: lists left unfinished keep nothing, and a token that is not one is 400")
    func abandonedLists() async throws {
        try await Wire.test { wire in
            for name in ["a", "b", "c"] { try await wire.createStream("ns", name) }
            var tokens: [String] = []
            for _ in 0..<50 {
                tokens.append(try #require(try await wire.json(.get, "imagestreams?limit=1").value("metadata.continue") as? String))
            }
            for token in [tokens[0], tokens[49]] {
                let page = try await wire.json(.get, "imagestreams?limit=1&continue=\(token)")
                #expect(page.value("items.0.metadata.name") as? String == "b")
            }
            // The last: a well-formed token whose resourceVersion the store has not reached.
            let future = Data(#"{"v":1,"rv":9000000000,"ns":"a","name":"a"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
            for bad in ["not-a-token", String(repeating: "A", count: 5000), "eyJ2IjoyfQ", future] {
                let refused = try await wire.json(.get, "imagestreams?limit=1&continue=\(bad)")
                #expect(refused.status == .badRequest, "\(bad.prefix(20))")
                #expect(refused.reason == "BadRequest")
            }
        }
    }
}
