import ArgumentParser
import CWharfSystem
import Foundation
import Hummingbird
import Logging
import WharfAccess
import WharfModel
import WharfHTTP
import WharfServer
import WharfVersion

/// `wharfd`: the registry and image API (`serve`, the default, which needs no configuration) and `migrate`.
@main
struct Wharfd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wharfd", abstract: "Wharf: a container image registry with an integrated image API.",
        version: WharfVersion.description, subcommands: [Serve.self, Migrate.self], defaultSubcommand: Serve.self)
}

/// `wharfd migrate`: an embedded installation to PostgreSQL and S3 (`EmbeddedMigration`).
struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy an embedded installation's blobs and metadata to a blob store and a PostgreSQL database.",
        discussion: "wharfd must not be running on the data directory. Blobs are copied first (those the target has are skipped, so it may run again); the metadata then goes into an empty database in one transaction.")

    @Option(help: "The data directory of the embedded installation.")
    var fromDataDir: String

    @Option(help: "The PostgreSQL database to copy the metadata into (env WHARF_DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "The blob store to copy the blobs into: s3://… (with AWS credentials in the environment) or an absolute directory (env WHARF_BLOB_STORE).")
    var blobStore: String?

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        let location = try (blobStore ?? ProcessInfo.processInfo.environment["WHARF_BLOB_STORE"]).map(BlobStoreLocation.init(parsing:))
        try await EmbeddedMigration.run(from: fromDataDir, databaseURL: databaseURL ?? ProcessInfo.processInfo.environment["WHARF_DATABASE_URL"],
                                        blobStore: location, logger: Logger(label: "wharfd.migrate")) { line in
            FileHandle.standardOutput.write(Data((line + "\n").utf8))
        }
    }
}

