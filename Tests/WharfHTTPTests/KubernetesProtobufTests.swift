import Testing
import WharfModel
@testable import WharfHTTP

@Suite("Protobuf bodies from kubectl decode to the same objects as JSON")
struct KubernetesProtobufTests {
    /// A length-delimited field.
    static func field(_ number: Int, _ bytes: [UInt8]) -> [UInt8] {
        var out = varint(UInt64(number << 3 | 2))
        out += varint(UInt64(bytes.count)) + bytes
        return out
    }

    static func field(_ number: Int, _ text: String) -> [UInt8] { field(number, Array(text.utf8)) }

    static func varint(_ value: UInt64) -> [UInt8] {
        var value = value, out: [UInt8] = []
        repeat {
            var byte = UInt8(value & 0x7f)
            value >>= 7
            if value != 0 { byte |= 0x80 }
            out.append(byte)
        } while value != 0
        return out
    }

    static func envelope(apiVersion: String, kind: String, _ raw: [UInt8]) -> [UInt8] {
        Array("k8s".utf8) + [0] + field(1, field(1, apiVersion) + field(2, kind)) + field(2, raw)
    }

    @Test("A RoleBinding as kubectl create rolebinding sends it")
    func roleBinding() throws {
        let meta = Self.field(1, "pull-bob") + Self.field(3, "team") + Self.field(11, Self.field(1, "app") + Self.field(2, "web"))
        let subject = Self.field(1, "User") + Self.field(2, "rbac.authorization.k8s.io") + Self.field(3, "bob") + Self.field(4, "")
        let roleRef = Self.field(1, "rbac.authorization.k8s.io") + Self.field(2, "ClusterRole") + Self.field(3, "system:image-puller")
        let body = Self.envelope(apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding",
                                 Self.field(1, meta) + Self.field(2, subject) + Self.field(3, roleRef))
        let binding = try KubernetesProtobuf.decode(body).decode(RoleBinding.self)
        #expect(binding.metadata.name == "pull-bob")
        #expect(binding.metadata.namespace == "team")
        #expect(binding.metadata.labels == ["app": "web"])
        #expect(binding.subjects == [RoleBinding.Subject(kind: "User", name: "bob")])
        #expect(binding.roleRef == RoleBinding.RoleRef(kind: "ClusterRole", name: "system:image-puller"))
    }

    @Test("A ClusterRole and a SelfSubjectAccessReview; fields Wharf does not declare are skipped, numbers stay numbers")
    func roleAndReview() throws {
        let rule = Self.field(1, "get") + Self.field(1, "list") + Self.field(2, "image.openshift.io") + Self.field(3, "imagestreams")
        let meta = Self.field(1, "reader") + [7 << 3, 3] + Self.field(8, Self.field(1, "ignored timestamp"))
        let role = try KubernetesProtobuf.decode(Self.envelope(apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole",
                                                               Self.field(1, meta) + Self.field(2, rule) + Self.field(3, "aggregation")))
        #expect(role.value(at: "metadata.generation") == .int(3))
        let decoded = try role.decode(Role.self)
        #expect(decoded.metadata.name == "reader")
        #expect(decoded.rules == [PolicyRule(apiGroups: ["image.openshift.io"], resources: ["imagestreams"], verbs: ["get", "list"])])
        let attributes = Self.field(1, "team") + Self.field(2, "update") + Self.field(3, "image.openshift.io") + Self.field(5, "imagestreams")
            + Self.field(6, "layers")
        let review = try KubernetesProtobuf.decode(Self.envelope(apiVersion: "authorization.k8s.io/v1", kind: "SelfSubjectAccessReview",
                                                                 Self.field(2, Self.field(1, attributes))))
        #expect(review.value(at: "spec.resourceAttributes.subresource") == .string("layers"))
        #expect(review.value(at: "spec.resourceAttributes.verb") == .string("update"))
        #expect(review.value(at: "kind") == .string("SelfSubjectAccessReview"))
    }

    @Test("Malformed envelopes and unknown kinds are refused")
    func refusals() {
        #expect(throws: WharfError.self) { try KubernetesProtobuf.decode(Array("{}".utf8)) }
        #expect(throws: WharfError.self) { try KubernetesProtobuf.decode(Array("k8s".utf8) + [0, 0x0a, 0x7f]) }
        #expect(throws: WharfError.self) {
            try KubernetesProtobuf.decode(Self.envelope(apiVersion: "v1", kind: "Pod", Self.field(1, Self.field(1, "p"))))
        }
    }
}
