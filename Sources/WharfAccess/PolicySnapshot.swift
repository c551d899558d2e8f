import Foundation
import Synchronization
import WharfModel
import WharfStorage

/// Every role and binding, decoded once per policy revision. The revision is a stored object that every RBAC write
/// bumps in the same transaction, so each request checks freshness with one point read, on every replica.
struct PolicySnapshot: Sendable {
    var revision: Int64
    var clusterBindings: [RoleBinding]
    var bindings: [String: [RoleBinding]]
    var clusterRoles: [String: Role]
    var roles: [String: [String: Role]]

    static let revisionKey = ObjectKey(kind: "PolicyRevision", name: "current")

    static func load(revision: Int64, in tx: any MetadataTransaction) async throws -> PolicySnapshot {
        func decode<T: Decodable>(_ type: T.Type, _ objects: [StoredObject]) -> [(StoredObject, T)] {
            objects.compactMap { stored in (try? JSONDecoder().decode(type, from: Data(stored.document))).map { (stored, $0) } }
        }
        var snapshot = PolicySnapshot(revision: revision, clusterBindings: [BuiltinRoles.adminBinding], bindings: [:], clusterRoles: [:], roles: [:])
        snapshot.clusterBindings += decode(RoleBinding.self, try await tx.objects.list(kind: RBACKind.clusterRoleBinding.rawValue, namespace: nil)).map(\.1)
        for (stored, binding) in decode(RoleBinding.self, try await tx.objects.list(kind: RBACKind.roleBinding.rawValue, namespace: nil)) {
            snapshot.bindings[stored.key.namespace, default: []].append(binding)
        }
        for (stored, role) in decode(Role.self, try await tx.objects.list(kind: RBACKind.clusterRole.rawValue, namespace: nil)) {
            snapshot.clusterRoles[stored.key.name] = role
        }
        for (stored, role) in decode(Role.self, try await tx.objects.list(kind: RBACKind.role.rawValue, namespace: nil)) {
            snapshot.roles[stored.key.namespace, default: [:]][stored.key.name] = role
        }
        return snapshot
    }

    func role(_ reference: RoleBinding.RoleRef, namespace: String?) -> Role? {
        if reference.kind == "ClusterRole" { return BuiltinRoles.role(named: reference.name) ?? clusterRoles[reference.name] }
        return namespace.flatMap { roles[$0]?[reference.name] }
    }

    func allows(_ user: UserInfo, _ attributes: ResourceAttributes) -> Bool {
        let candidates = clusterBindings + (attributes.namespace.flatMap { bindings[$0] } ?? [])
        for binding in candidates where (binding.subjects ?? []).contains(where: { $0.matches(user) }) {
            if let role = role(binding.roleRef, namespace: binding.metadata.namespace), role.rules.contains(where: { $0.allows(attributes) }) {
                return true
            }
        }
        return false
    }
}

/// The newest snapshot this process has decoded, and the tokens it has looked up since the policy revision changed.
///
/// Revoking a token bumps the revision too, so a cached token is used only while no revocation (and no RBAC write)
/// has happened anywhere. The revision is one point read, skipped while the store's generation says nothing changed.
final class PolicyCache: Sendable {
    /// A looked-up token: whose it is and until when.
    struct Grant: Sendable {
        var user: UserInfo
        var expiry: Time?
        /// For a login token, the htpasswd credential it was minted from (`Htpasswd.credential(of:)`).
        var credential: String?
    }

    private let current = Mutex<PolicySnapshot?>(nil)
    private let grants = Mutex<(revision: Int64, byHash: [String: Grant])>((-1, [:]))
    private static let maxGrants = 10_000
    private let revisions = GenerationCache<Int, Int64>(capacity: 1)

    /// The current policy revision; `generation` is the store's, taken before `tx` began.
    func revision(in tx: any MetadataTransaction, generation: UInt64?) async throws -> Int64 {
        if let known = revisions.value(for: 0, at: generation) { return known }
        let revision = try await tx.objects.get(PolicySnapshot.revisionKey)?.resourceVersion ?? 0
        revisions.store(revision, for: 0, at: generation)
        return revision
    }

    /// Bumps the policy revision in `tx`, which must also be making the change that needs it.
    static func bumpRevision(to version: Int64, in tx: any MetadataTransaction) async throws {
        try await tx.objects.put(StoredObject(key: PolicySnapshot.revisionKey, uid: "", resourceVersion: version, document: []))
    }

    func snapshot(in tx: any MetadataTransaction, generation: UInt64?) async throws -> PolicySnapshot {
        let revision = try await revision(in: tx, generation: generation)
        if let cached = current.withLock({ $0 }), cached.revision == revision { return cached }
        let fresh = try await PolicySnapshot.load(revision: revision, in: tx)
        current.withLock { $0 = fresh }
        return fresh
    }

    /// The grant of the token whose secret hashes to `hash`, if it was looked up at `revision`.
    func grant(forHash hash: String, at revision: Int64) -> Grant? {
        grants.withLock { $0.revision == revision ? $0.byHash[hash] : nil }
    }

    func remember(_ grant: Grant, forHash hash: String, at revision: Int64) {
        grants.withLock { state in
            if state.revision != revision || state.byHash.count >= Self.maxGrants { state = (revision, [:]) }
            state.byHash[hash] = grant
        }
    }
}
