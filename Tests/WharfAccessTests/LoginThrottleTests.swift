import Foundation
import Logging
import Synchronization
import Testing
import WharfModel
import WharfStorage
@testable import WharfAccess

@Suite("The login throttle: wrong passwords per user and source, never valid tokens")
struct LoginThrottleTests {
    /// alice's password is hunter2.
    static func setUp(_ store: any MetadataStore = InMemoryMetadataStore(), clock: TestClock, log: LogRecorder = LogRecorder()) throws
        -> (AccessControl, String)
    {
        let path = try AccessControlTests.htpasswdFile("alice:\(AccessControlTests.hash)\nbob:\(AccessControlTests.hash)\n")
        return (AccessControl(metadata: store, htpasswd: path, htpasswdRecheck: .zero, logger: log.logger, now: clock.now), path)
    }

    static func refusal(_ body: () async throws -> Void) async -> WharfError? {
        do {
            try await body()
            return nil
        } catch {
            return error as? WharfError
        }
    }

    @Test("After too many wrong passwords, that user from that source gets 429 with Retry-After, and one warning is logged")
    func lockout() async throws {
        let clock = TestClock(), log = LogRecorder()
        let (access, path) = try Self.setUp(clock: clock, log: log)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for _ in 0..<LoginThrottle.limit {
            let error = await Self.refusal { _ = try await access.user(forBasic: "alice", password: "guess", source: "10.0.0.9") }
            #expect(error?.code == .unauthorized)
        }
        clock.advance(by: 15)
        let locked = await Self.refusal { _ = try await access.user(forBasic: "alice", password: "hunter2", source: "10.0.0.9") }
        #expect(locked?.code == .tooManyRequests, "the right password is refused too while locked out")
        #expect(locked?.headers["Retry-After"] == "45")
        let viaEndpoint = await Self.refusal { _ = try await access.token(forBasic: "alice", password: "guess", source: "10.0.0.9") }
        #expect(viaEndpoint?.code == .tooManyRequests)

        let warnings = log.entries.filter { $0.level == .warning }
        #expect(warnings.count == 1, "\(log.entries)")
        #expect(warnings.first?.metadata["user"] == "alice")
        #expect(warnings.first?.metadata["source"] == "10.0.0.9")

        // Other users and other sources are not locked out.
        #expect(try await access.user(forBasic: "bob", password: "hunter2", source: "10.0.0.9").username == "bob")
        #expect(try await access.user(forBasic: "alice", password: "hunter2", source: "10.0.0.10").username == "alice")
        clock.advance(by: 45)
        #expect(try await access.user(forBasic: "alice", password: "hunter2", source: "10.0.0.9").username == "alice")
    }

    @Test("A valid token is accepted from a locked-out source, as a bearer token and as a Basic password")
    func tokensAreNeverThrottled() async throws {
        let clock = TestClock()
        let (access, path) = try Self.setUp(clock: clock)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let secret = try #require(try await access.createToken(AccessToken(name: "ci", spec: .init(user: "alice")), by: .authenticated("alice"))
            .status?.token)
        for _ in 0..<(LoginThrottle.limit + 3) { _ = try? await access.user(forBasic: "alice", password: "guess", source: "s") }
        #expect(await Self.refusal { _ = try await access.user(forBasic: "alice", password: "guess", source: "s") }?.code == .tooManyRequests)
        #expect(try await access.user(forToken: secret, source: "s").username == "alice")
        #expect(try await access.user(forBasic: "alice", password: secret, source: "s").username == "alice")
        #expect(try await access.token(forBasic: "alice", password: secret, source: "s") == secret)
    }

    @Test("The failures are kept in the metadata store, so every process on it sees the same lockout")
    func sharedAcrossProcesses() async throws {
        let clock = TestClock(), store = InMemoryMetadataStore()
        let (one, path) = try Self.setUp(store, clock: clock)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let (other, otherPath) = try Self.setUp(store, clock: clock)
        defer { try? FileManager.default.removeItem(atPath: otherPath) }
        for index in 0..<LoginThrottle.limit {
            let replica = index.isMultiple(of: 2) ? one : other
            _ = try? await replica.user(forBasic: "alice", password: "guess", source: "s")
        }
        #expect(await Self.refusal { _ = try await one.user(forBasic: "alice", password: "hunter2", source: "s") }?.code == .tooManyRequests)
        #expect(await Self.refusal { _ = try await other.user(forBasic: "alice", password: "hunter2", source: "s") }?.code == .tooManyRequests)
    }

    @Test("A right password clears the failures, and unknown users leave nothing stored")
    func clearedBySuccess() async throws {
        let clock = TestClock(), store = InMemoryMetadataStore()
        let (access, path) = try Self.setUp(store, clock: clock)
        defer { try? FileManager.default.removeItem(atPath: path) }
        for _ in 0..<(LoginThrottle.limit - 1) { _ = try? await access.user(forBasic: "alice", password: "guess", source: "s") }
        #expect(try await access.user(forBasic: "alice", password: "hunter2", source: "s").username == "alice")
        for _ in 0..<(LoginThrottle.limit - 1) { _ = try? await access.user(forBasic: "alice", password: "guess", source: "s") }
        #expect(try await access.user(forBasic: "alice", password: "hunter2", source: "s").username == "alice")
        for _ in 0..<5 { _ = try? await access.user(forBasic: "mallory", password: "guess", source: "s") }
        #expect(try await store.read { try await $0.objects.list(kind: LoginThrottle.kind, namespace: nil) }.isEmpty)
    }

    @Test("Records whose failures no longer count are purged; those that still count stay")
    func purge() async throws {
        let clock = TestClock(), store = InMemoryMetadataStore()
        let (access, path) = try Self.setUp(store, clock: clock)
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = try? await access.user(forBasic: "alice", password: "guess", source: "old")
        clock.advance(by: 30)
        _ = try? await access.user(forBasic: "alice", password: "guess", source: "recent")
        clock.advance(by: 30)
        #expect(try await access.purgeStaleLoginFailures() == 1)
        let left = try await store.read { try await $0.objects.list(kind: LoginThrottle.kind, namespace: nil) }
        #expect(left.compactMap(LoginThrottle.decode).map(\.source) == ["recent"])
    }
}

/// Collects what a `Logger` logs.
final class LogRecorder: Sendable {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let recorded = Mutex<[Entry]>([])
    var entries: [Entry] { recorded.withLock { $0 } }

    var logger: Logger {
        Logger(label: "test") { _ in Handler(recorder: self) }
    }

    func append(_ entry: Entry) { recorded.withLock { $0.append(entry) } }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            recorder.append(Entry(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
