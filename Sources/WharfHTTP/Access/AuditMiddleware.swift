import HTTPTypes
import Hummingbird
import Logging
import WharfModel

/// Records every mutation with who made it, so the log answers "who pushed this tag". Credentials are never logged.
struct AuditMiddleware: RouterMiddleware {
    static let logger = Logger(label: "wharf.audit")

    func handle(_ request: Request, context: WharfRequestContext, next: (Request, WharfRequestContext) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        if request.method != .get, request.method != .head {
            Self.logger.info("audit", metadata: [
                "user": "\(context.user.username)", "method": "\(request.method)", "path": "\(request.uri.path.prefix(300))",
                "status": "\(response.status.code)", "source": "\(context.source)",
            ])
        }
        return response
    }
}
