#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOPosix
import NIOHTTP1

/// Sends a response body straight from a file with `sendfile(2)`, so blob bytes never pass through user memory.
///
/// Hummingbird's response writer only carries `ByteBuffer`s, so this handler sits below Hummingbird's HTTP codec,
/// where bodies are `IOData`. A route arms it with `FileRegionHandler.arm(path:range:on:)` and then writes one empty
/// body part; the handler replaces that part with the armed file region and closes the file once it is written.
/// Only plain-text HTTP/1 channels carry the handler (TLS cannot encrypt a file region); `arm` reports whether the
/// channel has one, and a route streams the bytes itself when it does not.
final class FileRegionHandler: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var armed: FileRegion?

    /// Opens `path` on NIO's thread pool (an open may wait for the disk, and the caller may be an event loop) and arms
    /// the handler of `channel` with bytes `range` of it, for the next body part written on the channel. Returns
    /// `false`, keeping nothing open, when the channel has no handler; throws when the file cannot be opened.
    static func arm(path: String, range: Range<Int64>, on channel: any Channel) async throws -> Bool {
        let descriptor = try await NIOThreadPool.singleton.runIfActive {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { throw IOError(errnoCode: errno, reason: "open \(path)") }
            return descriptor
        }
        return try await channel.eventLoop.submit {
            guard let handler = try? channel.pipeline.syncOperations.handler(type: FileRegionHandler.self) else {
                _ = Glibc.close(descriptor)
                return false
            }
            handler.armed?.close()
            handler.armed = FileRegion(fileHandle: NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: descriptor),
                                       readerIndex: Int(range.lowerBound), endIndex: Int(range.upperBound))
            return true
        }.get()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let region = armed, case .body = unwrapOutboundIn(data) else {
            context.write(data, promise: promise)
            return
        }
        armed = nil
        let written = context.eventLoop.makePromise(of: Void.self)
        written.futureResult.whenComplete { _ in region.close() }
        written.futureResult.cascade(to: promise)
        context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: written)
    }

    /// Called when the channel closes too, so an armed file that was never written is closed.
    func handlerRemoved(context: ChannelHandlerContext) {
        armed?.close()
        armed = nil
    }
}

extension FileRegion {
    fileprivate func close() {
        try? fileHandle.close()
    }
}

@available(*, unavailable)
extension FileRegionHandler: Sendable {}
