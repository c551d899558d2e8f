public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 channel, tuned for a registry:
/// - a `ConnectionGuard` and a `ConnectionTimer` below Hummingbird's codec: unknown methods get a framed 405,
///   answers that say `Connection: close` close the connection, routes learn when their client has gone, and slow or
///   stalled clients are cut off (`ConnectionTimeouts`);
/// - on plain text, a `FileRegionHandler` below the HTTP codec, so routes can send blobs with `sendfile(2)`;
/// - on plain text, socket reads of up to 256 KiB (NIO's default stops at 64 KiB), and a `BodyReadPacer` that lets
///   long bodies arrive a megabyte per wake-up, so large uploads take fewer reads;
/// - on plain text, each connection served on its own event loop (`EventLoopExecutor`), so requests and body parts do
///   not change threads.
///
/// Under TLS (`overTLS`, the channel wrapped by HummingbirdTLS's `TLSChannel`) only the guard and the timer are
/// added: TLS cannot encrypt a file region.
public struct WharfHTTP1Channel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value
    let base: HTTP1Channel
    let timeouts: ConnectionTimeouts
    let overTLS: Bool

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { [timeouts, overTLS] value in
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            var handlers: [any ChannelHandler] = [ConnectionGuard(), ConnectionTimer(timeouts)]
            if !overTLS {
                try channel.syncOptions?.setOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 256 << 10))
                handlers.insert(contentsOf: [FileRegionHandler(), BodyReadPacer()] as [any ChannelHandler], at: 0)
            }
            try operations.addHandlers(handlers, position: .after(decoder.handler))
            return value
        }
    }

    /// Serves the connection's requests (on plain text, on its own event loop: see `EventLoopExecutor`).
    public func handle(value: Value, logger: Logger) async {
        if overTLS { return await base.handle(value: value, logger: logger) }
        await withTaskExecutorPreference(EventLoopExecutor(value.channel.eventLoop)) {
            await base.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 on `WharfHTTP1Channel`, plain text unless `overTLS` (then wrap it in `.tls(…)`).
    public static func wharfHTTP1(configuration: HTTP1Channel.Configuration = .init(), timeouts: ConnectionTimeouts = .init(),
                                  overTLS: Bool = false) -> HTTPServerBuilder {
        .init { responder in
            WharfHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: configuration), timeouts: timeouts, overTLS: overTLS)
        }
    }
}
