import Synchronization
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


@Suite("Idle watches cost next to nothing and still see every change")
struct WatchWakeupTests {
    /// The lines a watch emitted, with when they came.
    final class Lines: Sendable {
        private let lines = Mutex<[(text: String, at: ContinuousClock.Instant)]>([])
        func append(_ line: ArraySlice<UInt8>) { lines.withLock { $0.append((String(decoding: line, as: UTF8.self), .now)) } }
        var all: [(text: String, at: ContinuousClock.Instant)] { lines.withLock { $0 } }
    }

    static func watch(_ api: ImageAPI, from version: String, timeout: Duration, stop: Wakeup = Wakeup(), bookmarks: Bool = false,
                      into lines: Lines) async throws {
        let request = WatchRequest(namespace: "ns", options: ListOptions(), resourceVersion: version, bookmarks: bookmarks, timeout: timeout,
                                   stop: stop)
        try await api.watchImageStreams(request) { lines.append($0) }
    }

    static func currentVersion(_ api: ImageAPI) async throws -> String {
        String(try await api.metadata.read { try await $0.objects.currentResourceVersion() })
    }

    @Test("An idle watch reads the store about once a second, not five times")
    func idleReads() async throws {
        let store = ReplicaStore(base: InMemoryMetadataStore())
        let api = ImageAPI(metadata: store, registryHostname: "r")
        _ = try await api.createImageStream(ImageStream(metadata: ObjectMeta(name: "s")), namespace: "ns")
        let version = try await Self.currentVersion(api)
        let before = store.reads
        try await Self.watch(api, from: version, timeout: .milliseconds(2200), into: Lines())
        // One look at the oldest event and one read of events; then the shared poll's look at the newest resourceVersion
        // a second, one more read of events when the first look wakes the watch, and a last one at the deadline.
        #expect(store.reads - before <= 6, "\(store.reads - before) reads in 2.2 s")
        #expect(api.activeWatches == 0)
    }

    /// Waits (up to 20 s, for a loaded machine) until a line containing `text` has come, fires `stop`, and returns when it came.
    static func arrival(of text: String, in lines: Lines, stop: Wakeup) async throws -> ContinuousClock.Instant? {
        defer { stop.fire() }
        let deadline = ContinuousClock.now.advanced(by: .seconds(20))
        while ContinuousClock.now < deadline {
            if let line = lines.all.first(where: { $0.text.contains(text) }) { return line.at }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test("A commit in this process wakes a watch at once, long before its poll would")
    func localCommitWakes() async throws {
        let store = ReplicaStore(base: InMemoryMetadataStore())
        let api = ImageAPI(metadata: store, registryHostname: "r", watchPollInterval: .seconds(60))
        let lines = Lines(), stop = Wakeup(), start = try await Self.currentVersion(api)
        async let watching: Void = Self.watch(api, from: start, timeout: .seconds(60), stop: stop, into: lines)
        try await Task.sleep(for: .milliseconds(300))
        let committed = ContinuousClock.now
        _ = try await api.createImageStream(ImageStream(metadata: ObjectMeta(name: "local")), namespace: "ns")
        let arrived = try await Self.arrival(of: #""name":"local""#, in: lines, stop: stop)
        try await watching
        let at = try #require(arrived, "the commit never reached the watch")
        #expect(at - committed < .seconds(10), "the event came \(at - committed) after the commit")
    }

    @Test("A commit by another process sharing the store reaches a watch through the slow poll")
    func otherProcessCommitIsPolled() async throws {
        let base = InMemoryMetadataStore()
        let here = ImageAPI(metadata: ReplicaStore(base: base), registryHostname: "r", watchPollInterval: .milliseconds(300))
        let there = ImageAPI(metadata: ReplicaStore(base: base), registryHostname: "r")
        let lines = Lines(), stop = Wakeup(), start = try await Self.currentVersion(here)
        async let watching: Void = Self.watch(here, from: start, timeout: .seconds(60), stop: stop, into: lines)
        try await Task.sleep(for: .milliseconds(200))
        _ = try await there.createImageStream(ImageStream(metadata: ObjectMeta(name: "remote")), namespace: "ns")
        let arrived = try await Self.arrival(of: #""name":"remote""#, in: lines, stop: stop)
        try await watching
        #expect(arrived != nil, "the other process's commit never reached the watch")
    }

    @Test("A stopped watch ends at once with a BOOKMARK, or an ERROR Status when it asked for no bookmarks", arguments: [true, false])
    func stopped(bookmarks: Bool) async throws {
        let api = ImageAPI(metadata: InMemoryMetadataStore(), registryHostname: "r")
        _ = try await api.createImageStream(ImageStream(metadata: ObjectMeta(name: "s")), namespace: "ns")
        let lines = Lines(), stop = Wakeup(), start = try await Self.currentVersion(api)
        let began = ContinuousClock.now
        async let watching: Void = Self.watch(api, from: start, timeout: .seconds(120), stop: stop, bookmarks: bookmarks, into: lines)
        try await Task.sleep(for: .milliseconds(200))
        stop.fire()
        try await watching
        #expect(ContinuousClock.now - began < .seconds(60), "the watch ran to its timeout")
        let last = try #require(lines.all.last?.text)
        if bookmarks {
            #expect(last.contains(#""type":"BOOKMARK""#) && last.contains(#""resourceVersion":"\#(start)""#), "\(last)")
        } else {
            #expect(last.contains(#""type":"ERROR""#) && last.contains(#""code":503"#), "\(last)")
        }
        #expect(api.activeWatches == 0)
    }
}

/// One process's handle on a store shared with others: it counts its reads, and its `commits` fire only for the
/// commits made through it, as a process sees only its own commits.
final class ReplicaStore: MetadataStore {
    let base: InMemoryMetadataStore
    let commits = Wakeup()
    private let readCount = Mutex(0)

    init(base: InMemoryMetadataStore) { self.base = base }

    var generation: UInt64? { nil }
    var reads: Int { readCount.withLock { $0 } }

    func transaction<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        let result = try await base.transaction(body)
        commits.fire()
        return result
    }

    func read<T>(_ body: (any MetadataTransaction) async throws -> T) async throws -> T {
        readCount.withLock { $0 += 1 }
        return try await base.read(body)
    }
}
