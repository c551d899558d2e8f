import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel

/// Personas with their tokens, set up by the admin: role bindings in namespace `team` (and `other`), and the pruner
/// cluster-wide.
struct Personas {
    static let all = ["anonymous", "puller", "pusher", "builder", "outsider", "pruner", "admin"]

    let wire: Wire
    var tokens: [String: String?] = ["anonymous": nil]
    var manifest: [UInt8] = []
    var digest = Digest.sha256(of: [])
    var layer: [UInt8] = []

    static func setUp(_ wire: Wire) async throws -> Personas {
        var personas = Personas(wire: wire)
        personas.tokens["admin"] = wire.token
        let bindings: [(String, String, String?)] = [("puller", "system:image-puller", "team"), ("pusher", "system:image-pusher", "team"),
                                                     ("builder", "system:image-builder", "team"), ("outsider", "system:image-puller", "other"),
                                                     ("pruner", "system:image-pruner", nil)]
        for (user, role, namespace) in bindings {
            let token = try await wire.json(.post, "/apis/wharf.dev/v1/tokens", #"{"metadata":{"name":"\#(user)-token"},"spec":{"user":"\#(user)"}}"#)
            #expect(token.status == .created)
            personas.tokens[user] = token.value("status.token") as? String
            let subjects = #"[{"kind":"User","apiGroup":"rbac.authorization.k8s.io","name":"\#(user)"}]"#
            let roleRef = #"{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"\#(role)"}"#
            if let namespace {
                let binding = try await wire.json(.post, "/apis/rbac.authorization.k8s.io/v1/namespaces/\(namespace)/rolebindings",
                                                  #"{"metadata":{"name":"\#(user)"},"roleRef":\#(roleRef),"subjects":\#(subjects)}"#)
                #expect(binding.status == .created)
            } else {
                let binding = try await wire.json(.post, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
                                                  #"{"metadata":{"name":"\#(user)"},"roleRef":\#(roleRef),"subjects":\#(subjects)}"#)
                #expect(binding.status == .created)
            }
        }
        let pushed = try await wire.pushImage("team/app", reference: "latest")
        personas.manifest = pushed.bytes
        personas.digest = pushed.digest
        personas.layer = Fixtures.bytes(1001, seed: 1)
        return personas
    }

    func send(_ persona: String, _ method: HTTPRequest.Method, _ path: String, body: [UInt8]? = nil,
              headers: [String: String] = [:]) async throws -> TestResponse {
        try await wire.as(tokens[persona] ?? nil).send(method, path, headers: headers, body: body)
    }

    /// Checks that a refused response carries none of the protected content.
    func expectNoLeak(_ response: TestResponse, _ what: String) {
        let text = response.text
        #expect(!text.contains("schemaVersion"), "\(what) leaked a manifest")
        #expect(!response.bytes.starts(with: layer.prefix(64)), "\(what) leaked blob bytes")
    }
}

@Suite("Authorization matrix: every /v2 endpoint and image API verb, as every persona")
struct AuthorizationMatrixTests {
    static let read: [String: HTTPResponse.Status] = ["anonymous": .unauthorized, "puller": .ok, "pusher": .ok, "builder": .ok,
                                                      "outsider": .forbidden, "pruner": .forbidden, "admin": .ok]
    static let write: [String: HTTPResponse.Status] = ["anonymous": .unauthorized, "puller": .forbidden, "pusher": .accepted,
                                                       "builder": .accepted, "outsider": .forbidden, "pruner": .forbidden, "admin": .accepted]

    @Test("Reads of /v2 need get imagestreams/layers in the namespace; refusals leak nothing")
    func registryReads() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            let layer = Digest.sha256(of: personas.layer)
            let paths = ["/v2/team/app/manifests/latest", "/v2/team/app/manifests/\(personas.digest)", "/v2/team/app/blobs/\(layer)",
                         "/v2/team/app/tags/list", "/v2/team/app/referrers/\(personas.digest)"]
            for persona in Personas.all {
                for path in paths {
                    for method in [HTTPRequest.Method.get, .head] where !(method == .head && (path.hasSuffix("list") || path.contains("referrers"))) {
                        let response = try await personas.send(persona, method, path)
                        #expect(response.status == Self.read[persona], "\(persona) \(method) \(path): \(response.status)")
                        if response.status != .ok {
                            personas.expectNoLeak(response, "\(persona) \(method) \(path)")
                            if persona == "anonymous" {
                                #expect(response.header("WWW-Authenticate")?.hasPrefix("Bearer realm=\"http://") == true)
                                #expect(response.header("WWW-Authenticate")?.contains("scope=\"repository:team/app:pull\"") == true)
                            } else if method == .get {
                                #expect(response.ociCode == "DENIED")
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("/v2/ answers 401 with a challenge to callers without credentials, 200 to any caller with valid ones")
    func base() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            for persona in Personas.all {
                let response = try await personas.send(persona, .get, "/v2/")
                #expect(response.status == (persona == "anonymous" ? .unauthorized : .ok), "\(persona)")
            }
            #expect(try await wire.as("anonymous").send(.get, "/v2/").status == .ok)
            let bad = try await wire.as("wharf_not-a-token").send(.get, "/v2/")
            #expect(bad.status == .unauthorized)
            #expect(bad.ociCode == "UNAUTHORIZED")
            let basic = try await wire.as(nil).send(.get, "/v2/", headers: ["Authorization": "Basic " + Data("anyone:\(WharfTestServerHost.adminToken)".utf8).base64EncodedString()])
            #expect(basic.status == .ok)
        }
    }

    @Test("Pushes need update imagestreams/layers; creating a stream on push also needs create imagestreams")
    func registryWrites() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            for persona in Personas.all {
                let response = try await personas.send(persona, .post, "/v2/team/app/blobs/uploads/")
                #expect(response.status == Self.write[persona], "\(persona) POST upload: \(response.status)")
                let layerDigest = Digest.sha256(of: personas.layer)
                let put = try await personas.send(persona, .put, "/v2/team/app/manifests/\(persona)", body: personas.manifest,
                                                  headers: ["Content-Type": MediaType.ociManifest])
                let expected: HTTPResponse.Status = Self.write[persona] == .accepted ? .created : Self.write[persona]!
                #expect(put.status == expected, "\(persona) PUT manifest: \(put.status)")
                let fresh = try await personas.send(persona, .put, "/v2/team/new-\(persona)/manifests/latest", body: personas.manifest,
                                                    headers: ["Content-Type": MediaType.ociManifest])
                let mayCreate = persona == "builder" || persona == "admin"
                #expect(fresh.status == (mayCreate ? .badRequest : expected == .created ? .forbidden : expected),
                        "\(persona) PUT to a new stream: \(fresh.status) \(fresh.text)")
                _ = layerDigest
            }
        }
    }

    @Test("Deletes need the pruner's right to delete images")
    func registryDeletes() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            for persona in ["anonymous", "puller", "pusher", "builder", "outsider"] {
                let response = try await personas.send(persona, .delete, "/v2/team/app/manifests/\(personas.digest)")
                #expect(response.status == (persona == "anonymous" ? .unauthorized : .forbidden), "\(persona)")
                let blob = try await personas.send(persona, .delete, "/v2/team/app/blobs/\(Digest.sha256(of: personas.layer))")
                #expect(blob.status == (persona == "anonymous" ? .unauthorized : .forbidden), "\(persona)")
            }
            // The manifest first: a blob a manifest of the repository uses cannot be deleted.
            #expect(try await personas.send("pruner", .delete, "/v2/team/app/manifests/\(personas.digest)").status == .accepted)
            #expect(try await personas.send("pruner", .delete, "/v2/team/app/blobs/\(Digest.sha256(of: personas.layer))").status == .accepted)
        }
    }

    @Test("_catalog shows only the namespaces where the caller may list image streams")
    func catalog() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            try await wire.pushImage("other/thing", reference: "latest", seed: 2)
            #expect(try await personas.send("admin", .get, "/v2/_catalog").json["repositories"] as? [String] == ["other/thing", "team/app"])
            #expect(try await personas.send("puller", .get, "/v2/_catalog").json["repositories"] as? [String] == [])
            try await wire.json(.post, "/apis/rbac.authorization.k8s.io/v1/namespaces/other/rolebindings",
                                #"{"metadata":{"name":"viewer"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"view"},"subjects":[{"kind":"User","name":"puller"}]}"#)
            #expect(try await personas.send("puller", .get, "/v2/_catalog").json["repositories"] as? [String] == ["other/thing"])
        }
    }

