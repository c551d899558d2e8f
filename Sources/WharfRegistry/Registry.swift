import Foundation
import WharfModel
public import WharfStorage

/// The OCI Distribution use cases: blobs, uploads, manifests, tags, referrers and the catalog.
///
/// Content is written before pointers: blob bytes and manifest bytes reach the `BlobStore` before any metadata row
/// refers to them, and each push's metadata (repository membership, Image, tag event) is one transaction.
/// Errors are `WharfError` with OCI codes.
public struct Registry: Sendable {
    public let blobs: any BlobStore
    public let metadata: any MetadataStore
    public let images: any ImageRecorder
    let manifestCache = ManifestCache(limit: 32 * 1024 * 1024)
    /// Where manifest references led (digest and media type), while the metadata is unchanged.
    let resolved = GenerationCache<ResolvedKey, ResolvedManifest>(capacity: 100_000)

    struct ResolvedKey: Hashable, Sendable {
        var repository: RepositoryName
        var reference: Reference
    }

    struct ResolvedManifest: Sendable {
        var digest: Digest
        var mediaType: String
    }

    public init(blobs: any BlobStore, metadata: any MetadataStore, images: any ImageRecorder) {
        self.blobs = blobs
        self.metadata = metadata
        self.images = images
    }

    public static func now() -> Time { Time(secondsSince1970: Int64(Date().timeIntervalSince1970)) }

    static func blobUnknown(_ digest: Digest) -> WharfError {
        WharfError(.blobUnknown, "blob unknown to registry", detail: ["digest": digest.description])
    }

    static func manifestUnknown(_ reference: Reference) -> WharfError {
        WharfError(.manifestUnknown, "manifest unknown", detail: ["reference": reference.description])
    }
}
