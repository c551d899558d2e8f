#if canImport(Glibc)
import Glibc
#endif
import Foundation
import HTTPTypes
import HummingbirdTesting
import Synchronization
import Testing
import WharfHTTP
import WharfModel
import WharfServer
import WharfTesting

@Suite("Connections: unknown methods, timeouts, closing answers, broken bodies and watches whose clients go")
struct ConnectionTests {
    static let auth = "Authorization: Bearer \(WharfTestServer.adminToken)\r\n"

    static func timeouts(headerRead: Duration = .seconds(10), idle: Duration = .seconds(10), bodyStall: Duration = .seconds(10))
        -> (inout WharfConfiguration) -> Void
    {
        { $0.timeouts = ConnectionTimeouts(headerRead: headerRead, idle: idle, bodyStall: bodyStall) }
    }

    /// Waits up to `limit` for `condition`.
    static func eventually(_ limit: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now.advanced(by: limit)
        while !condition() {
            if ContinuousClock.now >= deadline { return false }
            usleep(20_000)
        }
        return true
    }

    // MARK: - Methods

    @Test("A method Wharf serves nowhere gets a framed 405 in the protocol's format, and the connection closes",
          arguments: [("CONNECT", "registry.test:443", "MethodNotAllowed"), ("TRACE", "/v2/", "UNSUPPORTED"),
                      ("PROPFIND", "/apis/image.openshift.io/v1/images", "MethodNotAllowed")])
    func unknownMethod(_ request: (method: String, target: String, code: String)) async throws {
        try await Wire.testLive { wire in
            let port = try #require(wire.client.port)
            let (head, body, closed) = try await RawHTTPClient.run {
                let client = try RawHTTPClient(port: port)
                defer { client.close() }
                try client.send("\(request.method) \(request.target) HTTP/1.1\r\nHost: registry.test\r\n\(Self.auth)\r\n")
                let (head, body) = try client.readResponse()
                return (head, body, client.readUntilClosed(timeout: .seconds(8)).closed)
            }
            #expect(head.hasPrefix("HTTP/1.1 405 "), "\(head)")
            #expect(head.lowercased().contains("connection: close"))
            #expect(head.contains("Allow: GET, HEAD, POST, PUT, PATCH, DELETE"))
            #expect(String(decoding: body, as: UTF8.self).contains(request.code), "\(String(decoding: body, as: UTF8.self))")
            #expect(closed, "the connection stayed open after the 405")
        }
    }

    // MARK: - Timeouts

    @Test("A request head that trickles in gets a 408 when the header-read timeout ends, and the connection closes")
    func headerReadTimeout() async throws {
        try await Wire.testLive(configure: Self.timeouts(headerRead: .milliseconds(500))) { wire, _ in
            let port = try #require(wire.client.port)
            let (head, elapsed, closed) = try await RawHTTPClient.run {
                let client = try RawHTTPClient(port: port)
                defer { client.close() }
                let began = ContinuousClock.now
                try client.send("GET /v2/ HTTP/1.1\r\nHost: localhost\r\n")
                // A byte every 100 ms: bytes that come must not extend the time a head may take.
                for byte in Array("X-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 80) where !client.hasData() {
                    try client.send([byte])
                    usleep(100_000)
                }
                let head = try client.readHead()
                return (head, ContinuousClock.now - began, client.readUntilClosed(timeout: .seconds(8)).closed)
            }
            #expect(head.hasPrefix("HTTP/1.1 408 "), "\(head)")
            #expect(elapsed < .seconds(8), "the 408 came after \(elapsed), not before the 10 s idle timeout")
            #expect(closed)
        }
    }

