import Testing
import WharfModel
import WharfStorage
@testable import WharfImageAPI

@Suite("Streams report the repositories they are pulled from (reference §4.4)")
struct RepositoryFieldTests {
    @Test("dockerImageRepository comes from the registry hostname, publicDockerImageRepository from the public one")
    func repositories() async throws {
        let internalOnly = ImageAPI(metadata: InMemoryMetadataStore(), registryHostname: "registry.local:5000")
        let stream = try await internalOnly.createImageStream(ImageStream(metadata: ObjectMeta(name: "app")), namespace: "ns")
        #expect(stream.status.dockerImageRepository == "registry.local:5000/ns/app")
        #expect(stream.status.publicDockerImageRepository == nil)
        let withPublic = ImageAPI(metadata: InMemoryMetadataStore(), registryHostname: "registry.local:5000", publicHostname: "registry.example.com")
        let exposed = try await withPublic.createImageStream(ImageStream(metadata: ObjectMeta(name: "app")), namespace: "ns")
        #expect(exposed.status.publicDockerImageRepository == "registry.example.com/ns/app")
    }
}
