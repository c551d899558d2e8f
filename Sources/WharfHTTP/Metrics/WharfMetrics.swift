public import Prometheus
public import Synchronization

/// The figures `/metrics` shows, in one Prometheus registry. One value is made by the composition root and handed to
/// the HTTP layer; tests make their own, so no test depends on the process-wide `MetricsSystem`.
///
/// Names and kinds (all in the Prometheus text format):
/// - `wharf_http_requests_total{route,method,status}` (counter) and `wharf_http_request_duration_seconds{route,method}`
///   (histogram): every request, by route pattern (`WharfMetrics.route(of:)`), never by raw path.
/// - `wharf_http_request_bytes_total`, `wharf_http_response_bytes_total` (counters): body bytes, as `Content-Length`
///   declares them (a chunked body without one is not counted).
/// - `wharf_uploads_in_progress` (gauge): blob upload requests being served; `wharf_watches` (gauge): open watches.
/// - `wharf_login_failures_total` (counter): requests refused for bad credentials; `wharf_login_lockouts_total`
///   (counter): logins refused because the login throttle has locked the user out at that address.
/// - `wharf_store_transaction_duration_seconds{kind}` (histogram): registered here by the composition root's
///   `TimedMetadataStore`.
/// - `process_resident_memory_bytes`, `process_open_fds`, `process_cpu_seconds_total`: read from `/proc/self` at each
///   scrape (Linux only; elsewhere left out).
public final class WharfMetrics: Sendable {
    /// The registry every figure is in; `MetricsSystem` may be bootstrapped on it too.
    public let registry: PrometheusCollectorRegistry
    /// The latency buckets of `wharf_http_request_duration_seconds`, in seconds.
    static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

    let uploadsInProgress: Gauge
    let watches: Gauge
    let bytesReceived: Counter
    let bytesSent: Counter
    let loginFailures: Counter
    let loginLockouts: Counter
    /// How many watches are open now, read at each scrape; the composition root sets it once the image API exists.
    public let openWatches = Mutex<@Sendable () -> Int>({ 0 })

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        uploadsInProgress = registry.makeGauge(descriptor: .init(namespace: "wharf", metricName: "uploads", unitName: "in_progress",
                                                                 helpText: "Blob upload requests being served."))
        watches = registry.makeGauge(descriptor: .init(namespace: "wharf", metricName: "watches", unitName: "",
                                                       helpText: "Watch connections open."))
        bytesReceived = registry.makeCounter(descriptor: .init(namespace: "wharf", subsystem: "http", metricName: "request_bytes", unitName: "total",
                                                               helpText: "Request body bytes received, by Content-Length."))
        bytesSent = registry.makeCounter(descriptor: .init(namespace: "wharf", subsystem: "http", metricName: "response_bytes", unitName: "total",
                                                           helpText: "Response body bytes sent, by Content-Length."))
        loginFailures = registry.makeCounter(descriptor: .init(namespace: "wharf", metricName: "login_failures", unitName: "total",
                                                               helpText: "Requests refused for bad credentials."))
        loginLockouts = registry.makeCounter(descriptor: .init(namespace: "wharf", metricName: "login_lockouts", unitName: "total",
                                                               helpText: "Logins refused while the user is locked out at that address."))
    }

    /// Counts one finished request.
    func recordRequest(route: String, method: String, status: Int, seconds: Double, received: Int?, sent: Int?) {
        registry.makeCounter(descriptor: .init(namespace: "wharf", subsystem: "http", metricName: "requests", unitName: "total",
                                               helpText: "HTTP requests served, by route pattern, method and status."),
                             labels: [("route", route), ("method", method), ("status", String(status))]).increment()
        registry.makeValueHistogram(descriptor: .init(namespace: "wharf", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                                                      helpText: "HTTP request latency until the response head, by route pattern and method."),
                                    labels: [("route", route), ("method", method)], buckets: Self.latencyBuckets).record(seconds)
        if let received, received > 0 { bytesReceived.increment(by: Int64(received)) }
        if let sent, sent > 0 { bytesSent.increment(by: Int64(sent)) }
    }

    /// The text `/metrics` answers: the registry, then the process figures.
    public func scrape() -> String {
        watches.set(Double(openWatches.withLock { $0 }()))
        return registry.emitToString() + ProcessFigures.read().text
    }

    /// The route pattern of `path`, for the `route` label: a small fixed set, so a label never carries a name.
    public static func route(of path: String) -> String {
        if TokenEndpoint.paths.contains(path) { return path }
        if path == "/v2" || path == "/v2/" { return "/v2/" }
        if path.hasPrefix("/v2/") {
            if path == "/v2/_catalog" { return "/v2/_catalog" }
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            if let index = parts.lastIndex(of: "uploads"), index >= 2, parts[index - 1] == "blobs" {
                return index == parts.count - 1 || (index == parts.count - 2 && parts.last == "") ? "/v2/:name/blobs/uploads/" : "/v2/:name/blobs/uploads/:uuid"
            }
            if parts.count >= 4 {
                switch parts[parts.count - 2] {
                case "manifests": return "/v2/:name/manifests/:reference"
                case "blobs": return "/v2/:name/blobs/:digest"
                case "referrers": return "/v2/:name/referrers/:digest"
                case "tags" where parts.last == "list": return "/v2/:name/tags/list"
                default: break
                }
            }
            return "/v2/other"
        }
        for family in ["/apis/image.openshift.io", "/apis/rbac.authorization.k8s.io", "/apis/authorization.k8s.io", "/apis/wharf.dev",
                       "/oapi", "/openapi"] where path == family || path.hasPrefix(family + "/") {
            return family
        }
        if path == "/apis" || path.hasPrefix("/apis/") || path == "/api" || path.hasPrefix("/api/") { return "/apis" }
        if ["/livez", "/readyz", "/healthz", "/metrics", "/version"].contains(path) { return path }
        return "other"
    }
}
