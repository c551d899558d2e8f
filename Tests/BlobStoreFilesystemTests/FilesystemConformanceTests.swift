import Foundation
import Testing
@testable import BlobStoreFilesystem
import CWharfSystem
import WharfStorage
import WharfStorageConformance

@Suite("FilesystemBlobStore passes the storage conformance suite")
struct FilesystemConformanceTests {
    @Test("FilesystemBlobStore", arguments: BlobStoreConformance.checks)
    func conformance(_ check: ConformanceCheck<any BlobStore>) async throws {
        try await Self.withRoot { root in
            try await check.run(try await FilesystemBlobStore(root: root))
        }
    }

    @Test("An upload continues after a restart: a new store re-hashes the staged bytes at commit")
    func continuesAfterRestart() async throws {
        try await Self.withRoot { root in
            let first = try await FilesystemBlobStore(root: root)
            let part1: [UInt8] = Array(repeating: 7, count: 5000), part2: [UInt8] = Array(repeating: 9, count: 3000)
            try await first.startUpload(id: "abc123")
            _ = try await first.append(to: "abc123", at: 0, expectedLength: nil, from: Self.body(part1))
            let second = try await FilesystemBlobStore(root: root)
            _ = try await second.append(to: "abc123", at: 5000, expectedLength: nil, from: Self.body(part2))
            let digest = WharfModelDigest.sha256(part1 + part2)
            #expect(try await second.commitUpload(id: "abc123", as: digest) == 8000)
            #expect(try await first.size(of: digest) == 8000)
        }
    }

    @Test("Chunks that start and end anywhere around the 4 KiB alignment and the block edges are staged byte for byte",
          arguments: [[1, 4095, 1], [4096, StagingWriter.blockSize, 3],
                      [StagingWriter.blockSize + 5, 4091, 2 * StagingWriter.blockSize - 7, 17]])
    func blockEdges(_ chunkSizes: [Int]) async throws {
        try await Self.withRoot { root in
            let store = try await FilesystemBlobStore(root: root)
            var generator = SplitMix(seed: UInt64(chunkSizes.count))
            let chunks = chunkSizes.map { count in (0..<count).map { _ in UInt8(truncatingIfNeeded: generator.next()) } }
            try await store.startUpload(id: "ed6e5")
            var size: Int64 = 0
            for chunk in chunks {
                size = try await store.append(to: "ed6e5", at: size, expectedLength: nil, from: Self.body(chunk))
            }
            let all = chunks.flatMap { $0 }
            #expect(size == Int64(all.count))
            let digest = WharfModelDigest.sha256(all)
            #expect(try await store.commitUpload(id: "ed6e5", as: digest) == Int64(all.count))
            #expect(try await store.contents(of: digest, limit: 4 * StagingWriter.blockSize) == all)
        }
    }

    @Test("The streaming copy into blocks copies exactly the bytes asked for, at every alignment and length")
    func streamingCopy() {
        let source = (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let destination = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096 + 128, alignment: 64)
        defer { destination.deallocate() }
        for offset in [0, 1, 15, 16, 63, 64, 65] {
            for count in [0, 1, 63, 64, 65, 127, 128, 200, 4000] {
                destination.initializeMemory(as: UInt8.self, repeating: 0xEE)
                source.withUnsafeBytes { wharf_copy_streaming(destination.baseAddress! + offset, $0.baseAddress! + 3, count) }
                let copied = Array(destination[offset..<(offset + count)])
                let untouched = destination[..<offset].allSatisfy { $0 == 0xEE } && destination[(offset + count)...].allSatisfy { $0 == 0xEE }
                #expect(copied == Array(source[3..<(3 + count)]) && untouched, "offset \(offset), \(count) bytes")
            }
        }
    }

    @Test("A chunk longer than declared leaves the staged bytes as they were, across a block edge")
    func failedChunkRollsBack() async throws {
        try await Self.withRoot { root in
            let store = try await FilesystemBlobStore(root: root)
            let block = StagingWriter.blockSize
            let first = [UInt8](repeating: 1, count: 6000), second = [UInt8](repeating: 2, count: 3 * block)
            try await store.startUpload(id: "0bac4")
            _ = try await store.append(to: "0bac4", at: 0, expectedLength: nil, from: Self.body(first))
            await #expect(throws: (any Error).self) {
                _ = try await store.append(to: "0bac4", at: 6000, expectedLength: Int64(2 * block), from: Self.body(second))
            }
            #expect(try await store.uploadSize(id: "0bac4") == 6000)
            let third = [UInt8](repeating: 3, count: 10)
            _ = try await store.append(to: "0bac4", at: 6000, expectedLength: 10, from: Self.body(third))
            let digest = WharfModelDigest.sha256(first + third)
            #expect(try await store.commitUpload(id: "0bac4", as: digest) == 6010)
        }
    }

    @Test("Upload ids that are not safe file names are unknown uploads")
    func unsafeIDs() async throws {
        try await Self.withRoot { root in
            let store = try await FilesystemBlobStore(root: root)
            for id in ["../blobs", "a/b", "", "ABC"] {
                #expect(try await store.uploadSize(id: id) == nil)
            }
        }
    }

    /// Runs `body` with a new temporary directory for a store, removed afterwards.
    static func withRoot(_ body: (String) async throws -> Void) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-blobs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await body(root)
    }

    /// `bytes` as a request body, in pieces of `piece` bytes (uneven ones by default, as from a socket).
    static func body(_ bytes: [UInt8], piece: Int = 65_521) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { continuation in
            for start in stride(from: 0, to: bytes.count, by: piece) {
                continuation.yield(ByteBuffer(bytes: bytes[start..<min(start + piece, bytes.count)]))
            }
            continuation.finish()
        }
    }
}

import NIOCore
import WharfModel

/// A small deterministic generator, so test bytes are incompressible and repeatable.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum WharfModelDigest {
    static func sha256(_ bytes: [UInt8]) -> Digest { Digest.sha256(of: bytes) }
}
