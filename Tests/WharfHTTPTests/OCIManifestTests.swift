import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel

@Suite("OCI manifests: PUT, GET and HEAD by tag or digest, validation, DELETE")
struct OCIManifestTests {
    @Test("PUT by tag answers 201 with Location and Docker-Content-Digest; GET returns the exact bytes")
    func putAndGet() async throws {
        try await Wire.test { wire in
            let (bytes, digest) = try await wire.pushImage("ns/app", reference: "latest")
            for reference in ["latest", digest.description] {
                let get = try await wire.send(.get, "/v2/ns/app/manifests/\(reference)", headers: ["Accept": MediaType.ociManifest])
                #expect(get.status == .ok)
                #expect(get.bytes == bytes)
                #expect(get.header("Content-Type") == MediaType.ociManifest)
                #expect(get.header("Docker-Content-Digest") == digest.description)
                let head = try await wire.send(.head, "/v2/ns/app/manifests/\(reference)")
                #expect(head.status == .ok)
                #expect(head.header("Content-Length") == String(bytes.count))
                #expect(head.header("Docker-Content-Digest") == digest.description)
                #expect(head.bytes.isEmpty)
            }
        }
    }

    @Test("A tag read many times follows every change: a new push, an image API retag, a delete", arguments: [false, true])
    func tagFollowsChanges(onDisk: Bool) async throws {
        try await (onDisk ? Wire.testLive : Wire.test) { wire in
            let first = try await wire.pushImage("ns/app", reference: "latest", seed: 1)
            for _ in 0..<3 { #expect(try await wire.send(.get, "/v2/ns/app/manifests/latest").header("Docker-Content-Digest") == first.digest.description) }
            let second = try await wire.pushImage("ns/app", reference: "latest", seed: 2)
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/latest").header("Docker-Content-Digest") == second.digest.description)
            let retag = #"{"kind":"ImageStreamTag","apiVersion":"image.openshift.io/v1","metadata":{"name":"app:latest","namespace":"ns"},"#
                + #""tag":{"name":"latest","from":{"kind":"ImageStreamImage","name":"app@\#(first.digest)"}}}"#
            let put = try await wire.send(.put, "/apis/image.openshift.io/v1/namespaces/ns/imagestreamtags/app:latest",
                                          headers: ["Content-Type": "application/json"], body: Array(retag.utf8))
            #expect(put.status == .ok || put.status == .created, "retag: \(put.text)")
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/latest").header("Docker-Content-Digest") == first.digest.description)
            #expect(try await wire.send(.delete, "/v2/ns/app/manifests/latest").status == .accepted)
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/latest").status == .notFound)
        }
    }

    @Test("The Location and digest of a PUT point at the manifest")
    func putHeaders() async throws {
        try await Wire.test { wire in
            let config = Fixtures.config(seed: 2), layer = Fixtures.bytes(10, seed: 2)
            try await wire.pushBlob(config, to: "ns/app")
            try await wire.pushBlob(layer, to: "ns/app")
            let manifest = Fixtures.manifest(config: config, layers: [layer])
            let digest = Digest.sha256(of: manifest)
            let put = try await wire.send(.put, "/v2/ns/app/manifests/v1", headers: ["Content-Type": MediaType.ociManifest], body: manifest)
            #expect(put.status == .created)
            #expect(put.header("Location") == "/v2/ns/app/manifests/\(digest)")
            #expect(put.header("Docker-Content-Digest") == digest.description)
            #expect(put.header("OCI-Subject") == nil)
        }
    }

    @Test("A client whose Accept excludes the manifest's type gets MANIFEST_UNKNOWN; */* accepts anything")
    func acceptNegotiation() async throws {
        try await Wire.test { wire in
            try await wire.pushImage("ns/app", reference: "latest")
            let docker = try await wire.send(.get, "/v2/ns/app/manifests/latest", headers: ["Accept": MediaType.dockerManifest])
            #expect(docker.status == .notFound)
            #expect(docker.ociCode == "MANIFEST_UNKNOWN")
            let any = try await wire.send(.get, "/v2/ns/app/manifests/latest", headers: ["Accept": "*/*"])
            #expect(any.status == .ok)
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/latest", headers: ["Accept": "application/*"]).status == .ok)
            let digest = try #require(any.header("Docker-Content-Digest"))
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/\(digest)", headers: ["Accept": MediaType.dockerManifest]).status == .ok)
            let list = try await wire.send(.get, "/v2/ns/app/manifests/latest",
                                           headers: ["Accept": "\(MediaType.dockerManifest), \(MediaType.ociManifest);q=0.9"])
            #expect(list.status == .ok)
        }
    }

    @Test("Unknown manifests are 404 MANIFEST_UNKNOWN, including tags that cannot exist; PUT to such a tag is TAG_INVALID")
    func unknown() async throws {
        try await Wire.test { wire in
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/nope").ociCode == "MANIFEST_UNKNOWN")
            let invalid = try await wire.send(.get, "/v2/ns/app/manifests/.INVALID_MANIFEST_NAME")
            #expect(invalid.status == .notFound)
            #expect(invalid.ociCode == "MANIFEST_UNKNOWN")
            #expect(try await wire.send(.head, "/v2/ns/app/manifests/.INVALID_MANIFEST_NAME").status == .notFound)
            #expect(try await wire.send(.delete, "/v2/ns/app/manifests/.INVALID_MANIFEST_NAME").status == .notFound)
            let put = try await wire.send(.put, "/v2/ns/app/manifests/.INVALID_MANIFEST_NAME", headers: ["Content-Type": MediaType.ociManifest],
                                          body: Array("{}".utf8))
            #expect(put.status == .badRequest)
            #expect(put.ociCode == "TAG_INVALID")
            let head = try await wire.send(.head, "/v2/ns/app/manifests/sha256:" + String(repeating: "a", count: 64))
            #expect(head.status == .notFound)
        }
    }

    @Test("A manifest referencing a blob the repository lacks is MANIFEST_BLOB_UNKNOWN")
    func missingBlob() async throws {
        try await Wire.test { wire in
            let config = Fixtures.config(seed: 3), layer = Fixtures.bytes(10, seed: 3)
            try await wire.pushBlob(config, to: "ns/app")
            try await wire.pushBlob(layer, to: "ns/elsewhere")
            let put = try await wire.send(.put, "/v2/ns/app/manifests/latest", headers: ["Content-Type": MediaType.ociManifest],
                                          body: Fixtures.manifest(config: config, layers: [layer]))
            #expect(put.status == .badRequest)
            #expect(put.ociCode == "MANIFEST_BLOB_UNKNOWN")
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/latest").status == .notFound)
        }
    }

    @Test("An index whose child manifest the repository lacks is MANIFEST_BLOB_UNKNOWN; with its children it is accepted")
    func indexChildren() async throws {
        try await Wire.test { wire in
            let (child, digest) = try await wire.pushImage("ns/app", reference: Digest.sha256(of: Fixtures.manifest(
                config: Fixtures.config(seed: 4), layers: [Fixtures.bytes(1004, seed: 4)])).description, seed: 4)
            let orphan = Fixtures.manifest(config: Fixtures.config(seed: 9), layers: [])
            let bad = try await wire.send(.put, "/v2/ns/app/manifests/multi", headers: ["Content-Type": MediaType.ociIndex],
                                          body: Fixtures.index([child, orphan]))
            #expect(bad.ociCode == "MANIFEST_BLOB_UNKNOWN")
            let index = Fixtures.index([child])
            let good = try await wire.send(.put, "/v2/ns/app/manifests/multi", headers: ["Content-Type": MediaType.ociIndex], body: index)
            #expect(good.status == .created)
            let get = try await wire.send(.get, "/v2/ns/app/manifests/multi", headers: ["Accept": MediaType.ociIndex])
            #expect(get.bytes == index)
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/\(digest)").status == .ok)
        }
    }

    @Test("Bad manifests are MANIFEST_INVALID", arguments: [
        ("{not json", MediaType.ociManifest),
        ("{\"schemaVersion\":1,\"name\":\"x\"}", MediaType.ociManifest),
        ("{\"schemaVersion\":2,\"mediaType\":\"application/x-foo\",\"config\":{}}", "application/x-foo"),
        ("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociManifest)\",\"layers\":[]}", MediaType.ociManifest),
        ("{\"schemaVersion\":2,\"mediaType\":\"\(MediaType.ociIndex)\",\"manifests\":[]}", MediaType.ociManifest),
    ])
    func invalid(_ body: String, _ contentType: String) async throws {
        try await Wire.test { wire in
            let put = try await wire.send(.put, "/v2/ns/app/manifests/latest", headers: ["Content-Type": contentType], body: Array(body.utf8))
            #expect(put.status == .badRequest)
            #expect(put.ociCode == "MANIFEST_INVALID")
        }
    }

    @Test("A digest reference must match the bytes (DIGEST_INVALID)")
    func digestReference() async throws {
        try await Wire.test { wire in
            let config = Fixtures.config(seed: 5)
            try await wire.pushBlob(config, to: "ns/app")
            let manifest = Fixtures.manifest(config: config, layers: [])
            let put = try await wire.send(.put, "/v2/ns/app/manifests/\(Digest.sha256(of: [1]))",
                                          headers: ["Content-Type": MediaType.ociManifest], body: manifest)
            #expect(put.status == .badRequest)
            #expect(put.ociCode == "DIGEST_INVALID")
        }
    }

    @Test("Absurd sizes on layers that need not be present do not break the server")
    func hugeForeignLayer() async throws {
        try await Wire.test { wire in
            let config = Fixtures.config(seed: 7)
            try await wire.pushBlob(config, to: "ns/app")
            let foreign = "{\"mediaType\":\"application/vnd.oci.image.layer.nondistributable.v1.tar+gzip\",\"digest\":\"sha256:"
                + String(repeating: "f", count: 64) + "\",\"size\":9223372036854775807,\"urls\":[\"https://example.invalid/l\"]}"
            let body = Array("""
                {"schemaVersion":2,"mediaType":"\(MediaType.ociManifest)","config":\(Fixtures.descriptor(MediaType.ociConfig, config)),\
                "layers":[\(foreign),\(foreign.replacingOccurrences(of: "fff", with: "eee"))]}
                """.utf8)
            let put = try await wire.send(.put, "/v2/ns/app/manifests/big", headers: ["Content-Type": MediaType.ociManifest], body: body)
            #expect(put.status == .created)
            #expect(try await wire.send(.get, "/v2/").status == .ok)
        }
    }

    @Test("Manifests over 4 MiB are refused with 413")
    func tooLarge() async throws {
        try await Wire.test { wire in
            let body = [UInt8](repeating: UInt8(ascii: " "), count: 4 * 1024 * 1024 + 1)
            let put = try await wire.send(.put, "/v2/ns/app/manifests/latest", headers: ["Content-Type": MediaType.ociManifest], body: body)
            #expect(put.status == .contentTooLarge)
        }
    }

    @Test("Push by digest with no tag is pullable by digest and adds no tag")
    func pushByDigest() async throws {
        try await Wire.test { wire in
            let manifest = Fixtures.manifest(config: Fixtures.config(seed: 6), layers: [Fixtures.bytes(1006, seed: 6)])
            let digest = Digest.sha256(of: manifest)
            try await wire.pushImage("ns/app", reference: digest.description, seed: 6)
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/\(digest)").bytes == manifest)
            let tags = try await wire.send(.get, "/v2/ns/app/tags/list")
            #expect(tags.status == .ok)
            #expect(tags.json["tags"] as? [String] == [])
        }
    }

    @Test("DELETE by tag removes the tag; DELETE by digest removes the manifest and its tags")
    func delete() async throws {
        try await Wire.test { wire in
            let (_, digest) = try await wire.pushImage("ns/app", reference: "v1")
            _ = try await wire.send(.put, "/v2/ns/app/manifests/v2", headers: ["Content-Type": MediaType.ociManifest],
                                    body: try await wire.send(.get, "/v2/ns/app/manifests/v1").bytes)
            #expect(try await wire.send(.delete, "/v2/ns/app/manifests/v1").status == .accepted)
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/v1").status == .notFound)
            #expect(try await wire.send(.get, "/v2/ns/app/tags/list").json["tags"] as? [String] == ["v2"])
            #expect(try await wire.send(.delete, "/v2/ns/app/manifests/v1").ociCode == "MANIFEST_UNKNOWN")
            #expect(try await wire.send(.delete, "/v2/ns/app/manifests/\(digest)").status == .accepted)
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/\(digest)").status == .notFound)
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/v2").status == .notFound)
            #expect(try await wire.send(.get, "/v2/ns/app/tags/list").json["tags"] as? [String] == [])
        }
    }
}
