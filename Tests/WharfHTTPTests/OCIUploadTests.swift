import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel
import WharfTesting

@Suite("OCI uploads: sessions, chunks, status, cancel and mounts")
struct OCIUploadTests {
    /// Opens a session and returns its Location.
    static func start(_ wire: Wire, _ repository: String = "ns/app") async throws -> String {
        let response = try await wire.send(.post, "/v2/\(repository)/blobs/uploads/")
        #expect(response.status == .accepted)
        #expect(response.header("Range") == "0-0")
        #expect(response.header("Docker-Upload-UUID") != nil)
        let location = try #require(response.header("Location"))
        #expect(location.hasPrefix("/v2/\(repository)/blobs/uploads/"))
        return location
    }

    @Test("POST then PUT with the whole body (monolithic)")
    func postThenPut() async throws {
        try await Wire.test { wire in
            let location = try await Self.start(wire)
            let bytes = Fixtures.bytes(3000, seed: 1), digest = Digest.sha256(of: bytes)
            let put = try await wire.send(.put, "\(location)?digest=\(digest)", body: bytes)
            #expect(put.status == .created)
            #expect(put.header("Location") == "/v2/ns/app/blobs/\(digest)")
            #expect(put.header("Docker-Content-Digest") == digest.description)
            #expect(try await wire.send(.get, "/v2/ns/app/blobs/\(digest)").bytes == bytes)
        }
    }

    @Test("Chunked: PATCH with Content-Range, out-of-order 416, stale re-send 416, status 204, closing PUT")
    func chunked() async throws {
        try await Wire.test { wire in
            let location = try await Self.start(wire)
            let first = Fixtures.bytes(1000, seed: 2), second = Fixtures.bytes(500, seed: 3)
            let digest = Digest.sha256(of: first + second)
            let outOfOrder = try await wire.send(.patch, location, headers: ["Content-Range": "1000-1499"], body: second)
            #expect(outOfOrder.status == .rangeNotSatisfiable)
            let chunk1 = try await wire.send(.patch, location, headers: ["Content-Range": "0-999"], body: first)
            #expect(chunk1.status == .accepted)
            #expect(chunk1.header("Range") == "0-999")
            #expect(chunk1.header("Location") == location)
            let resend = try await wire.send(.patch, location, headers: ["Content-Range": "0-999"], body: first)
            #expect(resend.status == .rangeNotSatisfiable)
            let status = try await wire.send(.get, location)
            #expect(status.status == .noContent)
            #expect(status.header("Range") == "0-999")
            #expect(status.header("Location") == location)
            let chunk2 = try await wire.send(.patch, location, headers: ["Content-Range": "1000-1499"], body: second)
            #expect(chunk2.header("Range") == "0-1499")
            let put = try await wire.send(.put, "\(location)?digest=\(digest)", headers: ["Content-Length": "0"])
            #expect(put.status == .created)
            #expect(try await wire.send(.get, "/v2/ns/app/blobs/\(digest)").bytes == first + second)
            #expect(try await wire.send(.get, location).ociCode == "BLOB_UPLOAD_UNKNOWN")
        }
    }

    @Test("Streamed: PATCH without Content-Range appends, and the closing PUT may carry the last chunk")
    func streamed() async throws {
        try await Wire.test { wire in
            let location = try await Self.start(wire)
            let first = Fixtures.bytes(700, seed: 4), last = Fixtures.bytes(300, seed: 5)
            #expect(try await wire.send(.patch, location, body: first).header("Range") == "0-699")
            let put = try await wire.send(.put, "\(location)?digest=\(Digest.sha256(of: first + last))", body: last)
            #expect(put.status == .created)
        }
    }

    @Test("A chunk whose Content-Length differs from its Content-Range is SIZE_INVALID")
    func lengthMismatch() async throws {
        try await Wire.test { wire in
            let location = try await Self.start(wire)
            let response = try await wire.send(.patch, location, headers: ["Content-Range": "0-99"], body: Fixtures.bytes(50, seed: 6))
            #expect(response.status == .badRequest)
            #expect(response.ociCode == "SIZE_INVALID")
            #expect(try await wire.send(.get, location).header("Range") == "0-0")
        }
    }

    @Test("A Content-Range at the limit of Int64 is refused without harm")
    func hugeContentRange() async throws {
        try await Wire.test { wire in
            let location = try await Self.start(wire)
            let patch = try await wire.send(.patch, location, headers: ["Content-Range": "0-9223372036854775807"], body: [1])
            #expect(patch.status == .rangeNotSatisfiable)
            let put = try await wire.send(.put, "\(location)?digest=\(Digest.sha256(of: [1]))", headers: ["Content-Range": "0-9223372036854775807"],
                                          body: [1])
            #expect(put.status == .rangeNotSatisfiable)
            #expect(try await wire.send(.get, location).status == .noContent)
        }
    }

    @Test("Completing without a digest is DIGEST_INVALID; with the wrong one the upload is discarded")
    func completionErrors() async throws {
        try await Wire.test { wire in
            let location = try await Self.start(wire)
            _ = try await wire.send(.patch, location, body: [1, 2, 3])
            #expect(try await wire.send(.put, location).ociCode == "DIGEST_INVALID")
            let wrong = try await wire.send(.put, "\(location)?digest=\(Digest.sha256(of: [9]))")
            #expect(wrong.status == .badRequest)
            #expect(wrong.ociCode == "DIGEST_INVALID")
            #expect(try await wire.send(.get, location).status == .notFound)
        }
    }

