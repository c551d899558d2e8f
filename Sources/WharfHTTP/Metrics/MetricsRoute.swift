import Hummingbird
import NIOCore
import WharfAccess
import WharfModel

/// `GET /metrics`: the figures of `WharfMetrics` in the Prometheus text format (version 0.0.4).
///
/// On the main port the caller must be allowed `get` on the non-resource URL `/metrics`: the admin (`cluster-admin`)
/// or an identity bound to `system:monitoring`. Others get a Kubernetes `Status` (401 anonymous, 403 otherwise), as
/// every non-`/v2/` endpoint does. `--metrics-port` serves the same text without authorization on 127.0.0.1.
public enum MetricsRoute {
    static let path = "/metrics"
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func add(to router: Router<WharfRequestContext>, metrics: WharfMetrics, access: AccessControl) {
        router.get(RouterPath(path)) { _, context in
            do {
                try await access.require(context.user, .nonResource(path))
            } catch {
                return ErrorMapping.statusResponse(error, context: context)
            }
            return response(metrics)
        }
    }

    /// A router that serves only `/metrics`, unauthenticated: for the listener on 127.0.0.1 only.
    public static func unauthenticatedRouter(metrics: WharfMetrics) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.get(RouterPath(path)) { _, _ in response(metrics) }
        return router
    }

    static func response(_ metrics: WharfMetrics) -> Response {
        Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.scrape())))
    }
}