    @Test("The image API applies RBAC to every verb")
    func imageAPI() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            let api = "/apis/image.openshift.io/v1"
            let cases: [(HTTPRequest.Method, String, String?, [String: HTTPResponse.Status])] = [
                (.get, "\(api)/namespaces/team/imagestreams", nil, ["admin": .ok, "pruner": .ok]),
                (.get, "\(api)/namespaces/team/imagestreams/app", nil, ["admin": .ok, "pruner": .ok]),
                (.get, "\(api)/imagestreams", nil, ["admin": .ok, "pruner": .ok]),
                (.get, "\(api)/images", nil, ["admin": .ok, "pruner": .ok]),
                (.get, "\(api)/images/\(personas.digest)", nil, ["admin": .ok, "pruner": .ok]),
                (.get, "\(api)/namespaces/team/imagestreamtags/app:latest", nil, ["admin": .ok]),
                (.post, "\(api)/namespaces/team/imagestreams", #"{"metadata":{"name":"made-by-PERSONA"}}"#, ["admin": .created, "builder": .created]),
                (.patch, "\(api)/namespaces/team/imagestreams/app", #"{"metadata":{"labels":{"x":"PERSONA"}}}"#, ["admin": .ok]),
                (.delete, "\(api)/namespaces/team/imagestreamtags/app:PERSONA", nil, ["admin": .notFound]),
            ]
            for (method, path, body, allowed) in cases {
                for persona in Personas.all {
                    let response = try await personas.send(persona, method, path.replacingOccurrences(of: "PERSONA", with: persona),
                                                            body: body.map { Array($0.replacingOccurrences(of: "PERSONA", with: persona).utf8) },
                                                            headers: method == .patch ? ["Content-Type": "application/merge-patch+json"] : [:])
                    let expected = allowed[persona] ?? (persona == "anonymous" ? .unauthorized : .forbidden)
                    #expect(response.status == expected, "\(persona) \(method) \(path): \(response.status) \(response.text.prefix(200))")
                    if expected == .forbidden || expected == .unauthorized {
                        #expect(response.json["kind"] as? String == "Status")
                        #expect(!response.text.contains("dockerImageManifest"))
                    }
                }
            }
        }
    }

