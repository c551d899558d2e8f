import HTTPTypes
import Hummingbird
import WharfModel
import WharfVersion

/// The discovery documents kubectl and the Python client read first (reference §1, §11.1).
enum Discovery {
    struct Resource: Encodable {
        var name: String
        var singularName: String
        var namespaced: Bool
        var kind: String
        var verbs: [String]
        var shortNames: [String]?
        var categories: [String]?
    }

    struct ResourceList: Encodable {
        var kind = "APIResourceList"
        var apiVersion = "v1"
        var groupVersion: String
        var resources: [Resource]
    }

    struct GroupVersion: Encodable {
        var groupVersion: String
        var version = "v1"
    }

    struct Group: Encodable {
        var kind: String?
        var apiVersion: String?
        var name: String
        var versions: [GroupVersion]
        var preferredVersion: GroupVersion

        init(_ name: String, kind: String? = nil) {
            self.kind = kind
            self.apiVersion = kind == nil ? nil : "v1"
            self.name = name
            self.versions = [GroupVersion(groupVersion: "\(name)/v1")]
            self.preferredVersion = GroupVersion(groupVersion: "\(name)/v1")
        }
    }

    struct GroupList: Encodable {
        var kind = "APIGroupList"
        var apiVersion = "v1"
        var groups = [Group(ImageAPIGroup.name), Group(RBACGroup.name), Group("authorization.k8s.io"), Group(AccessGroup.name)]
    }

    struct Versions: Encodable {
        struct Address: Encodable {
            var clientCIDR = "0.0.0.0/0"
            var serverAddress: String
        }
        var kind = "APIVersions"
        var versions = ["v1"]
        var serverAddressByClientCIDRs: [Address]
    }

    /// `/version`: the Kubernetes version whose API Wharf serves (kubectl checks its skew against `major` and
    /// `minor`), with Wharf's own release as the build metadata of `gitVersion`, and the commit it was built from.
    struct Version: Encodable {
        var major = "1", minor = "32", gitVersion = "v1.32.0+wharf.\(WharfVersion.version)", gitCommit = WharfVersion.commit
        var gitTreeState = WharfVersion.treeState
        var buildDate = "2026-11-27T00:00:00Z", goVersion = "swift6", compiler = "swift", platform = "linux/amd64"
    }

    static let all = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    static let tagVerbs = ["create", "delete", "get", "list", "patch", "update"]

    /// The resources of `image.openshift.io/v1`, exactly as OpenShift serves them.
    static let imageResources: [Resource] = [
        Resource(name: "images", singularName: "image", namespaced: false, kind: "Image", verbs: all),
        Resource(name: "imagesignatures", singularName: "imagesignature", namespaced: false, kind: "ImageSignature", verbs: ["create", "delete"]),
        Resource(name: "imagestreamimages", singularName: "imagestreamimage", namespaced: true, kind: "ImageStreamImage", verbs: ["get"],
                 shortNames: ["isimage"]),
        Resource(name: "imagestreamimports", singularName: "imagestreamimport", namespaced: true, kind: "ImageStreamImport", verbs: ["create"]),
        Resource(name: "imagestreammappings", singularName: "imagestreammapping", namespaced: true, kind: "ImageStreamMapping", verbs: ["create"]),
        Resource(name: "imagestreams", singularName: "imagestream", namespaced: true, kind: "ImageStream", verbs: all, shortNames: ["is"],
                 categories: ["all"]),
        Resource(name: "imagestreams/layers", singularName: "", namespaced: true, kind: "ImageStreamLayers", verbs: ["get"]),
        Resource(name: "imagestreams/secrets", singularName: "", namespaced: true, kind: "SecretList", verbs: ["get"]),
        Resource(name: "imagestreams/status", singularName: "", namespaced: true, kind: "ImageStream", verbs: ["get", "patch", "update"]),
        Resource(name: "imagestreamtags", singularName: "imagestreamtag", namespaced: true, kind: "ImageStreamTag", verbs: tagVerbs,
                 shortNames: ["istag"]),
        Resource(name: "imagetags", singularName: "imagetag", namespaced: true, kind: "ImageTag", verbs: tagVerbs, shortNames: ["itag"]),
    ]

