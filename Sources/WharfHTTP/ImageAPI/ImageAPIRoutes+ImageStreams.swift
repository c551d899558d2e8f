import Foundation
import HTTPTypes
import Hummingbird
import WharfImageAPI
import WharfModel

extension ImageAPIRoutes {
    func imageStreams(_ route: APIRoute, _ verb: Verb, _ request: Request, _ context: WharfRequestContext) async throws -> Response {
        let namespace = route.namespace
        let options = try ListQuery.options(request, fields: ["metadata.name", "metadata.namespace", "spec.dockerImageRepository",
                                                              "status.dockerImageRepository"])
        if let subresource = route.subresource, subresource != "status" { return try await streamSubresource(route, subresource, verb) }
        let status = route.subresource == "status"
        switch (verb, namespace, route.name) {
        case (.get, let namespace?, let name?):
            let stream = try await api.imageStream(namespace: namespace, name: name)
            return Self.render(stream, table: { Table.imageStreams([stream], resourceVersion: stream.metadata.resourceVersion) }, request)
        case (.list, _, nil) where !status:
            if !Table.isRequested(accept: request.headers[.accept]) {
                return try JSONWire.response(try await api.imageStreamDocuments(namespace: namespace, options: options))
            }
            let list = try await api.imageStreams(namespace: namespace, options: options)
            return Self.render(list, table: { Table.imageStreams(list.items, resourceVersion: list.metadata.resourceVersion) }, request)
        case (.watch, _, _) where !status:
            let table = Table.isRequested(accept: request.headers[.accept])
            return try watch(request, context, options: options, name: route.name) { [api] watch, emit in
                try await api.watchImageStreams(watch) { line in
                    try await emit(table ? Self.tableLine(line, ImageStream.self) { Table.imageStreams([$0], resourceVersion: nil) } : line)
                }
            }
        case (.create, let namespace?, nil) where !status:
            let body = try await KubernetesBody.decode(ImageStream.self, kind: "ImageStream", from: request)
            return Self.written(try await api.createImageStream(body.object, namespace: namespace), status: .created, warnings: body.warnings)
        case (.update, let namespace?, let name?):
            let body = try await KubernetesBody.decode(ImageStream.self, kind: "ImageStream", from: request)
            return Self.written(try await api.updateImageStream(body.object, namespace: namespace, name: name, status: status),
                                warnings: body.warnings)
        case (.patch, let namespace?, let name?):
            let (type, patch) = try await Self.patch(request)
            let written = try await api.patchImageStream(namespace: namespace, name: name, type: type, patch: patch, status: status)
            return JSONWire.response(written.object, status: written.created ? .created : .ok)
        case (.delete, let namespace?, let name?) where !status:
            let uid = try await api.deleteImageStream(namespace: namespace, name: name)
            return Self.deleted(name: name, resource: "imagestreams", uid: uid)
        case (.deleteCollection, _, nil) where !status:
            return JSONWire.response(try await api.deleteImageStreams(namespace: namespace, options: options))
        default:
            throw Self.notAllowed
        }
    }

    func streamSubresource(_ route: APIRoute, _ subresource: String, _ verb: Verb) async throws -> Response {
        guard verb == .get, let namespace = route.namespace, let name = route.name else { throw Self.notAllowed }
        switch subresource {
        case "layers": return JSONWire.response(try await api.imageStreamLayers(namespace: namespace, name: name))
        case "secrets":
            _ = try await api.imageStream(namespace: namespace, name: name)
            return JSONWire.response(SecretList())
        default: throw APIRoute.unknown
        }
    }

    struct SecretList: Encodable {
        var kind = "SecretList", apiVersion = "v1"
        var metadata: [String: String] = [:]
        var items: [String] = []
    }
}
