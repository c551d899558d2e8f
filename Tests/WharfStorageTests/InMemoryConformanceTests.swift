import Testing
import WharfStorage
import WharfStorageConformance

@Suite("In-memory backends pass the storage conformance suite")
struct InMemoryConformanceTests {
    static let blobStore = InMemoryBlobStore(chunkSize: 100)
    static let metadataStore = InMemoryMetadataStore()

    @Test("InMemoryBlobStore", arguments: BlobStoreConformance.checks)
    func blobStore(_ check: ConformanceCheck<any BlobStore>) async throws {
        try await check.run(Self.blobStore)
    }

    @Test("InMemoryMetadataStore", arguments: MetadataStoreConformance.checks)
    func metadataStore(_ check: ConformanceCheck<any MetadataStore>) async throws {
        try await check.run(Self.metadataStore)
    }
}
