import Testing
import WharfModel
import WharfStorage
@testable import WharfImageAPI

@Suite("Watches resume from a resourceVersion while it is retained")
struct WatchTests {
    @Test("A resourceVersion older than the retained events gets an in-stream 410 Expired")
    func expired() async throws {
        let api = ImageAPI(metadata: InMemoryMetadataStore(), registryHostname: "r", eventRetention: 4)
        for index in 0..<12 { _ = try await api.createImageStream(ImageStream(metadata: ObjectMeta(name: "s\(index)")), namespace: "ns") }
        var lines: [String] = []
        let request = WatchRequest(namespace: "ns", options: ListOptions(), resourceVersion: "1", bookmarks: false, timeout: .seconds(1))
        try await api.watchImageStreams(request) { lines.append(String(decoding: $0, as: UTF8.self)) }
        #expect(lines.count == 1)
        #expect(lines.first?.contains(#""type":"ERROR""#) == true)
        #expect(lines.first?.contains(#""code":410"#) == true)
        #expect(lines.first?.contains(#""reason":"Expired""#) == true)

        var recent: [String] = []
        let resume = WatchRequest(namespace: "ns", options: ListOptions(), resourceVersion: "10", bookmarks: false, timeout: .milliseconds(300))
        try await api.watchImageStreams(resume) { recent.append(String(decoding: $0, as: UTF8.self)) }
        #expect(recent.count == 2)
        #expect(recent.allSatisfy { $0.contains(#""type":"ADDED""#) })
    }

    @Test("A watch without a resourceVersion misses no change committed while its LIST reads")
    func listThenWatch() async throws {
        let store = PerStatementStore()
        let api = ImageAPI(metadata: store, registryHostname: "r")
        for name in ["s0", "s1", "s2"] { _ = try await api.createImageStream(ImageStream(metadata: ObjectMeta(name: name)), namespace: "ns") }
        store.interleave { _ = try await api.createImageStream(ImageStream(metadata: ObjectMeta(name: "late")), namespace: "ns") }
        var lines: [String] = []
        let request = WatchRequest(namespace: "ns", options: ListOptions(), resourceVersion: nil, bookmarks: false, timeout: .milliseconds(300))
        try await api.watchImageStreams(request) { lines.append(String(decoding: $0, as: UTF8.self)) }
        #expect(lines.filter { $0.contains(#""name":"s"#) }.count == 3)
        #expect(lines.contains { $0.contains(#""name":"late""#) }, "the stream created between the LIST's reads")
    }
}

