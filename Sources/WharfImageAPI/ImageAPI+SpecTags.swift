import WharfModel
import WharfStorage

extension ImageAPI {
    /// Resolves the status of the spec tags named in `changed` (reference §4.3), then refreshes tracking tags.
    ///
    /// - `DockerImage` with `reference: true`: an event carrying the pull spec and no image.
    /// - `DockerImage` without `reference`: left for an import (Wharf does not import from remote registries yet).
    /// - `ImageStreamTag`: the source tag's newest event, if any; a missing source stream is a `Not found` cause.
    /// - `ImageStreamImage`: the image with that digest or unique prefix in the source stream's history.
    /// Throws `invalid` with causes on `spec.tags[<name>].from.name`.
    func resolveSpecTags(of stream: inout ImageStream, changed: Set<String>, in tx: any MetadataTransaction) async throws {
        let namespace = stream.metadata.namespace ?? "", name = stream.metadata.name ?? ""
        var causes: [FieldCause] = []
        for tag in (stream.spec.tags ?? []).sorted(by: { $0.name < $1.name }) where changed.contains(tag.name) {
            guard let from = tag.from, let fromName = from.name else { continue }
            let field = "spec.tags[\(tag.name)].from.name"
            let generation = tag.generation ?? stream.metadata.generation ?? 1
            let sourceNamespace = (from.namespace ?? "").isEmpty ? namespace : from.namespace!
            if sourceNamespace != namespace, from.kind != "DockerImage" {
                let sourceStream = String(fromName.split(separator: fromName.contains("@") ? "@" : ":").first ?? "")
                guard let check = sourceAccess, try await check(sourceNamespace, sourceStream) else {
                    causes.append(FieldCause(.forbidden, field: "spec.tags[\(tag.name)].from",
                                             message: "Forbidden: you may not read images in namespace \(sourceNamespace)"))
                    continue
                }
            }
            switch from.kind {
            case "DockerImage":
                if tag.reference == true {
                    _ = TagHistory.add(TagEvent(created: now(), dockerImageReference: fromName, image: "", generation: generation),
                                       to: tag.name, in: &stream)
                }
            case "ImageStreamTag":
                let (sourceStream, sourceTag) = fromName.contains(":")
                    ? (String(fromName.split(separator: ":")[0]), String(fromName.split(separator: ":").dropFirst().joined(separator: ":")))
                    : (name, fromName)
                let source = sourceStream == name && sourceNamespace == namespace
                    ? stream : try await imageStream(namespace: sourceNamespace, name: sourceStream, in: tx)
                guard let source else {
                    causes.append(FieldCause(.notFound, field: field, message: "Not found: \"\(fromName)\""))
                    continue
                }
                guard let event = source.currentEvent(of: sourceTag) else { continue }
                var reference = event.dockerImageReference
                let sourcePrefix = "\(dockerImageRepository(namespace: sourceNamespace, name: sourceStream))@"
                if tag.reference != true, reference.hasPrefix(sourcePrefix) {
                    reference = "\(dockerImageRepository(namespace: namespace, name: name))@\(reference.dropFirst(sourcePrefix.count))"
                }
                _ = TagHistory.add(TagEvent(created: now(), dockerImageReference: reference, image: event.image, generation: generation),
                                   to: tag.name, in: &stream)
            case "ImageStreamImage":
                let parts = fromName.split(separator: "@", maxSplits: 1).map(String.init)
                let (sourceStream, id) = parts.count == 2 ? (parts[0], parts[1]) : (name, fromName)
                let source = sourceStream == name && sourceNamespace == namespace
                    ? stream : try await imageStream(namespace: sourceNamespace, name: sourceStream, in: tx)
                guard let source else {
                    causes.append(FieldCause(.notFound, field: field, message: "Not found: \"\(fromName)\""))
                    continue
                }
                let matches = Set(source.historyImages.filter { Self.digest($0, matches: id) })
                guard matches.count == 1, let image = matches.first else {
                    causes.append(matches.isEmpty
                        ? FieldCause(.notFound, field: field, message: "Not found: \"\(fromName)\"")
                        : .invalid(field, value: fromName, "multiple images match the prefix \"\(id)\""))
                    continue
                }
                let reference = tag.referencePolicy?.type == "Local" || tag.reference != true
                    ? "\(dockerImageRepository(namespace: namespace, name: name))@\(image)"
                    : (source.status.tags ?? []).lazy.compactMap { $0.items?.first { $0.image == image }?.dockerImageReference }.first ?? image
                _ = TagHistory.add(TagEvent(created: now(), dockerImageReference: reference, image: image, generation: generation),
                                   to: tag.name, in: &stream)
            default:
                continue
            }
        }
        guard causes.isEmpty else { throw KubernetesError.invalid("ImageStream", name, causes) }
        for tag in changed {
            guard let event = stream.currentEvent(of: tag) else { continue }
            for tracking in TagHistory.tagsTracking(tag, of: stream) where !changed.contains(tracking) {
                _ = TagHistory.add(event, to: tracking, in: &stream)
            }
        }
    }

    /// Whether `id` (a digest, or a prefix of its hex or of the whole string) names `digest`.
    static func digest(_ digest: String, matches id: String) -> Bool {
        digest.hasPrefix(id) || (digest.split(separator: ":").last.map { $0.hasPrefix(id) } ?? false)
    }
}

extension ImageStream {
    /// Every image named anywhere in the tag history, newest tags first.
    var historyImages: [String] {
        var seen: [String] = []
        for list in status.tags ?? [] {
            for event in list.items ?? [] where !event.image.isEmpty && !seen.contains(event.image) { seen.append(event.image) }
        }
        return seen
    }
}
