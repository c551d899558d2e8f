import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel

/// Manifests that different clients would read differently, or that would make oversized objects, are refused.
@Suite("Manifest and object limits: duplicate keys, byte-order marks, layer counts, labels, annotations, stored size")
struct ManifestLimitTests {
    @Test("A manifest with a key twice is MANIFEST_INVALID, even when the first copy is valid")
    func duplicateKeys() async throws {
        try await Wire.test { wire in
            let config = Fixtures.config(seed: 1), layer = Fixtures.bytes(100, seed: 1)
            try await wire.pushBlob(config, to: "ns/app")
            try await wire.pushBlob(layer, to: "ns/app")
            let good = String(decoding: Fixtures.manifest(config: config, layers: [layer]), as: UTF8.self)
            let missing = Fixtures.descriptor("application/vnd.oci.image.layer.v1.tar+gzip", Fixtures.bytes(5, seed: 9))
            let variants = [
                String(good.dropLast()) + #","layers":[\#(missing)]}"#,
                String(good.dropLast()) + #","mediaType":"application/vnd.oci.image.index.v1+json"}"#,
            ]
            for variant in variants {
                let response = try await wire.send(.put, "/v2/ns/app/manifests/dup", headers: ["Content-Type": MediaType.ociManifest],
                                                   body: Array(variant.utf8))
                #expect(response.status == .badRequest, "\(response.text)")
                #expect(response.text.contains("MANIFEST_INVALID"))
                #expect(response.text.contains("twice"))
            }
            let bom = try await wire.send(.put, "/v2/ns/app/manifests/bom", headers: ["Content-Type": MediaType.ociManifest],
                                          body: [0xEF, 0xBB, 0xBF] + Array(good.utf8))
            #expect(bom.status == .badRequest)
            #expect(bom.text.contains("byte-order mark"))
            #expect(try await wire.send(.put, "/v2/ns/app/manifests/ok", headers: ["Content-Type": MediaType.ociManifest],
                                        body: Array(good.utf8)).status == .created)
        }
    }

    @Test("Duplicate fields in image API bodies: 400 under Strict, a Warning under Warn, nothing under Ignore")
    func duplicateFields() async throws {
        try await Wire.test { wire in
            let body = #"{"kind":"ImageStream","metadata":{"name":"a","name":"b"}}"#
            let strict = try await wire.json(.post, "namespaces/ns/imagestreams?fieldValidation=Strict", body)
            #expect(strict.status == .badRequest)
            #expect((strict.json["message"] as? String)?.contains(#"duplicate field "metadata.name""#) == true, "\(strict.text)")
            let warned = try await wire.json(.post, "namespaces/ns/imagestreams", body)
            #expect(warned.status == .created)
            #expect(warned.headers[HTTPField.Name("Warning")!]?.contains(#"duplicate field \"metadata.name\""#) == true)
            let ignored = try await wire.json(.post, "namespaces/ns/imagestreams?fieldValidation=Ignore",
                                              #"{"metadata":{"name":"c","name":"d"},"bogus":1}"#)
            #expect(ignored.status == .created)
            #expect(ignored.headers[HTTPField.Name("Warning")!] == nil)
            #expect(try await wire.json(.post, "namespaces/ns/imagestreams?fieldValidation=Loose", body).status == .badRequest)
        }
    }

    @Test("Manifests with more than 1,000 layers are refused")
    func layerCount() async throws {
        try await Wire.test { wire in
            let config = Fixtures.config(seed: 1)
            try await wire.pushBlob(config, to: "ns/app")
            let layers = (0..<1001).map { _ in Fixtures.descriptor("application/vnd.oci.image.layer.v1.tar+gzip", [1]) }
            let manifest = #"{"schemaVersion":2,"mediaType":"\#(MediaType.ociManifest)","config":\#(Fixtures.descriptor(MediaType.ociConfig, config)),"#
                + #""layers":[\#(layers.joined(separator: ","))]}"#
            let response = try await wire.send(.put, "/v2/ns/app/manifests/many", headers: ["Content-Type": MediaType.ociManifest],
                                               body: Array(manifest.utf8))
            #expect(response.status == .badRequest)
            #expect(response.text.contains("at most 1000"))
        }
    }

    @Test("Labels, annotations and the stored size of objects are bounded")
    func objectLimits() async throws {
        try await Wire.test { wire in
            let labels = (0...100).map { #""l\#($0)":"v""# }.joined(separator: ",")
            let many = try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":"a","labels":{\#(labels)}}}"#)
            #expect(many.status == .unprocessableContent)
            #expect(many.value("details.causes.0.field") as? String == "metadata.labels")
            let big = String(repeating: "x", count: 300_000)
            let heavy = try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":"b","annotations":{"a":"\#(big)"}}}"#)
            #expect(heavy.status == .unprocessableContent)
            #expect(heavy.value("details.causes.0.field") as? String == "metadata.annotations")
            let tags = (0..<9000).map { #"{"name":"t\#($0)","from":{"kind":"DockerImage","name":"example.com/a/b:\#($0)"}}"# }
            let huge = try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":"c"},"spec":{"tags":[\#(tags.joined(separator: ","))]}}"#)
            #expect(huge.status == .contentTooLarge, "\(huge.text.prefix(300))")
            #expect((try await wire.json(.get, "namespaces/ns/imagestreams").value("items") as? [Any])?.count == 0)
        }
    }
}
