import HTTPTypes
import Hummingbird
import Logging
import WharfAccess
import WharfModel

/// `--rate-limit`: refuses a caller's requests beyond its share with 429 and `Retry-After`, in the protocol's own
/// format (`TOOMANYREQUESTS` on `/v2/`, a `TooManyRequests` Status elsewhere), which skopeo and podman wait out and
/// retry. A caller is its user name once authenticated, and its address while anonymous. The probes are never limited,
/// so a busy caller cannot make a replica look dead, and neither is the token endpoint: clients do not retry a refused
/// login (skopeo gives up at once), and the login throttle already bounds what wrong passwords cost.
struct RateLimitMiddleware: RouterMiddleware {
    let limiter: RateLimiter

    static let exempt = Set(["/livez", "/readyz", "/healthz"]).union(TokenEndpoint.paths)

    func handle(_ request: Request, context: WharfRequestContext, next: (Request, WharfRequestContext) async throws -> Response) async throws -> Response {
        guard !Self.exempt.contains(request.uri.path) else { return try await next(request, context) }
        let key = context.user.username == UserInfo.anonymousName ? "anonymous@\(context.source)" : "user:\(context.user.username)"
        guard let wait = limiter.acquire(key) else { return try await next(request, context) }
        let seconds = max(1, Int((wait / .seconds(1)).rounded(.up)))
        context.logger.debug("rate limited", metadata: ["user": "\(context.user.username)", "source": "\(context.source)"])
        var error = WharfError(.tooManyRequests, "too many requests: the limit is \(Self.format(limiter.rate)) a second; try again in \(seconds) seconds")
        error.headers["Retry-After"] = String(seconds)
        return request.uri.path.hasPrefix("/v2")
            ? ErrorMapping.ociResponse(error, request: request, context: context)
            : ErrorMapping.statusResponse(error, context: context)
    }

    private static func format(_ rate: Double) -> String {
        rate == rate.rounded() ? String(Int(rate)) : String(rate)
    }
}