/// `wharfd serve` (and plain `wharfd`): the registry and image API on the embedded default. No configuration is required.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the registry and image API (the default).")

    @Option(help: "Address to listen on (env WHARF_HOST).")
    var host: String = ProcessInfo.processInfo.environment["WHARF_HOST"] ?? "127.0.0.1"

    @Option(help: "Port to listen on (env WHARF_PORT).")
    var port: Int = Int(ProcessInfo.processInfo.environment["WHARF_PORT"] ?? "") ?? 5000

    @Option(help: "Directory holding all data (env WHARF_DATA_DIR).")
    var dataDir: String = ProcessInfo.processInfo.environment["WHARF_DATA_DIR"] ?? "./wharf-data"

    @Option(help: "Where blobs live instead of the data directory: s3://<bucket>[/<prefix>]?endpoint=<url>&region=<region>&style=path|virtual, with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set, or an absolute directory (env WHARF_BLOB_STORE).")
    var blobStore: String?

    /// `--blob-store`, else `WHARF_BLOB_STORE`, parsed; `nil` for the data directory.
    func blobLocation() throws -> BlobStoreLocation? {
        try (blobStore ?? ProcessInfo.processInfo.environment["WHARF_BLOB_STORE"]).map(BlobStoreLocation.init(parsing:))
    }

    @Option(help: "Keep metadata in PostgreSQL instead of SQLite in the data directory: postgres://user:password@host:5432/database[?sslmode=require]; the schema is created or migrated at start (env WHARF_DATABASE_URL).")
    var databaseURL: String?

    @Flag(help: "Answer blob GETs with a 307 to a presigned URL of the S3 --blob-store, valid 20 minutes, which clients must reach (env WHARF_BLOB_REDIRECT=1).")
    var blobRedirect = false

    /// `--blob-redirect`, or `WHARF_BLOB_REDIRECT=1`.
    var redirectsBlobs: Bool { blobRedirect || ProcessInfo.processInfo.environment["WHARF_BLOB_REDIRECT"] == "1" }

    @Option(help: "Host[:port] used in image references (env WHARF_REGISTRY_HOSTNAME; default <host>:<port>).")
    var registryHostname: String?

    @Option(help: "Host[:port] clients outside use, shown as publicDockerImageRepository (env WHARF_PUBLIC_HOSTNAME).")
    var publicHostname: String?

    @Option(help: "htpasswd file of users with bcrypt passwords, reloaded on change (env WHARF_HTPASSWD).")
    var htpasswd: String?

    @Option(help: "PEM certificate chain; with --tls-key, serve HTTPS (env WHARF_TLS_CERT).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert (env WHARF_TLS_KEY).")
    var tlsKey: String?

    @Option(help: "Seconds a client may take to send a request's head once it has begun (env WHARF_HEADER_READ_TIMEOUT).")
    var headerReadTimeout: Double = Self.seconds("WHARF_HEADER_READ_TIMEOUT") ?? 30

    @Option(help: "Seconds a connection may stay open with no request under way (env WHARF_IDLE_TIMEOUT).")
    var idleTimeout: Double = Self.seconds("WHARF_IDLE_TIMEOUT") ?? 120

    @Option(help: "Seconds a request body may stall while the server waits for it (env WHARF_BODY_STALL_TIMEOUT).")
    var bodyStallTimeout: Double = Self.seconds("WHARF_BODY_STALL_TIMEOUT") ?? 60

    @Option(help: "Seconds requests under way may take to finish after SIGTERM or SIGINT (env WHARF_SHUTDOWN_GRACE).")
    var shutdownGrace: Double = Self.seconds("WHARF_SHUTDOWN_GRACE") ?? 30

    @Option(help: "Requests a second each user (or anonymous address) may make, after a burst of one second's worth; more get 429 (env WHARF_RATE_LIMIT; default no limit).")
    var rateLimit: Double?
    @Option(help: "The admin's token secret (32 to 1,024 printable characters), shared by replicas; written (mode 0600) by the replica that creates the admin when absent (env WHARF_ADMIN_TOKEN_FILE).")
    var adminTokenFile: String?
    @Option(help: "Load balancers (IP addresses and CIDR blocks, comma-separated) whose X-Forwarded-For names the client, for login throttling, rate limits and audit (env WHARF_TRUSTED_PROXIES; default none).")
    var trustedProxies: String?
    @Option(help: "Serve /metrics without authorization on 127.0.0.1 at this port; off by default (env WHARF_METRICS_PORT).")
    var metricsPort: Int?

    @Option(help: "Log lines as json (one object a line) or text (env WHARF_LOG_FORMAT).")
    var logFormat: LogFormat = ProcessInfo.processInfo.environment["WHARF_LOG_FORMAT"].flatMap(LogFormat.init) ?? .text

    @Option(help: "The least level logged: trace, debug, info, notice, warning, error or critical (env WHARF_LOG_LEVEL).")
    var logLevel: LogLevel = ProcessInfo.processInfo.environment["WHARF_LOG_LEVEL"].flatMap(LogLevel.init) ?? .info

    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case json, text }
    /// `Logger.Level`'s names, as the command line takes them.
    enum LogLevel: String, ExpressibleByArgument, CaseIterable { case trace, debug, info, notice, warning, error, critical }

    static func seconds(_ variable: String) -> Double? {
        ProcessInfo.processInfo.environment[variable].flatMap(Double.init)
    }

    static func duration(_ seconds: Double) -> Duration { .milliseconds(Int64((seconds * 1000).rounded())) }

    /// `--trusted-proxies`, else `WHARF_TRUSTED_PROXIES`.
    func proxies() throws -> TrustedProxies {
        try TrustedProxies(parsing: trustedProxies ?? ProcessInfo.processInfo.environment["WHARF_TRUSTED_PROXIES"] ?? "")
    }

    func validate() throws {
        if let metricsPort, !(1...65535).contains(metricsPort) { throw ValidationError("--metrics-port must be from 1 to 65535, not \(metricsPort)") }
        for (name, value) in [("header-read-timeout", headerReadTimeout), ("idle-timeout", idleTimeout),
                              ("body-stall-timeout", bodyStallTimeout), ("shutdown-grace", shutdownGrace)]
        where !(value > 0 && value < 1e9) {
            throw ValidationError("--\(name) must be a positive number of seconds, not \(value)")
        }
        if let rateLimit = rateLimit ?? Self.seconds("WHARF_RATE_LIMIT"), !(rateLimit > 0 && rateLimit < 1e9) {
            throw ValidationError("--rate-limit must be a positive number of requests a second, not \(rateLimit)")
        }
        do { _ = try proxies() } catch let error as WharfError { throw ValidationError("--trusted-proxies: \(error.message)") }
        do {
            if let url = databaseURL ?? ProcessInfo.processInfo.environment["WHARF_DATABASE_URL"] { try WharfServer.checkDatabaseURL(url) }
            if case .s3 = try blobLocation() {
                _ = try BlobStoreLocation.credentials()
            } else if redirectsBlobs {
                throw ValidationError("--blob-redirect needs an S3 --blob-store")
            }
        } catch let error as WharfError { throw ValidationError(error.message) }
        for (variable, valid) in [("WHARF_LOG_FORMAT", LogFormat.allCases.map(\.rawValue)), ("WHARF_LOG_LEVEL", LogLevel.allCases.map(\.rawValue))] {
            if let value = ProcessInfo.processInfo.environment[variable], !valid.contains(value) {
                throw ValidationError("\(variable) must be one of \(valid.joined(separator: ", ")), not \(value)")
            }
        }
    }

    func run() async throws {
        _ = wharf_limit_malloc_arenas(2)
        let (format, level) = (logFormat, Logger.Level(rawValue: logLevel.rawValue) ?? .info)
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler = format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var settings = WharfConfiguration(host: host, port: port, dataDirectory: dataDir,
                                          registryHostname: registryHostname ?? ProcessInfo.processInfo.environment["WHARF_REGISTRY_HOSTNAME"],
                                          publicHostname: publicHostname ?? ProcessInfo.processInfo.environment["WHARF_PUBLIC_HOSTNAME"])
        settings.htpasswd = htpasswd ?? ProcessInfo.processInfo.environment["WHARF_HTPASSWD"]
        settings.tlsCertificate = tlsCert ?? ProcessInfo.processInfo.environment["WHARF_TLS_CERT"]
        settings.tlsKey = tlsKey ?? ProcessInfo.processInfo.environment["WHARF_TLS_KEY"]
        settings.timeouts = ConnectionTimeouts(headerRead: Self.duration(headerReadTimeout), idle: Self.duration(idleTimeout),
                                               bodyStall: Self.duration(bodyStallTimeout))
        settings.shutdownGrace = Self.duration(shutdownGrace)
        settings.rateLimit = rateLimit ?? Self.seconds("WHARF_RATE_LIMIT")
        settings.trustedProxies = try proxies()
        settings.blobStore = try blobLocation()
        settings.databaseURL = databaseURL ?? ProcessInfo.processInfo.environment["WHARF_DATABASE_URL"]
        settings.blobRedirect = redirectsBlobs ? .seconds(20 * 60) : nil
        settings.adminTokenFile = adminTokenFile ?? ProcessInfo.processInfo.environment["WHARF_ADMIN_TOKEN_FILE"]
        settings.metricsPort = metricsPort ?? ProcessInfo.processInfo.environment["WHARF_METRICS_PORT"].flatMap { Int($0) }
        let scheme = settings.tlsCertificate == nil ? "http" : "https"
        let directory = URL(fileURLWithPath: dataDir).standardizedFileURL.path
        let host = self.host
        let (app, readiness) = try await WharfServer.makeApplication(settings) { port in
            // Written unbuffered, so the lines appear at once even when stdout is a file.
            FileHandle.standardOutput.write(Data("wharfd listening on \(scheme)://\(host):\(port)\ndata directory: \(directory)\n".utf8))
        }
        try await WharfServer.run(app, readiness: readiness, configuration: settings)
    }
}
