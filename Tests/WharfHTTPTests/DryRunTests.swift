import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel

/// `dryRun=All` runs a write and stores nothing; any other value is refused; no value is a real write.
@Suite("dryRun: validated like a write, nothing stored")
struct DryRunTests {
    @Test("Create, update, patch and delete of streams with dryRun=All change nothing, on memory and on SQLite")
    func streams() async throws {
        for live in [false, true] {
            try await (live ? Wire.testLive : Wire.test) { wire in
                let stream = #"{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"app"}}"#
                let created = try await wire.json(.post, "namespaces/ns/imagestreams?dryRun=All", stream)
                #expect(created.status == .created)
                #expect(created.value("metadata.name") as? String == "app")
                #expect(try await wire.json(.get, "namespaces/ns/imagestreams/app").status == .notFound)
                let before = try await wire.json(.get, "namespaces/ns/imagestreams").resourceVersion

                let real = try await wire.createStream("ns", "app")
                let version = try #require(real.resourceVersion)
                let patched = try await wire.json(.patch, "namespaces/ns/imagestreams/app?dryRun=All", #"{"metadata":{"labels":{"a":"b"}}}"#,
                                                  contentType: "application/merge-patch+json")
                #expect(patched.status == .ok)
                #expect(patched.value("metadata.labels.a") as? String == "b")
                var body = real.json
                body["metadata"] = (body["metadata"] as? [String: Any] ?? [:]).merging(["labels": ["c": "d"]]) { $1 }
                let text = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
                #expect(try await wire.json(.put, "namespaces/ns/imagestreams/app?dryRun=All", text).status == .ok)
                let deleted = try await wire.json(.delete, "namespaces/ns/imagestreams/app?dryRun=All")
                #expect(deleted.status == .ok)
                // kubectl delete --dry-run=server sends the option in its DeleteOptions body.
                let options = #"{"kind":"DeleteOptions","apiVersion":"v1","propagationPolicy":"Background","dryRun":["All"]}"#
                #expect(try await wire.json(.delete, "namespaces/ns/imagestreams/app", options).status == .ok)
                #expect(try await wire.json(.delete, "namespaces/ns/imagestreams?dryRun=All").status == .ok)

                let after = try await wire.json(.get, "namespaces/ns/imagestreams/app")
                #expect(after.status == .ok)
                #expect(after.resourceVersion == version)
                #expect(after.value("metadata.labels") == nil)
                // No resourceVersion was used up by the dry runs: the list moved only for the real create.
                let now = try await wire.json(.get, "namespaces/ns/imagestreams").resourceVersion
                #expect(now.flatMap { Int($0) } == before.flatMap { Int($0) }.map { $0 + 1 })
            }
        }
    }

    @Test("A dry run still validates: invalid objects and conflicts are refused as for a real write")
    func validates() async throws {
        try await Wire.test { wire in
            let invalid = try await wire.json(.post, "namespaces/ns/imagestreams?dryRun=All", #"{"metadata":{"name":"Bad_Name"}}"#)
            #expect(invalid.status == .unprocessableContent)
            try await wire.createStream("ns", "app")
            #expect(try await wire.createStream("ns", "app").reason == "AlreadyExists")
            let again = try await wire.json(.post, "namespaces/ns/imagestreams?dryRun=All", #"{"metadata":{"name":"app"}}"#)
            #expect(again.reason == "AlreadyExists")
        }
    }

    @Test("Mappings, image stream tags, images, role bindings and tokens honour dryRun=All")
    func otherResources() async throws {
        try await Wire.test { wire in
            try await wire.createStream("ns", "app")
            let mapping = #"""
                {"kind":"ImageStreamMapping","apiVersion":"image.openshift.io/v1","metadata":{"name":"app"},"tag":"latest",
                 "image":{"metadata":{"name":"\#(Digests.named("a"))"},"dockerImageReference":"example.com/ns/app@\#(Digests.named("a"))"}}
                """#
            #expect(try await wire.json(.post, "namespaces/ns/imagestreammappings?dryRun=All", mapping).status == .created)
            #expect(try await wire.json(.get, "images/\(Digests.named("a"))").status == .notFound)
            #expect(try await wire.json(.get, "namespaces/ns/imagestreamtags/app:latest").status == .notFound)

            let binding = #"""
                {"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"pull"},
                 "roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:image-puller"},
                 "subjects":[{"kind":"User","name":"bob"}]}
                """#
            let rbac = "/apis/rbac.authorization.k8s.io/v1/namespaces/ns/rolebindings"
            #expect(try await wire.json(.post, "\(rbac)?dryRun=All", binding).status == .created)
            #expect(try await wire.json(.get, "\(rbac)/pull").status == .notFound)

            let token = #"{"metadata":{"name":"ci"},"spec":{"user":"ci"}}"#
            let created = try await wire.json(.post, "/apis/wharf.dev/v1/tokens?dryRun=All", token)
            #expect(created.status == .created)
            let secret = try #require(created.value("status.token") as? String)
            #expect(try await wire.as(secret).send(.get, "/v2/").status == .unauthorized)
            let tokens = try await wire.json(.get, "/apis/wharf.dev/v1/tokens")
            #expect(!tokens.text.contains("\"ci\""))
        }
    }

    @Test("dryRun values other than All are 400, and reads ignore it")
    func unsupportedValues() async throws {
        try await Wire.test { wire in
            for value in ["true", "all", "None", ""] {
                let response = try await wire.json(.post, "namespaces/ns/imagestreams?dryRun=\(value)", #"{"metadata":{"name":"app"}}"#)
                #expect(response.status == .badRequest, "dryRun=\(value)")
                #expect((response.json["message"] as? String)?.contains("supported values: \"All\"") == true)
            }
            #expect(try await wire.json(.get, "namespaces/ns/imagestreams/app").status == .notFound)
            #expect(try await wire.json(.get, "namespaces/ns/imagestreams?dryRun=All").status == .ok)
            try await wire.createStream("ns", "kept")
            for options in [#"{"dryRun":["Some"]}"#, #"{"dryRun":"All"}"#, #"{"dryRun":[1]}"#] {
                #expect(try await wire.json(.delete, "namespaces/ns/imagestreams/kept", options).status == .badRequest, "\(options)")
            }
            #expect(try await wire.json(.get, "namespaces/ns/imagestreams/kept").status == .ok)
        }
    }
}
