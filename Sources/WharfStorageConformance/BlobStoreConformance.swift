import NIOCore
import WharfModel
public import WharfStorage

/// The behaviour every `BlobStore` must show. Each check uses its own fresh digests and upload ids,
/// so all checks may run against one store.
public enum BlobStoreConformance {
    public static let checks: [ConformanceCheck<any BlobStore>] = [
        .init(name: "put, size, contents and read round-trip; put is idempotent", run: putAndRead),
        .init(name: "read honours inclusive ranges and rejects ranges outside the blob", run: ranges),
        .init(name: "unknown blobs are blobUnknown", run: unknownBlob),
        .init(name: "chunked upload commits to the digest and removes the staging area", run: chunkedUpload),
        .init(name: "append at the wrong offset is rangeNotSatisfiable and changes nothing", run: wrongOffset),
        .init(name: "append of the wrong length is sizeInvalid and changes nothing", run: wrongLength),
        .init(name: "a body that fails midway leaves the upload as it was", run: failingBody),
        .init(name: "commit with the wrong digest is digestInvalid and publishes nothing", run: wrongDigest),
        .init(name: "sha512 digests are verified", run: sha512Upload),
        .init(name: "an empty upload commits to the empty digest", run: emptyUpload),
        .init(name: "cancel discards the upload", run: cancel),
        .init(name: "contents refuses blobs over the limit", run: contentsLimit),
    ]

    /// Runs every check, throwing the first failure.
    public static func runAll(_ store: any BlobStore) async throws {
        for check in checks {
            do { try await check.run(store) } catch { throw ConformanceFailure(description: "\(check.name): \(error)") }
        }
    }

