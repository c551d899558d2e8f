import WharfModel

/// The rules by which tag events enter a stream's `status.tags` (reference §3.2).
enum TagHistory {
    /// Adds `event` to `tag`, comparing it with the tag's newest event:
    ///
    /// | same reference | same image | same generation | effect |
    /// |---|---|---|---|
    /// | yes | yes | yes | nothing |
    /// | yes | yes | no | newest event's generation updated |
    /// | yes | no | – | newest event's image and generation replaced |
    /// | no | yes | – | newest event's reference and generation replaced |
    /// | no | no | – | event prepended |
    ///
    /// Collapsing never refreshes `created`, and clears the tag's conditions. Returns whether anything changed.
    static func add(_ event: TagEvent, to tag: String, in stream: inout ImageStream) -> Bool {
        var lists = stream.status.tags ?? []
        guard let index = lists.firstIndex(where: { $0.tag == tag }), let current = lists[index].items?.first else {
            if let index = lists.firstIndex(where: { $0.tag == tag }) {
                lists[index].items = [event]
                lists[index].conditions = nil
            } else {
                lists.append(NamedTagEventList(tag: tag, items: [event]))
            }
            stream.status.tags = lists
            return true
        }
        let sameReference = current.dockerImageReference == event.dockerImageReference
        let sameImage = current.image == event.image
        if sameReference && sameImage && current.generation == event.generation { return false }
        var items = lists[index].items ?? []
        switch (sameReference, sameImage) {
        case (true, true):
            items[0].generation = event.generation
        case (true, false):
            items[0].image = event.image
            items[0].generation = event.generation
        case (false, true):
            items[0].dockerImageReference = event.dockerImageReference
            items[0].generation = event.generation
        case (false, false):
            items.insert(event, at: 0)
        }
        lists[index].items = items
        lists[index].conditions = nil
        stream.status.tags = lists
        return true
    }

    /// Spec tags of `stream` that track `tag` of the same stream (`from.kind: ImageStreamTag`, same namespace).
    static func tagsTracking(_ tag: String, of stream: ImageStream) -> [String] {
        let name = stream.metadata.name ?? ""
        return (stream.spec.tags ?? []).compactMap { reference in
            guard let from = reference.from, from.kind == "ImageStreamTag", reference.name != tag,
                  from.namespace == nil || from.namespace == "" || from.namespace == stream.metadata.namespace,
                  from.name == tag || from.name == "\(name):\(tag)"
            else { return nil }
            return reference.name
        }
    }
}
