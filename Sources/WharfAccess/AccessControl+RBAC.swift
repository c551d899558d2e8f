import Foundation
public import WharfModel
import WharfStorage

/// The four RBAC kinds, their resources and scope.
public enum RBACKind: String, Sendable, CaseIterable {
    case clusterRole = "ClusterRole", role = "Role", clusterRoleBinding = "ClusterRoleBinding", roleBinding = "RoleBinding"

    public var resource: String {
        switch self {
        case .clusterRole: return "clusterroles"
        case .role: return "roles"
        case .clusterRoleBinding: return "clusterrolebindings"
        case .roleBinding: return "rolebindings"
        }
    }

    public var isNamespaced: Bool { self == .role || self == .roleBinding }
    public var isBinding: Bool { self == .clusterRoleBinding || self == .roleBinding }

    public init?(resource: String) {
        guard let kind = Self.allCases.first(where: { $0.resource == resource }) else { return nil }
        self = kind
    }
}

extension AccessControl {
    /// Stores a role or binding (create, or replace with `replacing`). Built-in roles are listed but never stored.
    public func putRBAC(_ object: JSONValue, kind: RBACKind, namespace: String?, replacing name: String? = nil) async throws -> JSONValue {
        var value = object
        guard case .object(var members) = value else { throw WharfError(.badRequest, "the body must be a JSON object") }
        var meta = members["metadata"]?.objectValue ?? [:]
        let objectName = meta["name"]?.stringValue ?? ""
        if let name, !objectName.isEmpty, objectName != name {
            throw WharfError(.badRequest, "the name of the object (\(objectName)) does not match the name on the URL (\(name))")
        }
        let finalName = name ?? objectName
        var causes: [FieldCause] = []
        if finalName.isEmpty { causes.append(.required("metadata.name")) }
        if kind.isBinding {
            let binding = try? value.decode(RoleBinding.self)
            if binding == nil { causes.append(.required("roleRef")) }
            if let binding, !["ClusterRole", "Role"].contains(binding.roleRef.kind) || (binding.roleRef.kind == "Role" && !kind.isNamespaced) {
                causes.append(.invalid("roleRef.kind", value: binding.roleRef.kind, "must be ClusterRole or, in a namespace, Role"))
            }
        } else if (try? value.decode(Role.self)) == nil {
            causes.append(.invalid("rules", value: "", "must be a list of policy rules"))
        }
        guard causes.isEmpty else {
            throw KubernetesError.invalid(kind.rawValue, finalName, causes, group: RBACGroup.name)
        }
        let key = ObjectKey(kind: kind.rawValue, namespace: kind.isNamespaced ? namespace ?? "" : "", name: finalName)
        return try await metadata.transaction { tx in
            let existing = try await tx.objects.get(key)
            if name == nil, existing != nil {
                throw KubernetesError.alreadyExists(kind.resource, finalName, group: RBACGroup.name)
            }
            if name != nil, existing == nil {
                throw KubernetesError.notFound(kind.resource, finalName, group: RBACGroup.name)
            }
            let version = try await tx.objects.nextResourceVersion()
            meta["name"] = .string(finalName)
            meta["namespace"] = kind.isNamespaced ? .string(namespace ?? "") : nil
            meta["uid"] = .string(existing?.uid ?? UUID().uuidString.lowercased())
            meta["resourceVersion"] = .string(String(version))
            if existing == nil { meta["creationTimestamp"] = .string(now().description) }
            members["metadata"] = .object(meta)
            members["kind"] = .string(kind.rawValue)
            members["apiVersion"] = .string(RBACGroup.version)
            value = .object(members)
            try await tx.objects.put(StoredObject(key: key, uid: meta["uid"]?.stringValue ?? "", resourceVersion: version,
                                                  document: try Self.encode(value)))
            try await PolicyCache.bumpRevision(to: version, in: tx)
            return value
        }
    }

    public func rbacObject(_ kind: RBACKind, namespace: String?, name: String) async throws -> JSONValue {
        if kind == .clusterRole, let builtin = BuiltinRoles.role(named: name) { return try JSONValue(encoding: builtin) }
        let key = ObjectKey(kind: kind.rawValue, namespace: kind.isNamespaced ? namespace ?? "" : "", name: name)
        guard let stored = try await metadata.read({ try await $0.objects.get(key) }) else {
            throw KubernetesError.notFound(kind.resource, name, group: RBACGroup.name)
        }
        return try JSONDecoder().decode(JSONValue.self, from: Data(stored.document))
    }

    public func rbacObjects(_ kind: RBACKind, namespace: String?) async throws -> [JSONValue] {
        let stored = try await metadata.read { try await $0.objects.list(kind: kind.rawValue, namespace: kind.isNamespaced ? namespace : nil) }
        var items = try stored.map { try JSONDecoder().decode(JSONValue.self, from: Data($0.document)) }
        if kind == .clusterRole { items = try BuiltinRoles.all.map { try JSONValue(encoding: $0) } + items }
        if kind == .clusterRoleBinding { items = [try JSONValue(encoding: BuiltinRoles.adminBinding)] + items }
        return items
    }

    public func deleteRBAC(_ kind: RBACKind, namespace: String?, name: String) async throws {
        let key = ObjectKey(kind: kind.rawValue, namespace: kind.isNamespaced ? namespace ?? "" : "", name: name)
        let deleted = try await metadata.transaction { tx in
            guard try await tx.objects.delete(key) else { return false }
            try await PolicyCache.bumpRevision(to: try await tx.objects.nextResourceVersion(), in: tx)
            return true
        }
        guard deleted else {
            throw KubernetesError.notFound(kind.resource, name, group: RBACGroup.name)
        }
    }
}
