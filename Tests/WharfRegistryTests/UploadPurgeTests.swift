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

    @Test("A session is purged by its last activity: one started two days ago that received a chunk an hour ago stays")
    func purgeByActivity() async throws {
        let metadata = InMemoryMetadataStore(), blobs = InMemoryBlobStore()
        let registry = Registry(blobs: blobs, metadata: metadata, images: ImageAPI(metadata: metadata, registryHostname: "r"))
        let repository = try RepositoryName(namespace: "ns", name: "app")
        let upload = try await registry.startUpload(in: repository)
        let now = Registry.now()
        // As if it had started two days ago and last received a chunk an hour ago.
        try await metadata.transaction { tx in
            try await tx.uploads.create(UploadRecord(id: upload.id, repository: repository, startedAt: Time(secondsSince1970: now.secondsSince1970 - 172_800),
                                                     lastActivity: Time(secondsSince1970: now.secondsSince1970 - 3600)))
        }
        #expect(try await registry.purgeUploads(olderThan: 86_400) == 0)
        // A chunk more than a minute after the last activity is recorded as activity.
        _ = try await registry.appendChunk(upload.id, in: repository, start: 0, length: 1,
                                           body: AsyncThrowingStream { $0.yield(ByteBuffer(bytes: [7])); $0.finish() })
        #expect(try await metadata.read { try await $0.uploads.get(upload.id) }?.lastActivity.secondsSince1970 ?? 0 >= now.secondsSince1970)
        #expect(try await registry.purgeUploads(olderThan: 86_400, now: Time(secondsSince1970: now.secondsSince1970 + 86_401 - 3600)) == 0)
        #expect(try await registry.purgeUploads(olderThan: 86_400, now: Time(secondsSince1970: now.secondsSince1970 + 86_500)) == 1)
    }

    @Test("A chore lease is held by one process at a time, and taken over once it expires")
    func choreLease() async throws {
        let metadata = InMemoryMetadataStore()
        let now = Time(secondsSince1970: 1_800_000_000), later = Time(secondsSince1970: 1_800_003_001)
        #expect(try await ChoreLease.take("purge-uploads", holder: "a", seconds: 3000, now: now, in: metadata))
        #expect(try await !ChoreLease.take("purge-uploads", holder: "b", seconds: 3000, now: now, in: metadata))
        #expect(try await ChoreLease.take("purge-uploads", holder: "a", seconds: 3000, now: now, in: metadata))
        #expect(try await ChoreLease.take("other-chore", holder: "b", seconds: 3000, now: now, in: metadata))
        #expect(try await ChoreLease.take("purge-uploads", holder: "b", seconds: 3000, now: later, in: metadata))
        #expect(try await !ChoreLease.take("purge-uploads", holder: "a", seconds: 3000, now: later, in: metadata))
    }
}
