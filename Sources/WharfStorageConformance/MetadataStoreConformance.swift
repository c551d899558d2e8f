import WharfModel
public import WharfStorage

/// The behaviour every `MetadataStore` must show. Checks use distinct names, so all may run against one store.
public enum MetadataStoreConformance {
    public static let checks: [ConformanceCheck<any MetadataStore>] = [
        .init(name: "objects are stored, listed in key order and deleted", run: objects),
        .init(name: "the resourceVersion sequence only grows and events are read back in order", run: sequenceAndEvents),
        .init(name: "a transaction that throws leaves nothing behind", run: rollback),
        .init(name: "concurrent transactions are serialised", run: serialised),
        .init(name: "blob links are per repository", run: blobLinks),
        .init(name: "manifests and referrers are per repository", run: manifests),
        .init(name: "the repositories linking a blob, and the manifests referencing one, are found", run: blobReferences),
        .init(name: "tags are replaced whole and listed sorted", run: tags),
        .init(name: "uploads are created, read and deleted", run: uploads),
        .init(name: "a generation, when the store has one, grows with each commit and only then", run: generation),
        .init(name: "a commit wakes the tasks waiting on commits, and a rollback does not", run: commitWakeups),
    ]

    public static func runAll(_ store: any MetadataStore) async throws {
        for check in checks {
            do { try await check.run(store) } catch { throw ConformanceFailure(description: "\(check.name): \(error)") }
        }
    }

    static func object(_ kind: String, _ namespace: String, _ name: String, rv: Int64) -> StoredObject {
        StoredObject(key: ObjectKey(kind: kind, namespace: namespace, name: name), uid: "uid-\(name)", resourceVersion: rv,
                     document: Array("{\"name\":\"\(name)\"}".utf8))
    }

    static func objects(_ store: any MetadataStore) async throws {
        try await store.transaction { tx in
            for (namespace, name) in [("b", "two"), ("a", "zed"), ("a", "one")] {
                try await tx.objects.put(object("ConformanceKind", namespace, name, rv: 1))
            }
            try await tx.objects.put(object("OtherKind", "a", "one", rv: 1))
        }
        let all = try await store.read { try await $0.objects.list(kind: "ConformanceKind", namespace: nil) }
        try expectEqual(all.map { "\($0.key.namespace)/\($0.key.name)" }, ["a/one", "a/zed", "b/two"], "list order")
        let inA = try await store.read { try await $0.objects.list(kind: "ConformanceKind", namespace: "a") }
        try expectEqual(inA.map(\.key.name), ["one", "zed"], "namespaced list")
        try expectEqual(try await store.read { try await $0.objects.keys(kind: "ConformanceKind", namespace: nil) }, all.map(\.key), "keys")
        try expectEqual(try await store.read { try await $0.objects.keys(kind: "ConformanceKind", namespace: "a") }, inA.map(\.key),
                        "namespaced keys")
        var updated = object("ConformanceKind", "a", "one", rv: 7)
        updated.document = Array("{}".utf8)
        try await store.transaction { try await $0.objects.put(updated) }
        let read = try await store.read { try await $0.objects.get(ObjectKey(kind: "ConformanceKind", namespace: "a", name: "one")) }
        try expectEqual(read, updated, "replaced object")
        let deleted = try await store.transaction { try await $0.objects.delete(updated.key) }
        let deletedAgain = try await store.transaction { try await $0.objects.delete(updated.key) }
        try expect(deleted && !deletedAgain, "delete reports whether the object existed")
        try expectEqual(try await store.read { try await $0.objects.get(updated.key) }, nil, "deleted object")
    }

