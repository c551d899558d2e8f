import Foundation
import HTTPTypes
import Hummingbird
import Prometheus

/// Counts every request in `metrics`: its route pattern, method, status, latency (until the response head) and body
/// bytes; blob uploads are counted as in progress while they are served. It is the first middleware, so it sees the
/// responses of every other one, refusals included.
struct MetricsMiddleware: RouterMiddleware {
    let metrics: WharfMetrics

    func handle(_ request: Request, context: WharfRequestContext, next: (Request, WharfRequestContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let route = WharfMetrics.route(of: request.uri.path)
        let upload = route.hasPrefix("/v2/:name/blobs/uploads/")
        if upload { metrics.uploadsInProgress.increment() }
        defer { if upload { metrics.uploadsInProgress.decrement() } }
        let received = request.headers[.contentLength].flatMap { Int($0) }
        let status: Int
        let sent: Int?
        do {
            let response = try await next(request, context)
            status = response.status.code
            sent = response.body.contentLength ?? response.headers[.contentLength].flatMap { Int($0) }
            record(route, request, status, start, received, sent)
            return response
        } catch let error as any HTTPResponseError {
            record(route, request, error.status.code, start, received, nil)
            throw error
        } catch {
            record(route, request, 500, start, received, nil)
            throw error
        }
    }

    private func record(_ route: String, _ request: Request, _ status: Int, _ start: ContinuousClock.Instant, _ received: Int?, _ sent: Int?) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.recordRequest(route: route, method: request.method.rawValue, status: status, seconds: seconds, received: received, sent: sent)
    }
}
