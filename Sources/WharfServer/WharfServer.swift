import Foundation
import BlobStoreFilesystem
import BlobStoreS3
public import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import NIOSSL
public import Logging
import MetadataStorePostgres
import MetadataStoreSQLite
import PostgresNIO
import Metrics
import Prometheus
import Synchronization
import NIOCore
import ServiceLifecycle
import UnixSignals
import WharfAccess
import WharfHTTP
import WharfImageAPI
import WharfModel
import WharfRegistry
import WharfStorage

/// The composition root: the only place that knows which storage backends exist.
public enum WharfServer {
    /// Builds the storage the configuration names, the services over it, and the application.
    /// `onRunning` receives the bound port once the server listens. `readiness` is what `/readyz` answers from; `run`
    /// marks it draining when a shutdown begins.
    public static func makeApplication(
        _ configuration: WharfConfiguration, logger: Logger = Logger(label: "wharfd"),
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> (application: some ApplicationProtocol, readiness: Readiness) {
        let metrics = WharfMetrics(registry: bootstrapMetrics())
        let processID = UUID().uuidString.lowercased()
        let (router, registry, access, api, readiness) = try await makeComponents(configuration, logger: logger, metrics: metrics)
        metrics.openWatches.withLock { $0 = { api.activeWatches } }
        var services: [any Service] = [
            // Upload sessions their clients left idle for a day, purged once an hour across the fleet: by the replica
            // that takes the lease (for 50 minutes, so that the next hour's turn finds it free).
            PeriodicChore(interval: .seconds(3600)) {
                if try await ChoreLease.take("purge-uploads", holder: processID, seconds: 3000, now: Registry.now(), in: registry.metadata) {
                    _ = try await registry.purgeUploads(olderThan: 24 * 3600)
                }
            },
            // Records of wrong passwords that no longer count toward a lockout.
            PeriodicChore(interval: .seconds(600)) { _ = try await access.purgeStaleLoginFailures() },
        ]
        if let port = configuration.metricsPort {
            // Unauthenticated, so on the loopback address only, whatever `host` is.
            services.append(Application(router: MetricsRoute.unauthenticatedRouter(metrics: metrics),
                                        configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "wharf-metrics"),
                                        logger: logger))
        }
        let application = Application(
            router: router,
            server: try serverBuilder(configuration),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "wharf"),
            services: services,
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
        return (application, readiness)
    }

    /// Runs `app` until SIGTERM or SIGINT, then shuts it down gracefully: the server stops accepting, watches end with
    /// a last event, and requests under way have `configuration.shutdownGrace` to finish. The process then exits with
    /// status 0 even if one is stuck. From the moment the shutdown begins, `/readyz` answers 503.
    public static func run(_ app: some ApplicationProtocol, readiness: Readiness, configuration: WharfConfiguration,
                           logger: Logger = Logger(label: "wharfd")) async throws {
        // A group tells the last service first: readiness fails before the server stops accepting.
        let services: [any Service] = [app, ShutdownDeadline(grace: configuration.shutdownGrace, logger: logger), ReadinessDrain(readiness)]
        try await ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
    }

    /// Checks the form of a `--database-url` (`invalid` says what is wrong) without connecting.
    public static func checkDatabaseURL(_ url: String) throws {
        _ = try PostgresClient.Configuration(url: url)
    }

