import Testing
import WharfStorage

@Suite("GenerationCache keeps values only while the generation stays the same")
struct GenerationCacheTests {
    @Test("A value is served at its generation, dropped at the next, and never kept without a generation")
    func lifecycle() {
        let cache = GenerationCache<String, Int>(capacity: 10)
        cache.store(1, for: "a", at: 5)
        #expect(cache.value(for: "a", at: 5) == 1)
        #expect(cache.value(for: "a", at: 6) == nil)
        cache.store(2, for: "a", at: 6)
        #expect(cache.value(for: "a", at: 6) == 2)
        // A value read before a commit that another reader has already seen is stale: ignored.
        cache.store(3, for: "b", at: 5)
        #expect(cache.value(for: "b", at: 5) == nil)
        #expect(cache.value(for: "a", at: 6) == 2)
        cache.store(4, for: "c", at: nil)
        #expect(cache.value(for: "c", at: nil) == nil)
    }

    @Test("A full cache starts over")
    func capacity() {
        let cache = GenerationCache<Int, Int>(capacity: 3)
        for key in 0..<3 { cache.store(key, for: key, at: 1) }
        #expect(cache.value(for: 2, at: 1) == 2)
        cache.store(3, for: 3, at: 1)
        #expect(cache.value(for: 0, at: 1) == nil)
        #expect(cache.value(for: 3, at: 1) == 3)
    }
}
