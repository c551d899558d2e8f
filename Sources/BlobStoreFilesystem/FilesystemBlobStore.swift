#if canImport(Glibc)
import Glibc
#endif
import Foundation
import NIOCore
import NIOFileSystem
import NIOPosix
import Synchronization
public import WharfModel
public import WharfStorage

/// A `BlobStore` on a local directory.
///
/// Layout under `root`:
/// ```
/// blobs/<algorithm>/<first two hex>/<hex>   committed blobs, never rewritten
/// uploads/<id>                              staged upload bytes
/// ```
/// Uploads are hashed while they are written; a process that did not see the earlier chunks (after a restart)
/// re-hashes the staged bytes at commit. A commit fsyncs the data, renames it into place and fsyncs the directory,
/// so a blob is durable before any metadata points at it.
public final class FilesystemBlobStore: BlobStore {
    public let root: String
    private let fileSystem = FileSystem.shared
    private let hashes = Mutex<[String: HashState]>([:])
    private let busy = Mutex<Set<String>>([])
    private let chunkLength: ByteCount = .kibibytes(256)

    private struct HashState {
        var size: Int64
        var hasher: DigestHasher
    }

    /// Uses (and creates) `root`. The directories it creates are readable only by their owner (0700).
    public init(root: String) async throws {
        self.root = root
        do {
            for directory in ["blobs", "uploads"] {
                try await fileSystem.createDirectory(at: FilePath("\(root)/\(directory)"), withIntermediateDirectories: true,
                                                     permissions: Self.directoryPermissions)
            }
        } catch {
            throw Self.storageError(error, "cannot create blob directories under \(root)")
        }
    }

    func blobPath(_ digest: Digest) -> FilePath {
        FilePath("\(root)/blobs/\(digest.algorithm.rawValue)/\(digest.hex.prefix(2))/\(digest.hex)")
    }

    func uploadPath(_ id: String) throws -> FilePath {
        guard UploadID.isValid(id) else {
            throw WharfError(.blobUploadUnknown, "blob upload unknown to registry", detail: ["uuid": String(id.prefix(64))])
        }
        return FilePath("\(root)/uploads/\(id)")
    }

    public func localFile(of digest: Digest) -> String? {
        blobPath(digest).string
    }

    public func size(of digest: Digest) async throws -> Int64? {
        do {
            return try await fileSystem.info(forFileAt: blobPath(digest), infoAboutSymbolicLink: false)?.size
        } catch {
            throw Self.storageError(error, "cannot stat blob \(digest)")
        }
    }

    public func read(_ digest: Digest, range: ClosedRange<Int64>?, into consumer: (ByteBuffer) async throws -> Void) async throws {
        do {
            try await fileSystem.withFileHandle(forReadingAt: blobPath(digest)) { handle in
                let size = try await handle.info().size
                let bounds = range.map { $0.lowerBound..<($0.upperBound + 1) } ?? 0..<size
                guard bounds.lowerBound >= 0, bounds.upperBound <= size else {
                    throw WharfError(.rangeNotSatisfiable, "range outside blob \(digest)")
                }
                guard !bounds.isEmpty else { return }
                for try await chunk in handle.readChunks(in: bounds, chunkLength: chunkLength) {
                    try await consumer(chunk)
                }
            }
        } catch let error as FileSystemError where error.code == .notFound {
            throw Self.blobUnknown(digest)
        } catch let error as WharfError {
            throw error
        } catch let error as FileSystemError {
            throw Self.storageError(error, "cannot read blob \(digest)")
        }
    }

    public func contents(of digest: Digest, limit: Int) async throws -> [UInt8] {
        guard let size = try await size(of: digest) else { throw Self.blobUnknown(digest) }
        guard size <= Int64(limit) else { throw WharfError(.sizeInvalid, "blob \(digest) is larger than \(limit) bytes") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(size))
        try await read(digest, range: nil) { bytes.append(contentsOf: $0.readableBytesView) }
        return bytes
    }

