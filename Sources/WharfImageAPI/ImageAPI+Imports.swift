public import WharfModel

extension ImageAPI {
    /// Validates an import and answers per image (reference §9). Wharf cannot reach remote registries yet, so every
    /// requested image gets a `Failure` status saying so; nothing is imported and nothing is faked.
    public func createImageStreamImport(_ request: ImageStreamImport, namespace: String) async throws -> ImageStreamImport {
        try Self.checkNamespace(request.metadata.namespace, namespace)
        let name = request.metadata.name ?? ""
        var causes: [FieldCause] = []
        if let problem = RepositoryName.streamNameProblem(name) { causes.append(.invalid("metadata.name", value: name, problem)) }
        let images = request.spec.images ?? []
        if images.isEmpty && request.spec.repository == nil {
            causes.append(.invalid("spec.images", value: "null", "you must specify at least one image or a repository import"))
        }
        for (index, image) in images.enumerated() {
            if image.from?.kind != "DockerImage" {
                causes.append(.invalid("spec.images[\(index)].from.kind", value: image.from?.kind ?? "", "only DockerImage is supported"))
            } else if (image.from?.name ?? "").isEmpty {
                causes.append(.required("spec.images[\(index)].from.name"))
            }
            if let to = image.to, (to.name ?? "").isEmpty { causes.append(.required("spec.images[\(index)].to.name")) }
        }
        if let repository = request.spec.repository {
            if repository.from?.kind != "DockerImage" {
                causes.append(.invalid("spec.repository.from.kind", value: repository.from?.kind ?? "", "only DockerImage is supported"))
            } else if let from = repository.from?.name, from.contains("@") || from.split(separator: "/").last?.contains(":") == true {
                causes.append(.invalid("spec.repository.from.name", value: from, "you must specify an image repository, not a tag or ID"))
            }
        }
        guard causes.isEmpty else { throw KubernetesError.invalid("ImageStreamImport", name, causes) }
        let failure = { (what: String) in
            ImageStreamImport.ImportOutcome(status: "Failure", message: "Wharf cannot import \(what): importing from remote registries is not supported yet",
                                            reason: "InternalError", code: 500)
        }
        var result = request
        result.kind = "ImageStreamImport"
        result.apiVersion = ImageAPIGroup.version
        result.metadata.namespace = namespace
        result.status = ImageStreamImport.Status(
            import: nil,
            repository: request.spec.repository.map { .init(status: failure($0.from?.name ?? "the repository"), images: nil) },
            images: images.map { .init(status: failure($0.from?.name ?? "the image"), tag: $0.to?.name) })
        return result
    }
}
