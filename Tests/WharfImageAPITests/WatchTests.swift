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
}
