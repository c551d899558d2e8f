import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel
import WharfTesting

@Suite("Image API over HTTP: what a push records, mappings, reads and Status errors")
struct ImageAPITests {
    static let api = "/apis/image.openshift.io/v1"

    @Test("A push by tag creates the stream and the Image with metadata derived from the manifest and config")
    func pushRecordsImage() async throws {
        try await Wire.test { wire in
            let (manifest, digest) = try await wire.pushImage("test/origin-ruby-sample", reference: "latest")
            let stream = try await wire.send(.get, "\(Self.api)/namespaces/test/imagestreams/origin-ruby-sample")
            #expect(stream.status == .ok)
            #expect(stream.json["kind"] as? String == "ImageStream")
            let status = try #require(stream.json["status"] as? [String: Any])
            #expect(status["dockerImageRepository"] as? String == "\(WharfTestServer.registryHostname)/test/origin-ruby-sample")
            let tags = try #require(status["tags"] as? [[String: Any]])
            #expect(tags.map { $0["tag"] as? String } == ["latest"])
            let event = try #require((tags[0]["items"] as? [[String: Any]])?.first)
            #expect(event["image"] as? String == digest.description)
            #expect(event["dockerImageReference"] as? String == "\(WharfTestServer.registryHostname)/test/origin-ruby-sample@\(digest)")
            #expect((event["created"] as? String).flatMap { Time(rfc3339: $0) } != nil)
            #expect(event["generation"] as? Int == 1)

            let image = try await wire.send(.get, "\(Self.api)/images/\(digest)")
            #expect(image.status == .ok)
            #expect(image.json["dockerImageMetadataVersion"] as? String == "1.0")
            #expect(image.json["dockerImageManifestMediaType"] as? String == MediaType.ociManifest)
            #expect(image.json["dockerImageManifest"] == nil)
            let annotations = try #require((image.json["metadata"] as? [String: Any])?["annotations"] as? [String: String])
            #expect(annotations["openshift.io/image.managed"] == "true")
            let layers = try #require(image.json["dockerImageLayers"] as? [[String: Any]])
            let layer = Fixtures.bytes(1001, seed: 1)
            #expect(layers.map { $0["name"] as? String } == [Digest.sha256(of: layer).description])
            #expect(layers.map { $0["size"] as? Int } == [1001])
            let metadata = try #require(image.json["dockerImageMetadata"] as? [String: Any])
            let config = Fixtures.config(seed: 1)
            #expect(metadata["kind"] as? String == "DockerImage")
            #expect(metadata["apiVersion"] as? String == "image.openshift.io/1.0")
            #expect(metadata["Id"] as? String == Digest.sha256(of: config).description)
            #expect(metadata["Architecture"] as? String == "amd64")
            #expect(metadata["Created"] as? String == "2016-01-29T13:40:00Z")
            #expect(metadata["Size"] as? Int == config.count + 1001)
            let dockerConfig = try #require(metadata["Config"] as? [String: Any])
            #expect(dockerConfig["Cmd"] as? [String] == ["/usr/libexec/s2i/run"])
            #expect(dockerConfig["Entrypoint"] as? [String] == ["container-entrypoint"])
            #expect(dockerConfig["User"] as? String == "1001")
            #expect(dockerConfig["WorkingDir"] as? String == "/opt/app-root/src")
            #expect((dockerConfig["Labels"] as? [String: String])?["build-date"] == "2015-12-23")
            #expect((dockerConfig["ExposedPorts"] as? [String: Any])?.keys.first == "8080/tcp")
            _ = manifest
        }
    }

    @Test("A new image on the same tag is prepended; pushing the same image again adds no event")
    func history() async throws {
        try await Wire.test { wire in
            let (_, first) = try await wire.pushImage("ns/app", reference: "latest", seed: 1)
            let (_, second) = try await wire.pushImage("ns/app", reference: "latest", seed: 2)
            let before = try await wire.send(.get, "\(Self.api)/namespaces/ns/imagestreams/app")
            let items = Self.items(before)
            #expect(items == [second.description, first.description])
            try await wire.pushImage("ns/app", reference: "latest", seed: 2)
            let after = try await wire.send(.get, "\(Self.api)/namespaces/ns/imagestreams/app")
            #expect(Self.items(after) == items)
            #expect(Self.resourceVersion(after) == Self.resourceVersion(before))
        }
    }

