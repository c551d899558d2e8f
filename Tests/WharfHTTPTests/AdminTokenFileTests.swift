import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfAccess
import WharfModel
@testable import WharfServer
import WharfStorage
import WharfTesting

@Suite("--admin-token-file: the admin's secret, shared by replicas")
struct AdminTokenFileTests {
    /// Starts a live embedded server on `directory` with `--admin-token-file file`, no fixed test secret, and runs `body`.
    static func start(_ directory: String, file: String, _ body: @escaping @Sendable (Wire) async throws -> Void) async throws {
        let app = try await WharfTestServer.makeApplication(storage: .embedded, dataDirectory: directory) { settings in
            settings.adminToken = nil
            settings.adminTokenFile = file
        }
        try await app.test(.live) { client in try await body(Wire(client: client, token: nil)) }
    }

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("wharf-\(name)-\(UUID().uuidString)").path
    }

    @Test("Replicas bootstrapping one empty database at the same instant all succeed, with one admin and one secret")
    func simultaneousStarts() async throws {
        let file = Self.temporary("admin-token-race")
        defer { try? FileManager.default.removeItem(atPath: file) }
        let store = InMemoryMetadataStore()
        let made = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<4 {
                group.addTask { try await AdminTokenFile(path: file).bootstrap(AccessControl(metadata: store), patience: .seconds(10)) }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        let secret = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(made.compactMap { $0 } == [secret], "exactly one start made the admin")
        let access = AccessControl(metadata: store)
        #expect(try await access.user(forToken: secret, source: "t").username == "admin")
    }

    @Test("Without the file, the new admin's secret is written there (0600) and works; a restart reuses it")
    func written() async throws {
        let directory = Self.temporary("admin-file"), file = Self.temporary("admin-token")
        defer { try? FileManager.default.removeItem(atPath: directory); try? FileManager.default.removeItem(atPath: file) }
        try await Self.start(directory, file: file) { (wire: Wire) async throws in
            let secret = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(secret.count >= 32)
            #expect(DataDirectoryTests.mode(file) == 0o600)
            #expect(try await wire.as(secret).send(.get, "/apis/image.openshift.io/v1/imagestreams").status == .ok)
        }
        let before = try String(contentsOfFile: file, encoding: .utf8)
        try await Self.start(directory, file: file) { (wire: Wire) async throws in
            #expect(try await wire.as(before.trimmingCharacters(in: .whitespacesAndNewlines)).send(.get, "/apis/image.openshift.io/v1/imagestreams").status == .ok)
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == before)
    }

    @Test("With the file, its content is the admin's secret; another secret for an existing admin, or a short, spaced or huge one, stops the start")
    func given() async throws {
        let directory = Self.temporary("admin-file"), other = Self.temporary("admin-file"), file = Self.temporary("admin-token")
        defer { for path in [directory, other, file] { try? FileManager.default.removeItem(atPath: path) } }
        let secret = "wharf_" + String(repeating: "k", count: 40)
        try (secret + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        try await Self.start(directory, file: file) { (wire: Wire) async throws in
            #expect(try await wire.as(secret).send(.get, "/apis/image.openshift.io/v1/imagestreams").status == .ok)
            #expect(try await wire.as(secret + "x").send(.get, "/apis/image.openshift.io/v1/imagestreams").status == .unauthorized)
        }
        try (String(repeating: "z", count: 40)).write(toFile: file, atomically: true, encoding: .utf8)
        await #expect { try await Self.start(directory, file: file) { _ in } } throws: { "\($0)".contains("is not the admin's token") }
        for bad in ["short", String(repeating: "a", count: 20) + " " + String(repeating: "b", count: 20), String(repeating: "y", count: 1_000_000)] {
            try bad.write(toFile: file, atomically: true, encoding: .utf8)
            await #expect { try await Self.start(other, file: file) { _ in } } throws: { "\($0)".contains("at least 32 characters") }
        }
    }
}
