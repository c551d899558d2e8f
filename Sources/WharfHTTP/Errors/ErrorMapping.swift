import Logging
import HTTPTypes
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1
import WharfModel

/// The one place where domain errors become wire errors: an OCI error body on `/v2/`, a Kubernetes `Status` on `/apis/`.
///
/// Every `WharfError.Code` maps to exactly one (code, status) pair per surface. Any other error is a 500 whose cause is
/// logged under a request id and never sent.
enum ErrorMapping {
    /// The OCI error code and HTTP status for `code`.
    static func oci(_ code: WharfError.Code) -> (String, HTTPResponse.Status) {
        switch code {
        case .nameInvalid: return ("NAME_INVALID", .badRequest)
        case .nameUnknown, .notFound: return ("NAME_UNKNOWN", .notFound)
        case .blobUnknown: return ("BLOB_UNKNOWN", .notFound)
        case .blobUploadUnknown: return ("BLOB_UPLOAD_UNKNOWN", .notFound)
        case .blobUploadInvalid: return ("BLOB_UPLOAD_INVALID", .badRequest)
        case .rangeNotSatisfiable: return ("BLOB_UPLOAD_INVALID", .rangeNotSatisfiable)
        case .rangeInvalid: return ("RANGE_INVALID", .rangeNotSatisfiable)
        case .digestInvalid: return ("DIGEST_INVALID", .badRequest)
        case .sizeInvalid: return ("SIZE_INVALID", .badRequest)
        case .manifestUnknown: return ("MANIFEST_UNKNOWN", .notFound)
        case .manifestInvalid, .invalid, .unsupportedMediaType: return ("MANIFEST_INVALID", .badRequest)
        case .manifestBlobUnknown: return ("MANIFEST_BLOB_UNKNOWN", .badRequest)
        case .manifestTooLarge: return ("MANIFEST_INVALID", .contentTooLarge)
        case .tagInvalid: return ("TAG_INVALID", .badRequest)
        case .paginationNumberInvalid: return ("PAGINATION_NUMBER_INVALID", .badRequest)
        case .unauthorized: return ("UNAUTHORIZED", .unauthorized)
        case .denied: return ("DENIED", .forbidden)
        case .unsupported, .methodNotAllowed: return ("UNSUPPORTED", .methodNotAllowed)
        case .badRequest: return ("UNSUPPORTED", .badRequest)
        case .alreadyExists, .conflict: return ("DENIED", .conflict)
        case .expired: return ("UNSUPPORTED", .badRequest)
        case .tooManyRequests: return ("TOOMANYREQUESTS", .tooManyRequests)
        case .unavailable: return ("UNAVAILABLE", .serviceUnavailable)
        case .internal: return ("UNKNOWN", .internalServerError)
        }
    }

    /// The Kubernetes `reason` and HTTP status for `code`.
    static func kubernetes(_ code: WharfError.Code) -> (String, HTTPResponse.Status) {
        switch code {
        case .notFound, .nameUnknown, .blobUnknown, .blobUploadUnknown, .manifestUnknown: return ("NotFound", .notFound)
        case .alreadyExists: return ("AlreadyExists", .conflict)
        case .conflict: return ("Conflict", .conflict)
        case .invalid, .nameInvalid, .digestInvalid, .sizeInvalid, .manifestInvalid, .manifestBlobUnknown, .tagInvalid, .blobUploadInvalid:
            return ("Invalid", .unprocessableContent)
        case .badRequest, .rangeNotSatisfiable, .rangeInvalid, .paginationNumberInvalid: return ("BadRequest", .badRequest)
        case .manifestTooLarge: return ("RequestEntityTooLarge", .contentTooLarge)
        case .methodNotAllowed, .unsupported: return ("MethodNotAllowed", .methodNotAllowed)
        case .unsupportedMediaType: return ("UnsupportedMediaType", .unsupportedMediaType)
        case .expired: return ("Expired", .gone)
        case .unauthorized: return ("Unauthorized", .unauthorized)
        case .denied: return ("Forbidden", .forbidden)
        case .tooManyRequests: return ("TooManyRequests", .tooManyRequests)
        case .unavailable: return ("ServiceUnavailable", .serviceUnavailable)
        case .internal: return ("InternalError", .internalServerError)
        }
    }

    /// The longest message sent to a client. Messages are written to be short; this bound keeps a message that quotes
    /// client input from ever growing with it.
    static let maxMessageLength = 1024

    /// `error` as a `WharfError` whose message is at most `maxMessageLength` characters, logging and hiding anything else behind a request id.
    /// A request body that broke (`bodyFailure`) is the client's fault: a 400, logged at debug.
    static func domainError(_ error: any Error, context: WharfRequestContext) -> WharfError {
        if let failure = bodyFailure(error) {
            context.logger.debug("request body failed", metadata: ["error": "\(failure.cause.map { "\($0)" } ?? "")"])
            return failure
        }
        if var error = error as? WharfError {
            if error.code == .internal || error.code == .unavailable {
                context.logger.error("request failed", metadata: ["error": "\(error)", "location": "\(error.location)"])
            }
            if error.message.utf8.count > maxMessageLength { error.message = String(error.message.prefix(maxMessageLength)) + "…" }
            return error
        }
        context.logger.error("unexpected error", metadata: ["error": "\(error)"])
        return WharfError(.internal, "internal error (request id \(context.requestID))", cause: error)
    }

