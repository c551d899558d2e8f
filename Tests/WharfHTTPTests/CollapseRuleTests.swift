import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel

@Suite("Mappings follow OpenShift's collapse rules (reference §3.2), over HTTP")
struct CollapseRuleTests {
    static let a = Digests.named("a"), b = Digests.named("b")

    static func items(_ wire: Wire) async throws -> [[String: Any]] {
        let stream = try await wire.json(.get, "namespaces/ns/imagestreams/app")
        return (stream.value("status.tags.0.items") as? [[String: Any]]) ?? []
    }

    @Test("Same reference, image and generation: nothing is written and the resourceVersion stays")
    func identical() async throws {
        try await Wire.test { wire in
            try await wire.createStream("ns", "app")
            #expect(try await wire.map("ns", "app", tag: "t", image: Self.a, reference: "r@\(Self.a)").status == .created)
            let before = try await wire.json(.get, "namespaces/ns/imagestreams/app").resourceVersion
            #expect(try await wire.map("ns", "app", tag: "t", image: Self.a, reference: "r@\(Self.a)").status == .created)
            #expect(try await wire.json(.get, "namespaces/ns/imagestreams/app").resourceVersion == before)
            #expect(try await Self.items(wire).count == 1)
        }
    }

    @Test("Same reference and image under a new stream generation: the newest event's generation is updated in place")
    func newGeneration() async throws {
        try await Wire.test { wire in
            try await wire.createStream("ns", "app")
            try await wire.map("ns", "app", tag: "t", image: Self.a, reference: "r@\(Self.a)")
            let created = try await Self.items(wire)[0]["created"] as? String
            let patch = try await wire.json(.patch, "namespaces/ns/imagestreams/app", #"{"spec":{"tags":[{"name":"x","from":{"kind":"DockerImage","name":"q.io/a:b"}}]}}"#,
                                            contentType: "application/merge-patch+json")
            #expect(patch.value("metadata.generation") as? Int == 2)
            try await wire.map("ns", "app", tag: "t", image: Self.a, reference: "r@\(Self.a)")
            let items = try await Self.items(wire)
            #expect(items.count == 1)
            #expect(items[0]["generation"] as? Int == 2)
            #expect(items[0]["created"] as? String == created)
        }
    }

    @Test("Same reference, new image: the newest event's image is replaced; new reference, same image: its reference is")
    func replacements() async throws {
        try await Wire.test { wire in
            try await wire.createStream("ns", "app")
            try await wire.map("ns", "app", tag: "t", image: Self.a, reference: "shared")
            try await wire.map("ns", "app", tag: "t", image: Self.b, reference: "shared")
            var items = try await Self.items(wire)
            #expect(items.count == 1)
            #expect(items[0]["image"] as? String == Self.b)
            try await wire.map("ns", "app", tag: "t", image: Self.b, reference: "moved@\(Self.b)")
            items = try await Self.items(wire)
            #expect(items.count == 1)
            #expect(items[0]["dockerImageReference"] as? String == "moved@\(Self.b)")
        }
    }

    @Test("New reference and new image: the event is prepended, newest first")
    func prepend() async throws {
        try await Wire.test { wire in
            try await wire.createStream("ns", "app")
            try await wire.map("ns", "app", tag: "t", image: Self.a, reference: "r@\(Self.a)")
            try await wire.map("ns", "app", tag: "t", image: Self.b, reference: "r@\(Self.b)")
            #expect(try await Self.items(wire).map { $0["image"] as? String } == [Self.b, Self.a])
        }
    }

    @Test("An existing managed image is referenced through this stream's repository")
    func managedReference() async throws {
        try await Wire.test { wire in
            try await wire.createStream("ns", "app")
            try await wire.createStream("ns", "other")
            try await wire.map("ns", "other", tag: "t", image: Self.a, reference: "elsewhere/x@\(Self.a)", managed: true)
            try await wire.map("ns", "app", tag: "t", image: Self.a, reference: "elsewhere/x@\(Self.a)", managed: true)
            #expect(try await Self.items(wire).first?["dockerImageReference"] as? String
                == "\(WharfTestServerHost.name)/ns/app@\(Self.a)")
        }
    }

    @Test("Tags that track the mapped tag receive the same event")
    func tracking() async throws {
        try await Wire.test { wire in
            try await wire.createStream("ns", "app", spec: #"{"tags":[{"name":"stable","from":{"kind":"ImageStreamTag","name":"latest"}}]}"#)
            try await wire.map("ns", "app", tag: "latest", image: Self.a, reference: "r@\(Self.a)")
            let stable = try await wire.json(.get, "namespaces/ns/imagestreamtags/app:stable")
            #expect(stable.status == .ok)
            #expect(stable.value("image.metadata.name") as? String == Self.a)
        }
    }
}

import WharfTesting

enum WharfTestServerHost {
    static let name = WharfTestServer.registryHostname
    static let adminToken = WharfTestServer.adminToken
}
