/// Who a request acts as: a user name and the groups it belongs to.
public struct UserInfo: Sendable, Equatable, Codable {
    public var username: String
    public var groups: [String]

    public init(username: String, groups: [String]) {
        self.username = username
        self.groups = groups
    }

    public static let anonymousName = "system:anonymous"
    public static let unauthenticatedGroup = "system:unauthenticated"
    public static let authenticatedGroup = "system:authenticated"

    /// A request without credentials.
    public static let anonymous = UserInfo(username: anonymousName, groups: [unauthenticatedGroup])

    /// An authenticated user, always in `system:authenticated`.
    public static func authenticated(_ name: String, groups: [String] = []) -> UserInfo {
        UserInfo(username: name, groups: groups.contains(authenticatedGroup) ? groups : groups + [authenticatedGroup])
    }

    public var isAnonymous: Bool { username == Self.anonymousName }
}

/// What a request wants to do, in Kubernetes RBAC terms.
public struct ResourceAttributes: Sendable, Equatable, Codable {
    public var namespace: String?
    public var verb: String
    public var group: String?
    public var resource: String
    public var subresource: String?
    public var name: String?
    /// Set for a request on a path that is no API resource (`/metrics`); then only `verb` counts besides it.
    public var nonResourceURL: String?

    /// A `verb` on the non-resource path `url`.
    public static func nonResource(_ url: String, verb: String = "get") -> ResourceAttributes {
        var attributes = ResourceAttributes(namespace: nil, verb: verb, group: "", resource: "")
        attributes.nonResourceURL = url
        return attributes
    }

    public init(namespace: String?, verb: String, group: String = ImageAPIGroup.name, resource: String, subresource: String? = nil,
                name: String? = nil) {
        self.namespace = namespace
        self.verb = verb
        self.group = group
        self.resource = resource
        self.subresource = subresource
        self.name = name
    }

    /// `resource/subresource`, as rules name it.
    public var qualifiedResource: String { subresource.map { "\(resource)/\($0)" } ?? resource }
}
