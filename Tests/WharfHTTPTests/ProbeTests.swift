import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import Testing
import WharfAccess
import WharfHTTP
import WharfImageAPI
import WharfModel
import WharfRegistry
import WharfServer
import WharfStorage
import WharfTesting

@Suite("Probes: /livez and /readyz, as Kubernetes components serve them")
struct ProbeTests {
    /// A metadata store that never answers: every read and transaction fails.
    struct DownMetadataStore: MetadataStore {
        func transaction<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T { throw WharfError(.unavailable, "down") }
        func read<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T { throw WharfError(.unavailable, "down") }
        var generation: UInt64? { nil }
        let commits = Wakeup()
    }

    /// A blob store that never answers: every call fails, as a full or unmounted disk would.
    struct DownBlobStore: BlobStore {
        static var down: WharfError { WharfError(.unavailable, "down") }
        func size(of digest: Digest) async throws -> Int64? { throw Self.down }
        func read(_ digest: Digest, range: ClosedRange<Int64>?, into consumer: (ByteBuffer) async throws -> Void) async throws { throw Self.down }
        func contents(of digest: Digest, limit: Int) async throws -> [UInt8] { throw Self.down }
        func put(_ bytes: [UInt8], as digest: Digest) async throws { throw Self.down }
        func startUpload(id: String) async throws { throw Self.down }
        func uploadSize(id: String) async throws -> Int64? { throw Self.down }
        func append(to id: String, at offset: Int64, expectedLength: Int64?, from body: some AsyncSequence<ByteBuffer, any Error>) async throws -> Int64 {
            throw Self.down
        }
        func commitUpload(id: String, as digest: Digest) async throws -> Int64 { throw Self.down }
        func cancelUpload(id: String) async throws { throw Self.down }
    }

    /// Runs its body once, when started, then waits for the shutdown.
    struct Started: Service {
        let started: @Sendable () -> Void
        func run() async throws {
            started()
            try? await gracefulShutdown()
        }
    }

    @Test("/livez and /readyz answer 200 ok without credentials while both stores answer, on the embedded storage too")
    func ready() async throws {
        @Sendable func probe(_ wire: Wire) async throws {
            for path in ["/livez", "/readyz", "/healthz"] {
                let response = try await wire.as(nil).send(.get, path)
                #expect(response.status == .ok, "\(path): \(response.text)")
                #expect(response.text == "ok", "\(path)")
            }
        }
        try await Wire.test(probe)
        try await Wire.testLive(probe)
    }

    @Test("/readyz answers 503 with the reason when a store does not answer; /livez still answers 200",
          arguments: [("metadata", "not ready: the metadata store does not answer"), ("blob", "not ready: the blob store does not answer")])
    func storeDown(store: String, reason: String) async throws {
        let metadata: any MetadataStore = store == "metadata" ? DownMetadataStore() : InMemoryMetadataStore()
        let blobs: any BlobStore = store == "blob" ? DownBlobStore() : InMemoryBlobStore()
        let api = ImageAPI(metadata: metadata, registryHostname: WharfTestServer.registryHostname, publicHostname: nil)
        let router = WharfRouter.make(registry: Registry(blobs: blobs, metadata: metadata, images: api), api: api,
                                      access: AccessControl(metadata: metadata, htpasswd: nil, logger: Logger(label: "test")),
                                      readiness: Readiness(metadata: metadata, blobs: blobs, logger: Logger(label: "test")))
        try await Application(router: router).test(.router) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(String(buffer: ready.body) == reason)
            #expect(try await client.execute(uri: "/livez", method: .get).status == .ok)
        }
    }

    @Test("/readyz answers 503 from the moment a graceful shutdown begins, while /livez still answers 200")
    func shuttingDown() async throws {
        var configuration = WharfConfiguration(port: 0, storage: .inMemory, adminToken: WharfTestServer.adminToken)
        configuration.registryHostname = WharfTestServer.registryHostname
        let (router, _, readiness) = try await WharfServer.makeRouterCountingWatches(configuration)
        try await Application(router: router).test(.router) { client in
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            let (started, startedContinuation) = AsyncStream<Void>.makeStream()
            // As WharfServer.run orders it: the drain is the last service, so it hears of the shutdown first.
            let group = ServiceGroup(configuration: .init(services: [Started { startedContinuation.yield() }, ReadinessDrain(readiness)],
                                                          logger: Logger(label: "test")))
            async let running: Void = group.run()
            for await _ in started { break }
            await group.triggerGracefulShutdown()
            try await running
            let draining = try await client.execute(uri: "/readyz", method: .get)
            #expect(draining.status == .serviceUnavailable)
            #expect(String(buffer: draining.body) == "not ready: shutting down")
            #expect(try await client.execute(uri: "/livez", method: .get).status == .ok)
        }
    }
}
