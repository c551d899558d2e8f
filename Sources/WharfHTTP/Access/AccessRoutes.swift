import Foundation
import HTTPTypes
import Hummingbird
public import WharfAccess
import WharfModel

/// `rbac.authorization.k8s.io/v1` (roles and bindings), `authorization.k8s.io/v1` SelfSubjectAccessReview
/// (`kubectl auth can-i`) and `wharf.dev/v1` tokens.
public struct AccessRoutes: Sendable {
    let access: AccessControl

    public init(access: AccessControl) { self.access = access }

    func add(to router: Router<WharfRequestContext>) {
        router.onAnyMethod("/apis/rbac.authorization.k8s.io/v1/**") { request, context in
            await respond(request, context) { try await rbac(request, context) }
        }
        router.onAnyMethod("/apis/wharf.dev/v1/**") { request, context in await respond(request, context) { try await tokens(request, context) } }
        router.post("/apis/authorization.k8s.io/v1/selfsubjectaccessreviews") { request, context in
            await respond(request, context) { try await review(request, context) }
        }
    }

    private func respond(_ request: Request, _ context: WharfRequestContext, _ body: () async throws -> Response) async -> Response {
        do { return try await body() } catch { return ErrorMapping.statusResponse(error, context: context) }
    }

    /// `kubectl auth can-i`: whether the caller may do what the review describes.
    private func review(_ request: Request, _ context: WharfRequestContext) async throws -> Response {
        var review = try await KubernetesBody.decode(SelfSubjectAccessReview.self, kind: "SelfSubjectAccessReview",
                                                     apiVersions: ["authorization.k8s.io/v1"], from: request).object
        guard let attributes = review.spec.resourceAttributes else {
            throw WharfError(.invalid, "SelfSubjectAccessReview is invalid: spec.resourceAttributes is required",
                             causes: [.required("spec.resourceAttributes")])
        }
        let allowed = try await access.allows(context.user, attributes)
        review.kind = "SelfSubjectAccessReview"
        review.apiVersion = "authorization.k8s.io/v1"
        review.status = .init(allowed: allowed, denied: nil, reason: allowed ? "allowed by a role binding" : nil)
        return JSONWire.response(review, status: .created)
    }

    /// Roles and bindings: `[namespaces/<ns>/]<resource>[/<name>]`.
    private func rbac(_ request: Request, _ context: WharfRequestContext) async throws -> Response {
        let parts = request.uri.path.split(separator: "/").dropFirst(3).map(String.init)
        var namespace: String?
        var rest = parts[...]
        if rest.first == "namespaces", rest.count >= 3 {
            namespace = rest[rest.startIndex + 1]
            rest = rest.dropFirst(2)
        }
        guard let resource = rest.first, let kind = RBACKind(resource: resource), rest.count <= 2, kind.isNamespaced == (namespace != nil) || rest.count == 1
        else { throw WharfError(.notFound, "the server could not find the requested resource") }
        let name = rest.count == 2 ? rest.last : nil
        let verb: String
        switch (request.method, name != nil) {
        case (.get, true): verb = "get"
        case (.get, false): verb = "list"
        case (.post, false): verb = "create"
        case (.put, true): verb = "update"
        case (.delete, true): verb = "delete"
        default: throw WharfError(.methodNotAllowed, "the server does not allow this method on the requested resource")
        }
        try await access.require(context.user, ResourceAttributes(namespace: namespace, verb: verb, group: RBACGroup.name, resource: kind.resource, name: name))
        let dryRun = verb != "get" && verb != "list" ? try await DryRun.requested(request) : false
        let access = dryRun ? self.access.dryRun : self.access
        switch verb {
        case "get": return JSONWire.response(try await access.rbacObject(kind, namespace: namespace, name: name!))
        case "list":
            let items = try await access.rbacObjects(kind, namespace: namespace)
            return JSONWire.response(JSONValue.object(["kind": .string("\(kind.rawValue)List"), "apiVersion": .string(RBACGroup.version),
                                                       "metadata": .object([:]), "items": .array(items)]))
        case "create":
            return JSONWire.response(try await access.putRBAC(try await KubernetesBody.value(from: request), kind: kind, namespace: namespace),
                                     status: .created)
        case "update":
            return JSONWire.response(try await access.putRBAC(try await KubernetesBody.value(from: request), kind: kind, namespace: namespace,
                                                              replacing: name))
        default:
            try await access.deleteRBAC(kind, namespace: namespace, name: name!)
            return JSONWire.response(KubernetesStatus(status: "Success", details: .init(name: name, group: RBACGroup.name, kind: kind.resource),
                                                      code: 200))
        }
    }

    /// Tokens: `tokens[/<name>]`.
    private func tokens(_ request: Request, _ context: WharfRequestContext) async throws -> Response {
        let parts = request.uri.path.split(separator: "/").dropFirst(3).map(String.init)
        guard parts.first == "tokens", parts.count <= 2 else { throw WharfError(.notFound, "the server could not find the requested resource") }
        let dryRun = request.method != .get ? try await DryRun.requested(request) : false
        let access = dryRun ? self.access.dryRun : self.access
        switch (request.method, parts.count) {
        case (.get, 1): return JSONWire.response(try await access.tokens(visibleTo: context.user))
        case (.post, 1):
            let token = try await KubernetesBody.decode(AccessToken.self, kind: "Token", apiVersions: [AccessGroup.version],
                                                        from: request).object
            return JSONWire.response(try await access.createToken(token, by: context.user), status: .created)
        case (.delete, 2):
            try await access.deleteToken(named: parts[1], by: context.user)
            return JSONWire.response(KubernetesStatus(status: "Success", code: 200))
        default:
            throw WharfError(.methodNotAllowed, "the server does not allow this method on the requested resource")
        }
    }
}