    public func put(_ bytes: [UInt8], as digest: Digest) async throws {
        if try await size(of: digest) != nil { return }
        let path = blobPath(digest)
        do {
            try await makeParent(of: path)
            try await fileSystem.withFileHandle(forWritingAt: path, options: .newFile(replaceExisting: false)) { handle in
                _ = try await handle.write(contentsOf: bytes, toAbsoluteOffset: 0)
                try await handle.synchronize()
            }
            await Self.syncDirectory(path.removingLastComponent())
        } catch let error as FileSystemError where error.code == .fileAlreadyExists {
            return
        } catch {
            throw Self.storageError(error, "cannot store blob \(digest)")
        }
    }

    public func startUpload(id: String) async throws {
        let path = try uploadPath(id)
        do {
            try await fileSystem.withFileHandle(forWritingAt: path, options: .newFile(replaceExisting: true)) { _ in }
        } catch {
            throw Self.storageError(error, "cannot create upload \(id)")
        }
        hashes.withLock { $0[id] = HashState(size: 0, hasher: DigestHasher(.sha256)) }
    }

    public func uploadSize(id: String) async throws -> Int64? {
        do {
            return try await fileSystem.info(forFileAt: try uploadPath(id), infoAboutSymbolicLink: false)?.size
        } catch let error as WharfError {
            if error.code == .blobUploadUnknown { return nil }
            throw error
        } catch {
            throw Self.storageError(error, "cannot stat upload \(id)")
        }
    }

    public func append(
        to id: String, at offset: Int64, expectedLength: Int64?, from body: some AsyncSequence<ByteBuffer, any Error>
    ) async throws -> Int64 {
        let path = try uploadPath(id)
        try claim(id)
        defer { release(id) }
        do {
            return try await fileSystem.withFileHandle(forReadingAndWritingAt: path, options: .modifyFile(createIfNecessary: false)) { handle in
                let size = try await handle.info().size
                guard size == offset else {
                    throw WharfError(.rangeNotSatisfiable, "upload \(id) holds \(size) bytes; a chunk must start at \(size), not \(offset)")
                }
                var hasher = hashes.withLock { state in state[id].flatMap { $0.size == offset ? $0.hasher : nil } }
                let written: Int64
                do {
                    written = try await StagingWriter(handle: handle)
                        .append(at: offset, expectedLength: expectedLength, from: body, hashing: &hasher)
                } catch {
                    try? await handle.resize(to: .bytes(offset))
                    throw error
                }
                let newSize = offset + written
                hashes.withLock { state in
                    state[id] = hasher.map { HashState(size: newSize, hasher: $0) }
                }
                return newSize
            }
        } catch let error as FileSystemError where error.code == .notFound {
            throw WharfError(.blobUploadUnknown, "blob upload unknown to registry", detail: ["uuid": id])
        } catch let error as WharfError {
            throw error
        } catch let error as FileSystemError {
            throw Self.storageError(error, "cannot write upload \(id)")
        }
    }

    public func commitUpload(id: String, as digest: Digest) async throws -> Int64 {
        let path = try uploadPath(id)
        try claim(id)
        defer { release(id) }
        let cached = hashes.withLock { $0.removeValue(forKey: id) }
        do {
            let size = try await fileSystem.withFileHandle(forReadingAt: path) { handle -> Int64 in
                let size = try await handle.info().size
                let computed: Digest
                if let cached, cached.size == size, digest.algorithm == .sha256 {
                    computed = cached.hasher.finalize()
                } else {
                    var hasher = DigestHasher(digest.algorithm)
                    for try await chunk in handle.readChunks(in: 0..<size, chunkLength: .mebibytes(1)) {
                        chunk.withUnsafeReadableBytes { hasher.update(bufferPointer: $0) }
                    }
                    computed = hasher.finalize()
                }
                guard computed == digest else {
                    throw WharfError(.digestInvalid, "uploaded content has digest \(computed), not \(digest)",
                                     detail: ["digest": digest.description])
                }
                return size
            }
            try await fileSystem.withFileHandle(forWritingAt: path, options: .modifyFile(createIfNecessary: false)) { handle in
                try await handle.synchronize()
            }
            let target = blobPath(digest)
            try await makeParent(of: target)
            do {
                try await fileSystem.moveItem(at: path, to: target)
                await Self.syncDirectory(target.removingLastComponent())
            } catch let error as FileSystemError where error.code == .fileAlreadyExists {
                _ = try? await fileSystem.removeItem(at: path, strategy: .platformDefault)
            }
            return size
        } catch let error as WharfError {
            if error.code == .digestInvalid { _ = try? await fileSystem.removeItem(at: path, strategy: .platformDefault) }
            throw error
        } catch let error as FileSystemError where error.code == .notFound {
            throw WharfError(.blobUploadUnknown, "blob upload unknown to registry", detail: ["uuid": id])
        } catch {
            throw Self.storageError(error, "cannot commit upload \(id)")
        }
    }

