import NIOCore
import Testing
import WharfImageAPI
import WharfModel
import WharfRegistry
import WharfStorage

@Suite("Abandoned uploads are purged")
struct UploadPurgeTests {
    @Test("Sessions older than the limit are discarded with their bytes; recent ones stay")
    func purge() async throws {
        let metadata = InMemoryMetadataStore(), blobs = InMemoryBlobStore()
        let registry = Registry(blobs: blobs, metadata: metadata, images: ImageAPI(metadata: metadata, registryHostname: "r"))
        let repository = try RepositoryName(namespace: "ns", name: "app")
        let old = try await registry.startUpload(in: repository)
        _ = try await registry.appendChunk(old.id, in: repository, start: nil, length: 3,
                                           body: AsyncThrowingStream { $0.yield(ByteBuffer(bytes: [1, 2, 3])); $0.finish() })
        let later = Time(secondsSince1970: Registry.now().secondsSince1970 + 7200)
        #expect(try await registry.purgeUploads(olderThan: 3600, now: later) == 1)
        #expect(try await blobs.uploadSize(id: old.id) == nil)
        await #expect(throws: WharfError.self) { try await registry.uploadState(old.id, in: repository) }
        let fresh = try await registry.startUpload(in: repository)
        #expect(try await registry.purgeUploads(olderThan: 3600) == 0)
        #expect(try await registry.uploadState(fresh.id, in: repository).size == 0)
    }
}
