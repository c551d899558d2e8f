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

    /// Where a client may fetch a blob's bytes directly, when the blob store redirects (see
    /// `BlobStore.redirectURL(for:)`). Callers check access with `blobSize` first, as for `readBlob`.
    public func blobRedirect(_ digest: Digest) -> String? {
        blobs.redirectURL(for: digest)
    }

    /// Unlinks a blob from `repository`. The bytes stay until garbage collection. `blobUnknown` when not linked;
    /// `unsupported` (405) while a manifest of the repository, or an image in its stream's tag history, references the
    /// blob: unlinking it would break that manifest's pulls and refuse its push again. Delete the manifest first.
    public func deleteBlob(_ digest: Digest, in repository: RepositoryName) async throws {
        try await metadata.transaction { tx in
            guard try await tx.blobLinks.size(of: digest, in: repository) != nil else { throw Self.blobUnknown(digest) }
            if let user = try await tx.manifests.manifests(referencing: digest, in: repository).first {
                throw Self.blobInUse(digest, in: repository, by: "manifest \(user)")
            }
            if try await images.reference(to: digest, in: repository, in: tx) == .blob {
                throw Self.blobInUse(digest, in: repository, by: "an image in the tag history of its image stream")
            }
            _ = try await tx.blobLinks.unlink(digest, from: repository)
        }
    }

    static func blobInUse(_ digest: Digest, in repository: RepositoryName, by user: String) -> WharfError {
        WharfError(.unsupported, "blob \(digest) cannot be deleted from \(repository): it is referenced by \(user); delete the manifest first",
                   detail: ["digest": digest.description])
    }

    /// The repositories that link `digest` (at most `limit`), for a mount that names no source: the caller mounts from
    /// the first one it may read.
    public func repositories(linking digest: Digest, limit: Int = 100) async throws -> [RepositoryName] {
        try await metadata.read { try await $0.blobLinks.repositories(linking: digest, limit: limit) }
    }
}
