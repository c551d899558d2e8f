#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1

/// Lets a long request body arrive in large reads: while one streams, the socket's receive low-water mark
/// (`SO_RCVLOWAT`) is raised, so the event loop wakes once per `mark` bytes rather than once per small chunk.
///
/// skopeo and other Go clients write a layer's body to the socket 32 KiB at a time, and a registry that is faster than
/// its client otherwise wakes up, reads and goes back to sleep for each of those writes. The mark is raised only
/// after the first `threshold` bytes of a body, and it can never hold bytes back for long: `delay` after the last
/// read it is lowered again (Linux then signals the bytes that are waiting), and the end of the body lowers it too.
final class BodyReadPacer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart

    static let threshold = 1 << 20
    static let mark = 1 << 20
    static let delay = TimeAmount.milliseconds(2)

    private var bodyBytes = 0
    private var raised = false
    private var lowering: Scheduled<Void>?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            bodyBytes = 0
        case .body(let buffer):
            bodyBytes += buffer.readableBytes
            if bodyBytes >= Self.threshold, !raised { set(Self.mark, context) }
        case .end:
            bodyBytes = 0
            if raised { set(1, context) }
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        lowering?.cancel()
        lowering = nil
        if raised {
            let loop = context.eventLoop, handler = NIOLoopBound(self, eventLoop: loop), bound = NIOLoopBound(context, eventLoop: loop)
            lowering = loop.scheduleTask(in: Self.delay) {
                if handler.value.raised { handler.value.set(1, bound.value) }
            }
        }
        context.fireChannelReadComplete()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        lowering?.cancel()
        lowering = nil
    }

    private func set(_ mark: Int, _ context: ChannelHandlerContext) {
        raised = mark > 1
        _ = try? context.channel.syncOptions?.setOption(ChannelOptions.socketOption(.init(rawValue: SO_RCVLOWAT)), value: mark)
    }
}

@available(*, unavailable)
extension BodyReadPacer: Sendable {}