    @Test("A connection with no request under way closes when the idle timeout ends: fresh, and after a response")
    func idleTimeout() async throws {
        try await Wire.testLive(configure: Self.timeouts(idle: .milliseconds(800))) { wire, _ in
            let port = try #require(wire.client.port)
            let (fresh, kept) = try await RawHTTPClient.run {
                let silent = try RawHTTPClient(port: port)
                defer { silent.close() }
                let fresh = silent.readUntilClosed(timeout: .seconds(8)).closed
                let client = try RawHTTPClient(port: port)
                defer { client.close() }
                try client.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
                _ = try client.readResponse()
                let began = ContinuousClock.now
                let closed = client.readUntilClosed(timeout: .seconds(8)).closed
                return (fresh, closed && ContinuousClock.now - began > .milliseconds(500))
            }
            #expect(fresh, "a connection that never sent a byte stayed open")
            #expect(kept, "an idle keep-alive connection stayed open, or closed before its time")
        }
    }

    @Test("A request body that stalls closes its connection when the body-stall timeout ends, and the upload can go on")
    func bodyStallTimeout() async throws {
        try await Wire.testLive(configure: Self.timeouts(bodyStall: .milliseconds(500))) { wire, _ in
            let start = try await wire.send(.post, "/v2/ns/app/blobs/uploads/")
            let location = try #require(start.header("Location"))
            let port = try #require(wire.client.port)
            let closed = try await RawHTTPClient.run {
                let client = try RawHTTPClient(port: port)
                defer { client.close() }
                try client.send("PATCH \(location) HTTP/1.1\r\nHost: localhost\r\n\(Self.auth)Content-Type: application/octet-stream\r\n"
                                + "Content-Length: 100000\r\n\r\n")
                try client.send(Fixtures.bytes(1000, seed: 1))
                return client.readUntilClosed(timeout: .seconds(8)).closed
            }
            #expect(closed, "the stalled PATCH kept its connection")
            // The stalled chunk released the upload and left nothing of itself behind.
            let bytes = Fixtures.bytes(1000, seed: 2)
            var patched = try await wire.send(.patch, location, headers: ["Content-Type": "application/octet-stream"], body: bytes)
            for _ in 0..<20 where patched.status != .accepted {
                try await Task.sleep(for: .milliseconds(100))
                patched = try await wire.send(.patch, location, headers: ["Content-Type": "application/octet-stream"], body: bytes)
            }
            #expect(patched.status == .accepted, "\(patched.text)")
            #expect(patched.header("Range") == "0-999")
        }
    }

    // MARK: - Closing answers

    @Test("A 413 closes the connection instead of reading the rest of a huge body", arguments: ["/v2/ns/app/manifests/big",
                                                                                                    "/apis/image.openshift.io/v1/namespaces/ns/imagestreams"])
    func tooLargeCloses(path: String) async throws {
        try await Wire.testLive { wire in
            let port = try #require(wire.client.port)
            let (head, closed) = try await RawHTTPClient.run {
                let client = try RawHTTPClient(port: port)
                defer { client.close() }
                try client.send("\(path.hasPrefix("/v2") ? "PUT" : "POST") \(path) HTTP/1.1\r\nHost: localhost\r\n\(Self.auth)"
                                + "Content-Type: \(path.hasPrefix("/v2") ? MediaType.ociManifest : "application/json")\r\n"
                                + "Content-Length: 104857600\r\n\r\n")
                try client.send(Array(repeating: UInt8(ascii: " "), count: 64 << 10))
                let (head, _) = try client.readResponse()
                return (head, client.readUntilClosed(timeout: .seconds(8)).closed)
            }
            #expect(head.hasPrefix("HTTP/1.1 413 "), "\(head)")
            #expect(head.lowercased().contains("connection: close"))
            #expect(closed, "the server went on reading the 100 MiB body")
        }
    }

