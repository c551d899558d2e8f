import Foundation
import Prometheus
import WharfStorage

/// A metadata store that records how long each write transaction and each read takes in
/// `wharf_store_transaction_duration_seconds{kind="write"|"read"}`, and otherwise passes everything to `base`.
/// The embedded store has no retry loop (SQLite waits on a busy lock itself), so there is no retry figure.
struct TimedMetadataStore: MetadataStore {
    let base: any MetadataStore
    let write: ValueHistogram
    let read: ValueHistogram

    init(_ base: any MetadataStore, registry: PrometheusCollectorRegistry) {
        self.base = base
        let descriptor = MetricNameDescriptor(namespace: "wharf", subsystem: "store", metricName: "transaction_duration", unitName: "seconds",
                                              helpText: "Metadata store transaction latency, by kind (write or read).")
        let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]
        write = registry.makeValueHistogram(descriptor: descriptor, labels: [("kind", "write")], buckets: buckets)
        read = registry.makeValueHistogram(descriptor: descriptor, labels: [("kind", "read")], buckets: buckets)
    }

    func transaction<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer { write.record(Self.seconds(since: start)) }
        return try await base.transaction(body)
    }

    func read<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        let start = ContinuousClock.now
        defer { read.record(Self.seconds(since: start)) }
        return try await base.read(body)
    }

    var generation: UInt64? { base.generation }
    var commits: Wakeup { base.commits }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
