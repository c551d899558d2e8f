import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel

@Suite("OCI blobs: upload in one request, GET and HEAD with ranges, DELETE")
struct OCIBlobTests {
    @Test("GET /v2/ answers 200 {} with the API version header")
    func base() async throws {
        try await Wire.test { wire in
            let response = try await wire.send(.get, "/v2/")
            #expect(response.status == .ok)
            #expect(response.text == "{}")
            #expect(response.header("Docker-Distribution-API-Version") == "registry/2.0")
        }
    }

    @Test("POST ?digest= stores the blob: 201 with Location and Docker-Content-Digest")
    func monolithicPost() async throws {
        try await Wire.test { wire in
            let bytes = Fixtures.bytes(5000, seed: 1), digest = Digest.sha256(of: bytes)
            let response = try await wire.send(.post, "/v2/ns/app/blobs/uploads/?digest=\(digest)", body: bytes)
            #expect(response.status == .created)
            #expect(response.header("Location") == "/v2/ns/app/blobs/\(digest)")
            #expect(response.header("Docker-Content-Digest") == digest.description)
            let get = try await wire.send(.get, "/v2/ns/app/blobs/\(digest)")
            #expect(get.status == .ok)
            #expect(get.bytes == bytes)
            #expect(get.header("Content-Length") == "5000")
            #expect(get.header("Docker-Content-Digest") == digest.description)
            let head = try await wire.send(.head, "/v2/ns/app/blobs/\(digest)")
            #expect(head.status == .ok)
            #expect(head.header("Content-Length") == "5000")
            #expect(head.bytes.isEmpty)
        }
    }

    @Test("Range requests get 206 with Content-Range; an unsatisfiable range gets 416 with bytes */size")
    func ranges() async throws {
        try await Wire.test { wire in
            let bytes = Fixtures.bytes(1000, seed: 2)
            let digest = try await wire.pushBlob(bytes, to: "ns/app")
            let first = try await wire.send(.get, "/v2/ns/app/blobs/\(digest)", headers: ["Range": "bytes=0-15"])
            #expect(first.status == .partialContent)
            #expect(first.header("Content-Range") == "bytes 0-15/1000")
            #expect(first.bytes == Array(bytes[0...15]))
            let suffix = try await wire.send(.get, "/v2/ns/app/blobs/\(digest)", headers: ["Range": "bytes=-10"])
            #expect(suffix.status == .partialContent)
            #expect(suffix.bytes == Array(bytes[990...]))
            let open = try await wire.send(.get, "/v2/ns/app/blobs/\(digest)", headers: ["Range": "bytes=500-"])
            #expect(open.header("Content-Range") == "bytes 500-999/1000")
            #expect(open.bytes.count == 500)
            let outside = try await wire.send(.get, "/v2/ns/app/blobs/\(digest)", headers: ["Range": "bytes=1000-"])
            #expect(outside.status == .rangeNotSatisfiable)
            #expect(outside.header("Content-Range") == "bytes */1000")
            #expect(outside.ociCode == "RANGE_INVALID")
        }
    }

    @Test("On disk, blob GETs are sent from the file: whole, ranged and in a row on one connection, bytes intact")
    func sendfile() async throws {
        try await Wire.testLive { wire in
            let bytes = Fixtures.bytes(3 << 20, seed: 7)
            let digest = try await wire.pushBlob(bytes, to: "ns/app")
            for _ in 0..<2 {
                let whole = try await wire.send(.get, "/v2/ns/app/blobs/\(digest)")
                #expect(whole.status == .ok)
                #expect(whole.bytes == bytes)
                let range = try await wire.send(.get, "/v2/ns/app/blobs/\(digest)", headers: ["Range": "bytes=1000000-1000099"])
                #expect(range.status == .partialContent)
                #expect(range.bytes == Array(bytes[1_000_000...1_000_099]))
                let head = try await wire.send(.head, "/v2/ns/app/blobs/\(digest)")
                #expect(head.header("Content-Length") == String(bytes.count))
                #expect(head.bytes.isEmpty)
            }
            let manifest = try await wire.pushImage("ns/app", reference: "v1")
            let get = try await wire.send(.get, "/v2/ns/app/manifests/v1", headers: ["Accept": MediaType.ociManifest])
            #expect(get.bytes == manifest.bytes)
        }
    }

    @Test("A blob is served only from repositories it was uploaded, mounted or linked to")
    func repositoryScoped() async throws {
        try await Wire.test { wire in
            let digest = try await wire.pushBlob(Fixtures.bytes(100, seed: 3), to: "ns/app")
            let other = try await wire.send(.get, "/v2/ns/other/blobs/\(digest)")
            #expect(other.status == .notFound)
            #expect(other.ociCode == "BLOB_UNKNOWN")
            let head = try await wire.send(.head, "/v2/ns/other/blobs/\(digest)")
            #expect(head.status == .notFound)
            #expect(head.bytes.isEmpty)
        }
    }

    @Test("DELETE unlinks the blob: 202, then 404 BLOB_UNKNOWN")
    func delete() async throws {
        try await Wire.test { wire in
            let digest = try await wire.pushBlob(Fixtures.bytes(100, seed: 4), to: "ns/app")
            #expect(try await wire.send(.delete, "/v2/ns/app/blobs/\(digest)").status == .accepted)
            #expect(try await wire.send(.get, "/v2/ns/app/blobs/\(digest)").ociCode == "BLOB_UNKNOWN")
            #expect(try await wire.send(.delete, "/v2/ns/app/blobs/\(digest)").status == .notFound)
        }
    }

