/// How long a connection may keep the server waiting for its client. A connection that overstays is closed, so
/// slow or stalled clients cannot hold descriptors and memory for ever.
public struct ConnectionTimeouts: Sendable, Equatable {
    /// From the first byte of a request until its head is complete (slowloris). The client gets a 408.
    public var headerRead: Duration
    /// With no request under way: after the connection opens or after the last response, until the next request's
    /// first byte.
    public var idle: Duration
    /// While a request body is being read and the server waits for more of it: between two reads that bring bytes.
    /// The server's own back-pressure (a handler that is not reading yet) does not count.
    public var bodyStall: Duration

    public init(headerRead: Duration = .seconds(30), idle: Duration = .seconds(120), bodyStall: Duration = .seconds(60)) {
        self.headerRead = headerRead
        self.idle = idle
        self.bodyStall = bodyStall
    }
}
