import Foundation
import HummingbirdTesting
import Testing
import WharfModel
import WharfServer
import WharfTesting

@Suite("The data directory is readable only by its owner")
struct DataDirectoryTests {
    static func mode(_ path: String) -> Int? {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? NSNumber)?.intValue
    }

    static let private0700 = ["", "/blobs", "/uploads"]
    static let private0600 = ["/metadata.sqlite", "/metadata.sqlite-wal", "/metadata.sqlite-shm", "/metadata.sqlite.lock", "/admin.token"]

    /// Starts a live SQLite server on `directory`, pushes an image, and checks every mode while it runs.
    static func expectPrivate(_ directory: String) async throws {
        let app = try await WharfTestServer.makeApplication(storage: .embedded, dataDirectory: directory)
        try await app.test(.live) { client in
            let wire = Wire(client: client)
            try await wire.pushImage("ns/app", reference: "v1")
            for path in private0700 { #expect(mode(directory + path) == 0o700, "\(path) has mode \(String(mode(directory + path) ?? -1, radix: 8))") }
            for path in private0600 { #expect(mode(directory + path) == 0o600, "\(path) has mode \(String(mode(directory + path) ?? -1, radix: 8))") }
        }
    }

    @Test("A new data directory is 0700, its blob and upload directories 0700, the database, its WAL, SHM and lock and admin.token 0600")
    func fresh() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-modes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await Self.expectPrivate(directory)
    }

    @Test("Looser modes an older version left behind are tightened at start")
    func tightened() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-modes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // What an older wharfd left under a umask of 022: open directories, and empty files (valid for SQLite).
        for path in Self.private0700 {
            try FileManager.default.createDirectory(atPath: directory + path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        for path in Self.private0600 where path != "/admin.token" {
            #expect(FileManager.default.createFile(atPath: directory + path, contents: Data(), attributes: [.posixPermissions: 0o644]))
        }
        try await Self.expectPrivate(directory)
    }
}