    @Test("kubectl auth can-i: SelfSubjectAccessReview answers for the caller")
    func selfSubjectAccessReview() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            func canI(_ persona: String, _ verb: String) async throws -> Bool? {
                let body = #"{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"team","verb":"\#(verb)","group":"image.openshift.io","resource":"imagestreams","subresource":"layers","name":"app"}}}"#
                return try await personas.send(persona, .post, "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body: Array(body.utf8))
                    .value("status.allowed") as? Bool
            }
            #expect(try await canI("puller", "get") == true)
            #expect(try await canI("puller", "update") == false)
            #expect(try await canI("pusher", "update") == true)
            #expect(try await canI("outsider", "get") == false)
            #expect(try await canI("admin", "update") == true)
        }
    }

    @Test("Tokens: stored only as hashes, listed without secrets, revoked at once")
    func tokens() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            let list = try await wire.json(.get, "/apis/wharf.dev/v1/tokens")
            #expect(!list.text.contains(personas.tokens["puller"]!!))
            #expect(!list.text.contains("token-hash"))
            let own = try await personas.send("puller", .get, "/apis/wharf.dev/v1/tokens")
            #expect((own.json["items"] as? [Any])?.count == 1)
            #expect(try await personas.send("puller", .get, "/v2/team/app/tags/list").status == .ok)
            #expect(try await wire.json(.delete, "/apis/wharf.dev/v1/tokens/puller-token").status == .ok)
            let gone = try await wire.json(.delete, "/apis/wharf.dev/v1/tokens/puller-token")
            #expect(gone.status == .notFound)
            #expect(gone.value("details.group") as? String == "wharf.dev")
            #expect(gone.json["message"] as? String == "tokens.wharf.dev \"puller-token\" not found")
            let binding = try await wire.json(.get, "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings/none")
            #expect(binding.value("details.group") as? String == "rbac.authorization.k8s.io")
            let namespace = try await wire.json(.get, "/api/v1/namespaces/none")
            #expect(namespace.json["message"] as? String == "namespaces \"none\" not found")
            #expect(namespace.value("details.group") == nil)
            #expect(try await personas.send("puller", .get, "/v2/team/app/tags/list").status == .unauthorized)
            let forOther = try await personas.send("pusher", .post, "/apis/wharf.dev/v1/tokens",
                                                   body: Array(#"{"metadata":{"name":"sneaky"},"spec":{"user":"admin"}}"#.utf8))
            #expect(forOther.status == .forbidden)
        }
    }
}

