import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

/// The served OpenAPI v3 documents say what the server does: every path template's parameters are declared, and every
/// documented operation reaches a route that performs it (never 405, never "could not find the requested resource").
@Suite("OpenAPI v3 documents: declared parameters, routed operations")
struct OpenAPIDocumentTests {
    /// Each served document, from the index, as (key, paths).
    static func documents(_ wire: Wire) async throws -> [(String, [String: [String: Any]])] {
        let index = try #require(try await wire.send(.get, "/openapi/v3").json["paths"] as? [String: [String: Any]])
        #expect(Set(index.keys) == ["apis/image.openshift.io/v1", "api/v1", "apis/rbac.authorization.k8s.io/v1"])
        var documents: [(String, [String: [String: Any]])] = []
        for (key, entry) in index.sorted(by: { $0.key < $1.key }) {
            let document = try await wire.send(.get, try #require(entry["serverRelativeURL"] as? String))
            #expect(document.status == .ok)
            documents.append((key, try #require(document.json["paths"] as? [String: [String: Any]], "\(key)")))
        }
        return documents
    }

    static let methods = ["get", "put", "post", "delete", "patch"]

    @Test("Every {parameter} of every path template is declared as a required path parameter")
    func pathParametersAreDeclared() async throws {
        try await Wire.test { wire in
            for (key, paths) in try await Self.documents(wire) {
                #expect(!paths.isEmpty, "\(key) documents no path")
                for (template, item) in paths {
                    let placeholders = Set(template.split(separator: "/").filter { $0.hasPrefix("{") }.map { String($0.dropFirst().dropLast()) })
                    let shared = item["parameters"] as? [[String: Any]] ?? []
                    for method in Self.methods {
                        guard let operation = item[method] as? [String: Any] else { continue }
                        let declared = (shared + (operation["parameters"] as? [[String: Any]] ?? [])).filter {
                            $0["in"] as? String == "path" && $0["required"] as? Bool == true
                        }
                        #expect(Set(declared.compactMap { $0["name"] as? String }) == placeholders, "\(method) \(template)")
                    }
                }
            }
        }
    }

    @Test("Every documented operation is routed: neither 405 nor an unknown path, on an empty server")
    func operationsAreRouted() async throws {
        try await Wire.test { wire in
            var count = 0
            for (_, paths) in try await Self.documents(wire) {
                for (template, item) in paths {
                    let path = template.replacingOccurrences(of: "{namespace}", with: "ns").replacingOccurrences(of: "{name}", with: "nope")
                    for method in Self.methods {
                        guard let operation = item[method] as? [String: Any] else { continue }
                        let content = ((operation["requestBody"] as? [String: Any])?["content"] as? [String: Any])?.keys.sorted()
                        let type = content?.first { $0.contains("merge-patch") } ?? content?.first
                        let writes = method != "get"
                        let response = try await wire.send(HTTPRequest.Method(method.uppercased())!, path + (writes ? "?dryRun=All" : ""),
                                                           headers: type.map { ["Content-Type": $0] } ?? [:], body: type.map { _ in Array("{}".utf8) })
                        let message = response.json["message"] as? String ?? ""
                        #expect(response.status != .methodNotAllowed, "\(method) \(template): \(message)")
                        #expect(response.status != .notFound || message.hasSuffix("\"nope\" not found"), "\(method) \(template): \(message)")
                        count += 1
                    }
                }
            }
            #expect(count > 40)
        }
    }

    @Test("A DELETE of an object and the create of an ImageStreamMapping are documented as answering a Status")
    func statusResponses() async throws {
        try await Wire.test { wire in
            for (_, paths) in try await Self.documents(wire) {
                for (template, item) in paths {
                    func schema(_ method: String, _ code: String) -> String? {
                        let responses = (item[method] as? [String: Any])?["responses"] as? [String: Any]
                        let content = (responses?[code] as? [String: Any])?["content"] as? [String: Any]
                        return ((content?["application/json"] as? [String: Any])?["schema"] as? [String: Any])?["$ref"] as? String
                    }
                    if template.hasSuffix("{name}"), item["delete"] != nil {
                        #expect(schema("delete", "200") == "#/components/schemas/Status", "\(template)")
                    }
                    if template.hasSuffix("/imagestreammappings") {
                        #expect(schema("post", "201") == "#/components/schemas/Status", "\(template)")
                    }
                    for method in Self.methods where item[method] != nil {
                        #expect(schema(method, "default") == "#/components/schemas/Status", "\(method) \(template)")
                    }
                }
            }
        }
    }
}
