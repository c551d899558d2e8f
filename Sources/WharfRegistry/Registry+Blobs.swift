public import NIOCore
import WharfStorage
public import WharfModel

extension Registry {
    /// The size of a blob `repository` may serve: uploaded, mounted or linked there, or referenced by an image in its
    /// stream's tag history. `blobUnknown` otherwise: knowing a digest is not enough.
    public func blobSize(_ digest: Digest, in repository: RepositoryName) async throws -> Int64 {
        let (linked, referenced) = try await metadata.read { tx in
            if let size = try await tx.blobLinks.size(of: digest, in: repository) { return (Optional(size), false) }
            return (nil, try await images.reference(to: digest, in: repository, in: tx) == .blob)
        }
        if let linked { return linked }
        guard referenced, let size = try await blobs.size(of: digest) else { throw Self.blobUnknown(digest) }
        return size
    }

    /// Streams a blob (or an inclusive range of it) that `repository` may serve.
    public func readBlob(_ digest: Digest, in repository: RepositoryName, range: ClosedRange<Int64>?,
                         into consumer: (ByteBuffer) async throws -> Void) async throws {
        try await blobs.read(digest, range: range, into: consumer)
    }

    /// The local file holding a blob's bytes, when the blob store has one (see `BlobStore.localFile(of:)`). Callers
    /// check access with `blobSize` first, as for `readBlob`.
    public func localBlobFile(_ digest: Digest) -> String? {
        blobs.localFile(of: digest)
    }

    /// Unlinks a blob from `repository`. The bytes stay until garbage collection. `blobUnknown` when not linked.
    public func deleteBlob(_ digest: Digest, in repository: RepositoryName) async throws {
        guard try await metadata.transaction({ try await $0.blobLinks.unlink(digest, from: repository) }) else {
            throw Self.blobUnknown(digest)
        }
    }
}