    /// The request body's own failures, which are the client's: a body shorter than its `Content-Length` or a broken
    /// chunk (NIO's parser errors), or a connection that broke or closed while the body was read. Also when a service
    /// wrapped one as the cause of an `unavailable` or `internal` error. The connection cannot carry another request.
    static func bodyFailure(_ error: any Error) -> WharfError? {
        let cause: any Error
        switch error {
        case let error as WharfError where error.code == .unavailable || error.code == .internal:
            guard let wrapped = error.cause, bodyFailure(wrapped) != nil else { return nil }
            cause = wrapped
        case is HTTPParserError, is ChannelError:
            cause = error
        case let error as IOError where [ECONNRESET, EPIPE, ETIMEDOUT].contains(error.errnoCode):
            cause = error
        default:
            return nil
        }
        return WharfError(.badRequest, "the request body is malformed or ended before it was complete", cause: cause)
    }

    /// Whether the answer to `error` closes the connection: after a 413 the rest of the body is not read, and after a
    /// body failure the connection's framing is lost.
    static func closesConnection(_ error: any Error, status: HTTPResponse.Status) -> Bool {
        status == .contentTooLarge || bodyFailure(error) != nil
    }

    /// The status and JSON body of `error` for a request to `path`, for answers written below the router
    /// (`ConnectionGuard`): an OCI error body under `/v2`, a Kubernetes `Status` elsewhere.
    static func wire(_ error: WharfError, path: String) -> (HTTPResponse.Status, [UInt8]) {
        if path == "/v2" || path.hasPrefix("/v2/") {
            let (code, status) = oci(error.code)
            return (status, JSONWire.encode(OCIErrorBody(errors: [.init(code: code, message: error.message, detail: error.detail)])))
        }
        let (reason, status) = kubernetes(error.code)
        return (status, JSONWire.encode(KubernetesStatus(status: "Failure", message: error.message, reason: reason, code: Int(status.code))))
    }

    /// The OCI error response for `error`: `{"errors":[{"code","message","detail"}]}`, no body for HEAD. When the
    /// request's own credentials were refused (`refusedCredentials`), the challenge says so with RFC 6750's
    /// `error="invalid_token"` and the message as `error_description`, which registry clients print.
    static func ociResponse(_ error: any Error, request: Request, context: WharfRequestContext, refusedCredentials: Bool = false) -> Response {
        let original = error
        let error = domainError(error, context: context)
        let (code, status) = oci(error.code)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        if closesConnection(original, status: status) { headers[.connection] = "close" }
        if let size = error.detail["blobSize"] { headers[.contentRange] = "bytes */\(size)" }
        if error.code == .unauthorized {
            headers[.wwwAuthenticate] = TokenEndpoint.challenge(for: request, scheme: context.scheme, scope: error.detail["scope"],
                                                                 refusal: refusedCredentials ? error.message : nil)
        }
        add(error.headers, to: &headers)
        let body = OCIErrorBody(errors: [.init(code: code, message: error.message, detail: error.detail.filter { $0.key != "blobSize" })])
        let bytes = JSONWire.encode(body)
        if request.method == .head {
            headers[.contentLength] = String(bytes.count)
            return Response(status: status, headers: headers)
        }
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// The Kubernetes `Status` response for `error`.
    static func statusResponse(_ error: any Error, context: WharfRequestContext) -> Response {
        let original = error
        let error = domainError(error, context: context)
        let (reason, status) = kubernetes(error.code)
        var details: KubernetesStatus.Details?
        if error.resource != nil || error.name != nil || !error.causes.isEmpty {
            let group = error.group ?? ImageAPIGroup.name
            details = .init(name: error.name, group: group.isEmpty ? nil : group, kind: error.resource, causes: error.causes.isEmpty ? nil : Array(error.causes.prefix(100)))
        }
        let body = KubernetesStatus(status: "Failure", message: error.message, reason: reason, details: details, code: Int(status.code))
        var response = JSONWire.response(body, status: status)
        add(error.headers, to: &response.headers)
        if closesConnection(original, status: status) { response.headers[.connection] = "close" }
        return response
    }

    /// The error's own response headers (`Retry-After`).
    static func add(_ extra: [String: String], to headers: inout HTTPFields) {
        for (name, value) in extra { if let name = HTTPField.Name(name) { headers[name] = value } }
    }
}

/// `{"errors":[…]}` on `/v2/`.
struct OCIErrorBody: Encodable {
    struct Entry: Encodable {
        var code: String
        var message: String
        var detail: [String: String]
    }
    var errors: [Entry]
}

/// A Kubernetes `Status` (`meta/v1`).
struct KubernetesStatus: Encodable {
    struct Details: Encodable {
        var name: String?
        var group: String?
        var kind: String?
        var uid: String?
        var causes: [FieldCause]?
    }
    var kind = "Status"
    var apiVersion = "v1"
    var metadata: [String: String] = [:]
    var status: String
    var message: String?
    var reason: String?
    var details: Details?
    var code: Int
}
