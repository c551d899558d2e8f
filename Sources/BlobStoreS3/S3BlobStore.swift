import AsyncHTTPClient
import Foundation
public import NIOCore
import Synchronization
public import WharfModel
public import WharfStorage

/// A `BlobStore` on S3-compatible object storage, which any number of replicas share.
///
/// Layout under the location's prefix:
/// ```
/// blobs/<algorithm>/<first two hex>/<hex>   committed blobs, never rewritten
/// uploads/<id>/state                        the upload's state (`S3UploadState`), its only commit point
/// uploads/<id>/tail-<start>-<end>           staged bytes after the last part, fewer than `partSize`
/// uploads/<id>/data                         the multipart upload that parts go to, completed at commit
/// ```
/// Everything about an upload lives in the bucket, so its POST, each PATCH and its final PUT may reach different
/// replicas. An append streams its body into parts of `partSize` bytes (S3 wants at least 5 MiB for every part but the
/// last, and clients send chunks of any size): it reads the old tail back, uploads each full part under a part number
/// the state does not name yet, writes what is left as a new tail object, and only then replaces the state. So a
/// failure or a crash at any point leaves the state as it was, and the client resumes at the size it reports; objects
/// and parts the state does not name are never read, and are removed when the upload is cancelled.
///
/// A commit joins the parts and the tail into `data` (a small upload is only a tail), verifies its digest (from the
/// hash this process kept while it saw every chunk, else by reading the bytes back), copies it to its digest inside
/// the bucket, and then removes the upload. Memory per upload in flight is at most one part and one body chunk.
///
/// Two appends racing on one upload through two replicas are a client's error: each checks the offset against the
/// state it read, and the later state write wins; parts the loser wrote under the same numbers make the commit fail
/// with `unavailable` (S3 refuses a part whose ETag changed) unless their bytes were the same, as in a retried chunk.
public final class S3BlobStore: BlobStore {
    public let client: S3Client
    /// The size of every part but the last (at least S3's minimum of 5 MiB).
    public let partSize: Int
    private let hashes = Mutex<[String: (size: Int64, hasher: DigestHasher)]>([:])
    private let busy = Mutex<Set<String>>([])

    /// How long the presigned URLs of `redirectURL(for:)` stay valid, when blob GETs are redirected; `nil` when not.
    public let redirects: Duration?

    public static let minimumPartSize = 5 << 20

    public init(client: S3Client, partSize: Int = 8 << 20, redirects: Duration? = nil) {
        self.client = client
        self.partSize = max(partSize, Self.minimumPartSize)
        self.redirects = redirects
    }

    func blobKey(_ digest: Digest) -> String {
        "blobs/\(digest.algorithm.rawValue)/\(digest.hex.prefix(2))/\(digest.hex)"
    }

    // MARK: Blobs

    public func size(of digest: Digest) async throws -> Int64? {
        try await client.headObject(blobKey(digest))
    }

    public func read(_ digest: Digest, range: ClosedRange<Int64>?, into consumer: (ByteBuffer) async throws -> Void) async throws {
        guard let object = try await client.openObject(blobKey(digest), range: range) else { throw Self.blobUnknown(digest) }
        if let range {
            guard range.lowerBound >= 0, range.upperBound < object.total else {
                throw WharfError(.rangeNotSatisfiable, "range outside blob \(digest)")
            }
            // The caller has promised the client exactly these bytes: a store that ignored the Range must not send more.
            guard object.length == range.upperBound - range.lowerBound + 1 else {
                throw WharfError(.unavailable, "blob storage failure: the object store answered \(object.length) bytes for a range of \(range.count)")
            }
        }
        for try await buffer in object.body { try await consumer(buffer) }
    }

    public func redirectURL(for digest: Digest) -> String? {
        redirects.map { client.presignedURL(blobKey(digest), expires: $0) }
    }

    public func contents(of digest: Digest, limit: Int) async throws -> [UInt8] {
        guard let buffer = try await client.objectBytes(blobKey(digest), limit: limit) else { throw Self.blobUnknown(digest) }
        return Array(buffer.readableBytesView)
    }

    public func put(_ bytes: [UInt8], as digest: Digest) async throws {
        let key = blobKey(digest)
        if try await client.headObject(key) != nil { return }
        try await client.putObject(key, ByteBuffer(bytes: bytes))
    }

    // MARK: Uploads

    public func startUpload(id: String) async throws {
        try await save(S3UploadState(), of: try Self.checked(id))
        hashes.withLock { $0[id] = (0, DigestHasher(.sha256)) }
    }

