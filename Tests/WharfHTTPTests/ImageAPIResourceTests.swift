import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel

@Suite("The rest of image.openshift.io/v1: layers, secrets, image tags, imports, signatures, image writes")
struct ImageAPIResourceTests {
    static let api = "/apis/image.openshift.io/v1"

    @Test("imagestreams/layers lists every blob and image the stream references; secrets is an empty SecretList")
    func layers() async throws {
        try await Wire.test { wire in
            let (_, digest) = try await wire.pushImage("ns/app", reference: "latest")
            let layers = try await wire.json(.get, "namespaces/ns/imagestreams/app/layers")
            #expect(layers.status == .ok)
            #expect(layers.json["kind"] as? String == "ImageStreamLayers")
            let layer = Digest.sha256(of: Fixtures.bytes(1001, seed: 1)).description
            #expect((layers.json["blobs"] as? [String: Any])?[layer] != nil)
            let images = try #require(layers.json["images"] as? [String: [String: Any]])
            #expect(images[digest.description]?["layers"] as? [String] == [layer])
            #expect(images[digest.description]?["config"] as? String == Digest.sha256(of: Fixtures.config(seed: 1)).description)
            let secrets = try await wire.json(.get, "namespaces/ns/imagestreams/app/secrets")
            #expect(secrets.json["kind"] as? String == "SecretList")
            #expect(try await wire.json(.get, "namespaces/ns/imagestreams/none/layers").status == .notFound)
        }
    }

