public import NIOCore
import WharfStorage
public import WharfModel

extension Registry {
    /// The size of a blob `repository` may serve: uploaded, mounted or linked there. `blobUnknown` otherwise.
    public func blobSize(_ digest: Digest, in repository: RepositoryName) async throws -> Int64 {
        guard let size = try await metadata.read({ try await $0.blobLinks.size(of: digest, in: repository) }) else {
            throw Self.blobUnknown(digest)
        }
        return size
    }

    /// Streams a blob (or an inclusive range of it) that `repository` may serve.
    public func readBlob(_ digest: Digest, in repository: RepositoryName, range: ClosedRange<Int64>?,
                         into consumer: (ByteBuffer) async throws -> Void) async throws {
        try await blobs.read(digest, range: range, into: consumer)
    }

    /// Unlinks a blob from `repository`. The bytes stay until garbage collection. `blobUnknown` when not linked.
    public func deleteBlob(_ digest: Digest, in repository: RepositoryName) async throws {
        guard try await metadata.transaction({ try await $0.blobLinks.unlink(digest, from: repository) }) else {
            throw Self.blobUnknown(digest)
        }
    }
}
