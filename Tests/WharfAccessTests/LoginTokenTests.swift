import Foundation
import Testing
import WharfModel
import WharfStorage
@testable import WharfAccess

@Suite("Login tokens: reused, purged when expired, revoked when the htpasswd file takes their user away")
struct LoginTokenTests {
    static func names(_ access: AccessControl) async throws -> [String] {
        try await access.tokens(visibleTo: .authenticated(BuiltinRoles.adminUser)).items.compactMap(\.metadata.name)
    }

    static func rewrite(_ path: String, _ contents: String) throws {
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
    }

    @Test("Logins with the same password share one token while it has more than half its hour left; expired ones are purged")
    func reuse() async throws {
        let clock = TestClock()
        let path = try AccessControlTests.htpasswdFile("alice:\(AccessControlTests.hash)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path, htpasswdRecheck: .zero, now: clock.now)
        let first = try await access.token(forBasic: "alice", password: "hunter2", source: "t")
        for _ in 0..<7 {
            #expect(try await access.token(forBasic: "alice", password: "hunter2", source: "t") == first)
        }
        #expect(try await Self.names(access).count == 1)

        clock.advance(by: 1801)
        let second = try await access.token(forBasic: "alice", password: "hunter2", source: "t")
        #expect(second != first, "a token with less than half its hour left is not handed out again")
        #expect(try await access.user(forToken: first, source: "t").username == "alice", "the older token still works until it expires")
        #expect(try await Self.names(access).count == 2)

        clock.advance(by: 1800)
        let third = try await access.token(forBasic: "alice", password: "hunter2", source: "t")
        #expect(third != second)
        #expect(try await Self.names(access).count == 2, "the expired first token was purged")
        await #expect(throws: WharfError.self) { try await access.user(forToken: first, source: "t") }
    }

    @Test("A revoked login token is not handed out again")
    func revokedNotReused() async throws {
        let path = try AccessControlTests.htpasswdFile("alice:\(AccessControlTests.hash)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path, htpasswdRecheck: .zero)
        let first = try await access.token(forBasic: "alice", password: "hunter2", source: "t")
        let name = try #require(try await Self.names(access).first)
        try await access.deleteToken(named: name, by: .authenticated("alice"))
        let second = try await access.token(forBasic: "alice", password: "hunter2", source: "t")
        #expect(second != first)
        #expect(try await access.user(forToken: second, source: "t").username == "alice")
    }

    @Test("A user removed from the htpasswd file loses every token at once; the others keep theirs")
    func removedUser() async throws {
        let path = try AccessControlTests.htpasswdFile("alice:\(AccessControlTests.hash)\nbob:\(AccessControlTests.hash)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path, htpasswdRecheck: .zero)
        _ = try await access.bootstrapAdmin(secret: "wharf_admin")
        let alice = try await access.token(forBasic: "alice", password: "hunter2", source: "t")
        let own = try #require(try await access.createToken(AccessToken(name: "alice-ci", spec: .init(user: "alice")), by: .authenticated("alice"))
            .status?.token)
        let bob = try await access.token(forBasic: "bob", password: "hunter2", source: "t")

        try Self.rewrite(path, "bob:\(AccessControlTests.hash)\n")
        for secret in [alice, own] {
            do {
                _ = try await access.user(forToken: secret, source: "t")
                Issue.record("a token of a removed user still works")
            } catch let error as WharfError {
                #expect(error.code == .unauthorized)
            }
        }
        #expect(try await access.user(forToken: bob, source: "t").username == "bob")
        #expect(try await access.user(forToken: "wharf_admin", source: "t").username == BuiltinRoles.adminUser)
        let left = try await access.tokens(visibleTo: .authenticated(BuiltinRoles.adminUser)).items
        #expect(left.map(\.spec.user).sorted() == [BuiltinRoles.adminUser, "bob"])
    }

    @Test("Another process on the same store, started after the change, revokes what the removal takes away")
    func removedWhileDown() async throws {
        let store = InMemoryMetadataStore()
        let path = try AccessControlTests.htpasswdFile("alice:\(AccessControlTests.hash)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = AccessControl(metadata: store, htpasswd: path, htpasswdRecheck: .zero)
        _ = try await before.token(forBasic: "alice", password: "hunter2", source: "t")
        _ = try await before.createToken(AccessToken(name: "alice-ci", spec: .init(user: "alice")), by: .authenticated("alice"))
        try Self.rewrite(path, "")
        let after = AccessControl(metadata: store, htpasswd: path, htpasswdRecheck: .zero)
        await #expect(throws: WharfError.self) { try await after.user(forToken: "wharf_unknown", source: "t") }
        #expect(try await Self.names(after).isEmpty)
    }

    @Test("A password change revokes the login tokens of the old password, not the user's own tokens")
    func passwordChange() async throws {
        let path = try AccessControlTests.htpasswdFile("alice:\(AccessControlTests.hash)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path, htpasswdRecheck: .zero)
        let login = try await access.token(forBasic: "alice", password: "hunter2", source: "t")
        let own = try #require(try await access.createToken(AccessToken(name: "alice-ci", spec: .init(user: "alice")), by: .authenticated("alice"))
            .status?.token)
        // The same password under a new salt: a new hash, as `htpasswd -B` writes when a password is set again.
        try Self.rewrite(path, "alice:\(AccessControlTests.otherHash)\n")
        await #expect(throws: WharfError.self) { try await access.user(forToken: login, source: "t") }
        #expect(try await access.user(forToken: own, source: "t").username == "alice")
        #expect(try await Self.names(access) == ["alice-ci"])
    }
}
