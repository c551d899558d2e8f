#if canImport(Glibc)
import Glibc
#endif
import CWharfSystem
import NIOCore
import NIOFileSystem
import Synchronization
import WharfModel

/// Appends a request body to a staging file in whole aligned blocks written with `O_DIRECT`, hashing the bytes on
/// the way.
///
/// Direct writes skip the copy into the page cache, which costs more CPU than hashing on a virtual machine (fresh
/// page-cache pages fault in from the host). Two blocks alternate: one fills while the other is written on the file
/// system's thread pool. A partial block at the start is read back first so that only whole blocks are written; a
/// partial block at the end is written without `O_DIRECT`. Where the file system refuses `O_DIRECT` (tmpfs), every
/// write is buffered and the result is the same.
struct StagingWriter {
    static let alignment = 4096
    static let blockSize = 1 << 20

    let handle: ReadWriteFileHandle

    /// Appends `body` at `offset` (the file's current size). Throws `sizeInvalid` when the body is longer or shorter
    /// than `expectedLength`. Returns how many bytes were appended; on failure the bytes written so far stay and the
    /// caller truncates.
    func append(at offset: Int64, expectedLength: Int64?, from body: some AsyncSequence<ByteBuffer, any Error>,
                hashing hasher: inout DigestHasher?) async throws -> Int64 {
        let direct = try await handle.withUnsafeDescriptor { Self.setDirect($0.rawValue, true) }
        let blockOffset = offset - offset % Int64(Self.alignment)
        var current = AlignedBlock.take()
        var writing: (block: AlignedBlock, task: Task<Void, any Error>)?
        defer {
            AlignedBlock.give(current)
            if let writing { AlignedBlock.give(writing.block) }
        }
        do {
            return try await stream(body, into: &current, &writing, blockOffset: blockOffset, offset: offset,
                                    expectedLength: expectedLength, hashing: &hasher, direct: direct)
        } catch {
            // The caller truncates the file: no write may still be running then.
            if let writing { _ = try? await writing.task.value }
            throw error
        }
    }

    /// The body of `append`: fills `current`, hands full blocks to `writing`, and writes what is left at the end.
    private func stream(_ body: some AsyncSequence<ByteBuffer, any Error>, into current: inout AlignedBlock,
                        _ writing: inout (block: AlignedBlock, task: Task<Void, any Error>)?, blockOffset: Int64, offset: Int64,
                        expectedLength: Int64?, hashing hasher: inout DigestHasher?, direct: Bool) async throws -> Int64 {
        var blockOffset = blockOffset
        var fill = Int(offset - blockOffset)
        if fill > 0 {
            let read = try await pread(current, length: Self.alignment, at: blockOffset)
            guard read == fill else { throw Self.failure("read back \(read) of \(fill) bytes at \(blockOffset)") }
        }
        var written: Int64 = 0
        for try await var buffer in body {
            written += Int64(buffer.readableBytes)
            if let expectedLength, written > expectedLength {
                throw WharfError(.sizeInvalid, "chunk is longer than its declared \(expectedLength) bytes")
            }
            if hasher != nil { buffer.withUnsafeReadableBytes { hasher!.update(bufferPointer: $0) } }
            while buffer.readableBytes > 0 {
                let count = min(buffer.readableBytes, Self.blockSize - fill)
                buffer.withUnsafeReadableBytes { source in
                    (current.base + fill).copyMemory(from: source.baseAddress!, byteCount: count)
                }
                buffer.moveReaderIndex(forwardBy: count)
                fill += count
                guard fill == Self.blockSize else { continue }
                let previous = writing
                let (block, at) = (current, blockOffset)
                writing = (block, Task { try await self.pwrite(block, length: Self.blockSize, at: at) })
                blockOffset += Int64(Self.blockSize)
                fill = 0
                if let previous {
                    try await previous.task.value
                    current = previous.block
                } else {
                    current = AlignedBlock.take()
                }
            }
        }
        if let expectedLength, written != expectedLength {
            throw WharfError(.sizeInvalid, "received \(written) bytes; the chunk declared \(expectedLength)")
        }
        if let last = writing {
            try await last.task.value
            writing = nil
            AlignedBlock.give(last.block)
        }
        let whole = fill - fill % Self.alignment
        if whole > 0 { try await pwrite(current, length: whole, at: blockOffset) }
        if fill > whole {
            if direct { _ = try await handle.withUnsafeDescriptor { Self.setDirect($0.rawValue, false) } }
            try await pwrite(current, from: whole, length: fill - whole, at: blockOffset + Int64(whole))
        }
        return written
    }

    private func pwrite(_ block: AlignedBlock, from start: Int = 0, length: Int, at offset: Int64) async throws {
        let result = try await handle.withUnsafeDescriptor { descriptor -> Int32 in
            let base = block.base
            var done = 0
            while done < length {
                let count = Glibc.pwrite(descriptor.rawValue, base + start + done, length - done, off_t(offset) + off_t(done))
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                done += count
            }
            return 0
        }
        if result != 0 { throw Self.failure("write at \(offset): \(String(cString: strerror(result)))") }
    }

    private func pread(_ block: AlignedBlock, length: Int, at offset: Int64) async throws -> Int {
        let count = try await handle.withUnsafeDescriptor { Glibc.pread($0.rawValue, block.base, length, off_t(offset)) }
        if count < 0 { throw Self.failure("read at \(offset)") }
        return count
    }

    /// Turns `O_DIRECT` on or off; `false` when the file system refuses it.
    private static func setDirect(_ descriptor: Int32, _ on: Bool) -> Bool {
        let flags = fcntl(descriptor, F_GETFL), direct = wharf_o_direct()
        guard flags >= 0, direct != 0 else { return false }
        return fcntl(descriptor, F_SETFL, on ? flags | direct : flags & ~direct) == 0
    }

    private static func failure(_ message: String) -> FileSystemError {
        FileSystemError(code: .unknown, message: message, cause: nil, location: .init(function: #function, file: #fileID, line: #line))
    }
}

/// A block of `StagingWriter.blockSize` bytes aligned for `O_DIRECT`. Released blocks are kept for reuse (up to a
/// few), so uploads keep writing from memory that is already mapped.
final class AlignedBlock: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    private static let spares = Mutex<[AlignedBlock]>([])
    private static let maxSpares = 8

    private init() {
        base = UnsafeMutableRawPointer.allocate(byteCount: StagingWriter.blockSize, alignment: StagingWriter.alignment)
    }

    deinit { base.deallocate() }

    static func take() -> AlignedBlock {
        spares.withLock { $0.popLast() } ?? AlignedBlock()
    }

    static func give(_ block: AlignedBlock) {
        spares.withLock { if $0.count < maxSpares { $0.append(block) } }
    }
}
