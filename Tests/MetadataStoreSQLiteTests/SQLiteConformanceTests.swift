import Foundation
import Testing
import MetadataStoreSQLite
import WharfStorage
import WharfStorageConformance
import WharfModel

@Suite("SQLiteMetadataStore passes the storage conformance suite")
struct SQLiteConformanceTests {
    @Test("SQLiteMetadataStore", arguments: MetadataStoreConformance.checks)
    func conformance(_ check: ConformanceCheck<any MetadataStore>) async throws {
        try await Self.withDatabasePath { try await check.run(try SQLiteMetadataStore(path: $0)) }
    }

    @Test("Committed data survives reopening the database")
    func survivesReopen() async throws {
        try await Self.withDatabasePath { path in
            let key = ObjectKey(kind: "Image", name: "x")
            do {
                let store = try SQLiteMetadataStore(path: path)
                try await store.transaction { tx in
                    let rv = try await tx.objects.nextResourceVersion()
                    try await tx.objects.put(StoredObject(key: key, uid: "u", resourceVersion: rv, document: [1, 2]))
                }
            }
            let reopened = try SQLiteMetadataStore(path: path)
            #expect(try await reopened.read { try await $0.objects.get(key)?.document } == [1, 2])
            #expect(try await reopened.read { try await $0.objects.currentResourceVersion() } == 1)
        }
    }

    @Test("One process owns a database: a second open fails while the first is open, and succeeds after")
    func exclusive() async throws {
        try await Self.withDatabasePath { path in
            do {
                let first = try SQLiteMetadataStore(path: path)
                #expect(throws: WharfError.self) { _ = try SQLiteMetadataStore(path: path) }
                #expect(first.generation == 0)
            }
            #expect(try SQLiteMetadataStore(path: path).generation == 0)
        }
    }

    /// Runs `body` with the path of a database file in a new temporary directory, removed afterwards.
    static func withDatabasePath(_ body: (String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("wharf-sqlite-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory.appendingPathComponent("metadata.sqlite").path)
    }
}
