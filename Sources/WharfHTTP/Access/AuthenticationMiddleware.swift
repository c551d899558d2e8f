import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Prometheus
import WharfAccess
import WharfModel

/// Turns the `Authorization` header into `context.user`: `Bearer <token>` (or the literal `anonymous`), or
/// `Basic <user:token>` as registry clients send after a login. Bad credentials are answered at once, in the
/// protocol's own error format, and logged at info (`login failed`); no header means anonymous.
struct AuthenticationMiddleware: RouterMiddleware {
    let access: AccessControl
    /// `http` or `https`, for the realm of challenges.
    let scheme: String
    /// Where refused credentials are counted (`wharf_login_failures_total`).
    let metrics: WharfMetrics

    func handle(_ request: Request, context: WharfRequestContext, next: (Request, WharfRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        context.scheme = scheme
        do {
            if let user = try await authenticate(request, source: context.source) {
                context.user = user
                context.presentedCredentials = true
            }
        } catch {
            var metadata: Logger.Metadata = ["path": "\(request.uri.path.prefix(300))", "source": "\(context.source)", "error": "\(error)"]
            if case .basic(let user, _)? = try? Credentials(request) { metadata["user"] = "\(user.prefix(100))" }
            context.logger.info("login failed", metadata: metadata)
            if (error as? WharfError)?.code == .tooManyRequests { metrics.loginLockouts.increment() } else { metrics.loginFailures.increment() }
            // Registry clients read the refusal from the challenge (and the token endpoint's body) and print it.
            if TokenEndpoint.paths.contains(request.uri.path) { return TokenEndpoint.errorResponse(error, request: request, context: context) }
            return request.uri.path.hasPrefix("/v2")
                ? ErrorMapping.ociResponse(error, request: request, context: context, refusedCredentials: true)
                : ErrorMapping.statusResponse(error, context: context)
        }
        return try await next(request, context)
    }

    /// The caller named by the request's credentials; `nil` when it has none. Throws `unauthorized` for bad ones.
    func authenticate(_ request: Request, source: String) async throws -> UserInfo? {
        switch try Credentials(request) {
        case nil: return nil
        case .bearer("anonymous"): return .anonymous
        case .bearer(let token): return try await access.user(forToken: token, source: source)
        case .basic(let user, let password): return try await access.user(forBasic: user, password: password, source: source)
        }
    }
}
