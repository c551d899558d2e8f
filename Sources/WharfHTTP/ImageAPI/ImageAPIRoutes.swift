import Foundation
import HTTPTypes
import Hummingbird
import ServiceLifecycle
import WharfStorage
import WharfModel
public import WharfAccess
public import WharfImageAPI

/// The image API under `/apis/image.openshift.io/v1/`: one path parser, then thin handlers over `ImageAPI`, with
/// Kubernetes conventions for verbs, selectors, watches, patches and tables. Every failure is a Kubernetes `Status`.
public struct ImageAPIRoutes: Sendable {
    var api: ImageAPI
    let access: AccessControl

    public init(api: ImageAPI, access: AccessControl) {
        self.api = api
        self.access = access
    }

    public func add(to router: Router<WharfRequestContext>) {
        for path in [APIRoute.prefix + "/**", APIRoute.legacyPrefix + "/**"] {
            router.onAnyMethod(path) { request, context in await respond(request, context) }
        }
        router.get("/openapi/v2") { _, _ in
            Response(status: .ok, headers: [.contentType: OpenAPIDocument.v2ContentType], body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.v2)))
        }
        router.get("/openapi/v3") { _, _ in JSONWire.response(OpenAPIDocument.index()) }
        router.get(RouterPath(OpenAPIDocument.path)) { _, _ in JSONWire.response(OpenAPIDocument.document(group: ImageAPIGroup.name)) }
        router.get("/openapi/v3/api/v1") { _, _ in JSONWire.response(OpenAPIDocument.document(group: "")) }
        router.get(RouterPath("/openapi/v3/apis/\(RBACGroup.version)")) { _, _ in JSONWire.response(OpenAPIDocument.document(group: RBACGroup.name)) }
    }

    func respond(_ request: Request, _ context: WharfRequestContext) async -> Response {
        do {
            let parts = request.uri.path.split(separator: "/")
            if parts.starts(with: ["api", "v1", "namespaces"]), parts.count <= 4 { return try await namespaces(request, context) }
            let route = try APIRoute.parse(path: request.uri.path)
            let verb = try Self.verb(request, route)
            try await access.require(context.user, ResourceAttributes(namespace: route.namespace, verb: Self.rbacVerb(verb), resource: route.resource.rawValue,
                                                                      subresource: route.subresource, name: route.name))
            let (access, user) = (self.access, context.user)
            var scoped = self
            scoped.api.sourceAccess = { namespace, name in
                try await access.allows(user, ResourceAttributes(namespace: namespace, verb: "get", resource: "imagestreams", subresource: "layers", name: name))
            }
            if verb.writes, try await DryRun.requested(request) { scoped.api = scoped.api.dryRun }
            return try await scoped.dispatch(route, request, context)
        } catch var error as WharfError where error.code == .methodNotAllowed {
            error.headers["Allow"] = Discovery.allowedMethods(path: request.uri.path)
            return ErrorMapping.statusResponse(error, context: context)
        } catch {
            return ErrorMapping.statusResponse(error, context: context)
        }
    }

    /// The verb a request means, from its method, whether it names an object, and `watch`.
    enum Verb {
        case get, list, watch, create, update, patch, delete, deleteCollection

        /// Whether the verb changes objects (and so honours `dryRun`).
        var writes: Bool { ![.get, .list, .watch].contains(self) }
    }

    static func verb(_ request: Request, _ route: APIRoute) throws -> Verb {
        let watching = route.legacyWatch || ["1", "true"].contains(request.query("watch") ?? "")
        switch (request.method, route.name != nil) {
        case (.get, true), (.head, true): return watching ? .watch : .get
        case (.get, false), (.head, false): return watching ? .watch : .list
        case (.post, false): return .create
        case (.put, true): return .update
        case (.patch, true): return .patch
        case (.delete, true): return .delete
        case (.delete, false): return .deleteCollection
        default: throw notAllowed
        }
    }

    static func rbacVerb(_ verb: Verb) -> String {
        switch verb {
        case .deleteCollection: return "deletecollection"
        default: return "\(verb)"
        }
    }

    static let notAllowed = WharfError(.methodNotAllowed, "the server does not allow this method on the requested resource")

    private func dispatch(_ route: APIRoute, _ request: Request, _ context: WharfRequestContext) async throws -> Response {
        let verb = try Self.verb(request, route)
        switch route.resource {
        case .imagestreams: return try await imageStreams(route, verb, request, context)
        case .images: return try await images(route, verb, request, context)
        case .imagestreamtags: return try await imageStreamTags(route, verb, request)
        case .imagestreammappings:
            guard verb == .create, let namespace = route.namespace else { throw Self.notAllowed }
            let mapping = try await KubernetesBody.decode(ImageStreamMapping.self, kind: "ImageStreamMapping", from: request)
            try await api.createMapping(mapping.object, namespace: namespace)
            return JSONWire.response(KubernetesStatus(status: "Success", code: 201), status: .created)
        case .imagestreamimages:
            guard verb == .get, let namespace = route.namespace, let name = route.name else { throw Self.notAllowed }
            let image = try await api.imageStreamImage(namespace: namespace, name: name)
            return Self.render(image, table: { Table.imageStreamImages([image]) }, request)
        case .imagetags: return try await imageTags(route, verb, request)
        case .imagestreamimports:
            guard verb == .create, let namespace = route.namespace else { throw Self.notAllowed }
            let body = try await KubernetesBody.decode(ImageStreamImport.self, kind: "ImageStreamImport", from: request)
            return Self.written(try await api.createImageStreamImport(body.object, namespace: namespace), status: .created, warnings: body.warnings)
        case .imagesignatures:
            switch (verb, route.name) {
            case (.create, nil):
                let body = try await KubernetesBody.decode(ImageSignature.self, kind: "ImageSignature", from: request)
                return Self.written(try await api.createImageSignature(body.object), status: .created, warnings: body.warnings)
            case (.delete, let name?):
                try await api.deleteImageSignature(name: name)
                return JSONWire.response(KubernetesStatus(status: "Success", code: 200))
            default:
                throw Self.notAllowed
            }
        }
    }

    // MARK: - Helpers

    /// Namespaces, as far as the caller may list image streams in them. A namespace exists while it holds image
    /// streams, so it is neither created nor deleted on its own: any write is `methodNotAllowed` (405).
    private func namespaces(_ request: Request, _ context: WharfRequestContext) async throws -> Response {
        guard request.method == .get || request.method == .head else { throw Self.namespaceWrite }
        var names: [Namespace] = []
        for namespace in try await api.namespaces()
        where try await access.allows(context.user, ResourceAttributes(namespace: namespace.metadata.name, verb: "list", resource: "imagestreams")) {
            names.append(namespace)
        }
        let parts = request.uri.path.split(separator: "/")
        if parts.count == 4 {
            let name = String(parts[3])
            guard let namespace = names.first(where: { $0.metadata.name == name }) else {
                throw KubernetesError.notFound("namespaces", name, group: "")
            }
            return JSONWire.response(namespace)
        }
        return JSONWire.response(NamespaceList(items: names))
    }

    static let namespaceWrite = WharfError(.methodNotAllowed, "namespaces in Wharf exist while they hold image streams: pushing to "
                                           + "<namespace>/<stream> creates one, and deleting its streams (kubectl delete imagestreams --all -n "
                                           + "<namespace>) removes it")

    struct NamespaceList: Encodable {
        var kind = "NamespaceList", apiVersion = "v1"
        var metadata: [String: String] = [:]
        var items: [Namespace]
    }

    /// The object as JSON, or as a Table when the client asked for one.
    static func render<T: Encodable>(_ object: T, table: () -> Table, _ request: Request) -> Response {
        Table.isRequested(accept: request.headers[.accept]) ? JSONWire.response(table()) : JSONWire.response(object)
    }

    /// A write's response, with a `Warning` per unknown or duplicate field (`fieldValidation=Warn`, the default).
    static func written<T: Encodable>(_ object: T, status: HTTPResponse.Status = .ok, warnings: [String]) -> Response {
        var response = JSONWire.response(object, status: status)
        for warning in warnings.prefix(10) {
            let quoted = warning.prefix(200).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            response.headers.append(HTTPField(name: .warning, value: "299 - \"\(quoted)\""))
        }
        return response
    }

    static func deleted(name: String, resource: String, uid: String) -> Response {
        JSONWire.response(KubernetesStatus(status: "Success", details: .init(name: name, group: ImageAPIGroup.name, kind: resource, uid: uid),
                                           code: 200))
    }

    /// The patch type from Content-Type (415 when unsupported) and the patch document; an apply patch must name its
    /// `apiVersion` and `kind` (400), as Kubernetes requires.
    static func patch(_ request: Request) async throws -> (PatchType, JSONValue) {
        guard let type = PatchType(contentType: request.headers[.contentType] ?? "") else {
            throw WharfError(.unsupportedMediaType, "the body of the request was in an unknown format - accepted media types include: "
                             + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, "
                             + "application/strategic-merge-patch+json")
        }
        let patch = try await KubernetesBody.value(from: request)
        if type == .apply, patch["apiVersion"]?.stringValue?.isEmpty != false || patch["kind"]?.stringValue?.isEmpty != false {
            throw WharfError(.badRequest, "an apply patch must set apiVersion and kind")
        }
        return (type, patch)
    }

    /// A watch event line re-rendered with a one-row Table as its object, as kubectl asks for when it prints a watch.
    /// Lines that are not events of `Object` (bookmarks, errors) pass unchanged.
    static func tableLine<Object: Decodable>(_ line: ArraySlice<UInt8>, _ type: Object.Type, _ table: (Object) -> Table) -> ArraySlice<UInt8> {
        guard let event = try? JSONDecoder().decode(WatchLine<Object>.self, from: Data(line)), event.type != "BOOKMARK", event.type != "ERROR"
        else { return line }
        return ArraySlice(JSONWire.encode(TableEvent(type: event.type, object: table(event.object))) + [UInt8(ascii: "\n")])
    }

    /// A chunked stream of watch events, one JSON object per line. It ends with a last event when the server shuts
    /// down gracefully, and at once when the client goes away (`ConnectionGuard.whenClientGone`), though it may be
    /// writing nothing then.
    func watch(_ request: Request, _ context: WharfRequestContext, options: ListOptions, name: String?,
               _ run: @escaping @Sendable (WatchRequest, (ArraySlice<UInt8>) async throws -> Void) async throws -> Void) throws -> Response {
        var options = options
        if let name {
            options.fieldSelector = (try? FieldSelector(parsing: "metadata.name=\(name)", supported: ["metadata.name"])) ?? options.fieldSelector
        }
        let timeout = try ListQuery.watchTimeout(request)
        let watch = WatchRequest(namespace: APIRoute.namespace(of: request), options: options, resourceVersion: request.query("resourceVersion"),
                                 bookmarks: request.query("allowWatchBookmarks") == "true", timeout: timeout)
        let (stop, channel) = (watch.stop, context.channel)
        return Response(status: .ok, headers: [.contentType: "application/json", .transferEncoding: "chunked"], body: ResponseBody { writer in
            await ConnectionGuard.whenClientGone(channel) { stop.fire() }
            try await withGracefulShutdownHandler {
                try await run(watch) { line in try await writer.write(ByteBuffer(bytes: line)) }
            } onGracefulShutdown: {
                stop.fire()
            }
            try await writer.finish(nil)
        })
    }
}

struct WatchLine<Object: Decodable>: Decodable {
    var type: String
    var object: Object
}

struct TableEvent: Encodable {
    var type: String
    var object: Table
}

extension APIRoute {
    /// The namespace a request path names, if any.
    static func namespace(of request: Request) -> String? {
        (try? parse(path: request.uri.path))?.namespace
    }
}

extension HTTPField.Name {
    static let warning = Self("Warning")!
}
