import WharfModel

/// The generation bookkeeping of spec tags on update (reference §4.3).
enum TagSpecChanges {
    /// Fixes up `new`'s spec-tag generations against `old` and advances `metadata.generation` when the spec changed.
    /// Users may only reset a tag's generation to 0; any other value is replaced by the stored one. New tags, changed
    /// tags (source, `reference` or import mode) and tags at generation 0 or null take the new stream generation.
    /// Returns the names of the tags that changed, whose status must be resolved again.
    static func apply(old: ImageStream, new: inout ImageStream) -> Set<String> {
        let oldTags = Dictionary((old.spec.tags ?? []).map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        var changed: Set<String> = []
        var tags = Dictionary((new.spec.tags ?? []).map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        for (name, tag) in tags {
            guard let previous = oldTags[name], tag.generation != 0, tag.generation != nil, !differ(previous, tag) else {
                changed.insert(name)
                continue
            }
            tags[name]?.generation = previous.generation
        }
        let oldGeneration = old.metadata.generation ?? 1
        var comparable = new.spec
        comparable.tags = tags.values.sorted { $0.name < $1.name }.map { var tag = $0; tag.generation = oldTags[tag.name]?.generation; return tag }
        var oldComparable = old.spec
        oldComparable.tags = oldComparable.tags?.sorted { $0.name < $1.name }
        let specChanged = !changed.isEmpty || normalized(comparable) != normalized(oldComparable) || new.metadata.generation == 0
        let generation = specChanged ? oldGeneration + 1 : oldGeneration
        for name in changed { tags[name]?.generation = generation }
        new.spec.tags = tags.isEmpty ? nil : tags.values.sorted { $0.name < $1.name }
        new.metadata.generation = generation
        return changed
    }

    /// Whether a tag's source changed enough to need resolving again.
    static func differ(_ a: TagReference, _ b: TagReference) -> Bool {
        a.from?.kind != b.from?.kind || a.from?.name != b.from?.name || (a.from?.namespace ?? "") != (b.from?.namespace ?? "")
            || (a.reference ?? false) != (b.reference ?? false)
            || (a.importPolicy?.importMode ?? "Legacy") != (b.importPolicy?.importMode ?? "Legacy")
    }

    private static func normalized(_ spec: ImageStreamSpec) -> ImageStreamSpec {
        var spec = spec
        spec.tags = spec.tags?.map { tag in
            var tag = tag
            if tag.importPolicy == nil { tag.importPolicy = TagImportPolicy() }
            if tag.referencePolicy == nil { tag.referencePolicy = TagReferencePolicy() }
            if tag.reference == false { tag.reference = nil }
            return tag
        }
        if spec.tags?.isEmpty == true { spec.tags = nil }
        return spec
    }
}
