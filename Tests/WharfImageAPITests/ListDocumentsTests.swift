import Foundation
import Testing
import WharfModel
import WharfStorage
@testable import WharfImageAPI

@Suite("LIST answers stored documents as they are when they are current, and the same bytes as decoding them")
struct ListDocumentsTests {
    static func digest(_ n: Int) -> String { "sha256:" + String(repeating: String(n % 10), count: 64) }

    /// Streams in two namespaces with tag history, spec tags (defaulted and sorted on save), labels and an image each.
    static func populated(_ api: ImageAPI) async throws {
        for namespace in ["a", "b"] {
            for n in 0..<3 {
                var stream = ImageStream(metadata: ObjectMeta(name: "app\(n)"))
                stream.metadata.labels = ["n": "\(n)"]
                stream.spec.tags = [TagReference(name: "z", from: ObjectReference(kind: "DockerImage", name: "example.com/x:1")),
                                    TagReference(name: "b", from: ObjectReference(kind: "DockerImage", name: "example.com/y:2"))]
                _ = try await api.createImageStream(stream, namespace: namespace)
                for tag in ["v1", "latest"] {
                    var image = Image(metadata: ObjectMeta(name: digest(n + tag.count)))
                    image.dockerImageReference = "registry.local:5000/\(namespace)/app\(n)@\(digest(n + tag.count))"
                    try await api.createMapping(ImageStreamMapping(metadata: ObjectMeta(name: "app\(n)"), image: image, tag: tag),
                                                namespace: namespace)
                }
            }
        }
    }

    /// The reference for LIST items, computed without the listing code: every stored stream in scope, decoded,
    /// decorated, matched against `options` and encoded, in store order.
    static func decodedItems(_ api: ImageAPI, namespace: String?, matching options: ListOptions = ListOptions()) async throws -> [[UInt8]] {
        let stored = try await api.metadata.read { tx in try await tx.objects.list(kind: Kind.imageStream, namespace: namespace) }
        return try stored.map { api.decorate(try ObjectCodec.decode(ImageStream.self, from: $0.document)) }
            .filter { api.streamKind.matches($0, options) }
            .map { try ObjectCodec.encode($0) }
    }

    static func documentItems(_ api: ImageAPI, namespace: String?, limit: Int?) async throws -> [[UInt8]] {
        var items: [[UInt8]] = [], token: String?
        repeat {
            let page = try await api.imageStreamDocuments(namespace: namespace, options: ListOptions(limit: limit, continueToken: token))
            #expect(page.kind == "ImageStreamList")
            items += page.items
            token = page.metadata.continue
        } while token != nil
        return items
    }

    @Test("Stored streams are current, and every page holds the bytes of each stored stream decoded, decorated and encoded", arguments: [nil, 2] as [Int?])
    func sameBytes(limit: Int?) async throws {
        let store = InMemoryMetadataStore()
        let api = ImageAPI(metadata: store, registryHostname: "registry.local:5000")
        try await Self.populated(api)
        let stored = try await store.read { tx in try await tx.objects.list(kind: Kind.imageStream, namespace: nil) }
        #expect(stored.count == 6 && stored.allSatisfy { api.isCurrent($0) })
        for namespace in ["a", nil] as [String?] {
            let documents = try await Self.documentItems(api, namespace: namespace, limit: limit)
            #expect(documents.count == (namespace == nil ? 6 : 3))
            #expect(documents == (try await Self.decodedItems(api, namespace: namespace)))
        }
    }

    @Test("After the hostnames change, stored streams are not current and are answered with the new repositories")
    func hostnamesChanged() async throws {
        let store = InMemoryMetadataStore()
        try await Self.populated(ImageAPI(metadata: store, registryHostname: "registry.local:5000"))
        for api in [ImageAPI(metadata: store, registryHostname: "registry.local:5000", publicHostname: "registry.example.com"),
                    ImageAPI(metadata: store, registryHostname: "other:6000")] {
            let stored = try await store.read { tx in try await tx.objects.list(kind: Kind.imageStream, namespace: "a") }
            #expect(!stored.contains { api.isCurrent($0) })
            let documents = try await Self.documentItems(api, namespace: "a", limit: nil)
            #expect(documents == (try await Self.decodedItems(api, namespace: "a")))
            let first = try ObjectCodec.decode(ImageStream.self, from: documents[0])
            #expect(first.status.dockerImageRepository == api.dockerImageRepository(namespace: "a", name: "app0"))
            #expect(first.status.publicDockerImageRepository == api.publicHostname.map { "\($0)/a/app0" })
        }
    }

    @Test("Selectors match decoded objects and answer the matching documents: the bytes of the matching streams decoded and encoded")
    func selectors() async throws {
        let api = ImageAPI(metadata: InMemoryMetadataStore(), registryHostname: "registry.local:5000")
        try await Self.populated(api)
        try await Self.many(api, count: 525)
        for (options, expected) in [(ListOptions(labelSelector: try LabelSelector(parsing: "n=1")), 2),
                                    (ListOptions(fieldSelector: try FieldSelector(parsing: "metadata.namespace=many", supported: ["metadata.namespace"]),
                                                 limit: 10), 525)] {
            var documents: [[UInt8]] = [], options = options
            let decoded = try await Self.decodedItems(api, namespace: nil, matching: options)
            repeat {
                let page = try await api.imageStreamDocuments(namespace: nil, options: options)
                documents += page.items
                options.continueToken = page.metadata.continue
            } while options.continueToken != nil
            #expect(documents.count == expected && documents == decoded)
        }
    }

