public import NIOCore
public import WharfModel

/// Content-addressed blob bytes, plus the staging area where uploads are assembled.
///
/// Contract for every implementation:
/// - A committed blob is never rewritten: it appears atomically at its digest, complete and verified, or not at all.
/// - Uploads are staged under an id; their staged size is the truth about how many bytes were received.
/// - Errors are `WharfError`: `blobUnknown`, `blobUploadUnknown`, `digestInvalid`, `sizeInvalid`, `rangeNotSatisfiable`,
///   `unavailable` for backend failures.
public protocol BlobStore: Sendable {
    /// The size of a committed blob, or `nil` when absent.
    func size(of digest: Digest) async throws -> Int64?

    /// Streams the bytes of `range` (inclusive; the whole blob when `nil`) to `consumer`, in bounded chunks.
    /// Throws `blobUnknown` when the blob is absent.
    func read(_ digest: Digest, range: ClosedRange<Int64>?, into consumer: (ByteBuffer) async throws -> Void) async throws

    /// The path of a committed blob when the store keeps it as a local file that is never rewritten, so the HTTP layer
    /// can send it with `sendfile(2)`; `nil` when the store has no such file (the caller then uses `read`).
    func localFile(of digest: Digest) -> String?

    /// A URL from which a client may GET a committed blob directly for a while (a presigned S3 URL), when the store
    /// offers one and was asked to (`--blob-redirect`); `nil` otherwise, and the registry serves the bytes itself.
    func redirectURL(for digest: Digest) -> String?

    /// The whole content of a small blob (a manifest, a config). Throws `blobUnknown` when absent and
    /// `sizeInvalid` when it is larger than `limit` bytes.
    func contents(of digest: Digest, limit: Int) async throws -> [UInt8]

    /// Stores `bytes`, whose digest the caller has verified, at `digest`. Idempotent.
    func put(_ bytes: [UInt8], as digest: Digest) async throws

    /// Creates an empty staging area for upload `id`.
    func startUpload(id: String) async throws

    /// The number of bytes staged for `id`, or `nil` when no such upload exists.
    func uploadSize(id: String) async throws -> Int64?

    /// Appends `body` to upload `id`, which must currently hold exactly `offset` bytes (`rangeNotSatisfiable` otherwise).
    /// With `expectedLength`, a body of any other length fails with `sizeInvalid`. On any failure the staged data is
    /// left as it was before the call. Returns the new staged size.
    func append(
        to id: String, at offset: Int64, expectedLength: Int64?, from body: some AsyncSequence<ByteBuffer, any Error>
    ) async throws -> Int64

    /// Verifies the staged bytes against `digest` and publishes them atomically as that blob, then removes the
    /// staging area. Throws `digestInvalid` (and discards the upload) on a mismatch. Returns the blob's size.
    func commitUpload(id: String, as digest: Digest) async throws -> Int64

    /// Discards upload `id`. Idempotent.
    func cancelUpload(id: String) async throws
}

extension BlobStore {
    public func localFile(of digest: Digest) -> String? { nil }
    public func redirectURL(for digest: Digest) -> String? { nil }
}