    static func sequenceAndEvents(_ store: any MetadataStore) async throws {
        let (first, second) = try await store.transaction { tx in
            (try await tx.objects.nextResourceVersion(), try await tx.objects.nextResourceVersion())
        }
        try expect(second == first + 1, "sequence steps by one: \(first), \(second)")
        try expectEqual(try await store.read { try await $0.objects.currentResourceVersion() }, second, "current resourceVersion")
        let key = ObjectKey(kind: "ConformanceKind", namespace: "ev", name: "x")
        try await store.transaction { tx in
            try await tx.objects.appendEvent(WatchEvent(resourceVersion: first, type: .added, key: key, document: [1]))
            try await tx.objects.appendEvent(WatchEvent(resourceVersion: second, type: .deleted, key: key, document: [2]))
        }
        let events = try await store.read { try await $0.objects.events(after: first - 1, limit: 10) }
        try expectEqual(events.map(\.type), [.added, .deleted], "event types")
        try expectEqual(events.map(\.document), [[1], [2]], "event documents")
        try expectEqual(try await store.read { try await $0.objects.events(after: first, limit: 10) }.count, 1, "events after first")
        try await store.transaction { try await $0.objects.trimEvents(before: second) }
        try expectEqual(try await store.read { try await $0.objects.events(after: 0, limit: 10) }.map(\.resourceVersion).first, second,
                        "oldest event after trimming")
    }

    struct Abort: Error {}

    static func rollback(_ store: any MetadataStore) async throws {
        let repository = try RepositoryName(namespace: "rollback", name: "stream")
        let before = try await store.read { try await $0.objects.currentResourceVersion() }
        do {
            try await store.transaction { tx in
                _ = try await tx.objects.nextResourceVersion()
                try await tx.objects.put(object("ConformanceKind", "rollback", "x", rv: 1))
                try await tx.blobLinks.link(Digest.sha256(of: [9]), size: 1, in: repository)
                throw Abort()
            }
            throw ConformanceFailure(description: "transaction did not rethrow")
        } catch is Abort {}
        try expectEqual(try await store.read { try await $0.objects.currentResourceVersion() }, before, "sequence after rollback")
        try expectEqual(try await store.read { try await $0.objects.get(ObjectKey(kind: "ConformanceKind", namespace: "rollback", name: "x")) },
                        nil, "object after rollback")
        try expectEqual(try await store.read { try await $0.blobLinks.size(of: Digest.sha256(of: [9]), in: repository) }, nil,
                        "link after rollback")
    }

    static func generation(_ store: any MetadataStore) async throws {
        guard let start = store.generation else { return }
        _ = try await store.read { try await $0.objects.currentResourceVersion() }
        try expectEqual(store.generation, start, "generation after a read")
        do {
            try await store.transaction { tx in
                try await tx.objects.put(object("ConformanceKind", "generation", "x", rv: 1))
                throw Abort()
            }
        } catch is Abort {}
        try expectEqual(store.generation, start, "generation after a rollback")
        try await store.transaction { tx in try await tx.objects.put(object("ConformanceKind", "generation", "x", rv: 1)) }
        let after = store.generation ?? 0
        try expect(after > start, "generation \(after) after a commit, from \(start)")
    }

    static func commitWakeups(_ store: any MetadataStore) async throws {
        let seen = store.commits.count
        do {
            try await store.transaction { tx in
                try await tx.objects.put(object("ConformanceKind", "wakeups", "x", rv: 1))
                throw Abort()
            }
        } catch is Abort {}
        try expectEqual(store.commits.count, seen, "commits fired by a rollback")
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        async let woke: Void = Wakeup.first(of: [(store.commits, seen: seen)], deadline: deadline)
        try await store.transaction { tx in try await tx.objects.put(object("ConformanceKind", "wakeups", "x", rv: 1)) }
        await woke
        try expect(store.commits.count > seen && ContinuousClock.now < deadline, "a waiter was not woken by a commit")
    }

