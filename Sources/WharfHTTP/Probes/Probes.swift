import Hummingbird
import NIOCore

/// The health endpoints Kubernetes components serve, for kubelet probes and load balancers. They need no credentials.
///
/// - `/livez`: the process answers requests: 200 `ok`. A failing liveness probe means "restart me".
/// - `/readyz`: 200 `ok` when `Readiness` finds both stores answering and no shutdown under way; otherwise 503 with
///   the reason. A failing readiness probe means "send me no traffic".
/// - `/healthz`: as `/livez`, kept for clients of earlier versions.
enum Probes {
    static func add(to router: Router<WharfRequestContext>, readiness: Readiness) {
        for path in ["/livez", "/healthz"] {
            router.get(RouterPath(path)) { _, _ in text(.ok, "ok") }
        }
        router.get("/readyz") { _, _ in
            guard let reason = await readiness.check() else { return text(.ok, "ok") }
            return text(.serviceUnavailable, "not ready: \(reason)")
        }
    }

    static func text(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}
