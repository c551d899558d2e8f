/// The RBAC objects of `rbac.authorization.k8s.io/v1`.
public enum RBACGroup {
    public static let name = "rbac.authorization.k8s.io"
    public static let version = "rbac.authorization.k8s.io/v1"
}

/// One permission: verbs on resources of API groups, optionally only some names.
public struct PolicyRule: Codable, Sendable, Equatable {
    public var apiGroups: [String]?
    public var resources: [String]?
    public var verbs: [String]
    public var resourceNames: [String]?
    public var nonResourceURLs: [String]?

    public init(apiGroups: [String], resources: [String], verbs: [String]) {
        self.apiGroups = apiGroups
        self.resources = resources
        self.verbs = verbs
    }

    /// A rule on paths that are no API resource (`/metrics`), as Kubernetes' `nonResourceURLs`.
    public init(nonResourceURLs: [String], verbs: [String]) {
        self.nonResourceURLs = nonResourceURLs
        self.verbs = verbs
    }

    /// Whether this rule allows `attributes` (`*` matches anything). A request for a non-resource URL matches only
    /// rules that list it in `nonResourceURLs` (exactly, or by a trailing `*`), and a resource request never does.
    public func allows(_ attributes: ResourceAttributes) -> Bool {
        func has(_ list: [String]?, _ value: String) -> Bool { (list ?? []).contains("*") || (list ?? []).contains(value) }
        if let url = attributes.nonResourceURL {
            return has(verbs, attributes.verb) && (nonResourceURLs ?? []).contains { $0 == url || ($0.hasSuffix("*") && url.hasPrefix($0.dropLast())) }
        }
        guard has(verbs, attributes.verb), has(apiGroups, attributes.group ?? "") else { return false }
        guard has(resources, attributes.qualifiedResource)
            || (attributes.subresource != nil && (resources ?? []).contains("\(attributes.resource)/*")) else { return false }
        if let names = resourceNames, !names.isEmpty {
            guard let name = attributes.name, names.contains(name) else { return false }
        }
        return true
    }
}

/// A ClusterRole or a Role: a named set of rules.
public struct Role: Codable, Sendable, Equatable {
    public var kind: String?
    public var apiVersion: String?
    public var metadata: ObjectMeta
    public var rules: [PolicyRule]

    public init(kind: String, name: String, rules: [PolicyRule]) {
        self.kind = kind
        self.apiVersion = RBACGroup.version
        self.metadata = ObjectMeta(name: name)
        self.rules = rules
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(String.self, forKey: .kind)
        apiVersion = try c.decodeIfPresent(String.self, forKey: .apiVersion)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        rules = try c.decodeIfPresent([PolicyRule].self, forKey: .rules) ?? []
    }
}

/// A RoleBinding or a ClusterRoleBinding: a role granted to subjects.
public struct RoleBinding: Codable, Sendable, Equatable {
    public struct RoleRef: Codable, Sendable, Equatable {
        public var apiGroup: String
        public var kind: String
        public var name: String

        public init(kind: String, name: String) {
            self.apiGroup = RBACGroup.name
            self.kind = kind
            self.name = name
        }
    }

    public struct Subject: Codable, Sendable, Equatable {
        public var kind: String
        public var apiGroup: String?
        public var name: String
        public var namespace: String?

        public init(kind: String, name: String) {
            self.kind = kind
            self.apiGroup = kind == "ServiceAccount" ? nil : RBACGroup.name
            self.name = name
        }

        /// Whether this subject names `user` (a User or ServiceAccount by name, a Group by membership).
        public func matches(_ user: UserInfo) -> Bool {
            switch kind {
            case "User": return name == user.username
            case "Group": return user.groups.contains(name)
            case "ServiceAccount": return user.username == "system:serviceaccount:\(namespace ?? ""):\(name)"
            default: return false
            }
        }
    }

    public var kind: String?
    public var apiVersion: String?
    public var metadata: ObjectMeta
    public var roleRef: RoleRef
    public var subjects: [Subject]?

    public init(kind: String, name: String, namespace: String? = nil, roleRef: RoleRef, subjects: [Subject]) {
        self.kind = kind
        self.apiVersion = RBACGroup.version
        self.metadata = ObjectMeta(name: name, namespace: namespace)
        self.roleRef = roleRef
        self.subjects = subjects
    }
}

/// "Can I?" (`authorization.k8s.io/v1` SelfSubjectAccessReview).
public struct SelfSubjectAccessReview: Codable, Sendable {
    public struct Spec: Codable, Sendable {
        public var resourceAttributes: ResourceAttributes?
    }

    public struct Status: Codable, Sendable {
        public var allowed: Bool
        public var denied: Bool?
        public var reason: String?

        public init(allowed: Bool, denied: Bool?, reason: String?) {
            self.allowed = allowed
            self.denied = denied
            self.reason = reason
        }
    }

    public var kind: String?
    public var apiVersion: String?
    public var metadata: ObjectMeta?
    public var spec: Spec
    public var status: Status?
}