    @Test("DELETE of a blob a manifest of the repository uses is 405 UNSUPPORTED, and the tag still pulls and pushes again")
    func deleteInUse() async throws {
        try await Wire.test { wire in
            let pushed = try await wire.pushImage("ns/app", reference: "v1", seed: 9)
            let layer = Digest.sha256(of: Fixtures.bytes(1009, seed: 9)), config = Digest.sha256(of: Fixtures.config(seed: 9))
            for blob in [layer, config] {
                let refused = try await wire.send(.delete, "/v2/ns/app/blobs/\(blob)")
                #expect(refused.status == .methodNotAllowed)
                #expect(refused.ociCode == "UNSUPPORTED")
                #expect(refused.text.contains(pushed.digest.description), "the message names the manifest: \(refused.text)")
            }
            #expect(try await wire.send(.get, "/v2/ns/app/manifests/v1").status == .ok)
            #expect(try await wire.send(.get, "/v2/ns/app/blobs/\(layer)").status == .ok)
            let again = try await wire.send(.put, "/v2/ns/app/manifests/v1", headers: ["Content-Type": MediaType.ociManifest], body: pushed.bytes)
            #expect(again.status == .created)

            // Untagged manifests count too; once the manifest is deleted the blob may go.
            let untagged = Fixtures.manifest(config: Fixtures.config(seed: 9), layers: [Fixtures.bytes(1009, seed: 9)], extra: #","annotations":{"a":"b"}"#)
            let untaggedDigest = Digest.sha256(of: untagged)
            #expect(try await wire.send(.put, "/v2/ns/app/manifests/\(untaggedDigest)", headers: ["Content-Type": MediaType.ociManifest],
                                        body: untagged).status == .created)
            #expect(try await wire.send(.delete, "/v2/ns/app/manifests/\(pushed.digest)").status == .accepted)
            let stillUsed = try await wire.send(.delete, "/v2/ns/app/blobs/\(layer)")
            #expect(stillUsed.status == .methodNotAllowed)
            #expect(stillUsed.text.contains(untaggedDigest.description))
            #expect(try await wire.send(.delete, "/v2/ns/app/manifests/\(untaggedDigest)").status == .accepted)
            #expect(try await wire.send(.delete, "/v2/ns/app/blobs/\(layer)").status == .accepted)
            #expect(try await wire.send(.get, "/v2/ns/app/blobs/\(layer)").status == .notFound)
        }
    }

    @Test("Content that does not match its digest is refused with DIGEST_INVALID, and nothing is stored")
    func digestMismatch() async throws {
        try await Wire.test { wire in
            let claimed = Digest.sha256(of: [1, 2, 3])
            let response = try await wire.send(.post, "/v2/ns/app/blobs/uploads/?digest=\(claimed)", body: [4, 5, 6])
            #expect(response.status == .badRequest)
            #expect(response.ociCode == "DIGEST_INVALID")
            #expect(try await wire.send(.head, "/v2/ns/app/blobs/\(claimed)").status == .notFound)
        }
    }

    @Test("sha512 digests are verified too")
    func sha512() async throws {
        let bytes = Fixtures.bytes(777, seed: 5)
        var hasher = DigestHasher(.sha512)
        hasher.update(bytes)
        let digest = hasher.finalize()
        try await Wire.test { (wire: Wire) async throws in
            #expect(try await wire.send(.post, "/v2/ns/app/blobs/uploads/?digest=\(digest)", body: bytes).status == .created)
            #expect(try await wire.send(.get, "/v2/ns/app/blobs/\(digest)").bytes == bytes)
        }
    }

    @Test("Malformed digests and names are 400 with the OCI code", arguments: [
        ("/v2/ns/app/blobs/sha256:totallywrong", "DIGEST_INVALID"),
        ("/v2/ns/app/manifests/sha256:totallywrong", "DIGEST_INVALID"),
        ("/v2/a/b/c/blobs/sha256:" + String(repeating: "a", count: 64), "NAME_INVALID"),
        ("/v2/" + String(repeating: "n", count: 64) + "/app/tags/list", "NAME_INVALID"),
        ("/v2/ns/" + String(repeating: "s", count: 64) + "/tags/list", "NAME_INVALID"),
        ("/v2/NS/app/tags/list", "NAME_INVALID"),
        ("/v2/ns/%2e%2e/tags/list", "NAME_INVALID"),
        ("/v2/ns%2Fapp/x/tags/list", "NAME_INVALID"),
    ])
    func malformed(_ path: String, _ code: String) async throws {
        try await Wire.test { wire in
            let response = try await wire.send(.get, path)
            #expect(response.status == .badRequest)
            #expect(response.ociCode == code)
        }
    }

    @Test("A method the API does not define is 405 UNSUPPORTED")
    func unsupportedMethod() async throws {
        try await Wire.test { wire in
            let response = try await wire.send(.delete, "/v2/_catalog")
            #expect(response.status == .methodNotAllowed)
            #expect(response.ociCode == "UNSUPPORTED")
        }
    }
}
