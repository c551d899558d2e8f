import Foundation
import HTTPTypes
import Hummingbird
import WharfImageAPI
import WharfModel

extension ImageAPIRoutes {
    func imageTags(_ route: APIRoute, _ verb: Verb, _ request: Request) async throws -> Response {
        guard route.subresource == nil else { throw APIRoute.unknown }
        switch (verb, route.namespace, route.name) {
        case (.get, let namespace?, let name?):
            let tag = try await api.imageTag(namespace: namespace, name: name)
            return Self.render(tag, table: { Table.imageTags([tag], resourceVersion: nil) }, request)
        case (.list, let namespace, nil):
            let list = try await api.imageTags(namespace: namespace, options: try ListQuery.options(request, fields: ["metadata.name", "metadata.namespace"]))
            return Self.render(list, table: { Table.imageTags(list.items, resourceVersion: nil) }, request)
        case (.watch, _, _):
            throw WharfError(.methodNotAllowed, "watch is not supported on resources of kind \"imagetags.image.openshift.io\"")
        case (.create, let namespace?, nil):
            let body = try await KubernetesBody.decode(ImageTag.self, kind: "ImageTag", from: request)
            return Self.written(try await api.createImageTag(body.object, namespace: namespace), status: .created, warnings: body.warnings)
        case (.update, let namespace?, let name?):
            let body = try await KubernetesBody.decode(ImageTag.self, kind: "ImageTag", from: request)
            let written = try await api.updateImageTag(body.object, namespace: namespace, name: name)
            return Self.written(written.object, status: written.created ? .created : .ok, warnings: body.warnings)
        case (.patch, let namespace?, let name?):
            let (type, patch) = try await Self.patch(request)
            let written = try await api.patchImageTag(namespace: namespace, name: name, type: type, patch: patch)
            return JSONWire.response(written.object, status: written.created ? .created : .ok)
        case (.delete, let namespace?, let name?):
            try await api.deleteImageTag(namespace: namespace, name: name)
            return JSONWire.response(KubernetesStatus(status: "Success", code: 200))
        default:
            throw Self.notAllowed
        }
    }

    func imageStreamTags(_ route: APIRoute, _ verb: Verb, _ request: Request) async throws -> Response {
        guard route.subresource == nil else { throw APIRoute.unknown }
        let namespace = route.namespace
        switch (verb, namespace, route.name) {
        case (.get, let namespace?, let name?):
            let tag = try await api.imageStreamTag(namespace: namespace, name: name)
            return Self.render(tag, table: { Table.imageStreamTags([tag], resourceVersion: tag.metadata.resourceVersion) }, request)
        case (.list, _, nil):
            let list = try await api.imageStreamTags(namespace: namespace, options: try ListQuery.options(request, fields: ["metadata.name", "metadata.namespace"]))
            return Self.render(list, table: { Table.imageStreamTags(list.items, resourceVersion: list.metadata.resourceVersion) }, request)
        case (.watch, _, _):
            throw WharfError(.methodNotAllowed, "watch is not supported on resources of kind \"imagestreamtags.image.openshift.io\"")
        case (.create, let namespace?, nil):
            let body = try await KubernetesBody.decode(ImageStreamTag.self, kind: "ImageStreamTag", from: request)
            return Self.written(try await api.createImageStreamTag(body.object, namespace: namespace), status: .created, warnings: body.warnings)
        case (.update, let namespace?, let name?):
            let body = try await KubernetesBody.decode(ImageStreamTag.self, kind: "ImageStreamTag", from: request)
            let written = try await api.updateImageStreamTag(body.object, namespace: namespace, name: name)
            return Self.written(written.object, status: written.created ? .created : .ok, warnings: body.warnings)
        case (.patch, let namespace?, let name?):
            let (type, patch) = try await Self.patch(request)
            let written = try await api.patchImageStreamTag(namespace: namespace, name: name, type: type, patch: patch)
            return JSONWire.response(written.object, status: written.created ? .created : .ok)
        case (.delete, let namespace?, let name?):
            try await api.deleteImageStreamTag(namespace: namespace, name: name)
            return JSONWire.response(KubernetesStatus(status: "Success", code: 200))
        default:
            throw Self.notAllowed
        }
    }
}
