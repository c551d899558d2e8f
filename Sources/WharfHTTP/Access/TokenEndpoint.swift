import Foundation
import HTTPTypes
import Hummingbird
import WharfAccess
import WharfModel

/// The registry token endpoint (`/openshift/token`, also `/v2/token`), where clients exchange Basic credentials for a
/// bearer token after a 401 challenge. A token given as the password is returned as it is, as OpenShift does; an
/// htpasswd password gets a login token that expires in an hour (the same one again while it has more than half its
/// hour left, see `AccessControl.token(forBasic:password:source:)`); no credentials get the literal `anonymous`.
enum TokenEndpoint {
    struct Answer: Encodable {
        var token: String
        var access_token: String
    }

    static let paths = ["/openshift/token", "/v2/token"]

    static func add(to router: Router<WharfRequestContext>, access: AccessControl) {
        for path in paths {
            router.get(RouterPath(path)) { request, context in
                guard context.presentedCredentials else { return JSONWire.response(Answer(token: "anonymous", access_token: "anonymous")) }
                do {
                    guard case .basic(let user, let password)? = try Credentials(request) else {
                        throw WharfError(.unauthorized, "the token endpoint takes Basic credentials")
                    }
                    let secret = try await access.token(forBasic: user, password: password, source: context.source)
                    return JSONWire.response(Answer(token: secret, access_token: secret))
                } catch {
                    return errorResponse(error, request: request, context: context)
                }
            }
        }
    }

    /// The OAuth 2 members of a token endpoint error (RFC 6749 §5.2) beside the registry's `errors`.
    struct ErrorAnswer: Encodable {
        var errors: [OCIErrorBody.Entry]
        var error: String
        var error_description: String
    }

    /// A refused token request: the OCI error with its challenge (`error="invalid_token"` and the reason as
    /// `error_description`, which skopeo and docker print), its body carrying `error` and `error_description` too.
    static func errorResponse(_ error: any Error, request: Request, context: WharfRequestContext) -> Response {
        let error = ErrorMapping.domainError(error, context: context)
        var response = ErrorMapping.ociResponse(error, request: request, context: context, refusedCredentials: true)
        let (code, _) = ErrorMapping.oci(error.code)
        let answer = ErrorAnswer(errors: [.init(code: code, message: error.message, detail: error.detail)],
                                 error: error.code == .unauthorized ? "invalid_token" : "invalid_request", error_description: error.message)
        let bytes = JSONWire.encode(answer)
        response.headers[.contentLength] = String(bytes.count)
        response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        return response
    }

    /// `Bearer realm="<scheme>://<host>/openshift/token",service="wharf",scope="…"`, and when credentials were refused
    /// `error="invalid_token",error_description="<refusal>"` (RFC 6750 §3).
    /// The realm's host is the request's `Host` when it is a well-formed authority (letters, digits, `.-_~%:[]`),
    /// else `localhost`, so that a client can never add parameters of its own to the challenge.
    static func challenge(for request: Request, scheme: String, scope: String?, refusal: String? = nil) -> String {
        let host = request.head.authority.flatMap { $0.unicodeScalars.allSatisfy(isAuthorityScalar) && !$0.isEmpty ? $0 : nil } ?? "localhost"
        var value = "Bearer realm=\"\(scheme)://\(host)\(paths[0])\",service=\"wharf\""
        if let scope { value += ",scope=\"\(quoted(scope))\"" }
        if let refusal { value += ",error=\"invalid_token\",error_description=\"\(quoted(refusal))\"" }
        return value
    }

    private static func isAuthorityScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || ".-_~%:[]".unicodeScalars.contains(scalar))
    }

    /// `text` with what cannot stand inside a quoted-string parameter left out: quotes, backslashes, controls, non-ASCII.
    private static func quoted(_ text: String) -> String {
        var result = ""
        result.unicodeScalars.append(contentsOf: text.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f && $0 != "\"" && $0 != "\\" })
        return result
    }
}
