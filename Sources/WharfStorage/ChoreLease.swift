import Foundation
public import WharfModel

/// A lease on a chore that one process of a fleet runs at a time (purging stale uploads today; scheduled imports,
/// garbage collection and pruning later), kept in the metadata store as an object of kind `ChoreLease`.
///
/// Taking it is one write transaction that reads the lease and writes it only when it is free, expired, or already
/// the taker's. Write transactions run one at a time on every backend, so two processes never both hold it. A holder
/// that dies keeps it until it expires; then the next process to ask takes it over.
public enum ChoreLease {
    static let kind = "ChoreLease"

    struct Document: Codable {
        var holder: String
        var until: Int64
    }

    /// Takes the lease `name` for `holder` until `now + seconds`, unless another holder has it until after `now`.
    /// Returns whether `holder` holds it now.
    public static func take(_ name: String, holder: String, seconds: Int64, now: Time, in metadata: any MetadataStore) async throws -> Bool {
        try await metadata.transaction { tx in
            let key = ObjectKey(kind: kind, name: name)
            if let stored = try await tx.objects.get(key), let lease = try? JSONDecoder().decode(Document.self, from: Data(stored.document)),
               lease.holder != holder, lease.until > now.secondsSince1970 {
                return false
            }
            let document = try JSONEncoder().encode(Document(holder: holder, until: now.secondsSince1970 + seconds))
            try await tx.objects.put(StoredObject(key: key, uid: holder, resourceVersion: 0, document: Array(document)))
            return true
        }
    }
}