    static func bytes(_ count: Int, seed: UInt8) -> [UInt8] {
        (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed) &* 7) }
    }

    static func body(_ chunks: [[UInt8]], failAfter: Int? = nil) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            for (index, chunk) in chunks.enumerated() {
                if let failAfter, index == failAfter {
                    continuation.finish(throwing: ConformanceFailure(description: "client went away"))
                    return
                }
                continuation.yield(ByteBuffer(bytes: chunk))
            }
            continuation.finish()
        }
    }

    static func newID() -> String {
        let hex = Array("0123456789abcdef")
        return String((0..<32).map { _ in hex[Int.random(in: 0..<16)] })
    }

    static func readAll(_ store: any BlobStore, _ digest: Digest, _ range: ClosedRange<Int64>? = nil) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await store.read(digest, range: range) { out.append(contentsOf: $0.readableBytesView) }
        return out
    }

    static func putAndRead(_ store: any BlobStore) async throws {
        let content = bytes(300_000, seed: 1)
        let digest = Digest.sha256(of: content)
        try await store.put(content, as: digest)
        try await store.put(content, as: digest)
        try expectEqual(try await store.size(of: digest), Int64(content.count), "size")
        try expectEqual(try await store.contents(of: digest, limit: 1 << 20), content, "contents")
        try expectEqual(try await readAll(store, digest), content, "read")
    }

    static func ranges(_ store: any BlobStore) async throws {
        let content = bytes(1000, seed: 2)
        let digest = Digest.sha256(of: content)
        try await store.put(content, as: digest)
        try expectEqual(try await readAll(store, digest, 0...15), Array(content[0...15]), "first 16 bytes")
        try expectEqual(try await readAll(store, digest, 990...999), Array(content[990...999]), "last 10 bytes")
        try await expectError(.rangeNotSatisfiable, "range past the end") { _ = try await readAll(store, digest, 990...1000) }
    }

    static func unknownBlob(_ store: any BlobStore) async throws {
        let digest = Digest.sha256(of: bytes(10, seed: 3) + [0xff, 0xfe])
        try expectEqual(try await store.size(of: digest), nil, "size of unknown blob")
        try await expectError(.blobUnknown, "read unknown") { _ = try await readAll(store, digest) }
        try await expectError(.blobUnknown, "contents unknown") { _ = try await store.contents(of: digest, limit: 10) }
    }

    static func chunkedUpload(_ store: any BlobStore) async throws {
        let first = bytes(70_000, seed: 4), second = bytes(5_000, seed: 5)
        let digest = Digest.sha256(of: first + second)
        let id = newID()
        try await store.startUpload(id: id)
        try expectEqual(try await store.uploadSize(id: id), 0, "new upload size")
        try expectEqual(try await store.append(to: id, at: 0, expectedLength: nil, from: body([first])), 70_000, "after chunk 1")
        try expectEqual(try await store.append(to: id, at: 70_000, expectedLength: 5_000, from: body([second])), 75_000, "after chunk 2")
        try expectEqual(try await store.commitUpload(id: id, as: digest), 75_000, "committed size")
        try expectEqual(try await store.uploadSize(id: id), nil, "upload after commit")
        try expectEqual(try await readAll(store, digest), first + second, "committed content")
    }

    static func wrongOffset(_ store: any BlobStore) async throws {
        let id = newID()
        try await store.startUpload(id: id)
        _ = try await store.append(to: id, at: 0, expectedLength: nil, from: body([bytes(100, seed: 6)]))
        try await expectError(.rangeNotSatisfiable, "append at 50") {
            _ = try await store.append(to: id, at: 50, expectedLength: nil, from: body([bytes(10, seed: 7)]))
        }
        try expectEqual(try await store.uploadSize(id: id), 100, "size after rejected append")
        try await store.cancelUpload(id: id)
    }

    static func wrongLength(_ store: any BlobStore) async throws {
        let id = newID()
        try await store.startUpload(id: id)
        _ = try await store.append(to: id, at: 0, expectedLength: nil, from: body([bytes(100, seed: 8)]))
        try await expectError(.sizeInvalid, "longer than declared") {
            _ = try await store.append(to: id, at: 100, expectedLength: 10, from: body([bytes(20, seed: 9)]))
        }
        try await expectError(.sizeInvalid, "shorter than declared") {
            _ = try await store.append(to: id, at: 100, expectedLength: 30, from: body([bytes(20, seed: 9)]))
        }
        try expectEqual(try await store.uploadSize(id: id), 100, "size after rejected appends")
        try await store.cancelUpload(id: id)
    }

    static func failingBody(_ store: any BlobStore) async throws {
        let id = newID()
        let first = bytes(1000, seed: 10)
        try await store.startUpload(id: id)
        _ = try await store.append(to: id, at: 0, expectedLength: nil, from: body([first]))
        do {
            _ = try await store.append(to: id, at: 1000, expectedLength: nil, from: body([bytes(500, seed: 11), bytes(500, seed: 12)], failAfter: 1))
            throw ConformanceFailure(description: "append of a failing body succeeded")
        } catch is ConformanceFailure {}
        try expectEqual(try await store.uploadSize(id: id), 1000, "size after failed append")
        try expectEqual(try await store.commitUpload(id: id, as: Digest.sha256(of: first)), 1000, "commit of what remained")
    }

    static func wrongDigest(_ store: any BlobStore) async throws {
        let id = newID()
        let content = bytes(123, seed: 13)
        let claimed = Digest.sha256(of: content + [1])
        try await store.startUpload(id: id)
        _ = try await store.append(to: id, at: 0, expectedLength: nil, from: body([content]))
        try await expectError(.digestInvalid, "commit with wrong digest") { _ = try await store.commitUpload(id: id, as: claimed) }
        try expectEqual(try await store.size(of: claimed), nil, "blob under the wrong digest")
    }

    static func sha512Upload(_ store: any BlobStore) async throws {
        let content = bytes(4096, seed: 14)
        var hasher = DigestHasher(.sha512)
        hasher.update(content)
        let digest = hasher.finalize()
        let id = newID()
        try await store.startUpload(id: id)
        _ = try await store.append(to: id, at: 0, expectedLength: nil, from: body([content]))
        try expectEqual(try await store.commitUpload(id: id, as: digest), 4096, "sha512 commit")
        try expectEqual(try await readAll(store, digest), content, "sha512 content")
    }

    static func emptyUpload(_ store: any BlobStore) async throws {
        let digest = Digest.sha256(of: [UInt8]())
        let id = newID()
        try await store.startUpload(id: id)
        try expectEqual(try await store.commitUpload(id: id, as: digest), 0, "empty commit")
        try expectEqual(try await store.size(of: digest), 0, "empty size")
        try expectEqual(try await readAll(store, digest), [], "empty content")
    }

    static func cancel(_ store: any BlobStore) async throws {
        let id = newID()
        try await store.startUpload(id: id)
        try await store.cancelUpload(id: id)
        try await store.cancelUpload(id: id)
        try expectEqual(try await store.uploadSize(id: id), nil, "size after cancel")
        try await expectError(.blobUploadUnknown, "commit after cancel") {
            _ = try await store.commitUpload(id: id, as: Digest.sha256(of: [UInt8]()))
        }
    }

    static func contentsLimit(_ store: any BlobStore) async throws {
        let content = bytes(2048, seed: 15)
        let digest = Digest.sha256(of: content)
        try await store.put(content, as: digest)
        try await expectError(.sizeInvalid, "contents over limit") { _ = try await store.contents(of: digest, limit: 1024) }
    }
}
