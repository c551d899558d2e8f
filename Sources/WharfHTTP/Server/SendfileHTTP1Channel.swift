public import HummingbirdCore
public import Logging
public import NIOCore
import NIOHTTP1

/// Hummingbird's HTTP/1 channel with a `FileRegionHandler` below its HTTP codec, so routes can send files with
/// `sendfile(2)`, and socket reads of up to 256 KiB (NIO's default stops at 64 KiB), so large uploads take fewer
/// reads and wake-ups.
public struct SendfileHTTP1Channel: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value
    let base: HTTP1Channel

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setup(channel: channel, logger: logger).flatMapThrowing { value in
            try channel.syncOptions?.setOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 256 << 10))
            let operations = channel.pipeline.syncOperations
            let decoder = try operations.context(handlerType: ByteToMessageHandler<HTTPRequestDecoder>.self)
            try operations.addHandler(FileRegionHandler(), position: .after(decoder.handler))
            return value
        }
    }

    public func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// Plain-text HTTP/1 whose routes may answer with files sent by `sendfile(2)` (see `FileRegionHandler`).
    public static func http1Sendfile(configuration: HTTP1Channel.Configuration = .init()) -> HTTPServerBuilder {
        .init { responder in SendfileHTTP1Channel(base: HTTP1Channel(responder: responder, configuration: configuration)) }
    }
}
