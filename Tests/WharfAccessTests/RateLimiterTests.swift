import Testing
import WharfAccess

@Suite("The rate limiter: a token bucket per caller, bounded in memory")
struct RateLimiterTests {
    @Test("A caller gets its burst, then waits about 1/rate for each request more; other callers are not affected")
    func burstThenWait() throws {
        let limiter = RateLimiter(rate: 0.5, burst: 3)
        for _ in 0..<3 { #expect(limiter.acquire("user:alice") == nil) }
        let wait = try #require(limiter.acquire("user:alice"))
        #expect(wait > .milliseconds(1900) && wait <= .seconds(2))
        #expect(limiter.acquire("user:bob") == nil)
    }

    @Test("The burst is one second's worth by default, and never less than one request")
    func defaultBurst() {
        #expect(RateLimiter(rate: 20).burst == 20)
        #expect(RateLimiter(rate: 0.1).burst == 1)
        let slow = RateLimiter(rate: 0.1)
        #expect(slow.acquire("k") == nil)
        #expect(slow.acquire("k").map { $0 > .seconds(9) } == true)
    }

    @Test("A bucket refills at the rate")
    func refills() async throws {
        let limiter = RateLimiter(rate: 50, burst: 1)
        #expect(limiter.acquire("k") == nil)
        #expect(limiter.acquire("k") != nil)
        try await Task.sleep(for: .milliseconds(60))
        #expect(limiter.acquire("k") == nil)
    }

    @Test("Callers idle long enough to be full again are forgotten once the limiter holds many")
    func boundedMemory() async throws {
        let limiter = RateLimiter(rate: 1000, burst: 1, capacity: 100)
        for round in 0..<10 {
            for key in 0..<100 { _ = limiter.acquire("round\(round)-\(key)") }
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(limiter.trackedKeys <= 200)
    }

    @Test("Many busy callers at once (an attacker with many addresses) cannot grow the limiter past ten times its capacity")
    func boundedUnderAttack() {
        let limiter = RateLimiter(rate: 0.001, burst: 1, capacity: 100)
        for key in 0..<5000 { _ = limiter.acquire("anonymous@10.0.\(key / 256).\(key % 256)") }
        #expect(limiter.trackedKeys <= 1000)
    }
}