    @Test("DELETE cancels a session: 204, then BLOB_UPLOAD_UNKNOWN")
    func cancel() async throws {
        try await Wire.test { wire in
            let location = try await Self.start(wire)
            #expect(try await wire.send(.delete, location).status == .noContent)
            let after = try await wire.send(.get, location)
            #expect(after.status == .notFound)
            #expect(after.ociCode == "BLOB_UPLOAD_UNKNOWN")
            #expect(try await wire.send(.delete, location).status == .notFound)
        }
    }

    @Test("A session belongs to its repository")
    func sessionScope() async throws {
        try await Wire.test { wire in
            let location = try await Self.start(wire)
            let id = location.split(separator: "/").last!
            #expect(try await wire.send(.get, "/v2/ns/other/blobs/uploads/\(id)").ociCode == "BLOB_UPLOAD_UNKNOWN")
            #expect(try await wire.send(.get, "/v2/ns/app/blobs/uploads/not-a-session").ociCode == "BLOB_UPLOAD_UNKNOWN")
        }
    }

    @Test("Cross-repository mount: 201 from a repository holding the blob (named or not), else a 202 session")
    func mount() async throws {
        try await Wire.test { wire in
            let digest = try await wire.pushBlob(Fixtures.bytes(400, seed: 7), to: "ns/source")
            let mounted = try await wire.send(.post, "/v2/ns/target/blobs/uploads/?mount=\(digest)&from=ns/source")
            #expect(mounted.status == .created)
            #expect(mounted.header("Location") == "/v2/ns/target/blobs/\(digest)")
            #expect(mounted.header("Docker-Content-Digest") == digest.description)
            #expect(try await wire.send(.get, "/v2/ns/target/blobs/\(digest)").status == .ok)
            let missing = try await wire.send(.post, "/v2/ns/third/blobs/uploads/?mount=\(digest)&from=ns/empty")
            #expect(missing.status == .accepted)
            #expect(missing.header("Location")?.hasPrefix("/v2/ns/third/blobs/uploads/") == true)
            let noFrom = try await wire.send(.post, "/v2/ns/third/blobs/uploads/?mount=\(digest)")
            #expect(noFrom.status == .created, "without from, the blob is found where it is linked")
            #expect(noFrom.header("Location") == "/v2/ns/third/blobs/\(digest)")
            #expect(try await wire.send(.get, "/v2/ns/third/blobs/\(digest)").status == .ok)
            let unknown = try await wire.send(.post, "/v2/ns/fourth/blobs/uploads/?mount=\(Digest.sha256(of: [9, 9, 9]))")
            #expect(unknown.status == .accepted)
            #expect(unknown.header("Location")?.hasPrefix("/v2/ns/fourth/blobs/uploads/") == true)
            let badFrom = try await wire.send(.post, "/v2/ns/third/blobs/uploads/?mount=\(digest)&from=not/a/repo")
            #expect(badFrom.status == .accepted)
        }
    }

    @Test("A long chunked body in 32 KiB chunks is stored whole and answered at once, its last bytes late or not",
          arguments: [0, 50])
    func pacedChunkedBody(pauseMilliseconds: Int) async throws {
        try await Wire.testLive { wire in
            let bytes = Fixtures.bytes(3 << 20 + 1234, seed: 9), digest = Digest.sha256(of: bytes)
            let start = try await wire.send(.post, "/v2/ns/app/blobs/uploads/")
            let location = try #require(start.header("Location"))
            let port = try #require(wire.client.port)
            let (head, elapsed) = try await RawHTTPClient.run {
                let client = try RawHTTPClient(port: port)
                defer { client.close() }
                try client.send("PUT \(location)?digest=\(digest) HTTP/1.1\r\nHost: localhost\r\n"
                                + "Authorization: Bearer \(WharfTestServer.adminToken)\r\nTransfer-Encoding: chunked\r\n\r\n")
                let chunks = stride(from: 0, to: bytes.count, by: 32 << 10).map { bytes[$0..<min($0 + (32 << 10), bytes.count)] }
                for (index, chunk) in chunks.enumerated() {
                    // The last bytes are fewer than the raised low-water mark: they must not wait for more.
                    if index == chunks.count - 1 { usleep(useconds_t(pauseMilliseconds * 1000)) }
                    try client.send(Array(String(chunk.count, radix: 16).utf8) + Array("\r\n".utf8) + Array(chunk) + Array("\r\n".utf8))
                }
                let clock = ContinuousClock(), sent = clock.now
                try client.send("0\r\n\r\n")
                return (try client.readHead(), clock.now - sent)
            }
            #expect(head.hasPrefix("HTTP/1.1 201"), "\(head)")
            // Well below the 60 s body-stall timeout that bytes waited for would run into; a loaded machine takes over 1 s.
            #expect(elapsed < .seconds(10))
            let get = try await wire.send(.get, "/v2/ns/app/blobs/\(digest)")
            #expect(get.bytes == bytes)
        }
    }
}
