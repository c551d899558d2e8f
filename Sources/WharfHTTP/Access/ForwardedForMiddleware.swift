import HTTPTypes
import Hummingbird
import WharfAccess

/// `--trusted-proxies`: makes `context.source` the client that a trusted proxy names in `X-Forwarded-For`, before
/// authentication, the login throttle, the rate limiter and the audit record read it (`TrustedProxies.client`).
struct ForwardedForMiddleware: RouterMiddleware {
    let proxies: TrustedProxies

    static let header = HTTPField.Name("X-Forwarded-For")!

    func handle(_ request: Request, context: WharfRequestContext, next: (Request, WharfRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        context.source = proxies.client(peer: context.source, forwardedFor: request.headers[values: Self.header])
        return try await next(request, context)
    }
}
