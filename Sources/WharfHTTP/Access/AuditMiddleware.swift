import HTTPTypes
import Hummingbird
import Logging
import WharfModel

/// Records every mutation and every pull (a `GET` of a manifest or a blob) at info, with who made it, so the log
/// answers "who pushed this tag" and "who pulled this image". The lines go through the request's logger, so they
/// carry its request id. Credentials are never logged.
struct AuditMiddleware: RouterMiddleware {
    func handle(_ request: Request, context: WharfRequestContext, next: (Request, WharfRequestContext) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        let pull = request.method == .get && Self.isPull(request.uri.path)
        if pull || (request.method != .get && request.method != .head) {
            context.logger.info(pull ? "pull" : "audit", metadata: [
                "user": "\(context.user.username)", "method": "\(request.method)", "path": "\(request.uri.path.prefix(300))",
                "status": "\(response.status.code)", "source": "\(context.source)",
            ])
        }
        return response
    }

    /// Whether `path` names a manifest or a blob on `/v2/` (not an upload).
    static func isPull(_ path: String) -> Bool {
        guard path.hasPrefix("/v2/") else { return false }
        let parts = path.split(separator: "/")
        guard parts.count >= 4 else { return false }
        return parts[parts.count - 2] == "manifests" || parts[parts.count - 2] == "blobs"
    }
}
