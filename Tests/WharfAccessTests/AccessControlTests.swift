import Foundation
import Testing
import WharfModel
import WharfStorage
@testable import WharfAccess

@Suite("Identities: tokens and htpasswd users")
struct AccessControlTests {
    static let hash = "$2b$04$OtxIxBNK9rZ4PIbVqEHrhe0u8WoFEpc2bn5bDVt.DB/vYh/e07sxa"

    static func htpasswdFile(_ contents: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("htpasswd-\(UUID().uuidString)").path
        try contents.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test("An htpasswd user logs in with its password; a wrong password is unauthorized")
    func htpasswdUser() async throws {
        let path = try Self.htpasswdFile("alice:\(Self.hash)\nbob:{SHA}ignored\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path)
        #expect(try await access.user(forBasic: "alice", password: "hunter2", source: "t") == .authenticated("alice"))
        await #expect(throws: WharfError.self) { try await access.user(forBasic: "alice", password: "wrong", source: "t") }
        await #expect(throws: WharfError.self) { try await access.user(forBasic: "bob", password: "ignored", source: "t") }
    }

    @Test("The token endpoint turns an htpasswd login into a token that expires, and returns token passwords as they are")
    func tokenForLogin() async throws {
        let path = try Self.htpasswdFile("alice:\(Self.hash)\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path)
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
        let access = AccessControl(metadata: InMemoryMetadataStore(), htpasswd: path)
        #expect(try await access.user(forBasic: "alice", password: "hunter2", source: "t").username == "alice")
        try "carol:\(Self.hash)\n".write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(10)], ofItemAtPath: path)
        #expect(try await access.user(forBasic: "carol", password: "hunter2", source: "t").username == "carol")
        await #expect(throws: WharfError.self) { try await access.user(forBasic: "alice", password: "hunter2", source: "t") }
    }

    @Test("Expired tokens are refused, and so is a source after too many failures")
    func expiryAndThrottle() async throws {
        let access = AccessControl(metadata: InMemoryMetadataStore())
        let expired = try await access.createToken(AccessToken(name: "old", spec: .init(user: "u", expirationTimestamp: Time(secondsSince1970: 1))),
                                                   by: .authenticated("u"))
        await #expect(throws: WharfError.self) { try await access.user(forToken: expired.status!.token!, source: "x") }
        for _ in 0..<LoginThrottle.limit { _ = try? await access.user(forToken: "wharf_wrong", source: "attacker") }
        do {
            _ = try await access.user(forToken: "wharf_wrong", source: "attacker")
            Issue.record("a throttled source was let through")
        } catch {
            #expect((error as? WharfError)?.code == .tooManyRequests)
        }
        let fresh = try await access.createToken(AccessToken(name: "new", spec: .init(user: "u")), by: .authenticated("u"))
        #expect(try await access.user(forToken: fresh.status!.token!, source: "elsewhere").username == "u")
    }
}
