import Foundation
public import Logging
public import PostgresNIO
import WharfModel
public import WharfStorage

/// A `MetadataStore` on PostgreSQL through PostgresNIO's `PostgresClient`: the scale-out backend, which any number
/// of `wharfd` processes share.
///
/// How concurrent writes stay safe: every write transaction begins by locking the one row of `wharf_sequence`
/// (`SELECT … FOR UPDATE`) and holds it until it commits or rolls back. So write transactions of every process run
/// one at a time, as SQLite's do; a body reads, decides and writes with no other writer in between, and no update is
/// lost. Reads never wait for it.
///
/// How watch order is kept: resourceVersions come from that same row, so a transaction that took N has committed (or
/// rolled back) before any other can take N + 1. A watcher reading events up to the newest committed version can never
/// later see a smaller one appear.
///
/// Each commit sends `NOTIFY wharf_commits` inside its transaction, which PostgreSQL delivers only once it commits;
/// `commits` fires for this process's commits and, once `listen()` runs, for every other process's too.
public final class PostgresMetadataStore: MetadataStore {
    public let client: PostgresClient
    let logger: Logger
    public let commits = Wakeup()
    /// Other processes write too: nothing may be cached by generation.
    public var generation: UInt64? { nil }

    /// The channel every commit notifies.
    static let channel = "wharf_commits"

    /// A store on `client`, which must be running (`client.run()`, or in a service group) before any call.
    public init(client: PostgresClient, logger: Logger) {
        self.client = client
        self.logger = logger
    }

    /// Creates or migrates the schema (`PostgresMigrations`).
    public func migrate() async throws {
        do {
            try await PostgresMigrations.migrate(client, logger: logger)
        } catch {
            throw Self.translate(error)
        }
    }

    /// Fires `commits` for every commit any process makes, until the task is cancelled. Wakes are cheap: a watcher
    /// that wakes reads the event log from where it stood.
    public func listen() async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: Self.channel) { notifications in
                        for try await _ in notifications { commits.fire() }
                    }
                }
            } catch {
                logger.warning("listening for commits failed; retrying in a second", metadata: ["error": "\(String(describing: error).prefix(300))"])
                commits.fire()  // a missed notification must not leave a watcher asleep
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    public func transaction<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        try await writing { try await body($0) }
    }

    /// `transaction`, with the view as its own type (for `load`, which runs statements of its own).
    private func writing<T>(_ body: (PostgresTransaction) async throws -> T) async throws -> T {
        do {
            return try await client.withConnection { connection in
                let transaction = PostgresTransaction(.connection(connection), logger: logger)
                try await connection.query("BEGIN", logger: logger)
                do {
                    try await connection.query("SELECT value FROM wharf_sequence WHERE id = 1 FOR UPDATE", logger: logger)
                    let result = try await body(transaction)
                    try await connection.query("SELECT pg_notify(\(Self.channel), '')", logger: logger)
                    try await connection.query("COMMIT", logger: logger)
                    commits.fire()
                    return result
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            throw Self.translate(error)
        }
    }

    public func read<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        do {
            return try await body(PostgresTransaction(.pool(client), logger: logger))
        } catch {
            throw Self.translate(error)
        }
    }

    /// Writes `dump` into this store, which must be empty (`invalid` otherwise), in one transaction: all of it or
    /// nothing. The resourceVersion sequence continues from the dump's.
    public func load(_ dump: MetadataDump) async throws {
        try await writing { tx in
            for try await count in try await tx.run("SELECT count(*) FROM wharf_objects").decode(Int64.self) where count > 0 {
                throw WharfError(.invalid, "the PostgreSQL database already holds Wharf objects: migrate into an empty one")
            }
            for object in dump.objects { try await tx.objects.put(object) }
            for event in dump.events { try await tx.objects.appendEvent(event) }
            for link in dump.blobLinks { try await tx.blobLinks.link(link.digest, size: link.size, in: link.repository) }
            for manifest in dump.manifests { try await tx.manifests.put(manifest) }
            for (repository, tags) in dump.tags { try await tx.tags.replace(tags, in: repository) }
            for upload in dump.uploads { try await tx.uploads.create(upload) }
            try await tx.run("UPDATE wharf_sequence SET value = GREATEST(value, \(dump.resourceVersion)) WHERE id = 1")
        }
    }

    /// A driver's error becomes `unavailable`, without its text (which may hold a query's values); any other error,
    /// such as one a transaction body threw, passes as it is.
    static func translate(_ error: any Error) -> any Error {
        if let error = error as? PSQLError {
            let code = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return WharfError(.unavailable, "metadata database failure\(code)", cause: error)
        }
        if error is PostgresDecodingError { return WharfError(.unavailable, "metadata database failure: a row did not decode", cause: error) }
        return error
    }
}

extension PostgresClient.Configuration {
    /// Parses `--database-url`: `postgres://user[:password]@host[:port]/database[?sslmode=disable|require]`
    /// (`postgresql://` too). `invalid` names what is wrong, never the password.
    public init(url text: String) throws {
        guard let components = URLComponents(string: text), ["postgres", "postgresql"].contains(components.scheme ?? ""),
              let host = components.host, !host.isEmpty, let user = components.user, !user.isEmpty else {
            throw WharfError(.invalid, "--database-url must look like postgres://user:password@host:5432/database")
        }
        let database = String(components.path.drop(while: { $0 == "/" }))
        var tls = PostgresClient.Configuration.TLS.disable
        for item in components.queryItems ?? [] {
            switch (item.name, item.value) {
            case ("sslmode", "disable"): tls = .disable
            case ("sslmode", "require"): tls = .require(.makeClientConfiguration())
            default: throw WharfError(.invalid, "--database-url: unknown option \(item.name.prefix(100)) (sslmode=disable or require)")
            }
        }
        self.init(host: host, port: components.port ?? 5432, username: user.removingPercentEncoding ?? user,
                  password: components.password.map { $0.removingPercentEncoding ?? $0 }, database: database.isEmpty ? user : database, tls: tls)
    }
}
