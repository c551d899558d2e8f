import Foundation
import HTTPTypes
import Hummingbird
import WharfAccess
import WharfModel

/// Turns the `Authorization` header into `context.user`: `Bearer <token>` (or the literal `anonymous`), or
/// `Basic <user:token>` as registry clients send after a login. Bad credentials are answered at once, in the
/// protocol's own error format; no header means anonymous.
struct AuthenticationMiddleware: RouterMiddleware {
    let access: AccessControl
    /// `http` or `https`, for the realm of challenges.
    let scheme: String

    func handle(_ request: Request, context: WharfRequestContext, next: (Request, WharfRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        context.scheme = scheme
        do {
            if let user = try await authenticate(request, source: context.source) {
                context.user = user
                context.presentedCredentials = true
            }
        } catch {
            return request.uri.path.hasPrefix("/v2")
                ? ErrorMapping.ociResponse(error, request: request, context: context)
                : ErrorMapping.statusResponse(error, context: context)
        }
        return try await next(request, context)
    }

    /// The caller named by the request's credentials; `nil` when it has none. Throws `unauthorized` for bad ones.
    func authenticate(_ request: Request, source: String) async throws -> UserInfo? {
        guard let header = request.headers[.authorization], !header.isEmpty else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw WharfError(.unauthorized, "malformed Authorization header") }
        switch parts[0].lowercased() {
        case "bearer":
            if parts[1] == "anonymous" { return .anonymous }
            return try await access.user(forToken: parts[1], source: source)
        case "basic":
            guard let decoded = Data(base64Encoded: parts[1]).map({ String(decoding: $0, as: UTF8.self) }),
                  let colon = decoded.firstIndex(of: ":"), !decoded[decoded.index(after: colon)...].isEmpty else {
                throw WharfError(.unauthorized, "failed to decode Basic credentials")
            }
            return try await access.user(forBasic: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]), source: source)
        default:
            throw WharfError(.unauthorized, "unsupported authorization scheme \"\(parts[0].prefix(20))\"")
        }
    }
}
