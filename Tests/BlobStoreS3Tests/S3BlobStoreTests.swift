import Foundation
import NIOCore
import Testing
import WharfModel
import WharfStorage
import WharfStorageConformance
@testable import BlobStoreS3

@Suite("S3BlobStore on a real S3 server (moto)", .serialized)
struct S3BlobStoreTests {
    /// A new store on `server`'s bucket: a replica of its own, which shares nothing with the others but the bucket.
    static func replica(_ server: MotoServer) throws -> S3BlobStore {
        S3BlobStore(client: try S3ClientTests.client(server, prefix: "/fleet"))
    }

    static func body(_ chunks: [[UInt8]], failAfter: Int? = nil) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            for (index, chunk) in chunks.enumerated() {
                if index == failAfter {
                    continuation.finish(throwing: CancellationError())
                    return
                }
                continuation.yield(ByteBuffer(bytes: chunk))
            }
            continuation.finish()
        }
    }

    static func bytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }

    static func readAll(_ store: S3BlobStore, _ digest: Digest) async throws -> [UInt8] {
        var out: [UInt8] = []
        try await store.read(digest, range: nil) { out += $0.readableBytesView }
        return out
    }

    @Test("S3BlobStore passes every check of the blob store conformance suite")
    func conformance() async throws {
        try await MotoServer.with { server in
            try await BlobStoreConformance.runAll(try Self.replica(server))
        }
    }

    @Test("An upload whose POST, PATCHes and PUT reach three replicas commits to the right digest, in parts of 5 MiB and more")
    func uploadAcrossReplicas() async throws {
        try await MotoServer.with { server in
            let replicas = try (0..<3).map { _ in try Self.replica(server) }
            // Chunks smaller than a part, one that fills two parts at once, and a short last one.
            let chunks = [Self.bytes(3 << 20, seed: 1), Self.bytes(3 << 20, seed: 2), Self.bytes(11 << 20, seed: 3), Self.bytes(1000, seed: 4)]
            let content = chunks.flatMap { $0 }
            let digest = Digest.sha256(of: content)
            try await replicas[0].startUpload(id: "0a1b")
            var offset: Int64 = 0
            for (index, chunk) in chunks.enumerated() {
                let replica = replicas[(index + 1) % 3]
                offset = try await replica.append(to: "0a1b", at: offset, expectedLength: Int64(chunk.count), from: Self.body([chunk]))
                #expect(try await replicas[index % 3].uploadSize(id: "0a1b") == offset)
            }
            #expect(offset == Int64(content.count))
            // The replica that commits saw only the last chunk: it reads the bytes back to verify the digest.
            #expect(try await replicas[1].commitUpload(id: "0a1b", as: digest) == Int64(content.count))
            #expect(try await replicas[2].size(of: digest) == Int64(content.count))
            #expect(try await Self.readAll(replicas[0], digest) == content)
            #expect(try await replicas[0].client.listObjects(prefix: "uploads/0a1b/").isEmpty)
        }
    }

    @Test("A chunk that fails after a part was written leaves the upload at its old size; another replica resumes there")
    func failedChunkResumes() async throws {
        try await MotoServer.with { server in
            let first = try Self.replica(server), second = try Self.replica(server)
            let head = Self.bytes(1 << 20, seed: 5), lost = Self.bytes(9 << 20, seed: 6), rest = Self.bytes(6 << 20, seed: 7)
            try await first.startUpload(id: "beef")
            _ = try await first.append(to: "beef", at: 0, expectedLength: nil, from: Self.body([head]))
            // 10 MiB reach the store (a part is written) before the client goes away.
            await #expect(throws: CancellationError.self) {
                _ = try await first.append(to: "beef", at: 1 << 20, expectedLength: nil, from: Self.body([lost, [1]], failAfter: 1))
            }
            #expect(try await second.uploadSize(id: "beef") == 1 << 20)
            #expect(try await second.append(to: "beef", at: 1 << 20, expectedLength: nil, from: Self.body([rest])) == 7 << 20)
            let digest = Digest.sha256(of: head + rest)
            #expect(try await first.commitUpload(id: "beef", as: digest) == 7 << 20)
            #expect(try await Self.readAll(second, digest) == head + rest)
        }
    }

    @Test("A range that ends past the blob is refused although S3 would shorten it; a read streams in bounded buffers")
    func ranges() async throws {
        try await MotoServer.with { server in
            let store = try Self.replica(server)
            let content = Self.bytes(3 << 20, seed: 8)
            let digest = Digest.sha256(of: content)
            try await store.put(content, as: digest)
            await #expect(throws: WharfError.self) { try await store.read(digest, range: 100...(3 << 20)) { _ in } }
            await #expect(throws: WharfError.self) { try await store.read(digest, range: (3 << 20)...(3 << 20)) { _ in } }
            var largest = 0
            var received: [UInt8] = []
            try await store.read(digest, range: 10...(3 << 20) - 1) { buffer in
                largest = max(largest, buffer.readableBytes)
                received += buffer.readableBytesView
            }
            #expect(received == Array(content[10...]))
            #expect(largest <= 1 << 20)
        }
    }

    @Test("Upload ids that are not hex and dashes are unknown, so no key can leave uploads/<id>/")
    func hostileIDs() async throws {
        try await MotoServer.with { server in
            let store = try Self.replica(server)
            for id in ["../blobs", "", String(repeating: "a", count: 65), "ABC"] {
                #expect(try await store.uploadSize(id: id) == nil)
                await #expect(throws: WharfError.self) { try await store.startUpload(id: id) }
                await #expect(throws: WharfError.self) { _ = try await store.commitUpload(id: id, as: Digest.sha256(of: [UInt8]())) }
            }
        }
    }
}
