import Foundation
import HTTPTypes
import Hummingbird
import WharfModel

/// The credentials of an `Authorization` header, parsed once.
enum Credentials: Equatable {
    case bearer(String)
    case basic(user: String, password: String)

    /// `nil` without a header; `unauthorized` for a malformed one, an unknown scheme, or Basic credentials without a
    /// password.
    init?(_ request: Request) throws {
        guard let header = request.headers[.authorization], !header.isEmpty else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw WharfError(.unauthorized, "malformed Authorization header") }
        switch parts[0].lowercased() {
        case "bearer":
            self = .bearer(parts[1])
        case "basic":
            guard let decoded = Data(base64Encoded: parts[1]).map({ String(decoding: $0, as: UTF8.self) }),
                  let colon = decoded.firstIndex(of: ":"), !decoded[decoded.index(after: colon)...].isEmpty else {
                throw WharfError(.unauthorized, "failed to decode Basic credentials")
            }
            self = .basic(user: String(decoded[..<colon]), password: String(decoded[decoded.index(after: colon)...]))
        default:
            throw WharfError(.unauthorized, "unsupported authorization scheme \"\(parts[0].prefix(20))\"")
        }
    }
}

extension Router {
    /// Registers `handler` for `path` and the methods APIs use.
    func onAnyMethod(_ path: String, methods: [HTTPRequest.Method] = [.get, .head, .put, .post, .patch, .delete],
                     _ handler: @escaping @Sendable (Request, Context) async throws -> Response) {
        for method in methods { on(RouterPath(path), method: method, use: handler) }
    }
}