    public func uploadSize(id: String) async throws -> Int64? {
        guard UploadID.isValid(id) else { return nil }
        return try await load(id)?.size
    }

    public func append(
        to id: String, at offset: Int64, expectedLength: Int64?, from body: some AsyncSequence<ByteBuffer, any Error>
    ) async throws -> Int64 {
        try claim(try Self.checked(id))
        defer { release(id) }
        guard var state = try await load(id) else { throw Self.uploadUnknown(id) }
        guard state.size == offset else {
            throw WharfError(.rangeNotSatisfiable, "upload \(id) holds \(state.size) bytes; a chunk must start at \(state.size), not \(offset)")
        }
        var hasher = hashes.withLock { $0[id].flatMap { $0.size == offset ? $0.hasher : nil } }
        var pending = ByteBuffer()
        if let tail = state.tail {
            guard let bytes = try await client.objectBytes(tail.key, limit: partSize) else {
                throw WharfError(.unavailable, "blob storage failure: the staged bytes of upload \(id) are missing")
            }
            pending = bytes
        }
        let old = state
        var newTail: String?
        do {
            var received: Int64 = 0
            for try await chunk in body {
                received += Int64(chunk.readableBytes)
                if let expectedLength, received > expectedLength { throw Self.wrongLength(expectedLength) }
                chunk.withUnsafeReadableBytes { hasher?.update(bufferPointer: $0) }
                pending.writeImmutableBuffer(chunk)
                while pending.readableBytes >= partSize {
                    try await upload(pending.readSlice(length: partSize)!, to: id, state: &state)
                    pending.discardReadBytes()
                }
            }
            if let expectedLength, received != expectedLength { throw Self.wrongLength(expectedLength) }
            guard received > 0 else { return offset }
            let start = state.partsSize
            state.tail = nil
            if pending.readableBytes > 0 {
                let tail = S3UploadState.Tail(key: "uploads/\(id)/tail-\(start)-\(start + Int64(pending.readableBytes))", size: Int64(pending.readableBytes))
                newTail = tail.key
                try await client.putObject(tail.key, pending)
                state.tail = tail
            }
            try await save(state, of: id)
        } catch {
            if let newTail { try? await client.deleteObject(newTail) }
            throw error
        }
        if let tail = old.tail, tail.key != state.tail?.key { try? await client.deleteObject(tail.key) }
        let size = state.size
        hashes.withLock { $0[id] = hasher.map { (size, $0) } }
        return size
    }

    /// Uploads `part` as the next part of `id`'s multipart upload (starting one first, recorded in the state at once,
    /// so that a crash leaves nothing the state does not name) and adds it to `state`, which is not saved.
    private func upload(_ part: ByteBuffer, to id: String, state: inout S3UploadState) async throws {
        let key = "uploads/\(id)/data"
        if state.multipartID == nil {
            // Until the append ends, `state` differs from the saved one only in parts, and it has none yet.
            state.multipartID = try await client.createMultipartUpload(key)
            try await save(state, of: id)
        }
        // S3 numbers parts 1 to 10,000; the last number is kept for the tail, which the commit uploads.
        let number = (state.parts.last?.number ?? 0) + 1
        guard number < 10_000 else { throw WharfError(.sizeInvalid, "an upload may hold at most \(Int64(partSize) * 9_999) bytes") }
        let etag = try await client.uploadPart(key, uploadID: state.multipartID!, number: number, part)
        state.parts.append(.init(number: number, etag: etag, size: Int64(part.readableBytes)))
    }

