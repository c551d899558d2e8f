import Testing
import WharfModel
@testable import WharfRegistry

@Suite("The manifest cache stays within its limit, the oldest leaving first")
struct ManifestCacheTests {
    @Test("100,000 distinct manifests keep it at its limit, and the newest are served")
    func bounded() {
        let cache = ManifestCache(limit: 64 * 1024)
        var digests: [Digest] = []
        for index in 0..<100_000 {
            let bytes = Array("{\"schemaVersion\":2,\"n\":\(index)}".utf8)
            let digest = Digest.sha256(of: bytes)
            cache.put(bytes, for: digest)
            if index >= 99_990 { digests.append(digest) }
            if index % 1000 == 0 { #expect(cache.size <= 64 * 1024) }
        }
        for digest in digests { #expect(cache.get(digest) != nil) }
        #expect(cache.get(Digest.sha256(of: Array("{\"schemaVersion\":2,\"n\":0}".utf8))) == nil)
    }
}
