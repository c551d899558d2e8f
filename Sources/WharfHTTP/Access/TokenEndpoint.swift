import Foundation
import HTTPTypes
import Hummingbird
import WharfAccess
import WharfModel

/// The registry token endpoint (`/openshift/token`, also `/v2/token`), where clients exchange Basic credentials for a
/// bearer token after a 401 challenge. A token given as the password is returned as it is, as OpenShift does; an
/// htpasswd password gets a new token that expires in an hour; no credentials get the literal `anonymous`.
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
                    return ErrorMapping.ociResponse(error, request: request, context: context)
                }
            }
        }
    }

    /// `Bearer realm="<scheme>://<host>/openshift/token",service="wharf",scope="…"`.
    static func challenge(for request: Request, scheme: String, scope: String?) -> String {
        let host = request.head.authority ?? "localhost"
        var value = "Bearer realm=\"\(scheme)://\(host)\(paths[0])\",service=\"wharf\""
        if let scope { value += ",scope=\"\(scope)\"" }
        return value
    }
}
