import Synchronization

/// A limit of requests per second for each caller: a token bucket per key that refills at `rate` tokens a second and
/// holds at most `burst`, so a caller may send a burst of `burst` requests at once and `rate` a second after that.
///
/// Keys are what the HTTP edge names a caller by: a user's name, or an anonymous caller's address. The limiter is
/// process memory: behind a load balancer each replica limits on its own, so a fleet of `n` replicas lets a caller
/// send up to `n` times `rate`. Memory stays bounded: once more than `capacity` keys are held, the buckets that have
/// refilled to the brim (callers idle for `burst / rate` seconds, which a fresh bucket would equal) are dropped, and
/// at most ten times `capacity` are ever held.
public final class RateLimiter: Sendable {
    public let rate: Double
    public let burst: Double
    private let capacity: Int
    private let clock = ContinuousClock()
    private let state: Mutex<State>

    private struct State {
        var buckets: [String: Bucket] = [:]
        /// The key count above which idle buckets are dropped next.
        var pruneAbove: Int
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    /// A limiter of `rate` requests a second (greater than zero) with bursts of `burst` (by default one second's
    /// worth, and never less than one request).
    public init(rate: Double, burst: Double? = nil, capacity: Int = 10_000) {
        precondition(rate > 0 && rate.isFinite, "a rate limit is a positive number of requests a second")
        self.rate = rate
        self.burst = max(1, burst ?? rate)
        self.capacity = capacity
        state = Mutex(State(pruneAbove: capacity))
    }

    /// Takes one request's token from `key`'s bucket. `nil` when the request may go ahead; otherwise the time until
    /// the bucket holds a token again, which is how long the caller should wait (`Retry-After`).
    public func acquire(_ key: String) -> Duration? {
        let now = clock.now
        return state.withLock { state in
            var bucket = state.buckets[key].map { refilled($0, at: now) } ?? Bucket(tokens: burst, updated: now)
            defer {
                state.buckets[key] = bucket
                if state.buckets.count > state.pruneAbove { prune(&state, at: now) }
            }
            if bucket.tokens >= 1 {
                bucket.tokens -= 1
                return nil
            }
            return .milliseconds(Int64(((1 - bucket.tokens) / rate * 1000).rounded(.up)))
        }
    }

    /// How many callers the limiter holds a bucket for now.
    public var trackedKeys: Int { state.withLock { $0.buckets.count } }

    private func refilled(_ bucket: Bucket, at now: ContinuousClock.Instant) -> Bucket {
        let elapsed = (now - bucket.updated) / .seconds(1)
        return Bucket(tokens: min(burst, bucket.tokens + elapsed * rate), updated: now)
    }

    /// Drops the buckets that are full again; if most are not, waits for twice as many keys before trying again, so
    /// pruning costs amortised constant time a request. Past ten times `capacity` busy callers (many addresses at
    /// once), every bucket is dropped: each caller starts again with a full burst, and memory stays bounded.
    private func prune(_ state: inout State, at now: ContinuousClock.Instant) {
        state.buckets = state.buckets.filter { refilled($0.value, at: now).tokens < burst }
        if state.buckets.count > capacity * 10 { state.buckets.removeAll() }
        state.pruneAbove = min(capacity * 10, max(capacity, state.buckets.count * 2))
    }
}