@Suite("Authorization matrix, continued: upload sessions, mounts, anonymous bindings and the remaining image API verbs")
struct AuthorizationMatrixMoreTests {
    @Test("Upload status, chunks, completion and cancel need push rights on the session's repository")
    func uploadSessions() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            let start = try await wire.send(.post, "/v2/team/app/blobs/uploads/")
            let location = try #require(start.header("Location"))
            let bytes: [UInt8] = [1, 2, 3]
            for persona in ["anonymous", "puller", "outsider", "pruner"] {
                let expected: HTTPResponse.Status = persona == "anonymous" ? .unauthorized : .forbidden
                #expect(try await personas.send(persona, .get, location).status == expected, "\(persona) GET session")
                #expect(try await personas.send(persona, .patch, location, body: bytes).status == expected, "\(persona) PATCH")
                #expect(try await personas.send(persona, .put, "\(location)?digest=\(Digest.sha256(of: bytes))").status == expected, "\(persona) PUT")
                #expect(try await personas.send(persona, .delete, location).status == expected, "\(persona) DELETE session")
            }
            #expect(try await personas.send("pusher", .patch, location, body: bytes).status == .accepted)
            #expect(try await personas.send("pusher", .get, location).status == .noContent)
            #expect(try await personas.send("pusher", .put, "\(location)?digest=\(Digest.sha256(of: bytes))").status == .created)
        }
    }

    @Test("A mount needs pull rights on the source; without them it falls back to a new session")
    func mounts() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            let layer = Digest.sha256(of: personas.layer)
            try await wire.json(.post, "/apis/rbac.authorization.k8s.io/v1/namespaces/elsewhere/rolebindings",
                                #"{"metadata":{"name":"p"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:image-pusher"},"subjects":[{"kind":"User","name":"outsider"},{"kind":"User","name":"pusher"}]}"#)
            let denied = try await personas.send("outsider", .post, "/v2/elsewhere/x/blobs/uploads/?mount=\(layer)&from=team/app")
            #expect(denied.status == .accepted)
            #expect(try await personas.send("outsider", .get, "/v2/elsewhere/x/blobs/\(layer)").status == .notFound)
            let allowed = try await personas.send("pusher", .post, "/v2/elsewhere/y/blobs/uploads/?mount=\(layer)&from=team/app")
            #expect(allowed.status == .created)
        }
    }

    @Test("A mount without from finds the blob only in repositories the caller may read")
    func automaticMounts() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            let layer = Digest.sha256(of: personas.layer)
            try await wire.json(.post, "/apis/rbac.authorization.k8s.io/v1/namespaces/elsewhere/rolebindings",
                                #"{"metadata":{"name":"p"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:image-pusher"},"subjects":[{"kind":"User","name":"outsider"},{"kind":"User","name":"pusher"}]}"#)
            let denied = try await personas.send("outsider", .post, "/v2/elsewhere/x/blobs/uploads/?mount=\(layer)")
            #expect(denied.status == .accepted, "outsider may not read team/app, the only repository with the blob")
            #expect(try await personas.send("outsider", .get, "/v2/elsewhere/x/blobs/\(layer)").status == .notFound)
            let allowed = try await personas.send("pusher", .post, "/v2/elsewhere/y/blobs/uploads/?mount=\(layer)")
            #expect(allowed.status == .created)
            #expect(allowed.header("Location") == "/v2/elsewhere/y/blobs/\(layer)")
            #expect(try await personas.send("pusher", .get, "/v2/elsewhere/y/blobs/\(layer)").status == .ok)
        }
    }

    @Test("Anonymous callers get what a binding for system:unauthenticated grants, and nothing more")
    func anonymousBinding() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            #expect(try await personas.send("anonymous", .get, "/v2/team/app/manifests/latest").status == .unauthorized)
            try await wire.json(.post, "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings",
                                #"{"metadata":{"name":"public"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:image-puller"},"subjects":[{"kind":"Group","name":"system:unauthenticated"}]}"#)
            #expect(try await personas.send("anonymous", .get, "/v2/team/app/manifests/latest").status == .ok)
            #expect(try await wire.as("anonymous").send(.get, "/v2/team/app/manifests/latest").status == .ok)
            #expect(try await personas.send("anonymous", .post, "/v2/team/app/blobs/uploads/").status == .unauthorized)
            let token = try await wire.as(nil).send(.get, "/openshift/token")
            #expect(token.json["token"] as? String == "anonymous")
        }
    }

    @Test("Update, watch, deletecollection and image creation are checked like every other verb")
    func moreVerbs() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            let api = "/apis/image.openshift.io/v1"
            let stream = try await wire.json(.get, "\(api)/namespaces/team/imagestreams/app")
            let body = Array(String(decoding: stream.bytes, as: UTF8.self).utf8)
            for persona in ["anonymous", "puller", "pusher", "outsider"] {
                let expected: HTTPResponse.Status = persona == "anonymous" ? .unauthorized : .forbidden
                #expect(try await personas.send(persona, .put, "\(api)/namespaces/team/imagestreams/app", body: body).status == expected)
                #expect(try await personas.send(persona, .get, "\(api)/namespaces/team/imagestreams?watch=1&timeoutSeconds=1").status == expected)
                #expect(try await personas.send(persona, .delete, "\(api)/namespaces/team/imagestreams").status == expected)
                #expect(try await personas.send(persona, .post, "\(api)/images", body: Array(#"{"metadata":{"name":"x"},"dockerImageReference":"r@x"}"#.utf8))
                    .status == expected)
                #expect(try await personas.send(persona, .post, "\(api)/namespaces/team/imagestreammappings", body: Array("{}".utf8)).status == expected)
            }
            #expect(try await personas.send("admin", .put, "\(api)/namespaces/team/imagestreams/app", body: body).status == .ok)
            #expect(try await personas.send("pruner", .get, "\(api)/images?watch=1&timeoutSeconds=1").status == .ok)
        }
    }
}