    static func items(_ response: TestResponse) -> [String] {
        let tags = (response.json["status"] as? [String: Any])?["tags"] as? [[String: Any]]
        return (tags?.first?["items"] as? [[String: Any]])?.compactMap { $0["image"] as? String } ?? []
    }

    static func resourceVersion(_ response: TestResponse) -> String? {
        (response.json["metadata"] as? [String: Any])?["resourceVersion"] as? String
    }

    @Test("The seed mapping (YAML) tags test/origin-ruby-sample:latest once the stream exists")
    func seedMapping() async throws {
        let yaml = try Fixtures.seedMapping()
        try await Wire.test { wire in
            let missing = try await wire.send(.post, "\(Self.api)/namespaces/test/imagestreammappings",
                                              headers: ["Content-Type": "application/yaml"], body: yaml)
            #expect(missing.status == .notFound)
            #expect(missing.json["kind"] as? String == "Status")
            #expect(missing.json["reason"] as? String == "NotFound")
            #expect(missing.json["message"] as? String == "imagestreams.image.openshift.io \"origin-ruby-sample\" not found")
            let images = try await wire.send(.get, "\(Self.api)/images")
            #expect((images.json["items"] as? [Any])?.isEmpty == true, "no image is created when the stream is missing")

            let create = try await wire.send(.post, "\(Self.api)/namespaces/test/imagestreams", headers: ["Content-Type": "application/json"],
                                             body: Array(#"{"apiVersion":"image.openshift.io/v1","kind":"ImageStream","metadata":{"name":"origin-ruby-sample"}}"#.utf8))
            #expect(create.status == .created)
            let mapped = try await wire.send(.post, "\(Self.api)/namespaces/test/imagestreammappings",
                                             headers: ["Content-Type": "application/yaml"], body: yaml)
            #expect(mapped.status == .created)
            #expect(mapped.json["status"] as? String == "Success")
            #expect(mapped.json["code"] as? Int == 201)

            let digest = "sha256:47463d94eb5c049b2d23b03a9530bf944f8f967a0fe79147dd6b9135bf7dd13d"
            let image = try await wire.send(.get, "\(Self.api)/images/\(digest)")
            #expect(image.status == .ok)
            let metadata = try #require(image.json["dockerImageMetadata"] as? [String: Any])
            #expect(((metadata["Config"] as? [String: Any])?["Labels"] as? [String: String])?["build-date"] == "2015-12-23")
            #expect(metadata["Size"] as? Int == 441_976_279)
            #expect(metadata["Id"] as? String == "9d7fd5e2d15495802028c569d544329f4286dcd1c9c085ff5699218dbaa69b43")
            #expect((image.json["dockerImageLayers"] as? [Any])?.count == 7)
            let tag = try await wire.send(.get, "\(Self.api)/namespaces/test/imagestreamtags/origin-ruby-sample:latest")
            #expect(tag.status == .ok)
            #expect((tag.json["image"] as? [String: Any]).flatMap { ($0["metadata"] as? [String: Any])?["name"] as? String } == digest)
            #expect(tag.json["tag"] is NSNull)

            let again = try await wire.send(.post, "\(Self.api)/namespaces/test/imagestreammappings",
                                            headers: ["Content-Type": "application/yaml"], body: yaml)
            #expect(again.status == .created)
            let stream = try await wire.send(.get, "\(Self.api)/namespaces/test/imagestreams/origin-ruby-sample")
            #expect(Self.items(stream) == [digest])
        }
    }

    @Test("Mapping validation: a missing tag and image name are 422 Invalid with causes")
    func mappingInvalid() async throws {
        try await Wire.test { wire in
            let body = Array(#"{"kind":"ImageStreamMapping","apiVersion":"image.openshift.io/v1","metadata":{"name":"s"},"image":{}}"#.utf8)
            let response = try await wire.send(.post, "\(Self.api)/namespaces/ns/imagestreammappings", body: body)
            #expect(response.status == .unprocessableContent)
            #expect(response.json["reason"] as? String == "Invalid")
            let causes = ((response.json["details"] as? [String: Any])?["causes"] as? [[String: Any]])?.compactMap { $0["field"] as? String }
            #expect(causes == ["tag", "image.metadata.name", "image.dockerImageReference"])
            let badTag = Array(#"{"metadata":{"name":"s"},"tag":"-bad","image":{"metadata":{"name":"x"},"dockerImageReference":"r@x"}}"#.utf8)
            let badTagResponse = try await wire.send(.post, "\(Self.api)/namespaces/ns/imagestreammappings", body: badTag)
            #expect(badTagResponse.status == .unprocessableContent)
            #expect(((badTagResponse.json["details"] as? [String: Any])?["causes"] as? [[String: Any]])?.first?["field"] as? String == "tag")
            #expect(try await wire.send(.get, "\(Self.api)/namespaces/ns/imagestreamtags/app:-bad").status == .unprocessableContent)
            let wrongNamespace = Array(#"{"metadata":{"name":"s","namespace":"other"},"tag":"t","image":{}}"#.utf8)
            #expect(try await wire.send(.post, "\(Self.api)/namespaces/ns/imagestreammappings", body: wrongNamespace).status == .badRequest)
            let malformed = try await wire.send(.post, "\(Self.api)/namespaces/ns/imagestreammappings", body: Array("{".utf8))
            #expect(malformed.status == .badRequest)
            #expect(malformed.json["reason"] as? String == "BadRequest")
        }
    }

    @Test("Streams: create, conflict, invalid names, list in a namespace and across namespaces")
    func streams() async throws {
        try await Wire.test { wire in
            func create(_ namespace: String, _ name: String) async throws -> TestResponse {
                try await wire.send(.post, "\(Self.api)/namespaces/\(namespace)/imagestreams",
                                    body: Array(#"{"kind":"ImageStream","apiVersion":"image.openshift.io/v1","metadata":{"name":"\#(name)"}}"#.utf8))
            }
            let created = try await create("b", "one")
            #expect(created.status == .created)
            #expect((created.json["metadata"] as? [String: Any])?["generation"] as? Int == 1)
            #expect((created.json["metadata"] as? [String: Any])?["uid"] as? String != nil)
            #expect((created.json["spec"] as? [String: Any])?["lookupPolicy"] as? [String: Bool] == ["local": false])
            #expect(try await create("a", "two").status == .created)
            let duplicate = try await create("b", "one")
            #expect(duplicate.status == .conflict)
            #expect(duplicate.json["reason"] as? String == "AlreadyExists")
            let invalid = try await create("b", "Bad_Name")
            #expect(invalid.status == .unprocessableContent)
            #expect(invalid.json["reason"] as? String == "Invalid")
            #expect(try await create("b", String(repeating: "x", count: 64)).status == .unprocessableContent)
            #expect(try await create(String(repeating: "n", count: 64), "x").status == .unprocessableContent)

            let all = try await wire.send(.get, "\(Self.api)/imagestreams")
            #expect(all.json["kind"] as? String == "ImageStreamList")
            let names = (all.json["items"] as? [[String: Any]])?.compactMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
            #expect(names == ["two", "one"])
            let inB = try await wire.send(.get, "\(Self.api)/namespaces/b/imagestreams")
            #expect((inB.json["items"] as? [Any])?.count == 1)
            // A field selector makes the LIST decode every item; without one it answers the stored documents.
            let decoded = try await wire.send(.get, "\(Self.api)/imagestreams?fieldSelector=metadata.name!=none")
            #expect(decoded.status == .ok && all.bytes == decoded.bytes)
            let missing = try await wire.send(.get, "\(Self.api)/namespaces/b/imagestreams/none")
            #expect(missing.status == .notFound)
            #expect(((missing.json["details"] as? [String: Any])?["kind"]) as? String == "imagestreams")
        }
    }

    @Test("Images list; imagestreamimages by digest and by unique prefix; imagestreamtags errors")
    func views() async throws {
        try await Wire.test { wire in
            let (_, digest) = try await wire.pushImage("ns/app", reference: "v1")
            let list = try await wire.send(.get, "\(Self.api)/images")
            #expect(list.json["kind"] as? String == "ImageList")
            #expect((list.json["items"] as? [[String: Any]])?.count == 1)
            for id in [digest.description, String(digest.hex.prefix(8)), "sha256:" + digest.hex.prefix(10)] {
                let image = try await wire.send(.get, "\(Self.api)/namespaces/ns/imagestreamimages/app@\(id)")
                #expect(image.status == .ok, "id \(id)")
                #expect((image.json["image"] as? [String: Any]).flatMap { ($0["metadata"] as? [String: Any])?["name"] as? String }
                    == digest.description)
            }
            #expect(try await wire.send(.get, "\(Self.api)/namespaces/ns/imagestreamimages/app@ffff").status == .notFound)
            #expect(try await wire.send(.get, "\(Self.api)/namespaces/ns/imagestreamimages/app").status == .badRequest)
            #expect(try await wire.send(.get, "\(Self.api)/namespaces/ns/imagestreamtags/app").status == .badRequest)
            let noTag = try await wire.send(.get, "\(Self.api)/namespaces/ns/imagestreamtags/app:v9")
            #expect(noTag.status == .notFound)
            #expect(noTag.json["message"] as? String == "imagestreamtags.image.openshift.io \"app:v9\" not found")
            let noStream = try await wire.send(.get, "\(Self.api)/namespaces/ns/imagestreamtags/none:v1")
            #expect(noStream.json["message"] as? String == "imagestreams.image.openshift.io \"none\" not found")
        }
    }

    @Test("Unknown paths are 404 and unsupported methods 405, both as Status objects")
    func routing() async throws {
        try await Wire.test { wire in
            let unknown = try await wire.send(.get, "\(Self.api)/widgets")
            #expect(unknown.status == .notFound)
            #expect(unknown.json["kind"] as? String == "Status")
            let method = try await wire.send(.get, "\(Self.api)/namespaces/ns/imagestreammappings")
            #expect(method.status == .methodNotAllowed)
            #expect(method.json["reason"] as? String == "MethodNotAllowed")
        }
    }
}

import Foundation

@Suite("A stream serves the images tagged into it from other streams, and only those")
struct CrossStreamTests {
    @Test("An image stream tag copied from another stream is pullable by tag and digest, with its blobs")
    func taggedAcross() async throws {
        try await Wire.test { wire in
            let (bytes, digest) = try await wire.pushImage("ns/source", reference: "latest")
            let tag = try await wire.json(.post, "namespaces/ns/imagestreamtags",
                                          #"{"metadata":{"name":"copy:v1"},"tag":{"from":{"kind":"ImageStreamTag","name":"source:latest"}}}"#)
            #expect(tag.status == .created)
            let byTag = try await wire.send(.get, "/v2/ns/copy/manifests/v1", headers: ["Accept": MediaType.ociManifest])
            #expect(byTag.status == .ok)
            #expect(byTag.bytes == bytes)
            #expect(try await wire.send(.get, "/v2/ns/copy/manifests/\(digest)").status == .ok)
            let layer = Digest.sha256(of: Fixtures.bytes(1001, seed: 1))
            #expect(try await wire.send(.get, "/v2/ns/copy/blobs/\(layer)").status == .ok)
            let stranger = try await wire.pushBlob(Fixtures.bytes(77, seed: 9), to: "ns/source")
            #expect(try await wire.send(.get, "/v2/ns/copy/blobs/\(stranger)").ociCode == "BLOB_UNKNOWN")
            #expect(try await wire.send(.get, "/v2/ns/elsewhere/blobs/\(layer)").ociCode == "BLOB_UNKNOWN")
        }
    }
}
