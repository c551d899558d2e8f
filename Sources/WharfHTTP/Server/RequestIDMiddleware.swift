import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id, puts it in the metadata of every line `context.logger` writes (`request_id`), and
/// echoes it in the `X-Request-Id` response header. A client's own `X-Request-Id` is kept when it is at most
/// `maxLength` visible ASCII characters, so that a proxy's id follows the request; otherwise the id is a new UUID.
struct RequestIDMiddleware: RouterMiddleware {
    static let maxLength = 128

    func handle(_ request: Request, context: WharfRequestContext, next: (Request, WharfRequestContext) async throws -> Response) async throws -> Response {
        var context = context
        let id = request.headers[.xRequestID].flatMap(Self.acceptable) ?? UUID().uuidString.lowercased()
        context.requestID = id
        context.logger[metadataKey: "request_id"] = .string(id)
        context.logger[metadataKey: "hb.request.id"] = .string(id)  // Hummingbird's own lines and `context.id` agree
        do {
            var response = try await next(request, context)
            response.headers[.xRequestID] = id
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            response.headers[.xRequestID] = id
            return response
        }
    }

    /// `value`, if it may serve as a request id: 1 to `maxLength` characters from `!` to `~`.
    static func acceptable(_ value: String) -> String? {
        (1...maxLength).contains(value.utf8.count) && value.utf8.allSatisfy { (0x21...0x7E).contains($0) } ? value : nil
    }
}
