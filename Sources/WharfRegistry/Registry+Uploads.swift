import Foundation
public import NIOCore
public import WharfModel
import WharfStorage

/// Where an upload stands: its id and how many bytes it holds.
public struct UploadState: Sendable, Equatable {
    public var id: String
    public var size: Int64
}

extension Registry {
    /// Opens an upload session in `repository` (POST …/blobs/uploads/).
    public func startUpload(in repository: RepositoryName) async throws -> UploadState {
        let id = UUID().uuidString.lowercased()
        try await blobs.startUpload(id: id)
        try await metadata.transaction { tx in
            try await tx.uploads.create(UploadRecord(id: id, repository: repository, startedAt: Self.now()))
        }
        return UploadState(id: id, size: 0)
    }

    /// Mounts `digest` from `source` into `repository` when the source may serve it; `nil` when it cannot,
    /// in which case the caller falls back to a new upload session.
    public func mount(_ digest: Digest, from source: RepositoryName, into repository: RepositoryName) async throws -> Int64? {
        try await metadata.transaction { tx in
            guard let size = try await tx.blobLinks.size(of: digest, in: source), try await blobs.size(of: digest) == size else { return nil }
            try await tx.blobLinks.link(digest, size: size, in: repository)
            return size
        }
    }

    /// The state of upload `id`; `blobUploadUnknown` when it does not exist in `repository`.
    public func uploadState(_ id: String, in repository: RepositoryName) async throws -> UploadState {
        try await checkUpload(id, in: repository)
        guard let size = try await blobs.uploadSize(id: id) else { throw Self.uploadUnknown(id) }
        return UploadState(id: id, size: size)
    }

    /// Appends a chunk (PATCH). With `start`, the chunk must begin at the upload's current size, else
    /// `rangeNotSatisfiable`; with `length`, the body must be exactly that long, else `sizeInvalid`.
    public func appendChunk(_ id: String, in repository: RepositoryName, start: Int64?, length: Int64?,
                            body: some AsyncSequence<ByteBuffer, any Error>) async throws -> UploadState {
        let record = try await checkUpload(id, in: repository)
        guard let current = try await blobs.uploadSize(id: id) else { throw Self.uploadUnknown(id) }
        // Stale sessions are purged by their last activity: a long upload that keeps sending is never one. One write
        // a minute at most, so quick pushes pay nothing for it.
        let now = Self.now()
        if now.secondsSince1970 - record.lastActivity.secondsSince1970 >= 60 {
            try await metadata.transaction { try await $0.uploads.touch(id, at: now) }
        }
        if let start, start != current {
            throw WharfError(.rangeNotSatisfiable, "chunk starts at \(start) but the upload holds \(current) bytes",
                             detail: ["uuid": id, "size": String(current)])
        }
        let size = try await blobs.append(to: id, at: current, expectedLength: length, from: body)
        return UploadState(id: id, size: size)
    }

    /// Completes upload `id` (PUT ?digest=) with an optional last chunk, verifies the digest and links the blob.
    /// A digest mismatch is `digestInvalid` and discards the upload.
    public func completeUpload(_ id: String, in repository: RepositoryName, digest: Digest, start: Int64?, length: Int64?,
                               body: some AsyncSequence<ByteBuffer, any Error>) async throws -> Int64 {
        try await checkUpload(id, in: repository)
        if length != 0 {
            _ = try await appendChunk(id, in: repository, start: start, length: length, body: body)
        }
        let size: Int64
        do {
            size = try await blobs.commitUpload(id: id, as: digest)
        } catch let error as WharfError where error.code == .digestInvalid {
            try await metadata.transaction { try await $0.uploads.delete(id) }
            throw error
        }
        try await metadata.transaction { tx in
            try await tx.blobLinks.link(digest, size: size, in: repository)
            try await tx.uploads.delete(id)
        }
        return size
    }

    /// Uploads a whole blob in one request (POST ?digest=).
    public func uploadBlob(_ digest: Digest, in repository: RepositoryName, length: Int64?,
                           body: some AsyncSequence<ByteBuffer, any Error>) async throws -> Int64 {
        let upload = try await startUpload(in: repository)
        do {
            return try await completeUpload(upload.id, in: repository, digest: digest, start: 0, length: length, body: body)
        } catch {
            try? await cancelUpload(upload.id, in: repository)
            throw error
        }
    }

    /// Cancels upload `id` (DELETE on the session). `blobUploadUnknown` when it does not exist.
    public func cancelUpload(_ id: String, in repository: RepositoryName) async throws {
        try await checkUpload(id, in: repository)
        try await blobs.cancelUpload(id: id)
        try await metadata.transaction { try await $0.uploads.delete(id) }
    }

    /// Discards upload sessions idle for more than `age` seconds (abandoned by their clients), returning how many.
    public func purgeUploads(olderThan age: Int64, now: Time = Registry.now()) async throws -> Int {
        let cutoff = Time(secondsSince1970: now.secondsSince1970 - age)
        var purged = 0
        while true {
            let stale = try await metadata.read { try await $0.uploads.idle(before: cutoff, limit: 100) }
            if stale.isEmpty { return purged }
            for record in stale {
                try await blobs.cancelUpload(id: record.id)
                try await metadata.transaction { try await $0.uploads.delete(record.id) }
                purged += 1
            }
        }
    }

    /// The record of upload `id`; `blobUploadUnknown` when it is not an upload of `repository`.
    @discardableResult
    private func checkUpload(_ id: String, in repository: RepositoryName) async throws -> UploadRecord {
        guard let record = try await metadata.read({ try await $0.uploads.get(id) }), record.repository == repository else {
            throw Self.uploadUnknown(id)
        }
        return record
    }

    static func uploadUnknown(_ id: String) -> WharfError {
        WharfError(.blobUploadUnknown, "blob upload unknown to registry", detail: ["uuid": String(id.prefix(64))])
    }
}
