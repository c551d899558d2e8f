public import WharfModel

/// The cluster roles every Wharf has, with OpenShift's names and verbs (reference registry §3.7). They are not stored
/// and cannot be changed; roles of the same name created through the API are ignored.
public enum BuiltinRoles {
    static let image = ImageAPIGroup.name
    static let rbac = RBACGroup.name
    static let read = ["get", "list", "watch"]
    static let write = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    static let imageResources = ["imagestreams", "imagestreams/status", "imagestreams/secrets", "imagestreamtags", "imagetags",
                                 "imagestreammappings", "imagestreamimages", "imagestreamimports"]

    public static let all: [Role] = [
        Role(kind: "ClusterRole", name: "cluster-admin", rules: [PolicyRule(apiGroups: ["*"], resources: ["*"], verbs: ["*"]),
                                                                   PolicyRule(nonResourceURLs: ["*"], verbs: ["*"])]),
        // Prometheus' scraper: `GET /metrics` and nothing else (OpenShift's role of the same name).
        Role(kind: "ClusterRole", name: "system:monitoring", rules: [PolicyRule(nonResourceURLs: ["/metrics"], verbs: ["get"])]),
        Role(kind: "ClusterRole", name: "system:image-puller", rules: [
            PolicyRule(apiGroups: [image], resources: ["imagestreams/layers"], verbs: ["get"]),
        ]),
        Role(kind: "ClusterRole", name: "system:image-pusher", rules: [
            PolicyRule(apiGroups: [image], resources: ["imagestreams/layers"], verbs: ["get", "update"]),
        ]),
        Role(kind: "ClusterRole", name: "system:image-builder", rules: [
            PolicyRule(apiGroups: [image], resources: ["imagestreams/layers"], verbs: ["get", "update"]),
            PolicyRule(apiGroups: [image], resources: ["imagestreams"], verbs: ["create"]),
        ]),
        Role(kind: "ClusterRole", name: "system:image-pruner", rules: [
            PolicyRule(apiGroups: [image], resources: ["images"], verbs: ["delete", "get", "list", "watch"]),
            PolicyRule(apiGroups: [image], resources: ["imagestreams"], verbs: read),
            PolicyRule(apiGroups: [image], resources: ["imagestreams/status"], verbs: ["update"]),
        ]),
        Role(kind: "ClusterRole", name: "admin", rules: [
            PolicyRule(apiGroups: [image], resources: imageResources, verbs: write),
            PolicyRule(apiGroups: [image], resources: ["imagestreams/layers"], verbs: ["get", "update"]),
            PolicyRule(apiGroups: [rbac], resources: ["roles", "rolebindings"], verbs: write),
        ]),
        Role(kind: "ClusterRole", name: "edit", rules: [
            PolicyRule(apiGroups: [image], resources: imageResources, verbs: write),
            PolicyRule(apiGroups: [image], resources: ["imagestreams/layers"], verbs: ["get", "update"]),
        ]),
        Role(kind: "ClusterRole", name: "view", rules: [
            PolicyRule(apiGroups: [image], resources: ["imagestreams", "imagestreams/status", "imagestreamtags", "imagetags",
                                                       "imagestreamimages"], verbs: read),
            PolicyRule(apiGroups: [image], resources: ["imagestreams/layers"], verbs: ["get"]),
        ]),
    ]

    public static func role(named name: String) -> Role? { all.first { $0.metadata.name == name } }

    /// The bootstrap identity's binding to `cluster-admin`.
    public static let adminUser = "admin"
    public static let adminBinding = RoleBinding(kind: "ClusterRoleBinding", name: "wharf:admin",
                                                 roleRef: .init(kind: "ClusterRole", name: "cluster-admin"),
                                                 subjects: [.init(kind: "User", name: adminUser)])
}
