import Foundation
import Logging
import PostgresNIO
import Testing
import WharfModel
import WharfStorage
import WharfStorageConformance
@testable import MetadataStorePostgres

/// A fresh database on the PostgreSQL server that `WHARF_TEST_DATABASE_URL` names (`scripts/test` starts one and sets
/// it; a run without it fails, with the reason), dropped afterwards.
struct TestDatabase {
    /// Errors only: PostgresNIO warns of every lease asked for before its client's run() has started.
    static let logger = {
        var logger = Logger(label: "wharf.test.postgres")
        logger.logLevel = .error
        return logger
    }()

    static func serverURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["WHARF_TEST_DATABASE_URL"], !url.isEmpty else {
            throw Missing()
        }
        return url
    }

    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "WHARF_TEST_DATABASE_URL is not set: scripts/test starts PostgreSQL and sets it (postgres://wharf:wharf@127.0.0.1:5432/wharf)"
        }
    }

    /// CREATE and DROP DATABASE run one at a time: PostgreSQL refuses to copy template1 while another CREATE
    /// DATABASE is reading it ("source database is being accessed by other users"), as parallel tests would.
    static let administration = AsyncLock()

    /// Runs `sql` on the server's own database, one statement at a time across the tests, trying up to five times a
    /// statement that fails (another session may hold template1 for a moment); an error says all it knows.
    static func administer(_ sql: String, url: String) async throws {
        try await administration.withLock {
            var attempt = 0
            while true {
                do {
                    _ = try await withClient(try PostgresClient.Configuration(url: url)) { admin in
                        try await admin.query(PostgresQuery(unsafeSQL: sql))
                    }
                    return
                } catch let error as PSQLError {
                    attempt += 1
                    guard attempt < 5 else { throw Failed(description: "\(sql): \(String(reflecting: error))") }
                    try await Task.sleep(for: .milliseconds(300))
                }
            }
        }
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `body` with a running client on a new database of its own.
    static func with<T: Sendable>(_ body: (_ makeClient: @Sendable () throws -> PostgresClient) async throws -> T) async throws -> T {
        let url = try serverURL()
        let name = "wharf_test_\(UInt64.random(in: 0...UInt64.max))"
        try await administer("CREATE DATABASE \(name)", url: url)
        var fresh = try PostgresClient.Configuration(url: url)
        fresh.database = name
        let configuration = fresh
        let clients = ClientBox()
        defer { clients.cancelAll() }
        let result = try await body {
            let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
            clients.add(client)
            return client
        }
        clients.cancelAll()
        try await administer("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", url: url)
        return result
    }

    /// Runs `body` with a client that runs for its duration.
    static func withClient<T: Sendable>(_ configuration: PostgresClient.Configuration, _ body: (PostgresClient) async throws -> T) async throws -> T {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        let running = Task { await client.run() }
        defer { running.cancel() }
        return try await body(client)
    }

    /// The clients a test made, each running in a task until the test ends.
    final class ClientBox: @unchecked Sendable {
        private let lock = NSLock()
        private var tasks: [Task<Void, Never>] = []

        func add(_ client: PostgresClient) {
            let task = Task { await client.run() }
            lock.withLock { tasks.append(task) }
        }

        func cancelAll() {
            lock.withLock {
                for task in tasks { task.cancel() }
                tasks.removeAll()
            }
        }
    }

    /// A migrated store on a new client.
    static func store(_ makeClient: () throws -> PostgresClient) async throws -> PostgresMetadataStore {
        let store = PostgresMetadataStore(client: try makeClient(), logger: logger)
        try await store.migrate()
        return store
    }
}

@Suite("PostgresMetadataStore on a real PostgreSQL server", .serialized)
struct PostgresConformanceTests {
    @Test("PostgresMetadataStore passes every check of the metadata store conformance suite", arguments: MetadataStoreConformance.checks)
    func conformance(_ check: ConformanceCheck<any MetadataStore>) async throws {
        try await TestDatabase.with { makeClient in
            try await check.run(try await TestDatabase.store(makeClient))
        }
    }

