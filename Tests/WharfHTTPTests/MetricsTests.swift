import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
import WharfHTTP
import WharfModel
import WharfServer
import WharfTesting

@Suite("/metrics: Prometheus text, for the admin and system:monitoring")
struct MetricsTests {
    /// The sample line of `name` with exactly these labels, and its value.
    static func sample(_ text: String, _ name: String, _ labels: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix("\(name){") {
            let parts = line.split(separator: " ")
            guard parts.count == 2, let open = parts[0].firstIndex(of: "{") else { continue }
            let set = Set(parts[0][parts[0].index(after: open)..<parts[0].index(before: parts[0].endIndex)].split(separator: ",").map(String.init))
            if set == Set(labels.split(separator: ",").map(String.init)) { return Double(parts[1]) }
        }
        return nil
    }

    @Test("after a push, /metrics counts the manifest PUT by route pattern, method and status, with a latency histogram")
    func countsRequests() async throws {
        try await Wire.test { wire in
            _ = try await wire.pushImage("team/app", reference: "latest")
            #expect(try await wire.send(.get, "/v2/team/app/manifests/latest").status == .ok)
            let response = try await wire.send(.get, "/metrics")
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.header("Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = response.text
            #expect(text.contains("# TYPE wharf_http_requests_total counter"))
            #expect(text.contains("# TYPE wharf_http_request_duration_seconds histogram"))
            #expect(Self.sample(text, "wharf_http_requests_total",
                                #"route="/v2/:name/manifests/:reference",method="PUT",status="201""#) == 1)
            #expect(Self.sample(text, "wharf_http_requests_total",
                                #"route="/v2/:name/manifests/:reference",method="GET",status="200""#) == 1)
            #expect(Self.sample(text, "wharf_http_request_duration_seconds_bucket",
                                #"route="/v2/:name/manifests/:reference",method="PUT",le="+Inf""#) == 1)
            #expect(Self.sample(text, "wharf_http_request_duration_seconds_bucket",
                                #"route="/v2/:name/manifests/:reference",method="PUT",le="0.005""#) != nil)
            #expect(Self.sample(text, "wharf_http_request_duration_seconds_count",
                                #"route="/v2/:name/manifests/:reference",method="PUT""#) == 1)
            #expect(text.contains("# TYPE wharf_store_transaction_duration_seconds histogram"))
            #expect((Self.sample(text, "wharf_store_transaction_duration_seconds_count", #"kind="write""#) ?? 0) >= 1)
            // The raw path is never a label.
            #expect(!text.contains("team/app"))
            for name in ["wharf_http_request_bytes_total counter", "wharf_http_response_bytes_total counter", "wharf_uploads_in_progress gauge",
                         "wharf_watches gauge", "wharf_login_failures_total counter", "wharf_login_lockouts_total counter"] {
                #expect(text.contains("# TYPE \(name)"), "\(name)")
            }
            let received = text.split(separator: "\n").first { $0.hasPrefix("wharf_http_request_bytes_total ") }
            #expect(received.flatMap { Double($0.split(separator: " ")[1]) }.map { $0 > 0 } == true)
            #if os(Linux)
            for name in ["process_resident_memory_bytes gauge", "process_open_fds gauge", "process_cpu_seconds_total counter"] {
                #expect(text.contains("# TYPE \(name)"), "\(name)")
            }
            #endif
        }
    }

    @Test("bad credentials count as login failures")
    func loginFailures() async throws {
        try await Wire.test { wire in
            #expect(try await wire.as("not-a-token").send(.get, "/v2/").status == .unauthorized)
            let text = try await wire.send(.get, "/metrics").text
            #expect(text.split(separator: "\n").contains("wharf_login_failures_total 1"))
        }
    }

    @Test("a login refused during a lockout counts as a lockout, the wrong passwords before it as failures")
    func lockouts() async throws {
        let path = try LoginTests.htpasswdFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await Wire.test(htpasswd: path) { wire in
            for _ in 0..<20 {
                #expect(try await wire.as(nil).send(.get, "/v2/", headers: LoginTests.basic("alice", "guess")).status == .unauthorized)
            }
            #expect(try await wire.as(nil).send(.get, "/v2/", headers: LoginTests.basic("alice", "hunter2")).status == .tooManyRequests)
            let lines = try await wire.send(.get, "/metrics").text.split(separator: "\n")
            #expect(lines.contains("wharf_login_failures_total 20"))
            #expect(lines.contains("wharf_login_lockouts_total 1"))
        }
    }

    @Test("anonymous gets a 401 Status, a user without the role 403; a user bound to system:monitoring may scrape")
    func authorization() async throws {
        try await Wire.test { wire in
            let anonymous = try await wire.as(nil).send(.get, "/metrics")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.text.contains(#""kind":"Status""#))
            let scraper = try await wire.json(.post, "/apis/wharf.dev/v1/tokens", #"{"metadata":{"name":"scraper"},"spec":{"user":"scraper"}}"#)
            let nobody = try await wire.json(.post, "/apis/wharf.dev/v1/tokens", #"{"metadata":{"name":"nobody"},"spec":{"user":"nobody"}}"#)
            #expect(scraper.status == .created && nobody.status == .created)
            let binding = try await wire.json(.post, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", #"""
                {"metadata":{"name":"monitoring"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:monitoring"},
                 "subjects":[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"scraper"}]}
                """#)
            #expect(binding.status == .created, "\(binding.text)")
            let refused = try await wire.as(nobody.value("status.token") as? String).send(.get, "/metrics")
            #expect(refused.status == .forbidden)
            #expect(refused.text.contains(#""kind":"Status""#))
            let allowed = try await wire.as(scraper.value("status.token") as? String).send(.get, "/metrics")
            #expect(allowed.status == .ok)
            #expect(allowed.text.contains("# TYPE wharf_http_requests_total counter"))
            // The monitoring role reaches nothing else.
            #expect(try await wire.as(scraper.value("status.token") as? String).send(.get, "/apis/image.openshift.io/v1/imagestreams").status == .forbidden)
        }
    }

    @Test("route patterns: a small fixed set, never a name")
    func routes() {
        #expect(WharfMetrics.route(of: "/v2/") == "/v2/")
        #expect(WharfMetrics.route(of: "/v2/a/b/manifests/latest") == "/v2/:name/manifests/:reference")
        #expect(WharfMetrics.route(of: "/v2/a/blobs/sha256:00") == "/v2/:name/blobs/:digest")
        #expect(WharfMetrics.route(of: "/v2/a/blobs/uploads/") == "/v2/:name/blobs/uploads/")
        #expect(WharfMetrics.route(of: "/v2/a/blobs/uploads/123") == "/v2/:name/blobs/uploads/:uuid")
        #expect(WharfMetrics.route(of: "/v2/a/tags/list") == "/v2/:name/tags/list")
        #expect(WharfMetrics.route(of: "/v2/token") == "/v2/token")
        #expect(WharfMetrics.route(of: "/apis/image.openshift.io/v1/namespaces/x/imagestreams") == "/apis/image.openshift.io")
        #expect(WharfMetrics.route(of: "/secret/path") == "other")
    }
}
