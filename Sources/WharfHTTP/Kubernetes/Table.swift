import Foundation
import WharfModel

/// Server-side tables (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), with the columns `oc get` prints
/// (reference §12.1).
struct Table: Encodable {
    struct Column: Encodable {
        var name: String
        var type = "string"
        var format = ""
        var description: String
        var priority = 0
    }

    struct Row: Encodable {
        var cells: [JSONValue]
        var object: PartialObject
    }

    struct PartialObject: Encodable {
        var kind = "PartialObjectMetadata"
        var apiVersion = "meta.k8s.io/v1"
        var metadata: ObjectMeta
    }

    var kind = "Table"
    var apiVersion = "meta.k8s.io/v1"
    var metadata: ListMeta
    var columnDefinitions: [Column]
    var rows: [Row]

    /// Whether the request asked for a Table.
    static func isRequested(accept: String?) -> Bool {
        (accept ?? "").split(separator: ",").contains { $0.contains("as=Table") }
    }

    static let name = Column(name: "Name", format: "name", description: "Name must be unique within a namespace.")

    static func imageStreams(_ streams: [ImageStream], resourceVersion: String?, now: Date = Date()) -> Table {
        let columns = [name,
                       Column(name: "Image Repository", description: "The pull spec of the image repository"),
                       Column(name: "Tags", description: "The tags of the stream, most recently updated first"),
                       Column(name: "Updated", description: "When the most recent tag changed")]
        let rows = streams.map { stream -> Row in
            let specRepository: String? = stream.spec.dockerImageRepository.flatMap { $0.isEmpty ? nil : $0 }
            let repository: String = stream.status.publicDockerImageRepository ?? specRepository ?? stream.status.dockerImageRepository
            let events: [(String, Time)] = (stream.status.tags ?? []).compactMap { list in list.items?.first.map { (list.tag, $0.created) } }
            let dated = events.sorted { $0.1 == $1.1 ? $0.0 < $1.0 : $0.1 > $1.1 }
            var tags = ""
            for (index, entry) in dated.enumerated() {
                let next = tags.isEmpty ? entry.0 : "\(tags),\(entry.0)"
                if index > 0, next.count > 40 {
                    tags += " + \(dated.count - index) more..."
                    break
                }
                tags = next
            }
            let updated = dated.first.map { age(of: $0.1, now: now) + " ago" } ?? ""
            return Row(cells: [.string(stream.metadata.name ?? ""), .string(repository), .string(tags), .string(updated)],
                       object: PartialObject(metadata: stream.metadata))
        }
        return Table(metadata: ListMeta(resourceVersion: resourceVersion), columnDefinitions: columns, rows: rows)
    }

    static func images(_ images: [Image], resourceVersion: String?) -> Table {
        let columns = [name, Column(name: "Image Reference", description: "The pull spec of the image")]
        let rows = images.map {
            Row(cells: [.string($0.metadata.name ?? ""), .string($0.dockerImageReference ?? "")], object: PartialObject(metadata: $0.metadata))
        }
        return Table(metadata: ListMeta(resourceVersion: resourceVersion), columnDefinitions: columns, rows: rows)
    }

    static func imageStreamTags(_ tags: [ImageStreamTag], resourceVersion: String?, now: Date = Date()) -> Table {
        let columns = [name,
                       Column(name: "Image Reference", description: "The pull spec the tag resolves to"),
                       Column(name: "Updated", description: "When the tag last changed"),
                       Column(name: "Image Name", description: "The image the tag points at", priority: 1)]
        let rows = tags.map { tag in
            Row(cells: [.string(tag.metadata.name ?? ""), .string(tag.image.dockerImageReference ?? ""),
                        .string(tag.metadata.creationTimestamp.map { age(of: $0, now: now) + " ago" } ?? ""),
                        .string(tag.image.metadata.name ?? "")],
                object: PartialObject(metadata: tag.metadata))
        }
        return Table(metadata: ListMeta(resourceVersion: resourceVersion), columnDefinitions: columns, rows: rows)
    }

