import Foundation
import HTTPTypes
import Hummingbird
import WharfImageAPI
import WharfModel

extension ImageAPIRoutes {
    func images(_ route: APIRoute, _ verb: Verb, _ request: Request, _ context: WharfRequestContext) async throws -> Response {
        guard route.subresource == nil else { throw APIRoute.unknown }
        let options = try ListQuery.options(request, fields: ["metadata.name"])
        switch (verb, route.name) {
        case (.get, let name?):
            let image = try await api.image(named: name)
            return Self.render(image, table: { Table.images([image], resourceVersion: image.metadata.resourceVersion) }, request)
        case (.list, nil):
            if !Table.isRequested(accept: request.headers[.accept]) {
                return try JSONWire.response(try await api.imageDocuments(options: options))
            }
            let list = try await api.images(options: options)
            return Self.render(list, table: { Table.images(list.items, resourceVersion: list.metadata.resourceVersion) }, request)
        case (.watch, _):
            let table = Table.isRequested(accept: request.headers[.accept])
            return try watch(request, context, options: options, name: route.name) { [api] watch, emit in
                try await api.watchImages(watch) { line in
                    try await emit(table ? Self.tableLine(line, Image.self) { Table.images([$0], resourceVersion: nil) } : line)
                }
            }
        case (.create, nil):
            let body = try await KubernetesBody.decode(Image.self, kind: "Image", from: request)
            return Self.written(try await api.createImage(body.object), status: .created, warnings: body.warnings)
        case (.update, let name?):
            let body = try await KubernetesBody.decode(Image.self, kind: "Image", from: request)
            return Self.written(try await api.updateImage(body.object, name: name), warnings: body.warnings)
        case (.patch, let name?):
            let (type, patch) = try await Self.patch(request)
            return JSONWire.response(try await api.patchImage(name: name, type: type, patch: patch))
        case (.delete, let name?):
            return Self.deleted(name: name, resource: "images", uid: try await api.deleteImage(name: name))
        case (.deleteCollection, nil):
            return JSONWire.response(try await api.deleteImages(options: options))
        default:
            throw Self.notAllowed
        }
    }
}