    @Test("ImageTags: create needs spec, get shows spec and status, update with spec null removes the spec tag, delete")
    func imageTags() async throws {
        try await Wire.test { wire in
            try await wire.pushImage("ns/app", reference: "latest")
            let noSpec = try await wire.json(.post, "namespaces/ns/imagetags", #"{"metadata":{"name":"app:v1"}}"#)
            #expect(noSpec.status == .unprocessableContent)
            #expect(noSpec.value("details.causes.0.field") as? String == "spec")
            let created = try await wire.json(.post, "namespaces/ns/imagetags",
                                              #"{"metadata":{"name":"app:v1"},"spec":{"from":{"kind":"ImageStreamTag","name":"latest"}}}"#)
            #expect(created.status == .created)
            #expect(created.value("spec.name") as? String == "v1")
            #expect(created.value("status.tag") as? String == "v1")
            #expect(created.value("image.metadata.name") as? String != nil)
            #expect(try await wire.json(.post, "namespaces/ns/imagetags",
                                        #"{"metadata":{"name":"app:v1"},"spec":{"from":{"kind":"ImageStreamTag","name":"latest"}}}"#).status == .conflict)
            let pushed = try await wire.json(.get, "namespaces/ns/imagetags/app:latest")
            #expect(pushed.json["spec"] is NSNull)
            #expect(pushed.value("status.tag") as? String == "latest")
            let list = try await wire.json(.get, "namespaces/ns/imagetags")
            #expect((list.json["items"] as? [[String: Any]])?.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String } == ["app:latest", "app:v1"])
            let cleared = try await wire.json(.put, "namespaces/ns/imagetags/app:v1", #"{"metadata":{"name":"app:v1"},"spec":null}"#)
            #expect(cleared.status == .ok)
            #expect(cleared.json["spec"] is NSNull)
            #expect(try await wire.json(.delete, "namespaces/ns/imagetags/app:v1").status == .ok)
            #expect(try await wire.json(.get, "namespaces/ns/imagetags/app:v1").status == .notFound)
            #expect(try await wire.json(.get, "namespaces/ns/imagetags?watch=1").status == .methodNotAllowed)
        }
    }

    @Test("ImageStreamImports are validated and answered per image with an honest Failure")
    func imports() async throws {
        try await Wire.test { wire in
            let empty = try await wire.json(.post, "namespaces/ns/imagestreamimports", #"{"metadata":{"name":"app"},"spec":{}}"#)
            #expect(empty.status == .unprocessableContent)
            let wrongKind = try await wire.json(.post, "namespaces/ns/imagestreamimports",
                                                #"{"metadata":{"name":"app"},"spec":{"images":[{"from":{"kind":"ImageStreamTag","name":"x:y"}}]}}"#)
            #expect(wrongKind.status == .unprocessableContent)
            let answered = try await wire.json(.post, "namespaces/ns/imagestreamimports",
                                               #"{"metadata":{"name":"app"},"spec":{"import":true,"images":[{"from":{"kind":"DockerImage","name":"quay.io/a/b:1"},"to":{"name":"one"}}]}}"#)
            #expect(answered.status == .created)
            #expect(answered.value("status.images.0.status.status") as? String == "Failure")
            #expect((answered.value("status.images.0.status.message") as? String)?.contains("not supported") == true)
            #expect(answered.value("status.images.0.tag") as? String == "one")
            #expect(try await wire.json(.get, "namespaces/ns/imagestreams/app").status == .notFound)
        }
    }

    @Test("ImageSignatures are added to and removed from their Image")
    func signatures() async throws {
        try await Wire.test { wire in
            let (_, digest) = try await wire.pushImage("ns/app", reference: "latest")
            let content = Data("signed".utf8).base64EncodedString()
            let body = #"{"metadata":{"name":"\#(digest)@sig1"},"type":"AtomicImageV1","content":"\#(content)"}"#
            let created = try await wire.json(.post, "imagesignatures", body)
            #expect(created.status == .created)
            #expect(try await wire.json(.post, "imagesignatures", body).status == .conflict)
            let image = try await wire.json(.get, "images/\(digest)")
            #expect((image.json["signatures"] as? [[String: Any]])?.first?["type"] as? String == "AtomicImageV1")
            #expect(try await wire.json(.post, "imagesignatures", #"{"metadata":{"name":"nope"},"type":"","content":""}"#).status
                == .unprocessableContent)
            #expect(try await wire.json(.delete, "imagesignatures/\(digest)@sig1").status == .ok)
            #expect(try await wire.json(.delete, "imagesignatures/\(digest)@sig1").status == .notFound)
            #expect((try await wire.json(.get, "images/\(digest)").json["signatures"] as? [Any])?.isEmpty ?? true)
        }
    }

    @Test("Images: POST creates, PUT keeps content immutable but changes labels and the reference, DELETE removes")
    func imageWrites() async throws {
        try await Wire.test { wire in
            let name = Digests.named("c")
            let created = try await wire.json(.post, "images", #"""
                {"metadata":{"name":"\#(name)"},"dockerImageReference":"quay.io/a/b@\#(name)",
                 "dockerImageLayers":[{"name":"\#(Digests.named("d"))","size":5,"mediaType":"x"}]}
                """#)
            #expect(created.status == .created)
            #expect(try await wire.json(.post, "images", #"{"metadata":{"name":"\#(name)"},"dockerImageReference":"r@x"}"#).status == .conflict)
            var image = created.json
            image["metadata"] = (image["metadata"] as? [String: Any] ?? [:]).merging(["labels": ["team": "a"]]) { $1 }
            image["dockerImageReference"] = "quay.io/moved/b@\(name)"
            image["dockerImageLayers"] = [] as [Any]
            let body = String(decoding: try JSONSerialization.data(withJSONObject: image), as: UTF8.self)
            let updated = try await wire.json(.put, "images/\(name)", body)
            #expect(updated.status == .ok)
            #expect(updated.value("metadata.labels.team") as? String == "a")
            #expect(updated.json["dockerImageReference"] as? String == "quay.io/moved/b@\(name)")
            #expect((updated.json["dockerImageLayers"] as? [Any])?.count == 1)
            #expect(try await wire.json(.delete, "images/\(name)").status == .ok)
            #expect(try await wire.json(.get, "images/\(name)").status == .notFound)
        }
    }
}
