import Synchronization
public import NIOCore
public import WharfModel

/// A `BlobStore` in memory, for tests.
public final class InMemoryBlobStore: BlobStore {
    private struct State {
        var blobs: [Digest: [UInt8]] = [:]
        var uploads: [String: [UInt8]] = [:]
    }
    private let state = Mutex(State())
    /// The chunk size `read` streams in.
    let chunkSize: Int

    public init(chunkSize: Int = 64 * 1024) { self.chunkSize = chunkSize }

    public func size(of digest: Digest) async throws -> Int64? {
        state.withLock { $0.blobs[digest].map { Int64($0.count) } }
    }

    public func read(_ digest: Digest, range: ClosedRange<Int64>?, into consumer: (ByteBuffer) async throws -> Void) async throws {
        guard let bytes = state.withLock({ $0.blobs[digest] }) else { throw Self.unknown(digest) }
        let bounds = range.map { Int($0.lowerBound)..<Int($0.upperBound) + 1 } ?? 0..<bytes.count
        guard bounds.lowerBound >= 0, bounds.upperBound <= bytes.count else {
            throw WharfError(.rangeNotSatisfiable, "range outside blob \(digest)")
        }
        var start = bounds.lowerBound
        while start < bounds.upperBound {
            let end = min(start + chunkSize, bounds.upperBound)
            try await consumer(ByteBuffer(bytes: bytes[start..<end]))
            start = end
        }
    }

    public func contents(of digest: Digest, limit: Int) async throws -> [UInt8] {
        guard let bytes = state.withLock({ $0.blobs[digest] }) else { throw Self.unknown(digest) }
        guard bytes.count <= limit else { throw WharfError(.sizeInvalid, "blob \(digest) is larger than \(limit) bytes") }
        return bytes
    }

    public func put(_ bytes: [UInt8], as digest: Digest) async throws {
        state.withLock { state in
            if state.blobs[digest] == nil { state.blobs[digest] = bytes }
        }
    }

    public func startUpload(id: String) async throws { state.withLock { $0.uploads[id] = [] } }

    public func uploadSize(id: String) async throws -> Int64? { state.withLock { $0.uploads[id].map { Int64($0.count) } } }

    public func append(
        to id: String, at offset: Int64, expectedLength: Int64?, from body: some AsyncSequence<ByteBuffer, any Error>
    ) async throws -> Int64 {
        guard let current = try await uploadSize(id: id) else { throw Self.uploadUnknown(id) }
        guard current == offset else {
            throw WharfError(.rangeNotSatisfiable, "upload \(id) holds \(current) bytes, not \(offset)")
        }
        var received: [UInt8] = []
        for try await buffer in body {
            received.append(contentsOf: buffer.readableBytesView)
            if let expectedLength, received.count > expectedLength { break }
        }
        if let expectedLength, Int64(received.count) != expectedLength {
            throw WharfError(.sizeInvalid, "received \(received.count) bytes, expected \(expectedLength)")
        }
        return try state.withLock { state in
            guard state.uploads[id] != nil else { throw Self.uploadUnknown(id) }
            guard Int64(state.uploads[id]!.count) == offset else {
                throw WharfError(.rangeNotSatisfiable, "upload \(id) changed during the append")
            }
            state.uploads[id]!.append(contentsOf: received)
            return Int64(state.uploads[id]!.count)
        }
    }

    public func commitUpload(id: String, as digest: Digest) async throws -> Int64 {
        try state.withLock { state in
            guard let bytes = state.uploads[id] else { throw Self.uploadUnknown(id) }
            state.uploads[id] = nil
            guard digest.matches(bytes) else {
                throw WharfError(.digestInvalid, "uploaded content does not match digest \(digest)", detail: ["digest": digest.description])
            }
            if state.blobs[digest] == nil { state.blobs[digest] = bytes }
            return Int64(bytes.count)
        }
    }

    public func cancelUpload(id: String) async throws { state.withLock { _ = $0.uploads.removeValue(forKey: id) } }

    static func unknown(_ digest: Digest) -> WharfError {
        WharfError(.blobUnknown, "blob unknown to registry", detail: ["digest": digest.description])
    }

    static func uploadUnknown(_ id: String) -> WharfError {
        WharfError(.blobUploadUnknown, "blob upload unknown to registry", detail: ["uuid": id])
    }
}
