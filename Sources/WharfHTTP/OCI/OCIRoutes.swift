import HTTPTypes
import Hummingbird
public import WharfAccess
import WharfModel
public import WharfRegistry

/// The OCI Distribution API under `/v2/`: one pure path parser, then thin handlers over `Registry`.
public struct OCIRoutes: Sendable {
    let registry: Registry
    let access: AccessControl

    public init(registry: Registry, access: AccessControl) {
        self.registry = registry
        self.access = access
    }

    /// Registers `/v2/` and everything below it for every method the API uses.
    public func add(to router: Router<WharfRequestContext>) {
        for path in ["/v2", "/v2/**"] {
            router.onAnyMethod(path) { request, context in await respond(request, context) }
        }
    }

    /// Answers one request; every failure becomes an OCI error body, and every answer carries the API version header.
    func respond(_ request: Request, _ context: WharfRequestContext) async -> Response {
        var response: Response
        do {
            let route = try OCIRoute.parse(path: request.uri.path)
            try await authorize(route, request, context)
            response = try await dispatch(route, request, context)
        } catch {
            response = ErrorMapping.ociResponse(error, request: request, context: context)
        }
        response.headers[.dockerDistributionAPIVersion] = "registry/2.0"
        return response
    }

    /// Checks the caller's rights for `route`. A caller without credentials who needs some gets a 401 challenge
    /// (even on the base route, so that `docker login` asks for credentials); others get DENIED.
    private func authorize(_ route: OCIRoute, _ request: Request, _ context: WharfRequestContext) async throws {
        guard let needs = route.requirements(request.method) else {
            if case .base = route, !context.presentedCredentials {
                throw WharfError(.unauthorized, "authentication required")
            }
            return
        }
        for attributes in needs.attributes where try await !access.allows(context.user, attributes) {
            var error = AccessControl.refusal(context.user, attributes)
            error.detail["scope"] = needs.scope
            throw error
        }
    }

    private func dispatch(_ route: OCIRoute, _ request: Request, _ context: WharfRequestContext) async throws -> Response {
        switch (route, request.method) {
        case (.base, .get), (.base, .head):
            return JSONWire.response([String: String]())
        case (.catalog, .get):
            return try await catalog(request, context)
        case (.tags(let repository), .get):
            return try await tags(repository, request)
        case (.manifest(let repository, let reference), .get), (.manifest(let repository, let reference), .head):
            return try await getManifest(try existing(reference), in: repository, request)
        case (.manifest(let repository, let reference), .put):
            return try await putManifest(try reference.get(), in: repository, request, context)
        case (.manifest(let repository, let reference), .delete):
            try await registry.deleteManifest(try existing(reference), in: repository)
            return Response(status: .accepted, headers: [.contentLength: "0"])
        case (.blob(let repository, let digest), .get), (.blob(let repository, let digest), .head):
            return try await getBlob(digest, in: repository, request, context)
        case (.blob(let repository, let digest), .delete):
            try await registry.deleteBlob(digest, in: repository)
            return Response(status: .accepted, headers: [.contentLength: "0"])
        case (.uploads(let repository), .post):
            return try await startUpload(in: repository, request, context)
        case (.upload(let repository, let id), .get):
            return uploadResponse(.noContent, try await registry.uploadState(id, in: repository), in: repository)
        case (.upload(let repository, let id), .patch):
            return try await patchUpload(id, in: repository, request)
        case (.upload(let repository, let id), .put):
            return try await putUpload(id, in: repository, request)
        case (.upload(let repository, let id), .delete):
            try await registry.cancelUpload(id, in: repository)
            return Response(status: .noContent)
        case (.referrers(let repository, let digest), .get):
            return try await referrers(of: digest, in: repository, request)
        default:
            throw WharfError(.unsupported, "\(request.method) is not supported on this path")
        }
    }

    /// A reference to read or delete: a malformed tag cannot name a manifest, so it is MANIFEST_UNKNOWN (a malformed
    /// digest stays DIGEST_INVALID).
    func existing(_ reference: Result<Reference, WharfError>) throws -> Reference {
        do {
            return try reference.get()
        } catch let error where error.code == .tagInvalid {
            throw WharfError(.manifestUnknown, "manifest unknown", detail: error.detail)
        }
    }

    /// Parses `n` as a non-negative page size.
    func pageSize(_ request: Request) throws -> Int? {
        guard let text = request.query("n") else { return nil }
        guard let value = Int(text), value >= 0 else {
            throw WharfError(.paginationNumberInvalid, "invalid page size n=\(text.prefix(20))")
        }
        return value
    }
}
