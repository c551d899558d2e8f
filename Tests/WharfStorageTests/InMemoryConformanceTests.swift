import Testing
import WharfStorage
import WharfStorageConformance

@Suite("In-memory backends pass the storage conformance suite")
struct InMemoryConformanceTests {

    @Test("InMemoryBlobStore", arguments: BlobStoreConformance.checks)
    func blobStore(_ check: ConformanceCheck<any BlobStore>) async throws {
        try await check.run(InMemoryBlobStore(chunkSize: 100))
    }

    @Test("InMemoryMetadataStore", arguments: MetadataStoreConformance.checks)
    func metadataStore(_ check: ConformanceCheck<any MetadataStore>) async throws {
        try await check.run(InMemoryMetadataStore())
    }
}
