import HTTPTypes
import NIOCore
import NIOHTTP1
import WharfModel

/// Ends connections cleanly, below Hummingbird's codec:
/// - a request whose method Wharf serves nowhere (CONNECT, TRACE, any unknown one) is answered with a framed `405`
///   in the protocol's error format (an OCI error body under `/v2`, a Kubernetes `Status` elsewhere), and the
///   connection closes. The answer is written as bytes below NIO's encoder, which strips the framing of any answer to
///   a CONNECT; and after a CONNECT the decoder reads nothing more.
/// - a response that says `Connection: close` (a 413, a request body that broke its framing, a header-read
///   timeout) closes the connection once it is written, without reading the rest of the request: the output is shut
///   at once (the client sees the answer and its end), reading stops, and the socket closes `linger` later, so that
///   the client has read the answer before unread bytes turn the close into a reset.
/// - tells a route when its client has gone (the client closed its side, or the connection closed), so a response
///   that writes nothing for long stretches (a watch) can end: see `whenClientGone`.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// Every method some route of Wharf serves.
    static let servedMethods: [HTTPMethod] = [.GET, .HEAD, .POST, .PUT, .PATCH, .DELETE]
    static let linger = TimeAmount.milliseconds(500)

    /// Request heads passed on whose responses have not ended.
    private var owed = 0
    /// The bytes of a refusal waiting for the responses before it to end.
    private var refusal: ByteBuffer?
    private var closeAfterResponse = false
    /// Once set, nothing more is read or written.
    private var closing = false
    private var clientGone = false
    private var onClientGone: (@Sendable () -> Void)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing, refusal == nil else { return }
        if case .head(let head) = unwrapInboundIn(data) {
            guard Self.servedMethods.contains(head.method) else {
                refusal = Self.refusal(head, allocator: context.channel.allocator)
                if owed == 0 { refuse(context) }
                return
            }
            owed += 1
        }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard !closing, refusal == nil else { return }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        guard !closing else { return }
        context.read()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !closing else {
            promise?.fail(ChannelError.outputClosed)
            return
        }
        switch unwrapOutboundIn(data) {
        case .head(let head):
            closeAfterResponse = head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "close" }
        case .body:
            break
        case .end:
            owed = max(0, owed - 1)
            if closeAfterResponse {
                let written = context.eventLoop.makePromise(of: Void.self)
                written.futureResult.cascade(to: promise)
                context.writeAndFlush(data, promise: written)
                close(context, after: written.futureResult)
                return
            }
            if owed == 0, refusal != nil {
                context.write(data, promise: promise)
                refuse(context)
                return
            }
        }
        context.write(data, promise: promise)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed = event as? ChannelEvent { goneClient() }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        goneClient()
        context.fireChannelInactive()
    }

    /// Calls `action` once the client of `channel` has gone, at once if it has; never on a channel without a guard.
    /// A connection serves one request at a time, so a later call replaces the action of an earlier one.
    static func whenClientGone(_ channel: any Channel, _ action: @escaping @Sendable () -> Void) async {
        let gone = try? await channel.eventLoop.submit {
            guard let handler = try? channel.pipeline.syncOperations.handler(type: ConnectionGuard.self) else { return false }
            handler.onClientGone = action
            return handler.clientGone
        }.get()
        if gone == true { action() }
    }

    private func goneClient() {
        clientGone = true
        onClientGone?()
        onClientGone = nil
    }

    /// Writes the waiting refusal below the encoder and closes.
    private func refuse(_ context: ChannelHandlerContext) {
        guard let bytes = refusal, let encoder = try? context.pipeline.syncOperations.context(handlerType: HTTPResponseEncoder.self) else {
            closing = true
            context.close(promise: nil)
            return
        }
        let written = context.eventLoop.makePromise(of: Void.self)
        encoder.writeAndFlush(NIOAny(bytes), promise: written)
        close(context, after: written.futureResult)
    }

    /// Stops reading, shuts the output once `written` completes, and closes `linger` later.
    private func close(_ context: ChannelHandlerContext, after written: EventLoopFuture<Void>) {
        closing = true
        _ = try? context.channel.syncOptions?.setOption(.autoRead, value: false)
        written.assumeIsolated().whenComplete { _ in
            context.close(mode: .output, promise: nil)
            _ = context.eventLoop.assumeIsolated().scheduleTask(in: Self.linger) { context.close(promise: nil) }
        }
    }

    /// A complete `405` for `head`, with `Connection: close`.
    static func refusal(_ head: HTTPRequestHead, allocator: ByteBufferAllocator) -> ByteBuffer {
        let error = WharfError(.methodNotAllowed, "the method \(head.method.rawValue.prefix(32)) is not supported")
        let (status, body) = ErrorMapping.wire(error, path: head.uri)
        var buffer = allocator.buffer(capacity: 256 + body.count)
        buffer.writeString("HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\nContent-Type: application/json\r\n"
                           + "Content-Length: \(body.count)\r\nAllow: \(servedMethods.map(\.rawValue).joined(separator: ", "))\r\n"
                           + "Connection: close\r\n\r\n")
        buffer.writeBytes(body)
        return buffer
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}