    @Test("A body that ends before its Content-Length, or has a malformed chunk, is a 400 in the protocol's format, then a close",
          arguments: [("PATCH", "upload", "Content-Length: 10000\r\n\r\n" + String(repeating: "x", count: 100), "UNSUPPORTED"),
                      ("PATCH", "upload", "Transfer-Encoding: chunked\r\n\r\n10000000000000000\r\nabc", "UNSUPPORTED"),
                      ("POST", "/v2/ns/app/blobs/uploads/?digest=\(Digest.sha256(of: [1, 2, 3]))",
                       "Content-Length: 5000\r\n\r\n" + String(repeating: "x", count: 100), "UNSUPPORTED"),
                      ("POST", "/apis/image.openshift.io/v1/namespaces/ns/imagestreams",
                       "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"kind\":", "BadRequest")])
    func brokenBody(_ request: (method: String, target: String, rest: String, code: String)) async throws {
        try await Wire.testLive { wire in
            var target = request.target
            if target == "upload" { target = try #require(try await wire.send(.post, "/v2/ns/app/blobs/uploads/").header("Location")) }
            let port = try #require(wire.client.port)
            let (head, body, closed) = try await RawHTTPClient.run { [target] in
                let client = try RawHTTPClient(port: port)
                defer { client.close() }
                try client.send("\(request.method) \(target) HTTP/1.1\r\nHost: localhost\r\n\(Self.auth)\(request.rest)")
                if request.rest.contains("Content-Length") { client.shutdownSending() }
                let (head, body) = try client.readResponse()
                return (head, String(decoding: body, as: UTF8.self), client.readUntilClosed(timeout: .seconds(8)).closed)
            }
            #expect(head.hasPrefix("HTTP/1.1 400 "), "\(head)\(body)")
            #expect(body.contains(request.code), "\(body)")
            #expect(head.lowercased().contains("connection: close"))
            #expect(closed)
        }
    }

    // MARK: - Watches

    static func watchRequest(bookmarks: Bool = false) -> String {
        "GET /apis/image.openshift.io/v1/namespaces/ns/imagestreams?watch=1\(bookmarks ? "&allowWatchBookmarks=true" : "") HTTP/1.1\r\n"
            + "Host: localhost\r\n\(auth)\r\n"
    }

    @Test("A watch ends when its client goes, though it has nothing to write: a half close, or a full one", .timeLimit(.minutes(1)),
          arguments: [true, false])
    func watchClientGoes(halfClose: Bool) async throws {
        try await Wire.testLive(configure: { _ in }) { wire, openWatches in
            #expect(try await wire.createStream("ns", "s").status == .created)
            let port = try #require(wire.client.port)
            let (opened, closed, ended) = try await RawHTTPClient.run {
                let client = try RawHTTPClient(port: port)
                try client.send(Self.watchRequest())
                let opened = Self.eventually { openWatches() == 1 }
                var closed = true
                if halfClose {
                    client.shutdownSending()
                    // No CLOSE-WAIT: the server closes its side too.
                    closed = client.readUntilClosed(timeout: .seconds(8)).closed
                }
                client.close()
                return (opened, closed, Self.eventually { openWatches() == 0 })
            }
            #expect(opened)
            #expect(closed, "the server kept the connection of a client that had gone")
            #expect(ended, "the watch went on after its client had gone")
        }
    }

    @Test("A graceful shutdown ends a watch with a last event, and the server stops", .timeLimit(.minutes(1)), arguments: [true, false])
    func shutdownEndsWatch(bookmarks: Bool) async throws {
        let watcher = Mutex<RawHTTPClient?>(nil)
        try await Wire.testLive(configure: { _ in }) { wire, openWatches in
            #expect(try await wire.createStream("ns", "s").status == .created)
            let port = try #require(wire.client.port)
            let client = try await RawHTTPClient.run {
                let client = try RawHTTPClient(port: port)
                try client.send(Self.watchRequest(bookmarks: bookmarks))
                _ = Self.eventually { openWatches() == 1 }
                return client
            }
            watcher.withLock { $0 = client }
        }
        // The server has stopped: the watch ended first.
        let client = try #require(watcher.withLock { $0 })
        defer { client.close() }
        let (bytes, closed) = try await RawHTTPClient.run { client.readUntilClosed(timeout: .seconds(8)) }
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("HTTP/1.1 200 "))
        #expect(text.contains(#""name":"s""#), "the ADDED event")
        if bookmarks {
            #expect(text.contains(#""type":"BOOKMARK""#), "\(text)")
        } else {
            #expect(text.contains(#""type":"ERROR""#) && text.contains(#""code":503"#), "\(text)")
        }
        #expect(text.hasSuffix("0\r\n\r\n"), "the chunked stream has its end")
        #expect(closed)
    }
}
