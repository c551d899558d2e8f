import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// An S3 server for tests: moto (PyPI's `moto[server]`, which `scripts/test` installs) on a free loopback port, with
/// one empty bucket. A machine without moto fails the test that needs it, with the reason; nothing is skipped.
final class MotoServer: Sendable {
    let endpoint: URL
    private let process: Process

    static let accessKey = "wharf-test-key", secretKey = "wharf-test-secret"

    init(bucket: String) async throws {
        let port = Int.random(in: 20_000..<40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process
        endpoint = URL(string: "http://127.0.0.1:\(port)")!
        for _ in 0..<100 {
            guard process.isRunning else { break }
            var request = HTTPClientRequest(url: "\(endpoint)/\(bucket)")
            request.method = .PUT
            if let response = try? await HTTPClient.shared.execute(request, timeout: .seconds(2)), response.status == .ok { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        kill(process.processIdentifier, SIGKILL)
        throw MotoMissing()
    }

    struct MotoMissing: Error, CustomStringConvertible {
        var description: String { "moto's S3 server did not start: install it with pip install 'moto[server]' (scripts/test does)" }
    }

    /// Kills the server: moto's development server does not always exit on SIGTERM.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Runs `body` with a fresh server and bucket, stopping it after.
    static func with<T: Sendable>(bucket: String = "wharf-test", _ body: (MotoServer) async throws -> T) async throws -> T {
        let server = try await MotoServer(bucket: bucket)
        defer { server.stop() }
        return try await body(server)
    }
}