    static func serialised(_ store: any MetadataStore) async throws {
        let key = ObjectKey(kind: "ConformanceCounter", namespace: "c", name: "n")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await store.transaction { tx in
                        let current = try await tx.objects.get(key)?.resourceVersion ?? 0
                        await Task.yield()
                        try await tx.objects.put(StoredObject(key: key, uid: "u", resourceVersion: current + 1, document: []))
                    }
                }
            }
            try await group.waitForAll()
        }
        try expectEqual(try await store.read { try await $0.objects.get(key)?.resourceVersion }, 20, "counter after 20 increments")
    }

    static func blobLinks(_ store: any MetadataStore) async throws {
        let a = try RepositoryName(namespace: "links", name: "a"), b = try RepositoryName(namespace: "links", name: "b")
        let digest = Digest.sha256(of: [1, 2, 3])
        try await store.transaction { try await $0.blobLinks.link(digest, size: 3, in: a) }
        try expectEqual(try await store.read { try await $0.blobLinks.size(of: digest, in: a) }, 3, "linked size")
        try expectEqual(try await store.read { try await $0.blobLinks.size(of: digest, in: b) }, nil, "other repository")
        try expect(try await store.transaction { try await $0.blobLinks.unlink(digest, from: a) }, "unlink existing")
        try expect(!(try await store.transaction { try await $0.blobLinks.unlink(digest, from: a) }), "unlink missing")
    }

    static func manifests(_ store: any MetadataStore) async throws {
        let repository = try RepositoryName(namespace: "manifests", name: "a")
        let subject = Digest.sha256(of: [0])
        let records = (1...3).map { index in
            ManifestRecord(repository: repository, digest: Digest.sha256(of: [UInt8(index)]), mediaType: MediaType.ociManifest,
                           size: Int64(index), subject: index == 3 ? nil : subject, artifactType: "x/y",
                           annotations: ["n": "\(index)"])
        }
        try await store.transaction { tx in for record in records { try await tx.manifests.put(record) } }
        try expectEqual(try await store.read { try await $0.manifests.get(records[0].digest, in: repository) }, Optional(records[0]), "manifest")
        let referrers = try await store.read { try await $0.manifests.referrers(of: subject, in: repository) }
        try expectEqual(referrers, records.prefix(2).sorted { $0.digest < $1.digest }, "referrers")
        let other = try RepositoryName(namespace: "manifests", name: "b")
        try expectEqual(try await store.read { try await $0.manifests.referrers(of: subject, in: other) }, [], "other repository")
        try expect(try await store.transaction { try await $0.manifests.delete(records[0].digest, from: repository) }, "delete")
        try expectEqual(try await store.read { try await $0.manifests.get(records[0].digest, in: repository) }, nil, "deleted manifest")
    }

    static func blobReferences(_ store: any MetadataStore) async throws {
        let a = try RepositoryName(namespace: "references", name: "a"), b = try RepositoryName(namespace: "references", name: "b")
        let c = try RepositoryName(namespace: "references", name: "c")
        let layer = Digest.sha256(of: [7, 7]), config = Digest.sha256(of: [7, 8]), other = Digest.sha256(of: [7, 9])
        try await store.transaction { tx in
            try await tx.blobLinks.link(layer, size: 2, in: b)
            try await tx.blobLinks.link(layer, size: 2, in: a)
            try await tx.blobLinks.link(other, size: 2, in: c)
        }
        try expectEqual(try await store.read { try await $0.blobLinks.repositories(linking: layer, limit: 10) }, [a, b], "linking repositories")
        try expectEqual(try await store.read { try await $0.blobLinks.repositories(linking: layer, limit: 1) }, [a], "limited")
        try expectEqual(try await store.read { try await $0.blobLinks.repositories(linking: config, limit: 10) }, [], "unlinked blob")
        let uses = ManifestRecord(repository: a, digest: Digest.sha256(of: [7, 1]), mediaType: MediaType.ociManifest, size: 1,
                                  blobs: [config, layer])
        let usesConfig = ManifestRecord(repository: a, digest: Digest.sha256(of: [7, 2]), mediaType: MediaType.ociManifest, size: 1,
                                        blobs: [config])
        try await store.transaction { tx in
            try await tx.manifests.put(uses)
            try await tx.manifests.put(usesConfig)
        }
        try expectEqual(try await store.read { try await $0.manifests.get(uses.digest, in: a) }, Optional(uses), "blobs read back")
        try expectEqual(try await store.read { try await $0.manifests.manifests(referencing: layer, in: a) }, [uses.digest], "layer users")
        try expectEqual(try await store.read { try await $0.manifests.manifests(referencing: config, in: a) },
                        [uses.digest, usesConfig.digest].sorted(), "config users")
        try expectEqual(try await store.read { try await $0.manifests.manifests(referencing: layer, in: b) }, [], "other repository")
        _ = try await store.transaction { try await $0.manifests.delete(uses.digest, from: a) }
        try expectEqual(try await store.read { try await $0.manifests.manifests(referencing: layer, in: a) }, [], "after delete")
    }

    static func tags(_ store: any MetadataStore) async throws {
        let repository = try RepositoryName(namespace: "tags", name: "a")
        let one = Digest.sha256(of: [1]), two = Digest.sha256(of: [2])
        try await store.transaction { try await $0.tags.replace(["v2": two, "latest": one, "v1": one], in: repository) }
        try expectEqual(try await store.read { try await $0.tags.tags(in: repository) }, ["latest", "v1", "v2"], "sorted tags")
        try expectEqual(try await store.read { try await $0.tags.digest(for: "v2", in: repository) }, Optional(two), "tag lookup")
        try await store.transaction { try await $0.tags.replace(["v3": two], in: repository) }
        try expectEqual(try await store.read { try await $0.tags.tags(in: repository) }, ["v3"], "tags after replace")
        try expectEqual(try await store.read { try await $0.tags.digest(for: "v1", in: repository) }, nil, "removed tag")
    }

    static func uploads(_ store: any MetadataStore) async throws {
        let record = UploadRecord(id: "0123abcd", repository: try RepositoryName(namespace: "uploads", name: "a"),
                                  startedAt: Time(secondsSince1970: 1_700_000_000))
        try await store.transaction { try await $0.uploads.create(record) }
        try expectEqual(try await store.read { try await $0.uploads.get("0123abcd") }, Optional(record), "upload")
        let older = UploadRecord(id: "0000aaaa", repository: record.repository, startedAt: Time(secondsSince1970: 1_600_000_000))
        try await store.transaction { try await $0.uploads.create(older) }
        try expectEqual(try await store.read { try await $0.uploads.idle(before: Time(secondsSince1970: 1_650_000_000), limit: 10) }, [older],
                        "uploads idle since before a time")
        try expectEqual(try await store.read { try await $0.uploads.idle(before: Time(secondsSince1970: 1_800_000_000), limit: 10) }.map(\.id),
                        ["0000aaaa", "0123abcd"], "uploads longest idle first")
        // Activity on the older session makes it the most recently active.
        try await store.transaction { try await $0.uploads.touch("0000aaaa", at: Time(secondsSince1970: 1_750_000_000)) }
        try expectEqual(try await store.read { try await $0.uploads.get("0000aaaa") }?.lastActivity, Time(secondsSince1970: 1_750_000_000), "touched")
        try expectEqual(try await store.read { try await $0.uploads.get("0000aaaa") }?.startedAt, older.startedAt, "start kept")
        try expectEqual(try await store.read { try await $0.uploads.idle(before: Time(secondsSince1970: 1_720_000_000), limit: 10) }.map(\.id),
                        ["0123abcd"], "a touched session is not idle")
        try await store.transaction { try await $0.uploads.touch("ffff0000", at: Time(secondsSince1970: 1_750_000_000)) }
        try await store.transaction { try await $0.uploads.delete("0123abcd") }
        try await store.transaction { try await $0.uploads.delete("0000aaaa") }
        try expectEqual(try await store.read { try await $0.uploads.get("0123abcd") }, nil, "deleted upload")
    }
}