    /// The core group: namespaces, derived from the image streams that exist, and the create-only image kinds again,
    /// so that kubectl finds objects written with the legacy `apiVersion: v1` (as in the seed document's mapping).
    /// Listable image kinds are left out, so that `kubectl get imagestreams` resolves to `image.openshift.io`.
    static let coreResources: [Resource] = [
        Resource(name: "namespaces", singularName: "namespace", namespaced: false, kind: "Namespace", verbs: ["get", "list"],
                 shortNames: ["ns"]),
    ] + imageResources.filter { $0.verbs == ["create"] }

    static let rbacResources: [Resource] = [
        Resource(name: "clusterrolebindings", singularName: "clusterrolebinding", namespaced: false, kind: "ClusterRoleBinding",
                 verbs: ["create", "delete", "get", "list", "update"]),
        Resource(name: "clusterroles", singularName: "clusterrole", namespaced: false, kind: "ClusterRole", verbs: ["create", "delete", "get", "list", "update"]),
        Resource(name: "rolebindings", singularName: "rolebinding", namespaced: true, kind: "RoleBinding", verbs: ["create", "delete", "get", "list", "update"]),
        Resource(name: "roles", singularName: "role", namespaced: true, kind: "Role", verbs: ["create", "delete", "get", "list", "update"]),
    ]

    static let authorizationResources: [Resource] = [
        Resource(name: "selfsubjectaccessreviews", singularName: "selfsubjectaccessreview", namespaced: false, kind: "SelfSubjectAccessReview",
                 verbs: ["create"]),
    ]

    static let accessResources: [Resource] = [
        Resource(name: "tokens", singularName: "token", namespaced: false, kind: "Token", verbs: ["create", "delete", "list"]),
    ]

    static func add(to router: Router<WharfRequestContext>) {
        router.get("/version") { _, _ in JSONWire.response(Version()) }
        router.get("/api") { request, _ in
            JSONWire.response(Versions(serverAddressByClientCIDRs: [.init(serverAddress: request.head.authority ?? "127.0.0.1")]))
        }
        router.get("/api/v1") { _, _ in JSONWire.response(ResourceList(groupVersion: "v1", resources: coreResources)) }
        router.get("/apis") { _, _ in JSONWire.response(GroupList()) }
        for (group, resources) in [(ImageAPIGroup.name, imageResources), (RBACGroup.name, rbacResources),
                                   ("authorization.k8s.io", authorizationResources), (AccessGroup.name, accessResources)] {
            router.get(RouterPath("/apis/\(group)")) { _, _ in JSONWire.response(Group(group, kind: "APIGroup")) }
            if group != ImageAPIGroup.name {
                router.get(RouterPath("/apis/\(group)/v1")) { _, _ in JSONWire.response(ResourceList(groupVersion: "\(group)/v1", resources: resources)) }
            }
        }
        router.get("/apis/\(ImageAPIGroup.version)") { _, _ in
            JSONWire.response(ResourceList(groupVersion: ImageAPIGroup.version, resources: imageResources))
        }
    }

    /// The methods a path of the image API (or `/api/v1/namespaces`) answers, from the verbs its resource has, for the
    /// `Allow` header of a 405 (RFC 9110 §15.5.6): `GET, HEAD` for reads, `POST` for create, `PUT` for update, `PATCH`
    /// for patch, `DELETE` for delete and deletecollection.
    static func allowedMethods(path: String) -> String {
        let parts = path.split(separator: "/")
        let verbs: [String]
        let object: Bool
        if parts.starts(with: ["api", "v1", "namespaces"]), parts.count <= 4 {
            (verbs, object) = (["get", "list"], parts.count == 4)
        } else if let route = try? APIRoute.parse(path: path) {
            let name = route.resource.rawValue + (route.subresource.map { "/\($0)" } ?? "")
            (verbs, object) = ((imageResources.first { $0.name == name })?.verbs ?? [], route.name != nil)
        } else {
            return "GET, HEAD"
        }
        let methods: [(String, Set<String>)] = object
            ? [("GET", ["get", "watch"]), ("HEAD", ["get", "watch"]), ("PUT", ["update"]), ("PATCH", ["patch"]), ("DELETE", ["delete"])]
            : [("GET", ["list", "watch"]), ("HEAD", ["list", "watch"]), ("POST", ["create"]), ("DELETE", ["deletecollection"])]
        return methods.filter { !$0.1.isDisjoint(with: verbs) }.map(\.0).joined(separator: ", ")
    }
}
