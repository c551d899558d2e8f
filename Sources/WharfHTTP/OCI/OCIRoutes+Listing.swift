import HTTPTypes
import Hummingbird
import WharfAccess
import WharfModel
import WharfRegistry

extension OCIRoutes {
    struct TagList: Encodable {
        var name: String
        var tags: [String]
    }

    struct Catalog: Encodable {
        var repositories: [String]
    }

    /// GET …/tags/list?n=&last=: sorted, with a `Link` to the next page.
    func tags(_ repository: RepositoryName, _ request: Request) async throws -> Response {
        let limit = try pageSize(request)
        let page = try await registry.tags(in: repository, limit: limit, after: request.query("last"))
        var headers = HTTPFields()
        if page.hasMore, let limit, limit > 0, let last = page.items.last {
            headers[.link] = "<\(OCIURLBuilder.tags(repository, limit: limit, after: last))>; rel=\"next\""
        }
        return JSONWire.response(TagList(name: repository.description, tags: page.items), headers: headers)
    }

    /// GET /v2/_catalog?n=&last=: only the repositories in namespaces where the caller may list image streams.
    func catalog(_ request: Request, _ context: WharfRequestContext) async throws -> Response {
        let limit = try pageSize(request)
        var visible: [String: Bool] = [:]
        for namespace in try await registry.catalog(limit: nil, after: nil).items.compactMap({ $0.split(separator: "/").first.map(String.init) }) {
            if visible[namespace] == nil {
                visible[namespace] = try await access.allows(context.user, ResourceAttributes(namespace: namespace, verb: "list", resource: "imagestreams"))
            }
        }
        let page = try await registry.catalog(limit: limit, after: request.query("last")) { repository in visible[repository.namespace] ?? false }
        var headers = HTTPFields()
        if page.hasMore, let limit, limit > 0, let last = page.items.last {
            headers[.link] = "<\(OCIURLBuilder.catalog(limit: limit, after: last))>; rel=\"next\""
        }
        return JSONWire.response(Catalog(repositories: page.items), headers: headers)
    }

    /// GET …/referrers/<digest>[?artifactType=]: an image index, never 404.
    func referrers(of subject: Digest, in repository: RepositoryName, _ request: Request) async throws -> Response {
        let referrers = try await registry.referrers(of: subject, in: repository, artifactType: request.query("artifactType"))
        var headers = HTTPFields()
        if referrers.filtered { headers[.ociFiltersApplied] = "artifactType" }
        return JSONWire.response(referrers.index, contentType: MediaType.ociIndex, headers: headers)
    }
}
