import HTTPTypes
public import Hummingbird
public import WharfImageAPI
public import WharfRegistry

/// Builds the router for every surface Wharf serves.
public enum WharfRouter {
    /// `/v2/` (OCI distribution), `/apis/image.openshift.io/v1/` (image API) and `/healthz`.
    /// Routes are all registered here, before the router is handed to the application.
    public static func make(registry: Registry, api: ImageAPI) -> Router<WharfRequestContext> {
        let router = Router(context: WharfRequestContext.self)
        OCIRoutes(registry: registry).add(to: router)
        ImageAPIRoutes(api: api).add(to: router)
        Discovery.add(to: router)
        router.get("/healthz") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain"], body: ResponseBody(byteBuffer: ByteBuffer(string: "ok"))) }
        return router
    }
}
