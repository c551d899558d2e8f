public import Hummingbird
public import NIOCore
public import WharfModel

/// The request context of every Wharf route: who is calling, and from where.
public struct WharfRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The authenticated caller; anonymous until `AuthenticationMiddleware` says otherwise.
    public var user: UserInfo = .anonymous
    /// Whether the request carried credentials at all (a challenge is due only to requests without them).
    public var presentedCredentials = false
    /// The client's address, for throttling failed logins: the peer's, or the one a trusted proxy forwarded
    /// (`ForwardedForMiddleware`).
    public var source: String
    /// The request's id, as `RequestIDMiddleware` chose it: in every log line of the request and in `X-Request-Id`.
    public var requestID = ""
    /// `http` or `https`, as the server is configured.
    public var scheme = "http"
    /// The connection, for routes that write files to it directly (`FileRegionHandler`).
    public let channel: any Channel

    public init(source: Source) {
        coreContext = .init(source: source)
        self.source = source.channel.remoteAddress?.ipAddress ?? "unknown"
        channel = source.channel
    }
}