    public func commitUpload(id: String, as digest: Digest) async throws -> Int64 {
        try claim(try Self.checked(id))
        defer { release(id) }
        guard let state = try await load(id) else { throw Self.uploadUnknown(id) }
        let cached = hashes.withLock { $0.removeValue(forKey: id) }
        let size = state.size
        let source = try await assemble(id, state)
        let computed: Digest
        if let cached, cached.size == size, digest.algorithm == .sha256 {
            computed = cached.hasher.finalize()
        } else {
            var hasher = DigestHasher(digest.algorithm)
            if let source {
                try await client.getObject(source) { chunk in chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) } }
            }
            computed = hasher.finalize()
        }
        guard computed == digest else {
            try? await discard(id, state)
            throw WharfError(.digestInvalid, "uploaded content has digest \(computed), not \(digest)", detail: ["digest": digest.description])
        }
        let target = blobKey(digest)
        if try await client.headObject(target) == nil {
            if let source {
                try await client.copyObject(source, to: target, size: size)
            } else {
                try await client.putObject(target, ByteBuffer())
            }
        }
        try? await discard(id, state)
        return size
    }

    /// The key of one object that holds the upload's bytes: the tail alone when no part was written, else `data`,
    /// with the tail uploaded as its last part; `nil` for an empty upload. A commit retried after a crash finds
    /// `data` already complete.
    private func assemble(_ id: String, _ state: S3UploadState) async throws -> String? {
        guard let multipartID = state.multipartID, !state.parts.isEmpty else { return state.tail?.key }
        let key = "uploads/\(id)/data"
        if try await client.headObject(key) == state.size { return key }
        var parts = state.parts.map { (number: $0.number, etag: $0.etag) }
        if let tail = state.tail {
            guard let bytes = try await client.objectBytes(tail.key, limit: partSize) else {
                throw WharfError(.unavailable, "blob storage failure: the staged bytes of upload \(id) are missing")
            }
            let number = parts.last!.number + 1
            parts.append((number, try await client.uploadPart(key, uploadID: multipartID, number: number, bytes)))
        }
        try await client.completeMultipartUpload(key, uploadID: multipartID, parts: parts)
        return key
    }

    public func cancelUpload(id: String) async throws {
        guard UploadID.isValid(id) else { return }
        try claim(id)
        defer { release(id) }
        hashes.withLock { _ = $0.removeValue(forKey: id) }
        guard let state = try await load(id) else { return }
        try await discard(id, state)
    }

    /// Removes everything of upload `id`: its multipart upload, its state, and every object under its prefix
    /// (tails a failed append could not remove among them).
    private func discard(_ id: String, _ state: S3UploadState) async throws {
        if let multipartID = state.multipartID { try await client.abortMultipartUpload("uploads/\(id)/data", uploadID: multipartID) }
        try await client.deleteObject(stateKey(id))
        for object in try await client.listObjects(prefix: "uploads/\(id)/") { try await client.deleteObject(object.key) }
    }

    // MARK: State

    func stateKey(_ id: String) -> String { "uploads/\(id)/state" }

    private func load(_ id: String) async throws -> S3UploadState? {
        guard let buffer = try await client.objectBytes(stateKey(id), limit: 4 << 20) else { return nil }
        do {
            return try JSONDecoder().decode(S3UploadState.self, from: Data(buffer.readableBytesView))
        } catch {
            throw WharfError(.unavailable, "blob storage failure: the state of upload \(id) is unreadable")
        }
    }

    private func save(_ state: S3UploadState, of id: String) async throws {
        try await client.putObject(stateKey(id), ByteBuffer(bytes: try JSONEncoder().encode(state)))
    }

    private func claim(_ id: String) throws {
        guard busy.withLock({ $0.insert(id).inserted }) else {
            throw WharfError(.rangeNotSatisfiable, "upload \(id) is being written by another request")
        }
    }

    private func release(_ id: String) {
        busy.withLock { _ = $0.remove(id) }
    }

    /// `id` when it has an upload id's form (`UploadID`), so that it is safe in a key; `blobUploadUnknown` otherwise.
    static func checked(_ id: String) throws -> String {
        guard UploadID.isValid(id) else { throw uploadUnknown(String(id.prefix(64))) }
        return id
    }

    static func uploadUnknown(_ id: String) -> WharfError {
        WharfError(.blobUploadUnknown, "blob upload unknown to registry", detail: ["uuid": id])
    }

    static func blobUnknown(_ digest: Digest) -> WharfError {
        WharfError(.blobUnknown, "blob unknown to registry", detail: ["digest": digest.description])
    }

    static func wrongLength(_ expected: Int64) -> WharfError {
        WharfError(.sizeInvalid, "the chunk's length differs from its Content-Length of \(expected)")
    }
}

/// What the bucket knows of one upload, in `uploads/<id>/state`: its parts (each `partSize` bytes, in ascending part
/// numbers) and the tail object after them. Replaced whole by each append that succeeds.
struct S3UploadState: Codable, Equatable {
    struct Part: Codable, Equatable {
        var number: Int
        var etag: String
        var size: Int64
    }

    struct Tail: Codable, Equatable {
        var key: String
        var size: Int64
    }

    var multipartID: String?
    var parts: [Part] = []
    var tail: Tail?

    var partsSize: Int64 { parts.reduce(0) { $0 + $1.size } }
    var size: Int64 { partsSize + (tail?.size ?? 0) }
}
