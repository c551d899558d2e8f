import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel

@Suite("Kubernetes conventions: discovery, errors, concurrency, selectors, pages, patches, watches, tables")
struct KubernetesConventionTests {
    @Test("Discovery documents: /version, /api, /api/v1, /apis and the group's resources with verbs and short names")
    func discovery() async throws {
        try await Wire.test { wire in
            #expect(try await wire.send(.get, "/version").json["major"] as? String == "1")
            #expect(try await wire.send(.get, "/version/openshift").status == .notFound)
            #expect(try await wire.send(.get, "/api").json["versions"] as? [String] == ["v1"])
            let core = try await wire.send(.get, "/api/v1")
            #expect((core.json["resources"] as? [[String: Any]])?.compactMap { $0["name"] as? String }.contains("namespaces") == true)
            let groups = try await wire.send(.get, "/apis")
            #expect(groups.value("groups.0.name") as? String == "image.openshift.io")
            #expect(groups.value("groups.0.preferredVersion.groupVersion") as? String == "image.openshift.io/v1")
            let resources = try await wire.send(.get, "/apis/image.openshift.io/v1")
            let rows = try #require(resources.json["resources"] as? [[String: Any]])
            func row(_ name: String) -> [String: Any]? { rows.first { $0["name"] as? String == name } }
            #expect(row("imagestreams")?["verbs"] as? [String] == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
            #expect(row("imagestreams")?["shortNames"] as? [String] == ["is"])
            #expect(row("imagestreams")?["categories"] as? [String] == ["all"])
            #expect(row("imagestreamtags")?["shortNames"] as? [String] == ["istag"])
            #expect(row("imagetags")?["shortNames"] as? [String] == ["itag"])
            #expect(row("imagestreamimages")?["shortNames"] as? [String] == ["isimage"])
            #expect(row("images")?["namespaced"] as? Bool == false)
            #expect(row("imagestreammappings")?["verbs"] as? [String] == ["create"])
            #expect(row("imagestreams/status")?["verbs"] as? [String] == ["get", "patch", "update"])
            let openapi = try await wire.send(.get, "/openapi/v3")
            let url = ((openapi.json["paths"] as? [String: Any])?["apis/image.openshift.io/v1"] as? [String: Any])?["serverRelativeURL"] as? String
            let document = try await wire.send(.get, try #require(url))
            let paths = document.json["paths"] as? [String: Any]
            let patch = (paths?["/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams/{name}"] as? [String: Any])?["patch"] as? [String: Any]
            #expect((patch?["parameters"] as? [[String: Any]])?.contains { $0["name"] as? String == "fieldValidation" } == true)
        }
    }

    @Test("Errors: NotFound, AlreadyExists, Conflict, Invalid, BadRequest and MethodNotAllowed as Status objects")
    func errors() async throws {
        try await Wire.test { wire in
            let created = try await wire.createStream("ns", "app")
            let missing = try await wire.json(.get, "namespaces/ns/imagestreams/nope")
            #expect(missing.status == .notFound)
            #expect(missing.json["message"] as? String == "imagestreams.image.openshift.io \"nope\" not found")
            #expect(missing.value("details.kind") as? String == "imagestreams")
            #expect(missing.value("details.group") as? String == "image.openshift.io")
            #expect(try await wire.createStream("ns", "app").reason == "AlreadyExists")

            var stream = created.json
            stream["metadata"] = (stream["metadata"] as? [String: Any] ?? [:]).merging(["labels": ["a": "b"]]) { $1 }
            let body = String(decoding: try JSONSerialization.data(withJSONObject: stream), as: UTF8.self)
            #expect(try await wire.json(.put, "namespaces/ns/imagestreams/app", body).status == .ok)
            let stale = try await wire.json(.put, "namespaces/ns/imagestreams/app", body)
            #expect(stale.status == .conflict)
            #expect(stale.reason == "Conflict")
            #expect((stale.json["message"] as? String)?.hasPrefix("Operation cannot be fulfilled on imagestreams.image.openshift.io \"app\"") == true)

            let noVersion = try await wire.json(.put, "namespaces/ns/imagestreams/app", #"{"metadata":{"name":"app"}}"#)
            #expect(noVersion.status == .unprocessableContent)
            #expect(noVersion.value("details.causes.0.field") as? String == "metadata.resourceVersion")
            let versionOnCreate = try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":"x","resourceVersion":"5"}}"#)
            #expect(versionOnCreate.status == .badRequest)
            #expect(versionOnCreate.reason == "BadRequest")
            #expect(versionOnCreate.json["message"] as? String == "resourceVersion should not be set on objects to be created")
            let wrongName = try await wire.json(.put, "namespaces/ns/imagestreams/app", #"{"metadata":{"name":"other","resourceVersion":"1"}}"#)
            #expect(wrongName.status == .badRequest)
            #expect(wrongName.json["message"] as? String == "the name of the object (other) does not match the name on the URL (app)")
            let wrongNamespace = try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":"y","namespace":"other"}}"#)
            #expect(wrongNamespace.status == .badRequest)
            let invalid = try await wire.createStream("ns", "app", spec: #"{"tags":[{"name":"t","from":{"kind":"Bogus","name":"x"}}]}"#)
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.value("details.kind") as? String == "ImageStream")
            #expect(invalid.value("details.causes.0.field") as? String == "spec.tags[t].from.kind")
            let watchTags = try await wire.json(.get, "namespaces/ns/imagestreamtags?watch=1")
            #expect(watchTags.status == .methodNotAllowed)
            #expect(watchTags.json["message"] as? String == "watch is not supported on resources of kind \"imagestreamtags.image.openshift.io\"")
            #expect(try await wire.json(.put, "namespaces/ns/imagestreammappings/x", "{}").status == .methodNotAllowed)
            #expect(try await wire.json(.patch, "namespaces/ns/imagestreams/app", "{}", contentType: "text/plain").status == .unsupportedMediaType)
            #expect(try await wire.json(.get, "namespaces/ns/widgets").status == .notFound)
            #expect(try await wire.json(.get, "namespaces/ns/imagestreamtags/app").status == .badRequest)
            #expect(try await wire.json(.get, "namespaces/ns/imagestreamimages/app").status == .badRequest)
        }
    }

    @Test("Updates: status is ignored on the main resource, generation moves only with the spec, no-op updates keep the resourceVersion")
    func updates() async throws {
        try await Wire.test { wire in
            let created = try await wire.createStream("ns", "app")
            #expect(created.value("metadata.generation") as? Int == 1)
            let labels = try await wire.json(.patch, "namespaces/ns/imagestreams/app", #"{"metadata":{"labels":{"team":"a"}}}"#,
                                             contentType: "application/merge-patch+json")
            #expect(labels.value("metadata.generation") as? Int == 1)
            let same = try await wire.json(.patch, "namespaces/ns/imagestreams/app", #"{"metadata":{"labels":{"team":"a"}}}"#,
                                           contentType: "application/merge-patch+json")
            #expect(same.resourceVersion == labels.resourceVersion)
            let spec = try await wire.json(.patch, "namespaces/ns/imagestreams/app",
                                           #"{"spec":{"tags":[{"name":"ext","from":{"kind":"DockerImage","name":"quay.io/a/b:1"},"reference":true}]}}"#,
                                           contentType: "application/merge-patch+json")
            #expect(spec.value("metadata.generation") as? Int == 2)
            #expect(spec.value("spec.tags.0.generation") as? Int == 2)
            #expect(spec.value("status.tags.0.items.0.dockerImageReference") as? String == "quay.io/a/b:1")
            let ignored = try await wire.json(.patch, "namespaces/ns/imagestreams/app", #"{"status":{"tags":[]}}"#,
                                              contentType: "application/merge-patch+json")
            #expect((ignored.value("status.tags") as? [Any])?.count == 1)
            let status = try await wire.json(.patch, "namespaces/ns/imagestreams/app/status", #"{"status":{"tags":null}}"#,
                                             contentType: "application/merge-patch+json")
            #expect(status.value("status.tags") == nil)
            #expect(status.value("metadata.generation") as? Int == 2)
        }
    }

    @Test("PATCH: JSON patch, merge patch and strategic merge with merge keys on spec.tags")
    func patches() async throws {
        try await Wire.test { wire in
            try await wire.createStream("ns", "app", spec: #"{"tags":[{"name":"a","from":{"kind":"DockerImage","name":"q.io/x:a"}}]}"#)
            let strategic = try await wire.json(.patch, "namespaces/ns/imagestreams/app",
                                                #"{"spec":{"tags":[{"name":"b","from":{"kind":"DockerImage","name":"q.io/x:b"}}]}}"#,
                                                contentType: "application/strategic-merge-patch+json")
            #expect((strategic.value("spec.tags") as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["a", "b"])
            let delete = try await wire.json(.patch, "namespaces/ns/imagestreams/app", #"{"spec":{"tags":[{"name":"a","$patch":"delete"}]}}"#,
                                             contentType: "application/strategic-merge-patch+json")
            #expect((delete.value("spec.tags") as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["b"])
            let merge = try await wire.json(.patch, "namespaces/ns/imagestreams/app",
                                            #"{"spec":{"tags":[{"name":"c","from":{"kind":"DockerImage","name":"q.io/x:c"}}]}}"#,
                                            contentType: "application/merge-patch+json")
            #expect((merge.value("spec.tags") as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["c"])
            let json = try await wire.json(.patch, "namespaces/ns/imagestreams/app",
                                           #"[{"op":"add","path":"/metadata/annotations","value":{"k":"v"}},{"op":"test","path":"/metadata/name","value":"app"}]"#,
                                           contentType: "application/json-patch+json")
            #expect(json.value("metadata.annotations.k") as? String == "v")
            let failed = try await wire.json(.patch, "namespaces/ns/imagestreams/app", #"[{"op":"test","path":"/metadata/name","value":"x"}]"#,
                                             contentType: "application/json-patch+json")
            #expect(failed.status == .unprocessableContent)
        }
    }

    @Test("LIST: label selectors (all operators), field selectors, unknown fields rejected, limit and continue")
    func listing() async throws {
        try await Wire.test { wire in
            for (name, labels) in [("a", #"{"tier":"web","env":"prod"}"#), ("b", #"{"tier":"db"}"#), ("c", "{}")] {
                try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":"\#(name)","labels":\#(labels)}}"#)
            }
            func names(_ query: String) async throws -> [String] {
                let list = try await wire.json(.get, "namespaces/ns/imagestreams?\(query)")
                return (list.json["items"] as? [[String: Any]])?.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String } ?? []
            }
            #expect(try await names("labelSelector=tier%3Dweb") == ["a"])
            #expect(try await names("labelSelector=tier!%3Dweb") == ["b", "c"])
            #expect(try await names("labelSelector=tier%20in%20(web,db)") == ["a", "b"])
            #expect(try await names("labelSelector=tier%20notin%20(web)") == ["b", "c"])
            #expect(try await names("labelSelector=env") == ["a"])
            #expect(try await names("labelSelector=!tier") == ["c"])
            #expect(try await names("labelSelector=tier,env%3D%3Dprod") == ["a"])
            #expect(try await names("fieldSelector=metadata.name%3Db") == ["b"])
            #expect(try await names("fieldSelector=status.dockerImageRepository%3D\(WharfTestServerHost.name)/ns/c") == ["c"])
            let unknown = try await wire.json(.get, "namespaces/ns/imagestreams?fieldSelector=spec.foo%3Dx")
            #expect(unknown.status == .badRequest)
            #expect((unknown.json["message"] as? String)?.contains("is not a known field selector") == true)
            let first = try await wire.json(.get, "namespaces/ns/imagestreams?limit=2")
            let token = try #require(first.value("metadata.continue") as? String)
            #expect((first.json["items"] as? [Any])?.count == 2)
            try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":"aa"}}"#)
            let second = try await wire.json(.get, "namespaces/ns/imagestreams?limit=2&continue=\(token)")
            #expect((second.json["items"] as? [[String: Any]])?.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String } == ["c"])
            #expect(second.value("metadata.resourceVersion") as? String == first.value("metadata.resourceVersion") as? String)
            // A token holds all the next page needs (any replica answers it, and again), until the rest changes.
            let again = try await wire.json(.get, "namespaces/ns/imagestreams?limit=2&continue=\(token)")
            #expect(again.value("items.0.metadata.name") as? String == "c")
            #expect(try await wire.json(.delete, "namespaces/ns/imagestreams/c").status == .ok)
            let expired = try await wire.json(.get, "namespaces/ns/imagestreams?limit=2&continue=\(token)")
            #expect(expired.status == .gone)
            #expect(expired.reason == "Expired")
        }
    }

    @Test("WATCH: ADDED replay, MODIFIED and DELETED from a resourceVersion, bookmarks and selectors")
    func watch() async throws {
        try await Wire.test { wire in
            let created = try await wire.createStream("ns", "app")
            let start = try #require(created.resourceVersion)
            try await wire.json(.patch, "namespaces/ns/imagestreams/app", #"{"metadata":{"labels":{"x":"y"}}}"#, contentType: "application/merge-patch+json")
            try await wire.pushImage("ns/app", reference: "latest")
            try await wire.createStream("ns", "other")
            try await wire.json(.delete, "namespaces/ns/imagestreams/other")
            let replay = try await wire.json(.get, "namespaces/ns/imagestreams?watch=1&timeoutSeconds=1")
            #expect(replay.events.map { $0["type"] as? String } == ["ADDED"])
            let changes = try await wire.json(.get, "namespaces/ns/imagestreams?watch=true&resourceVersion=\(start)&timeoutSeconds=1")
            #expect(changes.events.map { $0["type"] as? String } == ["MODIFIED", "MODIFIED", "ADDED", "DELETED"])
            #expect((changes.events[1]["object"] as? [String: Any]).flatMap { ($0["status"] as? [String: Any])?["tags"] } != nil)
            let selected = try await wire.json(.get, "namespaces/ns/imagestreams?watch=1&resourceVersion=\(start)&timeoutSeconds=1&fieldSelector=metadata.name%3Dother")
            #expect(selected.events.map { $0["type"] as? String } == ["ADDED", "DELETED"])
            let images = try await wire.json(.get, "images?watch=1&resourceVersion=\(start)&timeoutSeconds=1")
            #expect(images.events.map { $0["type"] as? String } == ["ADDED"])
            let bookmarks = try await wire.json(.get, "namespaces/ns/imagestreams?watch=1&resourceVersion=\(start)&timeoutSeconds=2&allowWatchBookmarks=true&labelSelector=none")
            #expect(bookmarks.events.last?["type"] as? String == "BOOKMARK")
        }
    }

    @Test("Tables: kubectl's columns for image streams")
    func tables() async throws {
        try await Wire.test { wire in
            try await wire.pushImage("ns/app", reference: "latest")
            let table = try await wire.json(.get, "namespaces/ns/imagestreams",
                                            headers: ["Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"])
            #expect(table.json["kind"] as? String == "Table")
            #expect((table.json["columnDefinitions"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
                == ["Name", "Image Repository", "Tags", "Updated"])
            let cells = table.value("rows.0.cells") as? [String]
            #expect(cells?[0] == "app")
            #expect(cells?[1] == "\(WharfTestServerHost.name)/ns/app")
            #expect(cells?[2] == "latest")
            #expect(cells?[3].hasSuffix(" ago") == true)
            #expect(table.value("rows.0.object.kind") as? String == "PartialObjectMetadata")
            let accept = ["Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"]
            try await wire.json(.put, "namespaces/ns/imagestreamtags/app:mirror",
                                #"{"metadata":{"name":"app:mirror"},"tag":{"from":{"kind":"DockerImage","name":"quay.io/a/b:1"},"reference":true}}"#)
            let tags = try await wire.json(.get, "namespaces/ns/imagetags", headers: accept)
            #expect((tags.json["columnDefinitions"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Name", "Spec", "Status", "History", "Updated"])
            let latest = (tags.json["rows"] as? [[String: Any]])?.first { ($0["cells"] as? [Any])?.first as? String == "app:latest" }?["cells"] as? [Any]
            #expect(latest?[1] as? String == "Push")
            #expect((latest?[2] as? String)?.hasPrefix("image/sha256:") == true)
            #expect(latest?[3] as? Int == 1)
            let mirror = (tags.json["rows"] as? [[String: Any]])?.first { ($0["cells"] as? [Any])?.first as? String == "app:mirror" }?["cells"] as? [Any]
            #expect(mirror?[1] as? String == "Ref")
            #expect(mirror?[2] as? String == "quay.io/a/b:1")
            let digest = try #require(try await wire.json(.get, "namespaces/ns/imagestreamtags/app:latest").value("image.metadata.name") as? String)
            let image = try await wire.json(.get, "namespaces/ns/imagestreamimages/app@\(digest)", headers: accept)
            #expect((image.json["columnDefinitions"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["Name", "Updated", "Image Reference", "Image Name"])
        }
    }

    @Test("Bodies: YAML and legacy apiVersion v1 are accepted; fieldValidation=Strict rejects unknown fields, Warn warns")
    func bodies() async throws {
        try await Wire.test { wire in
            let yaml = try await wire.json(.post, "namespaces/ns/imagestreams", "apiVersion: v1\nkind: ImageStream\nmetadata:\n  name: y\n",
                                           contentType: "application/yaml")
            #expect(yaml.status == .created)
            let strict = try await wire.json(.post, "namespaces/ns/imagestreams?fieldValidation=Strict", #"{"metadata":{"name":"s"},"spek":{"x":1}}"#)
            #expect(strict.status == .badRequest)
            #expect(strict.json["message"] as? String == "strict decoding error: unknown field \"spek\"")
            let warned = try await wire.json(.post, "namespaces/ns/imagestreams", #"{"metadata":{"name":"w"},"spek":{"x":1}}"#)
            #expect(warned.status == .created)
            #expect(warned.header("Warning")?.contains("spek") == true)
            let wrongKind = try await wire.json(.post, "namespaces/ns/imagestreams", #"{"kind":"Image","metadata":{"name":"z"}}"#)
            #expect(wrongKind.status == .badRequest)
        }
    }

    @Test("Namespaces are listed from the streams that exist")
    func namespaces() async throws {
        try await Wire.test { wire in
            try await wire.createStream("one", "a")
            try await wire.createStream("two", "b")
            let list = try await wire.send(.get, "/api/v1/namespaces")
            #expect((list.json["items"] as? [[String: Any]])?.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String } == ["one", "two"])
            #expect(try await wire.send(.get, "/api/v1/namespaces/one").json["kind"] as? String == "Namespace")
            #expect(try await wire.send(.get, "/api/v1/namespaces/three").status == .notFound)
        }
    }

    @Test("Namespaces are read-only: writes are 405 with a reason, and the namespace stays; `ns` is their short name")
    func namespaceWrites() async throws {
        try await Wire.test { wire in
            try await wire.createStream("team", "app")
            let body = #"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team"}}"#
            for (method, path) in [(HTTPRequest.Method.post, "/api/v1/namespaces"), (.put, "/api/v1/namespaces/team"),
                                   (.patch, "/api/v1/namespaces/team"), (.delete, "/api/v1/namespaces/team")] {
                let response = try await wire.json(method, path, method == .delete ? nil : body,
                                                   contentType: method == .patch ? "application/merge-patch+json" : "application/json")
                #expect(response.status == .methodNotAllowed, "\(method) \(path): \(response.text)")
                #expect(response.reason == "MethodNotAllowed")
                #expect(response.headers[.allow] == "GET, HEAD")
            }
            for (method, path, allowed) in [(HTTPRequest.Method.post, "\(Wire.api)/namespaces/team/imagestreamimages/app@x", "GET, HEAD"),
                                            (.get, "\(Wire.api)/namespaces/team/imagestreammappings", "POST"),
                                            (.post, "\(Wire.api)/images/sha256:x", "GET, HEAD, PUT, PATCH, DELETE")] {
                let response = try await wire.json(method, path, method == .get ? nil : "{}")
                #expect(response.status == .methodNotAllowed, "\(path)")
                #expect(response.headers[.allow] == allowed, "\(path)")
            }
            #expect(try await wire.json(.get, "/api/v1/namespaces/team").value("metadata.name") as? String == "team")
            #expect(try await wire.json(.get, "namespaces/team/imagestreams/app").status == .ok)
            let core = try await wire.send(.get, "/api/v1")
            let namespaces = (core.json["resources"] as? [[String: Any]])?.first { $0["name"] as? String == "namespaces" }
            #expect(namespaces?["shortNames"] as? [String] == ["ns"])
        }
    }
}

@Suite("Server-side apply (application/apply-patch+yaml)")
struct ApplyPatchTests {
    @Test("An apply patch creates a missing stream, then merges into it")
    func apply() async throws {
        try await Wire.test { wire in
            let yaml = "apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  name: applied\nspec:\n  tags:\n  - name: one\n    from: {kind: DockerImage, name: \"quay.io/a/b:1\"}\n"
            let created = try await wire.json(.patch, "namespaces/ns/imagestreams/applied?fieldManager=me", yaml, contentType: "application/apply-patch+yaml")
            #expect(created.status == .created)
            #expect(created.value("spec.tags.0.name") as? String == "one")
            let merged = try await wire.json(.patch, "namespaces/ns/imagestreams/applied?fieldManager=me",
                                             "apiVersion: image.openshift.io/v1\nkind: ImageStream\nmetadata:\n  labels:\n    team: a\n",
                                             contentType: "application/apply-patch+yaml")
            #expect(merged.status == .ok)
            #expect(merged.value("metadata.labels.team") as? String == "a")
            #expect(merged.value("spec.tags.0.name") as? String == "one")
        }
    }

    @Test("An apply patch must name its apiVersion and kind, as Kubernetes requires; nothing is created without them")
    func applyNeedsType() async throws {
        try await Wire.test { wire in
            for body in ["{}", "metadata:\n  labels:\n    a: b\n", "apiVersion: image.openshift.io/v1\n", "kind: ImageStream\n"] {
                let response = try await wire.json(.patch, "namespaces/ns/imagestreams/bare", body, contentType: "application/apply-patch+yaml")
                #expect(response.status == .badRequest, "\(body): \(response.text)")
            }
            #expect(try await wire.json(.get, "namespaces/ns/imagestreams/bare").status == .notFound)
        }
    }
}
