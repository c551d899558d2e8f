import Synchronization

/// Values derived from metadata reads, kept while the store's `generation` stays the same.
///
/// Take the generation before the read and store the value under it: a commit in between changes the generation,
/// so the value is dropped at the next lookup instead of being served stale. With a store that has no generation
/// (other processes write to it), nothing is cached.
public final class GenerationCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let state = Mutex<(generation: UInt64, values: [Key: Value])>((0, [:]))
    private let capacity: Int

    /// Keeps at most `capacity` values; when full, it starts over.
    public init(capacity: Int) {
        self.capacity = capacity
    }

    /// The value stored for `key` at `generation`, if any.
    public func value(for key: Key, at generation: UInt64?) -> Value? {
        guard let generation else { return nil }
        return state.withLock { $0.generation == generation ? $0.values[key] : nil }
    }

    /// Stores `value`, read at `generation`. A value read at an older generation than the newest seen is ignored.
    public func store(_ value: Value, for key: Key, at generation: UInt64?) {
        guard let generation else { return }
        state.withLock { state in
            if state.generation > generation { return }
            if state.generation < generation || state.values.count >= capacity { state = (generation, [:]) }
            state.values[key] = value
        }
    }
}