@Suite("Spec tags may copy from other namespaces only when the author may pull there")
struct CrossNamespaceTagTests {
    @Test("A tag from a namespace the caller cannot read is Forbidden; with pull rights it resolves")
    func crossNamespace() async throws {
        try await Wire.test { wire in
            let personas = try await Personas.setUp(wire)
            try await wire.pushImage("secret/vault", reference: "latest", seed: 5)
            try await wire.json(.post, "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings",
                                #"{"metadata":{"name":"editor"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"edit"},"subjects":[{"kind":"User","name":"builder"}]}"#)
            let body = Array(#"{"metadata":{"name":"app:stolen"},"tag":{"from":{"kind":"ImageStreamTag","namespace":"secret","name":"vault:latest"}}}"#.utf8)
            let refused = try await personas.send("builder", .post, "/apis/image.openshift.io/v1/namespaces/team/imagestreamtags", body: body)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.value("details.causes.0.reason") as? String == "FieldValueForbidden")
            #expect(try await personas.send("builder", .get, "/v2/team/app/manifests/stolen").status == .notFound)
            try await wire.json(.post, "/apis/rbac.authorization.k8s.io/v1/namespaces/secret/rolebindings",
                                #"{"metadata":{"name":"reader"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"system:image-puller"},"subjects":[{"kind":"User","name":"builder"}]}"#)
            let allowed = try await personas.send("builder", .post, "/apis/image.openshift.io/v1/namespaces/team/imagestreamtags", body: body)
            #expect(allowed.status == .created)
            #expect(try await personas.send("builder", .get, "/v2/team/app/manifests/stolen").status == .ok)
        }
    }
}