    public func cancelUpload(id: String) async throws {
        let path = try uploadPath(id)
        try claim(id)
        defer { release(id) }
        hashes.withLock { _ = $0.removeValue(forKey: id) }
        do {
            _ = try await fileSystem.removeItem(at: path, strategy: .platformDefault)
        } catch {
            throw Self.storageError(error, "cannot remove upload \(id)")
        }
    }

    /// Copies every committed blob into `target` (for `wharfd migrate`), each streamed through an upload there, which
    /// verifies its digest; blobs `target` holds already are skipped. `progress` hears of each blob copied. Returns
    /// how many were copied and skipped, and the bytes copied. Lists directories on the calling thread: a tool's work.
    public func copyBlobs(to target: any BlobStore, progress: (Digest, Int64) -> Void = { _, _ in }) async throws
        -> (copied: Int, skipped: Int, bytes: Int64) {
        var copied = 0, skipped = 0, bytes: Int64 = 0
        let files = FileManager.default
        for algorithm in Digest.Algorithm.allCases {
            let base = "\(root)/blobs/\(algorithm.rawValue)"
            for prefix in ((try? files.contentsOfDirectory(atPath: base)) ?? []).sorted() {
                for hex in ((try? files.contentsOfDirectory(atPath: "\(base)/\(prefix)")) ?? []).sorted() {
                    guard let digest = Digest("\(algorithm.rawValue):\(hex)"), let size = try await size(of: digest) else { continue }
                    if try await target.size(of: digest) != nil {
                        skipped += 1
                        continue
                    }
                    let id = UUID().uuidString.lowercased()
                    try await target.startUpload(id: id)
                    do {
                        try await fileSystem.withFileHandle(forReadingAt: blobPath(digest)) { handle in
                            _ = try await target.append(to: id, at: 0, expectedLength: size,
                                                        from: handle.readChunks(in: 0..<size, chunkLength: .mebibytes(1)))
                        }
                        _ = try await target.commitUpload(id: id, as: digest)
                    } catch {
                        try? await target.cancelUpload(id: id)
                        throw error
                    }
                    copied += 1
                    bytes += size
                    progress(digest, size)
                }
            }
        }
        return (copied, skipped, bytes)
    }

    // MARK: - Helpers

    private func claim(_ id: String) throws {
        let claimed = busy.withLock { $0.insert(id).inserted }
        guard claimed else {
            throw WharfError(.rangeNotSatisfiable, "upload \(id) is being written by another request")
        }
    }

    private func release(_ id: String) {
        busy.withLock { _ = $0.remove(id) }
    }

    private func makeParent(of path: FilePath) async throws {
        try await fileSystem.createDirectory(at: path.removingLastComponent(), withIntermediateDirectories: true,
                                             permissions: Self.directoryPermissions)
    }

    /// 0700: blobs may be private images.
    static let directoryPermissions = FilePermissions(rawValue: 0o700)

    /// Makes a rename in `directory` durable, on NIO's thread pool (an fsync blocks for milliseconds, and the caller
    /// may be an event loop). Failure only weakens durability, so it is not reported.
    static func syncDirectory(_ directory: FilePath) async {
        #if canImport(Glibc)
        let path = directory.string
        try? await NIOThreadPool.singleton.runIfActive {
            let fd = open(path, O_RDONLY | O_DIRECTORY)
            if fd >= 0 {
                _ = fsync(fd)
                _ = close(fd)
            }
        }
        #endif
    }

    static func blobUnknown(_ digest: Digest) -> WharfError {
        WharfError(.blobUnknown, "blob unknown to registry", detail: ["digest": digest.description])
    }

    static func storageError(_ error: any Error, _ message: String) -> WharfError {
        if let error = error as? WharfError { return error }
        return WharfError(.unavailable, "blob storage failure: \(message)", cause: error)
    }
}
