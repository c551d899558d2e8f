import Foundation
import Testing
import BlobStoreFilesystem
import WharfStorage
import WharfStorageConformance

@Suite("FilesystemBlobStore passes the storage conformance suite")
struct FilesystemConformanceTests {
    @Test("FilesystemBlobStore", arguments: BlobStoreConformance.checks)
    func conformance(_ check: ConformanceCheck<any BlobStore>) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-blobs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await check.run(try await FilesystemBlobStore(root: root))
    }

    @Test("An upload continues after a restart: a new store re-hashes the staged bytes at commit")
    func continuesAfterRestart() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-blobs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
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

    @Test("Upload ids that are not safe file names are unknown uploads")
    func unsafeIDs() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-blobs-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try await FilesystemBlobStore(root: root)
        for id in ["../blobs", "a/b", "", "ABC"] {
            #expect(try await store.uploadSize(id: id) == nil)
        }
    }

    static func body(_ bytes: [UInt8]) -> AsyncThrowingStream<ByteBuffer, any Error> {
        AsyncThrowingStream { $0.yield(ByteBuffer(bytes: bytes)); $0.finish() }
    }
}

import NIOCore
import WharfModel

enum WharfModelDigest {
    static func sha256(_ bytes: [UInt8]) -> Digest { Digest.sha256(of: bytes) }
}
