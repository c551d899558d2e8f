import Foundation
import Logging
import Synchronization
import Testing
import WharfModel
import WharfStorage
@testable import WharfAccess

@Suite("Identities: tokens and htpasswd users")
struct AccessControlTests {
    /// bcrypt hashes of `hunter2`, with two salts.
    static let hash = "$2b$04$OtxIxBNK9rZ4PIbVqEHrhe0u8WoFEpc2bn5bDVt.DB/vYh/e07sxa"
    static let otherHash = "$2b$04$JUwqZixNhudf6Bm2rqylXuQlsDGUUCxt4ZQrzDejFrYJgil5ZjY8K"

    static func htpasswdFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("htpasswd-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("An htpasswd user logs in with its password; a wrong password is unauthorized")
    func htpasswdUser() async throws {
        let path = try Self.htpasswdFile("alice:\(Self.hash)\nbob:{SHA}ignored\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path, htpasswdRecheck: .zero)
        #expect(try await access.user(forBasic: "alice", password: "hunter2", source: "t") == .authenticated("alice"))
        await #expect(throws: WharfError.self) { try await access.user(forBasic: "alice", password: "wrong", source: "t") }
        await #expect(throws: WharfError.self) { try await access.user(forBasic: "bob", password: "ignored", source: "t") }
    }

    @Test("Lines that are not bcrypt ($apr1$, {SHA}, crypt) are ignored with a warning naming the user and the scheme")
    func otherSchemesWarn() async throws {
        let path = try Self.htpasswdFile("# users\nalice:\(Self.hash)\ncarol:$apr1$xyz$0123456789abcdefghijkl\ndave:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=\n\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = LogRecorder()
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path, htpasswdRecheck: .zero, logger: log.logger)
        #expect(try await access.user(forBasic: "alice", password: "hunter2", source: "t") == .authenticated("alice"))
        await #expect(throws: WharfError.self) { try await access.user(forBasic: "carol", password: "x", source: "t") }
        let warnings = log.entries.filter { $0.level == .warning && $0.message.hasPrefix("htpasswd line ignored") }
        #expect(warnings.map { $0.metadata["user"] } == ["carol", "dave"])
        #expect(warnings.map { $0.metadata["line"] } == ["3", "4"])
        #expect(warnings.first?.metadata["scheme"] == "apr1 (MD5)")
        #expect(warnings.first?.message.contains("htpasswd -B") == true)
    }

    @Test("A bcrypt hash of a cost above 17 is ignored with a warning, not checked for days")
    func costlyHashesAreIgnored() async throws {
        let costly = "$2y$31$OtxIxBNK9rZ4PIbVqEHrhe0u8WoFEpc2bn5bDVt.DB/vYh/e07sxa"
        let path = try Self.htpasswdFile("alice:\(Self.hash)\neve:\(costly)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let log = LogRecorder()
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path, htpasswdRecheck: .zero, logger: log.logger)
        await #expect(throws: WharfError.self) { try await access.user(forBasic: "eve", password: "hunter2", source: "t") }
        #expect(try await access.user(forBasic: "alice", password: "hunter2", source: "t") == .authenticated("alice"))
        let warnings = log.entries.filter { $0.level == .warning && $0.message.contains("bcrypt cost") }
        #expect(warnings.map { $0.metadata["user"] } == ["eve"])
        #expect(warnings.first?.metadata["cost"] == "31")
        #expect(Htpasswd.bcryptCost(of: Self.hash) == 4)
        #expect(Htpasswd.bcryptCost(of: "$2b$x$") == nil)
        #expect(Htpasswd.bcryptCost(of: "$2b") == nil)
    }

    @Test("The token endpoint turns an htpasswd login into a token that expires, and returns token passwords as they are")
    func tokenForLogin() async throws {
        let path = try Self.htpasswdFile("alice:\(Self.hash)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path, htpasswdRecheck: .zero)
        let token = try await access.token(forBasic: "alice", password: "hunter2", source: "t")
        #expect(token.hasPrefix("wharf_"))
        #expect(try await access.user(forToken: token, source: "t") == .authenticated("alice"))
        #expect(try await access.token(forBasic: "anyone", password: token, source: "t") == token)
        let listed = try await access.tokens(visibleTo: .authenticated("alice"))
        #expect(listed.items.first?.spec.expirationTimestamp != nil)
    }

    @Test("The htpasswd file is read again when it changes")
    func reload() async throws {
        let path = try Self.htpasswdFile("alice:\(Self.hash)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path, htpasswdRecheck: .zero)
        #expect(try await access.user(forBasic: "alice", password: "hunter2", source: "t").username == "alice")
        try "carol:\(Self.hash)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(10)], ofItemAtPath: path)
        #expect(try await access.user(forBasic: "carol", password: "hunter2", source: "t").username == "carol")
        await #expect(throws: WharfError.self) { try await access.user(forBasic: "alice", password: "hunter2", source: "t") }
    }

    @Test("The htpasswd file is looked at no more than once per recheck interval")
    func recheckInterval() async throws {
        let path = try Self.htpasswdFile("alice:\(Self.hash)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = TestClock()
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path, htpasswdRecheck: .seconds(5), now: clock.now)
        #expect(try await access.user(forBasic: "alice", password: "hunter2", source: "t").username == "alice")
        try "carol:\(Self.hash)\n".write(toFile: path, atomically: true, encoding: .utf8)
        clock.advance(by: 4)
        await #expect(throws: WharfError.self) { try await access.user(forBasic: "carol", password: "hunter2", source: "t") }
        clock.advance(by: 1)
        #expect(try await access.user(forBasic: "carol", password: "hunter2", source: "t").username == "carol")
    }

    @Test("Expired tokens are refused with a reason; unknown bearer tokens are never throttled")
    func expiry() async throws {
        let clock = TestClock()
        let access = AccessControl(metadata: InMemoryMetadataStore(), now: clock.now)
        let soon = try await access.createToken(AccessToken(name: "old", spec: .init(user: "u", expirationTimestamp: clock.now().advanced(by: 10))),
                                                by: .authenticated("u"))
        #expect(try await access.user(forToken: soon.status!.token!, source: "x").username == "u")
        clock.advance(by: 10)
        do {
            _ = try await access.user(forToken: soon.status!.token!, source: "x")
            Issue.record("an expired token was accepted")
        } catch let error as WharfError {
            #expect(error.code == .unauthorized)
            #expect(error.message.contains("expired"))
        }
        for _ in 0..<(LoginThrottle.limit + 5) { _ = try? await access.user(forToken: "wharf_wrong", source: "attacker") }
        do {
            _ = try await access.user(forToken: "wharf_wrong", source: "attacker")
            Issue.record("an unknown token was accepted")
        } catch let error as WharfError {
            #expect(error.code == .unauthorized, "bad tokens are not guessable and not throttled")
        }
        let fresh = try await access.createToken(AccessToken(name: "new", spec: .init(user: "u")), by: .authenticated("u"))
        #expect(try await access.user(forToken: fresh.status!.token!, source: "attacker").username == "u")
    }

    @Test("A token that would be expired already is Invalid, with the field named")
    func expiredAtCreation() async throws {
        let clock = TestClock()
        let access = AccessControl(metadata: InMemoryMetadataStore(), now: clock.now)
        for expiry in [clock.now(), clock.now().advanced(by: -3600)] {
            do {
                _ = try await access.createToken(AccessToken(name: "past", spec: .init(user: "u", expirationTimestamp: expiry)), by: .authenticated("u"))
                Issue.record("a token expiring at \(expiry) was created")
            } catch let error as WharfError {
                #expect(error.code == .invalid)
                #expect(error.causes.map(\.field) == ["spec.expirationTimestamp"])
            }
        }
        #expect(try await access.tokens(visibleTo: .authenticated("u")).items.isEmpty)
    }
}

/// A clock that tests move by hand.
final class TestClock: Sendable {
    private let seconds = Mutex<Int64>(1_800_000_000)
    var now: @Sendable () -> Time { { Time(secondsSince1970: self.seconds.withLock { $0 }) } }
    func advance(by delta: Int64) { seconds.withLock { $0 += delta } }
}

extension Time {
    func advanced(by delta: Int64) -> Time { Time(secondsSince1970: secondsSince1970 + delta) }
}
