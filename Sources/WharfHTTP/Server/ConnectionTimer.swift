import NIOCore
import NIOHTTP1

/// Enforces `ConnectionTimeouts` on one connection, below Hummingbird's codec.
///
/// At any moment at most one timeout runs, chosen from what the connection is doing:
/// - no request under way and no byte of the next one: `idle`, then the connection closes;
/// - bytes of a request head have come but not the whole head: `headerRead`, from the first of them, then a
///   `408 Request Timeout` that closes the connection (`ConnectionGuard` closes after a `Connection: close` answer);
/// - a body is being read and its reader has asked for more (a `read` passed down the pipeline): `bodyStall`, from
///   the ask, then the connection closes and the reader's body stream fails. The timer runs for the whole body and
///   looks at the ask when it fires, so that body reads do not each cancel and schedule one;
/// - a request was read and its response is not finished (a handler at work, a download, a watch): none.
final class ConnectionTimer: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    enum Phase { case none, idle, head, body }

    let timeouts: ConnectionTimeouts
    /// Request heads read whose responses have not ended.
    private var owed = 0
    private var readingBody = false
    private var headStarted = false
    /// Whether the current socket read brought a request part.
    private var readPart = false
    /// Since when the body's reader has waited for bytes, if it has.
    private var askedAt: NIODeadline?
    private var phase = Phase.none
    private var timer: Scheduled<Void>?

    init(_ timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { update(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        update(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        readPart = true
        switch unwrapInboundIn(data) {
        case .head:
            owed += 1
            (readingBody, headStarted, askedAt) = (true, false, nil)
        case .body:
            askedAt = nil
        case .end:
            (readingBody, askedAt) = (false, nil)
        }
        update(context)
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // Bytes came that made no part at all, with no request under way: a head is on its way.
        if !readPart, !readingBody, owed == 0 { headStarted = true }
        readPart = false
        update(context)
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if readingBody, askedAt == nil { askedAt = .now() }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            owed = max(0, owed - 1)
            update(context)
        }
        context.write(data, promise: promise)
    }

    private func update(_ context: ChannelHandlerContext) {
        let next: Phase = readingBody ? .body : owed > 0 ? .none : headStarted ? .head : .idle
        guard next != phase else { return }
        stop()
        phase = next
        switch next {
        case .none: return
        case .idle: schedule(in: TimeAmount(timeouts.idle), context)
        case .head: schedule(in: TimeAmount(timeouts.headerRead), context)
        case .body: schedule(in: TimeAmount(timeouts.bodyStall), context)
        }
    }

    private func schedule(in delay: TimeAmount, _ context: ChannelHandlerContext) {
        let phase = self.phase
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: delay) {
            self.expired(phase, context)
        }
    }

    private func expired(_ phase: Phase, _ context: ChannelHandlerContext) {
        timer = nil
        if case .body = phase {
            // Not stalled yet, or waiting on the server's own reader: look again when it could be.
            let stall = TimeAmount(timeouts.bodyStall)
            guard let askedAt, NIODeadline.now() - askedAt >= stall else {
                schedule(in: askedAt.map { $0 + stall - NIODeadline.now() } ?? stall, context)
                return
            }
        }
        self.phase = .none
        guard case .head = phase else {
            context.close(promise: nil)
            return
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "0")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .requestTimeout, headers: headers))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    private func stop() {
        timer?.cancel()
        timer = nil
        phase = .none
    }
}

@available(*, unavailable)
extension ConnectionTimer: Sendable {}
