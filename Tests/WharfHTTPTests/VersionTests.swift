import Foundation
import HTTPTypes
import Testing
import WharfVersion

@Suite("/version: the release and the commit Wharf was built from")
struct VersionTests {
    @Test("/version's gitCommit is the commit of the build, gitVersion carries the release, and kubectl's fields stay")
    func version() async throws {
        try await Wire.test { wire in
            let body = try await wire.as(nil).send(.get, "/version").json
            #expect(body["major"] as? String == "1")
            #expect(body["minor"] as? String == "32")
            #expect(body["gitVersion"] as? String == "v1.32.0+wharf.\(WharfVersion.version)")
            #expect(body["gitCommit"] as? String == WharfVersion.commit)
            #expect(body["gitTreeState"] as? String == WharfVersion.treeState)
        }
        // Built from a git checkout (as the tests are): the plugin found the commit.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        if FileManager.default.fileExists(atPath: root.appendingPathComponent(".git").path) {
            #expect(WharfVersion.commit.count == 40 && WharfVersion.commit.allSatisfy(\.isHexDigit), "\(WharfVersion.commit)")
            #expect(["clean", "dirty"].contains(WharfVersion.treeState))
        }
    }
}