    /// `count` plain streams in namespace `many`, beyond what a snapshot keeps as items.
    static func many(_ api: ImageAPI, count: Int) async throws {
        for n in 0..<count {
            _ = try await api.createImageStream(ImageStream(metadata: ObjectMeta(name: String(format: "s%04d", n))), namespace: "many")
        }
    }

    @Test("A long list pages from its keys: every stream once, in order, and a token continues in the decoded LIST too")
    func longList() async throws {
        let api = ImageAPI(metadata: InMemoryMetadataStore(), registryHostname: "registry.local:5000")
        let count = 525
        try await Self.many(api, count: count)
        let documents = try await Self.documentItems(api, namespace: "many", limit: 10)
        #expect(documents.count == count)
        #expect(documents == (try await Self.decodedItems(api, namespace: "many")))
        // A token from a key-kept first page continues in the decoding LIST too.
        let first = try await api.imageStreamDocuments(namespace: "many", options: ListOptions(limit: 10))
        let next = try await api.imageStreams(namespace: "many", options: ListOptions(limit: 10, continueToken: first.metadata.continue))
        #expect(next.items.map { $0.metadata.name } == (10..<20).map { String(format: "s%04d", $0) })
    }

    @Test("A long list's token expires (410) when an object in its rest changed or went away; earlier pages may change")
    func longListExpires() async throws {
        let api = ImageAPI(metadata: InMemoryMetadataStore(), registryHostname: "registry.local:5000")
        try await Self.many(api, count: 525)
        func firstPage() async throws -> String {
            try #require(try await api.imageStreamDocuments(namespace: "many", options: ListOptions(limit: 10)).metadata.continue)
        }
        var token = try await firstPage()
        var stream = try await api.imageStream(namespace: "many", name: "s0000")
        stream.metadata.labels = ["seen": "before"]
        _ = try await api.updateImageStream(stream, namespace: "many", name: "s0000", status: false)
        let second = try await api.imageStreamDocuments(namespace: "many", options: ListOptions(limit: 10, continueToken: token))
        #expect(second.items.count == 10)

        token = try await firstPage()
        stream = try await api.imageStream(namespace: "many", name: "s0015")
        stream.metadata.labels = ["changed": "after"]
        _ = try await api.updateImageStream(stream, namespace: "many", name: "s0015", status: false)
        await #expect(throws: WharfError.self) {
            _ = try await api.imageStreamDocuments(namespace: "many", options: ListOptions(limit: 10, continueToken: token))
        }

        token = try await firstPage()
        _ = try await api.deleteImageStream(namespace: "many", name: "s0012")
        do {
            _ = try await api.imageStreams(namespace: "many", options: ListOptions(limit: 10, continueToken: token))
            Issue.record("a deleted object in the rest must expire the token")
        } catch let error as WharfError {
            #expect(error.code == .expired)
        }
    }

    @Test("A continued page reads the changes since its first page a hundred at a time: 150 before its key leave the token valid, past 1,000 it expires")
    func manyChangesSinceTheFirstPage() async throws {
        let api = ImageAPI(metadata: InMemoryMetadataStore(), registryHostname: "registry.local:5000")
        try await Self.many(api, count: 30)
        let token = try #require(try await api.imageStreamDocuments(namespace: "many", options: ListOptions(limit: 10)).metadata.continue)
        func touch(_ count: Int) async throws {
            for n in 0..<count {
                var stream = try await api.imageStream(namespace: "many", name: "s0000")
                stream.metadata.labels = ["n": String(n)]
                _ = try await api.updateImageStream(stream, namespace: "many", name: "s0000", status: false)
            }
        }
        try await touch(150)
        let second = try await api.imageStreamDocuments(namespace: "many", options: ListOptions(limit: 10, continueToken: token))
        #expect(second.items.count == 10)
        try await touch(900)
        do {
            _ = try await api.imageStreamDocuments(namespace: "many", options: ListOptions(limit: 10, continueToken: token))
            Issue.record("a token with more than 1,000 changes after it must expire")
        } catch let error as WharfError {
            #expect(error.code == .expired)
        }
    }

    @Test("A change committed while a long LIST reads is in its pages or after its resourceVersion", arguments: [nil, 10] as [Int?])
    func longListLosesNothing(limit: Int?) async throws {
        let store = PerStatementStore()
        let api = ImageAPI(metadata: store, registryHostname: "registry.local:5000")
        try await Self.many(api, count: 525)
        store.interleave { _ = try await api.createImageStream(ImageStream(metadata: ObjectMeta(name: "late")), namespace: "many") }
        let first = try await api.imageStreamDocuments(namespace: "many", options: ListOptions(limit: limit))
        var items = first.items, token = first.metadata.continue
        while let next = token {
            let page = try await api.imageStreamDocuments(namespace: "many", options: ListOptions(limit: limit, continueToken: next))
            items += page.items
            token = page.metadata.continue
        }
        let listed = items.contains { String(decoding: $0, as: UTF8.self).contains(#""name":"late""#) }
        let after = try #require(Int64(first.metadata.resourceVersion ?? ""))
        let events = try await store.base.read { try await $0.objects.events(after: after, limit: 1000) }
        #expect(listed || events.contains { $0.key.name == "late" }, "the stream created between the LIST's reads")
    }
}

