import Foundation
public import WharfModel
import WharfStorage

extension AccessControl {
    /// Makes sure the bootstrap identity (`admin`, bound to `cluster-admin`) has a token. Returns the new secret when
    /// one was created (the first start), `nil` when one already exists. `secret` fixes the secret (for tests).
    public func bootstrapAdmin(secret: String? = nil) async throws -> String? {
        let name = Self.bootstrapTokenName
        let exists = try await metadata.read { try await $0.objects.get(ObjectKey(kind: Kind.token, name: name)) != nil }
        guard !exists else { return nil }
        let created = try await createToken(AccessToken(name: name, spec: .init(user: BuiltinRoles.adminUser)), secret: secret,
                                            by: .authenticated(BuiltinRoles.adminUser))
        return created.status?.token
    }

    /// Creates a token and returns it with its secret in `status.token` (the only time the secret is shown).
    /// Anyone authenticated may create tokens for themselves; a token for someone else needs `create tokens`. A token
    /// that would be expired already is `invalid`.
    public func createToken(_ token: AccessToken, secret: String? = nil, by caller: UserInfo) async throws -> AccessToken {
        var token = token
        if token.metadata.name?.isEmpty ?? true, let prefix = token.metadata.generateName {
            token.metadata.name = prefix + UUID().uuidString.prefix(8).lowercased()
        }
        let name = token.metadata.name ?? ""
        if token.spec.user.isEmpty { token.spec.user = caller.username }
        var causes: [FieldCause] = []
        if name.isEmpty || RepositoryName.streamNameProblem(name) != nil && RepositoryName.namespaceProblem(name) != nil {
            causes.append(.invalid("metadata.name", value: name, "must be a lowercase name"))
        }
        if token.spec.user.isEmpty { causes.append(.required("spec.user")) }
        if let expiry = token.spec.expirationTimestamp, expiry <= now() {
            causes.append(.invalid("spec.expirationTimestamp", value: expiry.description, "must be in the future"))
        }
        guard causes.isEmpty else { throw KubernetesError.invalid("Token", name, causes, group: AccessGroup.name) }
        if caller.isAnonymous { throw WharfError(.unauthorized, "authentication required to create tokens") }
        if token.spec.user != caller.username {
            try await require(caller, ResourceAttributes(namespace: nil, verb: "create", group: AccessGroup.name, resource: "tokens"))
        }
        let secret = secret ?? TokenSecret.generate()
        let hash = TokenSecret.hash(secret)
        token.kind = "Token"
        token.apiVersion = AccessGroup.version
        token.metadata.uid = UUID().uuidString.lowercased()
        token.metadata.creationTimestamp = now()
        token.metadata.namespace = nil
        token.status = nil
        let stored = token
        try await metadata.transaction { tx in
            guard try await tx.objects.get(ObjectKey(kind: Kind.token, name: name)) == nil else {
                throw KubernetesError.alreadyExists("tokens", name, group: AccessGroup.name)
            }
            let version = try await tx.objects.nextResourceVersion()
            var named = stored
            named.metadata.resourceVersion = String(version)
            named.metadata.annotations = (named.metadata.annotations ?? [:]).merging(["wharf.dev/token-hash": hash]) { _, new in new }
            try await tx.objects.put(StoredObject(key: ObjectKey(kind: Kind.token, name: name), uid: named.metadata.uid ?? "",
                                                  resourceVersion: version, document: try Self.encode(named)))
            try await tx.objects.put(StoredObject(key: ObjectKey(kind: Kind.tokenHash, name: hash), uid: named.metadata.uid ?? "",
                                                  resourceVersion: version, document: try Self.encode(stored)))
        }
        token.status = .init(token: secret)
        return token
    }

    /// Tokens, without secrets or hashes. A caller without `list tokens` sees only its own.
    public func tokens(visibleTo caller: UserInfo) async throws -> ObjectList<AccessToken> {
        let all = try await metadata.read { try await $0.objects.list(kind: Kind.token, namespace: nil) }.compactMap { Self.decode(AccessToken.self, $0) }
        let seesAll = try await allows(caller, ResourceAttributes(namespace: nil, verb: "list", group: AccessGroup.name, resource: "tokens"))
        let items = all.filter { seesAll || $0.spec.user == caller.username }.map(Self.redacted)
        return ObjectList(kind: "TokenList", apiVersion: AccessGroup.version, metadata: ListMeta(resourceVersion: nil), items: items)
    }

    /// Revokes a token at once. Its owner or a caller with `delete tokens` may do so; `notFound` when absent.
    public func deleteToken(named name: String, by caller: UserInfo) async throws {
        try await metadata.transaction { tx in
            guard let stored = try await tx.objects.get(ObjectKey(kind: Kind.token, name: name)), let token = Self.decode(AccessToken.self, stored) else {
                throw KubernetesError.notFound("tokens", name, group: AccessGroup.name)
            }
            if token.spec.user != caller.username {
                guard try await allows(caller, ResourceAttributes(namespace: nil, verb: "delete", group: AccessGroup.name, resource: "tokens")) else {
                    throw Self.refusal(caller, ResourceAttributes(namespace: nil, verb: "delete", group: AccessGroup.name, resource: "tokens", name: name))
                }
            }
            try await Self.remove(token, named: name, in: tx)
            // Processes that cached the token see the new revision on their next request.
            try await PolicyCache.bumpRevision(to: try await tx.objects.nextResourceVersion(), in: tx)
        }
    }

    /// Deletes a stored token and its hash in `tx`. A caller revoking a token that may still be cached also bumps the
    /// policy revision.
    static func remove(_ token: AccessToken, named name: String, in tx: any MetadataTransaction) async throws {
        _ = try await tx.objects.delete(ObjectKey(kind: Kind.token, name: name))
        if let hash = token.metadata.annotations?["wharf.dev/token-hash"] {
            _ = try await tx.objects.delete(ObjectKey(kind: Kind.tokenHash, name: hash))
        }
    }

    static func redacted(_ token: AccessToken) -> AccessToken {
        var token = token
        token.metadata.annotations?.removeValue(forKey: "wharf.dev/token-hash")
        token.metadata.annotations?.removeValue(forKey: credentialAnnotation)
        if token.metadata.annotations?.isEmpty == true { token.metadata.annotations = nil }
        token.status = nil
        return token
    }
}