    /// The metadata store on the PostgreSQL database `url` names, migrated, with its client running and its commits
    /// heard from every process, for as long as this process lives.
    static func postgres(_ url: String, logger: Logger) async throws -> PostgresMetadataStore {
        let client = PostgresClient(configuration: try PostgresClient.Configuration(url: url), backgroundLogger: logger)
        Task { await client.run() }
        let store = PostgresMetadataStore(client: client, logger: logger)
        // PostgresNIO retries a database that does not answer for ever: a start waits 30 s at most.
        let target = try PostgresClient.Configuration(url: url).host ?? "?"
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.migrate() }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                throw WharfError(.unavailable, "the PostgreSQL database of --database-url (host \(target)) did not answer within 30 s")
            }
            try await group.next()
            group.cancelAll()
        }
        Task { await store.listen() }
        return store
    }

    /// The process-wide Prometheus registry, on which `MetricsSystem` is bootstrapped the first time this is called
    /// (later calls, as in tests that start several applications, return the same registry and bootstrap nothing).
    public static func bootstrapMetrics() -> PrometheusCollectorRegistry {
        globalMetrics.withLock { registry in
            if let registry { return registry }
            let made = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: made))
            registry = made
            return made
        }
    }

    private static let globalMetrics = Mutex<PrometheusCollectorRegistry?>(nil)

    /// HTTP/1 over TLS when the configuration names a certificate and key; otherwise plain HTTP/1 that sends blobs
    /// with `sendfile(2)`. Either way with the configuration's `timeouts`.
    public static func serverBuilder(_ configuration: WharfConfiguration) throws -> HTTPServerBuilder {
        guard let certificate = configuration.tlsCertificate, let key = configuration.tlsKey else { return .wharfHTTP1(timeouts: configuration.timeouts) }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(certificate).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            return try .tls(.wharfHTTP1(timeouts: configuration.timeouts, overTLS: true), tlsConfiguration: tls)
        } catch {
            throw WharfError(.unavailable, "cannot load the TLS certificate \(certificate) and key \(key): \(error)", cause: error)
        }
    }

    /// The router over the configured storage, with every route registered. On the first start the bootstrap `admin`
    /// identity gets a token: it is printed once and, on the embedded profile, written to `admin.token` in the data
    /// directory, readable only by its owner.
    public static func makeRouter(_ configuration: WharfConfiguration, logger: Logger = Logger(label: "wharfd")) async throws
        -> Router<WharfRequestContext>
    {
        try await makeComponents(configuration, logger: logger, metrics: WharfMetrics()).router
    }

    /// The router, as `makeRouter` builds it, how many watches are open on it now, and its readiness (for tests).
    public static func makeRouterCountingWatches(_ configuration: WharfConfiguration, logger: Logger = Logger(label: "wharfd")) async throws
        -> (router: Router<WharfRequestContext>, openWatches: @Sendable () -> Int, readiness: Readiness)
    {
        let metrics = WharfMetrics()
        let (router, _, _, api, readiness) = try await makeComponents(configuration, logger: logger, metrics: metrics)
        metrics.openWatches.withLock { $0 = { api.activeWatches } }
        return (router, { api.activeWatches }, readiness)
    }

    /// The router, the registry and access control behind it (which also drive background purging), the image API,
    /// and the readiness `/readyz` reports.
    static func makeComponents(_ configuration: WharfConfiguration, logger: Logger, metrics: WharfMetrics) async throws
        -> (router: Router<WharfRequestContext>, registry: Registry, access: AccessControl, api: ImageAPI, readiness: Readiness)
    {
        let blobs: any BlobStore
        var metadata: any MetadataStore
        let directory = URL(fileURLWithPath: configuration.dataDirectory).standardizedFileURL.path
        switch configuration.storage {
        case .embedded:
            try DataDirectory.prepare(directory, logger: logger)
            switch configuration.blobStore {
            case nil: blobs = try await FilesystemBlobStore(root: directory)
            case .directory(let root): blobs = try await FilesystemBlobStore(root: root)
            case .s3(let location):
                blobs = S3BlobStore(client: S3Client(location: location, credentials: try BlobStoreLocation.credentials()),
                                    redirects: configuration.blobRedirect)
            }
            if let url = configuration.databaseURL {
                metadata = try await postgres(url, logger: logger)
            } else {
                metadata = try SQLiteMetadataStore(path: directory + "/metadata.sqlite")
                DataDirectory.tighten(directory, logger: logger)  // the -wal and -shm files exist once the database is open
            }
        case .inMemory:
            blobs = InMemoryBlobStore()
            metadata = InMemoryMetadataStore()
        }
        metadata = TimedMetadataStore(metadata, registry: metrics.registry)
        let api = ImageAPI(metadata: metadata, registryHostname: configuration.effectiveRegistryHostname,
                           publicHostname: configuration.publicHostname)
        let registry = Registry(blobs: blobs, metadata: metadata, images: api)
        let access = AccessControl(metadata: metadata, htpasswd: configuration.htpasswd, logger: logger)
        if let path = configuration.adminTokenFile {
            if try await AdminTokenFile(path: path).bootstrap(access) != nil {
                FileHandle.standardOutput.write(Data("Created the admin identity. Its token is saved in \(path) (mode 0600).\n".utf8))
            }
        } else if let secret = try await AdminTokenFile.createAdmin(access, secret: configuration.adminToken), configuration.storage == .embedded {
            let file = directory + "/admin.token"
            guard FileManager.default.createFile(atPath: file, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
                throw WharfError(.unavailable, "cannot write the admin token to \(file)")
            }
            let host = configuration.effectiveRegistryHostname
            let message = "Created the admin identity. Its token is shown this once and saved in \(file) (mode 0600):\n\(secret)\n"
                + "Log in with: skopeo login --tls-verify=false -u admin -p \"$(cat \(file))\" \(host)\n"
            FileHandle.standardOutput.write(Data(message.utf8))
        }
        let readiness = Readiness(metadata: metadata, blobs: blobs, logger: logger)
        let router = WharfRouter.make(registry: registry, api: api, access: access, readiness: readiness, secure: configuration.tlsCertificate != nil,
                                      metrics: metrics, rateLimit: configuration.rateLimit.map { RateLimiter(rate: $0) },
                                      trustedProxies: configuration.trustedProxies)
        return (router, registry, access, api, readiness)
    }
}
