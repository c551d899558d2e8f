import Testing
import WharfModel
@testable import WharfImageAPI

@Suite("Tag events enter status.tags under OpenShift's collapse rules (reference §3.2)")
struct TagHistoryTests {
    static let t0 = Time(secondsSince1970: 1000), t1 = Time(secondsSince1970: 2000)

    static func stream(_ items: [TagEvent]) -> ImageStream {
        var stream = ImageStream(metadata: ObjectMeta(name: "app", namespace: "ns"))
        stream.status.tags = [NamedTagEventList(tag: "latest", items: items)]
        return stream
    }

    static func event(_ reference: String, _ image: String, _ generation: Int64, at time: Time = t1) -> TagEvent {
        TagEvent(created: time, dockerImageReference: reference, image: image, generation: generation)
    }

    @Test("Same reference, image and generation: nothing changes")
    func identical() {
        var stream = Self.stream([Self.event("r@a", "a", 1, at: Self.t0)])
        #expect(!TagHistory.add(Self.event("r@a", "a", 1), to: "latest", in: &stream))
        #expect(stream == Self.stream([Self.event("r@a", "a", 1, at: Self.t0)]))
    }

    @Test("Same reference and image, new generation: the generation is updated in place, created is kept")
    func newGeneration() {
        var stream = Self.stream([Self.event("r@a", "a", 1, at: Self.t0)])
        #expect(TagHistory.add(Self.event("r@a", "a", 2), to: "latest", in: &stream))
        #expect(stream.status.tags?[0].items == [Self.event("r@a", "a", 2, at: Self.t0)])
    }

    @Test("Same reference, new image: the newest event's image is replaced, no new row")
    func sameReferenceNewImage() {
        var stream = Self.stream([Self.event("r", "a", 1, at: Self.t0)])
        #expect(TagHistory.add(Self.event("r", "b", 2), to: "latest", in: &stream))
        #expect(stream.status.tags?[0].items == [Self.event("r", "b", 2, at: Self.t0)])
    }

    @Test("New reference, same image: the newest event's reference is replaced, no new row")
    func newReferenceSameImage() {
        var stream = Self.stream([Self.event("r1@a", "a", 1, at: Self.t0)])
        #expect(TagHistory.add(Self.event("r2@a", "a", 1), to: "latest", in: &stream))
        #expect(stream.status.tags?[0].items == [Self.event("r2@a", "a", 1, at: Self.t0)])
    }

    @Test("New reference and new image: the event is prepended")
    func prepend() {
        let old = Self.event("r@a", "a", 1, at: Self.t0), new = Self.event("r@b", "b", 1)
        var stream = Self.stream([old])
        #expect(TagHistory.add(new, to: "latest", in: &stream))
        #expect(stream.status.tags?[0].items == [new, old])
    }

    @Test("A tag without history gets a list with the event")
    func firstEvent() {
        var stream = ImageStream(metadata: ObjectMeta(name: "app", namespace: "ns"))
        #expect(TagHistory.add(Self.event("r@a", "a", 1), to: "v1", in: &stream))
        #expect(stream.status.tags == [NamedTagEventList(tag: "v1", items: [Self.event("r@a", "a", 1)])])
    }

    @Test("Spec tags of kind ImageStreamTag that point at the tag track it")
    func tracking() {
        var stream = ImageStream(metadata: ObjectMeta(name: "app", namespace: "ns"))
        func spec(_ name: String, _ kind: String, _ from: String, namespace: String? = nil) -> TagReference {
            TagReference(name: name, from: ObjectReference(kind: kind, namespace: namespace, name: from))
        }
        stream.spec.tags = [spec("stable", "ImageStreamTag", "latest"), spec("prod", "ImageStreamTag", "app:latest", namespace: "ns"),
                            spec("other", "ImageStreamTag", "v2"), spec("pinned", "ImageStreamImage", "app@sha256:x"),
                            spec("elsewhere", "ImageStreamTag", "latest", namespace: "other")]
        #expect(TagHistory.tagsTracking("latest", of: stream) == ["stable", "prod"])
    }
}