    @Test("Two stores on one database (two replicas) update one object 60 times at once: no update is lost, and resourceVersions follow commit order")
    func noLostUpdates() async throws {
        try await TestDatabase.with { makeClient in
            let first = try await TestDatabase.store(makeClient), second = try await TestDatabase.store(makeClient)
            let key = ObjectKey(kind: "Counter", name: "c")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<60 {
                    let store = index.isMultiple(of: 2) ? first : second
                    group.addTask {
                        try await store.transaction { tx in
                            let count = try await tx.objects.get(key).map { Int(String(decoding: $0.document, as: UTF8.self))! } ?? 0
                            let version = try await tx.objects.nextResourceVersion()
                            try await tx.objects.put(StoredObject(key: key, uid: "u", resourceVersion: version, document: Array("\(count + 1)".utf8)))
                            try await tx.objects.appendEvent(WatchEvent(resourceVersion: version, type: .modified, key: key,
                                                                        document: Array("\(count + 1)".utf8)))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let stored = try await second.read { try await $0.objects.get(key) }
            #expect(stored.map { String(decoding: $0.document, as: UTF8.self) } == "60")
            // Each event holds the count its transaction wrote: in resourceVersion order they count 1, 2, … 60, so
            // the order of versions is the order of commits.
            let events = try await first.read { try await $0.objects.events(after: 0, limit: 100) }
            #expect(events.map(\.resourceVersion) == Array(1...60))
            #expect(events.map { String(decoding: $0.document, as: UTF8.self) } == (1...60).map(String.init))
        }
    }

    @Test("Of twelve replicas asking for a chore's lease at once, one gets it")
    func oneLeaseHolder() async throws {
        try await TestDatabase.with { makeClient in
            let first = try await TestDatabase.store(makeClient), second = try await TestDatabase.store(makeClient)
            let now = Time(secondsSince1970: 1_800_000_000)
            let taken = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<12 {
                    let store = index.isMultiple(of: 2) ? first : second
                    group.addTask { try await ChoreLease.take("purge-uploads", holder: "replica-\(index)", seconds: 60, now: now, in: store) }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(taken == 1)
        }
    }

    @Test("A commit through one store wakes the watchers of another, through LISTEN/NOTIFY")
    func notifications() async throws {
        try await TestDatabase.with { makeClient in
            let writer = try await TestDatabase.store(makeClient), watcher = try await TestDatabase.store(makeClient)
            let listening = Task { await watcher.listen() }
            defer { listening.cancel() }
            try await Task.sleep(for: .milliseconds(500))  // LISTEN is under way
            let seen = watcher.commits.count
            try await writer.transaction { tx in _ = try await tx.objects.nextResourceVersion() }
            await Wakeup.first(of: [(watcher.commits, seen)], deadline: .now + .seconds(10))
            #expect(watcher.commits.count > seen)
        }
    }

    @Test("Stores migrating one empty database at the same instant all succeed; a newer schema is refused with a clear message")
    func migrations() async throws {
        try await TestDatabase.with { makeClient in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    let store = PostgresMetadataStore(client: try makeClient(), logger: TestDatabase.logger)
                    group.addTask { try await store.migrate() }
                }
                try await group.waitForAll()
            }
            let store = try await TestDatabase.store(makeClient)
            try await store.client.query("UPDATE wharf_schema SET version = 99")
            do {
                try await store.migrate()
                Issue.record("a newer schema was accepted")
            } catch let error as WharfError {
                #expect(error.code == .unavailable)
                #expect(error.message.contains("schema 99, newer than"))
            }
        }
    }

    @Test("--database-url parses; bad ones say what is wrong without the password")
    func urls() throws {
        let configuration = try PostgresClient.Configuration(url: "postgres://wharf:s%40cret@db.example:6543/registry")
        #expect(configuration.host == "db.example" && configuration.port == 6543)
        #expect(configuration.username == "wharf" && configuration.password == "s@cret" && configuration.database == "registry")
        for bad in ["mysql://a@b/c", "postgres://host/db", "postgres://u:secret@h/d?sslmode=maybe"] {
            do {
                _ = try PostgresClient.Configuration(url: bad)
                Issue.record("\(bad) was accepted")
            } catch let error as WharfError {
                #expect(!error.message.contains("secret"))
            }
        }
    }
}
