import WharfModel

/// A small OpenAPI v3 document for `image.openshift.io/v1` (reference §11.6): enough for kubectl to see that every
/// kind accepts server-side field validation on PATCH, and to find the merge keys of strategic patches.
enum OpenAPIDocument {
    static let path = "/openapi/v3/apis/\(ImageAPIGroup.version)"

    static func index() -> JSONValue {
        .object(["paths": .object([
            "apis/\(ImageAPIGroup.version)": .object(["serverRelativeURL": .string("\(path)?hash=wharf1")]),
            "api/v1": .object(["serverRelativeURL": .string("/openapi/v3/api/v1?hash=wharf1")]),
        ])])
    }

    static let kinds: [(kind: String, resource: String, namespaced: Bool)] = [
        ("Image", "images", false), ("ImageSignature", "imagesignatures", false), ("ImageStream", "imagestreams", true),
        ("ImageStreamMapping", "imagestreammappings", true), ("ImageStreamTag", "imagestreamtags", true), ("ImageTag", "imagetags", true),
        ("ImageStreamImport", "imagestreamimports", true), ("ImageStreamImage", "imagestreamimages", true),
    ]

    /// The document for `image.openshift.io/v1` (`group` `image.openshift.io`) or the legacy `v1` kinds (`group` "").
    static func document(group: String) -> JSONValue {
        let version = "v1"
        let base = group.isEmpty ? "/api/v1" : "/apis/\(group)/\(version)"
        var paths: [String: JSONValue] = [:]
        var schemas: [String: JSONValue] = [:]
        for entry in kinds {
            let kindObject: JSONValue = .object(["group": .string(group), "version": .string(version), "kind": .string(entry.kind)])
            let gvk: JSONValue = .array([kindObject])
            let parameters: JSONValue = .array(["fieldValidation", "dryRun", "fieldManager", "force"].map {
                .object(["name": .string($0), "in": .string("query"), "schema": .object(["type": .string($0 == "force" ? "boolean" : "string")])])
            })
            let operation: JSONValue = .object(["x-kubernetes-group-version-kind": kindObject, "parameters": parameters,
                                                "responses": .object(["200": .object(["description": .string("OK")])])])
            let item = entry.namespaced ? "\(base)/namespaces/{namespace}/\(entry.resource)/{name}" : "\(base)/\(entry.resource)/{name}"
            paths[item] = .object(["patch": operation, "put": operation, "get": operation, "delete": operation])
            let collection = entry.namespaced ? "\(base)/namespaces/{namespace}/\(entry.resource)" : "\(base)/\(entry.resource)"
            paths[collection] = .object(["post": operation])
            schemas["com.github.openshift.api.image.v1.\(entry.kind)"] = schema(entry.kind, gvk: gvk)
        }
        return .object([
            "openapi": .string("3.0.0"),
            "info": .object(["title": .string("Wharf"), "version": .string(version)]),
            "paths": .object(paths),
            "components": .object(["schemas": .object(schemas)]),
        ])
    }

    private static func schema(_ kind: String, gvk: JSONValue) -> JSONValue {
        var properties: [String: JSONValue] = [
            "apiVersion": .object(["type": .string("string")]), "kind": .object(["type": .string("string")]),
            "metadata": .object(["type": .string("object"), "x-kubernetes-preserve-unknown-fields": .bool(true)]),
        ]
        if kind == "ImageStream" {
            let tagList = { (key: String) -> JSONValue in
                .object(["type": .string("array"), "items": .object(["type": .string("object"), "x-kubernetes-preserve-unknown-fields": .bool(true)]),
                         "x-kubernetes-patch-merge-key": .string(key), "x-kubernetes-patch-strategy": .string("merge")])
            }
            properties["spec"] = .object(["type": .string("object"), "properties": .object(["tags": tagList("name")]),
                                          "x-kubernetes-preserve-unknown-fields": .bool(true)])
            properties["status"] = .object(["type": .string("object"), "properties": .object(["tags": tagList("tag")]),
                                            "x-kubernetes-preserve-unknown-fields": .bool(true)])
        }
        return .object(["type": .string("object"), "properties": .object(properties), "x-kubernetes-group-version-kind": gvk,
                        "x-kubernetes-preserve-unknown-fields": .bool(true)])
    }
}