    static func imageTags(_ tags: [ImageTag], resourceVersion: String?, now: Date = Date()) -> Table {
        let columns = [name,
                       Column(name: "Spec", description: "Where the tag's image comes from: Tag, Ref, Scheduled, Track or Push"),
                       Column(name: "Status", description: "The tag's current image or import state"),
                       Column(name: "History", type: "number", description: "How many images the tag has pointed at"),
                       Column(name: "Updated", description: "When the tag last changed")]
        let rows = tags.map { tag -> Row in
            let stream = (tag.metadata.name ?? "").split(separator: ":").first.map(String.init) ?? ""
            var spec = ""
            if let reference = tag.spec {
                if reference.reference == true { spec = "Ref" }
                else if reference.importPolicy?.scheduled == true { spec = "Scheduled" }
                else if reference.from?.kind == "ImageStreamTag", (reference.from?.namespace ?? "").isEmpty || reference.from?.namespace == tag.metadata.namespace,
                        !(reference.from?.name ?? "").contains(":") || reference.from?.name?.hasPrefix("\(stream):") == true { spec = "Track" }
                else { spec = "Tag" }
            } else if tag.status?.items?.isEmpty == false {
                spec = "Push"
            }
            var status = ""
            if let event = tag.status?.items?.first {
                status = event.image.isEmpty ? event.dockerImageReference : "image/\(event.image)"
            } else if let failed = tag.status?.conditions?.first(where: { $0.status == "False" }) {
                status = "ImportFailed (\(failed.reason ?? ""))"
            } else if tag.spec?.from?.kind == "DockerImage", tag.spec?.reference != true {
                status = "Importing"
            }
            let history: JSONValue = tag.status?.items.map { .int(Int64($0.count)) } ?? .null
            let updated = tag.status?.items?.first.map { age(of: $0.created, now: now) + " ago" } ?? ""
            return Row(cells: [.string(tag.metadata.name ?? ""), .string(spec), .string(status), history, .string(updated)],
                       object: PartialObject(metadata: tag.metadata))
        }
        return Table(metadata: ListMeta(resourceVersion: resourceVersion), columnDefinitions: columns, rows: rows)
    }

    static func imageStreamImages(_ images: [ImageStreamImage], now: Date = Date()) -> Table {
        let columns = [name,
                       Column(name: "Updated", description: "When the image was created"),
                       Column(name: "Image Reference", description: "The pull spec of the image", priority: 1),
                       Column(name: "Image Name", description: "The image's name (its manifest digest)", priority: 1)]
        let rows = images.map { image in
            Row(cells: [.string(image.metadata.name ?? ""), .string(image.metadata.creationTimestamp.map { age(of: $0, now: now) + " ago" } ?? ""),
                        .string(image.image.dockerImageReference ?? ""), .string(image.image.metadata.name ?? "")],
                object: PartialObject(metadata: image.metadata))
        }
        return Table(metadata: ListMeta(resourceVersion: nil), columnDefinitions: columns, rows: rows)
    }

    /// Docker's `HumanDuration`: "Less than a second", "5 minutes", "About an hour", "3 days", ….
    static func age(of time: Time, now: Date) -> String {
        let seconds = max(0, Int64(now.timeIntervalSince1970) - time.secondsSince1970)
        switch seconds {
        case ..<1: return "Less than a second"
        case 1: return "1 second"
        case ..<60: return "\(seconds) seconds"
        case ..<120: return "About a minute"
        case ..<3600: return "\(seconds / 60) minutes"
        case ..<7200: return "About an hour"
        case ..<(48 * 3600): return "\(seconds / 3600) hours"
        case ..<(14 * 86400): return "\(seconds / 86400) days"
        case ..<(60 * 86400): return "\(seconds / (7 * 86400)) weeks"
        case ..<(730 * 86400): return "\(seconds / (30 * 86400)) months"
        default: return "\(seconds / (365 * 86400)) years"
        }
    }
}
