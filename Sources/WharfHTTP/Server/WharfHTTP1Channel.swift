public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1

/// Hummingbird's plain-text HTTP/1 channel, tuned for a registry:
/// - a `FileRegionHandler` below the HTTP codec, so routes can send blobs with `sendfile(2)`;
/// - socket reads of up to 256 KiB (NIO's default stops at 64 KiB), and a `BodyReadPacer` that lets long bodies
///   arrive a megabyte per wake-up, so large uploads take fewer reads;
/// - each connection served on its own event loop (`EventLoopExecutor`), so requests and body parts do not change
///   threads.
public struct WharfHTTP1Channel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value
    let base: HTTP1Channel

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try channel.syncOptions?.setOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 256 << 10))
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandlers([FileRegionHandler(), BodyReadPacer()], position: .after(decoder.handler))
            return value
        }
    }

    /// Serves the connection's requests on its own event loop (see `EventLoopExecutor`).
    public func handle(value: Value, logger: Logger) async {
        await withTaskExecutorPreference(EventLoopExecutor(value.channel.eventLoop)) {
            await base.handle(value: value, logger: logger)
        }
    }
}

extension HTTPServerBuilder {
    /// Plain-text HTTP/1 on `WharfHTTP1Channel`.
    public static func wharfHTTP1(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in WharfHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: configuration)) }
    }
}
