import WharfModel

/// A small OpenAPI v3 document for `image.openshift.io/v1` (reference §11.6): enough for kubectl to see that every
/// kind accepts server-side field validation on PATCH, and to compute strategic merge patches for `kubectl apply`
/// (the merge keys of `spec.tags` and `status.tags`).
enum OpenAPIDocument {
    static let path = "/openapi/v3/apis/\(ImageAPIGroup.version)"

    static func index() -> JSONValue {
        .object(["paths": .object([
            "apis/\(ImageAPIGroup.version)": .object(["serverRelativeURL": .string("\(path)?hash=wharf2")]),
            "api/v1": .object(["serverRelativeURL": .string("/openapi/v3/api/v1?hash=wharf2")]),
            "apis/\(RBACGroup.version)": .object(["serverRelativeURL": .string("/openapi/v3/apis/\(RBACGroup.version)?hash=wharf2")]),
        ])])
    }

    static let rbacKinds: [(kind: String, resource: String, namespaced: Bool)] = [
        ("ClusterRole", "clusterroles", false), ("ClusterRoleBinding", "clusterrolebindings", false), ("Role", "roles", true),
        ("RoleBinding", "rolebindings", true),
    ]

    static let kinds: [(kind: String, resource: String, namespaced: Bool)] = [
        ("Image", "images", false), ("ImageSignature", "imagesignatures", false), ("ImageStream", "imagestreams", true),
        ("ImageStreamMapping", "imagestreammappings", true), ("ImageStreamTag", "imagestreamtags", true), ("ImageTag", "imagetags", true),
        ("ImageStreamImport", "imagestreamimports", true), ("ImageStreamImage", "imagestreamimages", true),
    ]

    static let patchTypes = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
                             "application/apply-patch+yaml"]

    /// The document for `image.openshift.io/v1` (`group` `image.openshift.io`) or the legacy `v1` kinds (`group` "").
    static func document(group: String) -> JSONValue {
        let base = group.isEmpty ? "/api/v1" : "/apis/\(group)/v1"
        var paths: [String: JSONValue] = [:]
        var schemas = shared
        for entry in group == RBACGroup.name ? rbacKinds : kinds {
            let gvk: JSONValue = .object(["group": .string(group), "version": .string("v1"), "kind": .string(entry.kind)])
            let reference: JSONValue = .object(["$ref": .string("#/components/schemas/\(schemaName(entry.kind))")])
            let parameters: JSONValue = .array(["fieldValidation", "dryRun", "fieldManager", "force"].map {
                .object(["name": .string($0), "in": .string("query"), "schema": .object(["type": .string($0 == "force" ? "boolean" : "string")])])
            })
            func operation(_ contentTypes: [String]) -> JSONValue {
                .object(["x-kubernetes-group-version-kind": gvk, "parameters": parameters,
                         "requestBody": .object(["content": .object(Dictionary(uniqueKeysWithValues: contentTypes.map { ($0, .object(["schema": reference])) }))]),
                         "responses": .object(["200": .object(["description": .string("OK"),
                                                               "content": .object(["application/json": .object(["schema": reference])])])])])
            }
            let item = entry.namespaced ? "\(base)/namespaces/{namespace}/\(entry.resource)/{name}" : "\(base)/\(entry.resource)/{name}"
            paths[item] = .object(["patch": operation(patchTypes), "put": operation(["application/json"]), "get": operation([]),
                                   "delete": operation([])])
            let collection = entry.namespaced ? "\(base)/namespaces/{namespace}/\(entry.resource)" : "\(base)/\(entry.resource)"
            paths[collection] = .object(["post": operation(["application/json", "application/yaml"])])
            schemas[schemaName(entry.kind)] = kindSchema(entry.kind, gvk: gvk)
        }
        return .object([
            "openapi": .string("3.0.0"),
            "info": .object(["title": .string("Wharf"), "version": .string("v1")]),
            "paths": .object(paths),
            "components": .object(["schemas": .object(schemas)]),
        ])
    }

    static func schemaName(_ kind: String) -> String { "com.github.openshift.api.image.v1.\(kind)" }

    static let string: JSONValue = .object(["type": .string("string")])
    static let integer: JSONValue = .object(["type": .string("integer"), "format": .string("int64")])
    static let boolean: JSONValue = .object(["type": .string("boolean")])
    static let stringMap: JSONValue = .object(["type": .string("object"), "additionalProperties": string])
    static let anything: JSONValue = .object(["type": .string("object"), "x-kubernetes-preserve-unknown-fields": .bool(true)])

    static func ref(_ name: String) -> JSONValue { .object(["$ref": .string("#/components/schemas/\(name)")]) }

    static func object(_ properties: [String: JSONValue]) -> JSONValue {
        .object(["type": .string("object"), "properties": .object(properties)])
    }

    static func mergeList(_ item: String, key: String) -> JSONValue {
        .object(["type": .string("array"), "items": ref(item), "x-kubernetes-patch-merge-key": .string(key),
                 "x-kubernetes-patch-strategy": .string("merge"), "x-kubernetes-list-type": .string("map"),
                 "x-kubernetes-list-map-keys": .array([.string(key)])])
    }

    static var shared: [String: JSONValue] {
        [
            "ObjectMeta": object(["name": string, "generateName": string, "namespace": string, "uid": string, "resourceVersion": string,
                                  "generation": integer, "creationTimestamp": string, "labels": stringMap, "annotations": stringMap]),
            "ObjectReference": object(["kind": string, "name": string, "namespace": string]),
            "TagReference": object(["name": string, "annotations": stringMap, "from": ref("ObjectReference"), "reference": boolean,
                                    "generation": integer,
                                    "importPolicy": object(["insecure": boolean, "scheduled": boolean, "importMode": string]),
                                    "referencePolicy": object(["type": string])]),
            "TagEvent": object(["created": string, "dockerImageReference": string, "image": string, "generation": integer]),
            "NamedTagEventList": object(["tag": string, "items": .object(["type": .string("array"), "items": ref("TagEvent")]),
                                         "conditions": .object(["type": .string("array"), "items": anything])]),
        ]
    }

    static func kindSchema(_ kind: String, gvk: JSONValue) -> JSONValue {
        var properties: [String: JSONValue] = ["apiVersion": string, "kind": string, "metadata": ref("ObjectMeta")]
        switch kind {
        case "ImageStream":
            properties["spec"] = object(["lookupPolicy": object(["local": boolean]), "dockerImageRepository": string,
                                         "tags": mergeList("TagReference", key: "name")])
            properties["status"] = object(["dockerImageRepository": string, "publicDockerImageRepository": string,
                                           "tags": mergeList("NamedTagEventList", key: "tag")])
        case "ImageStreamTag":
            properties["tag"] = ref("TagReference")
            properties["generation"] = integer
            properties["lookupPolicy"] = object(["local": boolean])
            properties["image"] = anything
        case "ImageTag":
            properties["spec"] = ref("TagReference")
            properties["status"] = ref("NamedTagEventList")
            properties["image"] = anything
        case "ImageStreamMapping":
            properties["tag"] = string
            properties["image"] = anything
        default:
            for field in ["spec", "status", "image", "dockerImageReference", "dockerImageMetadata", "dockerImageLayers", "signatures",
                          "type", "content"] {
                properties[field] = anything
            }
        }
        return .object(["type": .string("object"), "properties": .object(properties), "x-kubernetes-group-version-kind": .array([gvk])])
    }
}
