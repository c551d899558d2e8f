import HTTPTypes
import Hummingbird
import WharfModel
public import WharfImageAPI

/// The image API under `/apis/image.openshift.io/v1/`: one path parser, then thin handlers over `ImageAPI`.
/// Every failure becomes a Kubernetes `Status`.
public struct ImageAPIRoutes: Sendable {
    let api: ImageAPI

    public init(api: ImageAPI) { self.api = api }

    public func add(to router: Router<WharfRequestContext>) {
        for method in [HTTPRequest.Method.get, .head, .put, .post, .patch, .delete] {
            router.on(RouterPath(APIRoute.prefix + "/**"), method: method) { request, context in await respond(request, context) }
        }
    }

    func respond(_ request: Request, _ context: WharfRequestContext) async -> Response {
        do {
            return try await dispatch(try APIRoute.parse(path: request.uri.path), request)
        } catch {
            return ErrorMapping.statusResponse(error, context: context)
        }
    }

    private func dispatch(_ route: APIRoute, _ request: Request) async throws -> Response {
        switch (route, request.method) {
        case (.images(nil), .get):
            return JSONWire.response(try await api.images())
        case (.images(let name?), .get):
            return JSONWire.response(try await api.image(named: name))
        case (.images(nil), .post):
            let image = try await KubernetesBody.decode(Image.self, kind: "Image", from: request)
            return JSONWire.response(try await api.createImage(image), status: .created)
        case (.imageStreams(let namespace, nil), .get):
            return JSONWire.response(try await api.imageStreams(namespace: namespace))
        case (.imageStreams(let namespace?, nil), .post):
            let stream = try await KubernetesBody.decode(ImageStream.self, kind: "ImageStream", from: request)
            return JSONWire.response(try await api.createImageStream(stream, namespace: namespace), status: .created)
        case (.imageStreams(let namespace?, let name?), .get):
            return JSONWire.response(try await api.imageStream(namespace: namespace, name: name))
        case (.imageStreamMappings(let namespace), .post):
            let mapping = try await KubernetesBody.decode(ImageStreamMapping.self, kind: "ImageStreamMapping", from: request)
            try await api.createMapping(mapping, namespace: namespace)
            return JSONWire.response(KubernetesStatus(status: "Success", code: 201), status: .created)
        case (.imageStreamTag(let namespace, let name), .get):
            return JSONWire.response(try await api.imageStreamTag(namespace: namespace, name: name))
        case (.imageStreamImage(let namespace, let name), .get):
            return JSONWire.response(try await api.imageStreamImage(namespace: namespace, name: name))
        default:
            throw WharfError(.methodNotAllowed, "the server does not allow this method on the requested resource")
        }
    }
}
