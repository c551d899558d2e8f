import WharfModel

/// The OpenAPI v3 documents of the served group versions (reference §11.6), made from discovery: every verb a resource
/// advertises is one operation, and nothing else is documented. kubectl reads them to see that a kind accepts
/// server-side field validation (its PATCH operation has `fieldValidation`) and to compute strategic merge patches for
/// `kubectl apply` (the merge keys of `spec.tags` and `status.tags`).
///
/// The contract of each operation: its path parameters are declared; success answers the object (`201` for a create),
/// its list (a LIST or DELETE of a collection), or a `Status` (a DELETE, and an ImageStreamMapping's create); every
/// failure answers a `Status` (`default`). Watches (`GET …?watch=true`) are streams this document does not describe.
enum OpenAPIDocument {
    static let path = "/openapi/v3/apis/\(ImageAPIGroup.version)"

    /// Changes whenever the documents do, so that kubectl's cache (keyed by this hash) reads them again.
    static let hash = "wharf3"

    /// A served group version: its key in the index, its group ("" for the core group), where its objects live, and
    /// the resources discovery lists for it.
    struct GroupVersion {
        var key: String
        var group: String
        var base: String
        var resources: [Discovery.Resource]
    }

    static let groupVersions = [
        GroupVersion(key: "apis/\(ImageAPIGroup.version)", group: ImageAPIGroup.name, base: APIRoute.prefix, resources: Discovery.imageResources),
        GroupVersion(key: "api/v1", group: "", base: APIRoute.legacyPrefix, resources: Discovery.coreResources),
        GroupVersion(key: "apis/\(RBACGroup.version)", group: RBACGroup.name, base: "/apis/\(RBACGroup.version)", resources: Discovery.rbacResources),
    ]

    /// The OpenAPI v2 document, as the protobuf kubectl asks for: `swagger` and `info` only, with no paths and no
    /// definitions (the schemas are in the v3 documents). kubectl validates a kind whose PATCH takes no
    /// `fieldValidation` (a create-only kind, such as ImageStreamMapping) against v2, and skips a kind v2 does not define.
    static let v2: [UInt8] = {
        func field(_ number: UInt8, _ bytes: [UInt8]) -> [UInt8] { [number << 3 | 2, UInt8(bytes.count)] + bytes }
        return field(1, Array("2.0".utf8)) + field(2, field(1, Array("Wharf".utf8)) + field(2, Array("v1".utf8)))
    }()

    static let v2ContentType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    static func index() -> JSONValue {
        .object(["paths": .object(Dictionary(uniqueKeysWithValues: groupVersions.map {
            ($0.key, .object(["serverRelativeURL": .string("/openapi/v3/\($0.key)?hash=\(hash)")]))
        }))])
    }

    /// The document of the group version whose group is `group` (`image.openshift.io`, `rbac.authorization.k8s.io`,
    /// or "" for the core `v1`).
    static func document(group: String) -> JSONValue {
        let served = groupVersions.first { $0.group == group } ?? groupVersions[0]
        var paths: [String: [String: JSONValue]] = [:]
        var schemas = shared
        for resource in served.resources {
            let parts = resource.name.split(separator: "/").map(String.init)
            let scope = resource.namespaced ? "\(served.base)/namespaces/{namespace}" : served.base
            let collection = "\(scope)/\(parts[0])"
            let item = (["\(collection)/{name}"] + parts.dropFirst()).joined(separator: "/")
            let gvk: JSONValue = .object(["group": .string(group), "version": .string("v1"), "kind": .string(resource.kind)])
            let object = ref(schemaName(resource.kind))
            let list = ref(schemaName(resource.kind + "List"))
            func operation(_ responses: [String: JSONValue], query: [String] = [], body: [String] = []) -> JSONValue {
                var operation: [String: JSONValue] = [
                    "x-kubernetes-group-version-kind": gvk,
                    "parameters": .array(query.map { queryParameter($0) }),
                    "responses": .object(responses.mapValues(response).merging(["default": response(ref("Status"))]) { $1 }),
                ]
                if !body.isEmpty {
                    operation["requestBody"] = .object(["required": .bool(true), "content": .object(Dictionary(uniqueKeysWithValues: body.map {
                        ($0, .object(["schema": patchTypes.contains($0) ? patchSchema($0) : object]))
                    }))])
                }
                return .object(operation)
            }
            let selectors = group == ImageAPIGroup.name ? ["labelSelector", "fieldSelector", "limit", "continue"] : []
            for verb in resource.verbs {
                switch verb {
                case "list":
                    paths[collection, default: [:]]["get"] = operation(["200": list], query: selectors)
                    if resource.namespaced { paths["\(served.base)/\(parts[0])", default: [:]]["get"] = operation(["200": list], query: selectors) }
                case "create":
                    let created = resource.name == "imagestreammappings" ? ref("Status") : object
                    paths[collection, default: [:]]["post"] = operation(["201": created], query: ["dryRun", "fieldValidation"],
                                                                       body: ["application/json", "application/yaml"])
                case "deletecollection":
                    paths[collection, default: [:]]["delete"] = operation(["200": list], query: ["dryRun"] + selectors.prefix(2))
                case "get":
                    paths[item, default: [:]]["get"] = operation(["200": object])
                case "update":
                    paths[item, default: [:]]["put"] = operation(["200": object, "201": object], query: ["dryRun", "fieldValidation"],
                                                                 body: ["application/json", "application/yaml"])
                case "patch":
                    paths[item, default: [:]]["patch"] = operation(["200": object, "201": object],
                                                                   query: ["dryRun", "fieldValidation"], body: patchTypes)
                case "delete":
                    paths[item, default: [:]]["delete"] = operation(["200": ref("Status")], query: ["dryRun"])
                default:
                    break  // watch
                }
            }
            schemas[schemaName(resource.kind)] = schemas[schemaName(resource.kind)] ?? kindSchema(resource.kind, gvk: gvk)
            if resource.verbs.contains("list") { schemas[schemaName(resource.kind + "List")] = listSchema(of: object) }
        }
        return .object([
            "openapi": .string("3.0.0"),
            "info": .object(["title": .string("Wharf"), "version": .string("v1")]),
            "paths": .object(paths.reduce(into: [:]) { documented, entry in
                documented[entry.key] = .object(entry.value.merging(["parameters": .array(pathParameters(entry.key))]) { $1 })
            }),
            "components": .object(["schemas": .object(schemas)]),
        ])
    }

    /// `{namespace}` and `{name}` in a path template, each declared as a required path parameter.
    static func pathParameters(_ template: String) -> [JSONValue] {
        template.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map {
            .object(["name": .string(String($0.dropFirst().dropLast())), "in": .string("path"), "required": .bool(true), "schema": string])
        }
    }

    /// The query parameters the server reads, with the values it accepts. (`fieldManager` and `force`, which kubectl
    /// sends and the server ignores, as it keeps no field management, are not listed.)
    static func queryParameter(_ name: String) -> JSONValue {
        let schema: JSONValue = switch name {
        case "dryRun": .object(["type": .string("string"), "enum": .array([.string("All")])])
        case "fieldValidation": .object(["type": .string("string"), "enum": .array(["Ignore", "Warn", "Strict"].map { .string($0) })])
        case "limit": integer
        default: string
        }
        return .object(["name": .string(name), "in": .string("query"), "schema": schema])
    }

    static func response(_ schema: JSONValue) -> JSONValue {
        .object(["description": .string("a Kubernetes object"), "content": .object(["application/json": .object(["schema": schema])])])
    }

    static let patchTypes = ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json",
                             "application/apply-patch+yaml"]

    /// A patch body: a list of operations (RFC 6902), or an object whose fields merge into the stored one, where a
    /// `null` removes a field; the object it yields is validated by the server, not by this schema.
    static func patchSchema(_ type: String) -> JSONValue {
        type == "application/json-patch+json" ? jsonPatch : .object(["type": .string("object")])
    }

    /// An RFC 6902 patch: a list of operations.
    static let jsonPatch: JSONValue = .object(["type": .string("array"), "items": .object([
        "type": .string("object"), "required": .array([.string("op"), .string("path")]),
        "properties": .object(["op": .object(["type": .string("string"), "enum": .array(["add", "remove", "replace", "move", "copy", "test"].map {
            .string($0)
        })]), "path": string, "from": string, "value": .object([:])]),
    ])])

    static func schemaName(_ kind: String) -> String { "com.github.openshift.api.image.v1.\(kind)" }

    static let string: JSONValue = .object(["type": .string("string")])
    static let integer: JSONValue = .object(["type": .string("integer"), "format": .string("int64")])
    static let boolean: JSONValue = .object(["type": .string("boolean")])
    static let stringMap: JSONValue = .object(["type": .string("object"), "additionalProperties": string])
    static let anything: JSONValue = .object(["type": .string("object"), "x-kubernetes-preserve-unknown-fields": .bool(true)])
    static let anyList: JSONValue = .object(["type": .string("array"), "items": anything])

    static func ref(_ name: String) -> JSONValue { .object(["$ref": .string("#/components/schemas/\(name)")]) }

    static func object(_ properties: [String: JSONValue]) -> JSONValue {
        .object(["type": .string("object"), "properties": .object(properties)])
    }

    static func mergeList(_ item: String, key: String) -> JSONValue {
        .object(["type": .string("array"), "items": ref(item), "x-kubernetes-patch-merge-key": .string(key),
                 "x-kubernetes-patch-strategy": .string("merge"), "x-kubernetes-list-type": .string("map"),
                 "x-kubernetes-list-map-keys": .array([.string(key)])])
    }

    static func listSchema(of item: JSONValue) -> JSONValue {
        object(["apiVersion": string, "kind": string, "metadata": ref("ListMeta"), "items": .object(["type": .string("array"), "items": item])])
    }

    static var shared: [String: JSONValue] {
        [
            "ObjectMeta": object(["name": string, "generateName": string, "namespace": string, "uid": string, "resourceVersion": string,
                                  "generation": integer, "creationTimestamp": string, "labels": stringMap, "annotations": stringMap]),
            "ListMeta": object(["resourceVersion": string, "continue": string, "remainingItemCount": integer]),
            "Status": object(["apiVersion": string, "kind": string, "metadata": ref("ListMeta"), "status": string, "message": string,
                              "reason": string, "details": anything, "code": integer]),
            "ObjectReference": object(["kind": string, "name": string, "namespace": string]),
            "TagReference": object(["name": string, "annotations": stringMap, "from": ref("ObjectReference"), "reference": boolean,
                                    "generation": integer,
                                    "importPolicy": object(["insecure": boolean, "scheduled": boolean, "importMode": string]),
                                    "referencePolicy": object(["type": string])]),
            "TagEvent": object(["created": string, "dockerImageReference": string, "image": string, "generation": integer]),
            "NamedTagEventList": object(["tag": string, "items": .object(["type": .string("array"), "items": ref("TagEvent")]),
                                         "conditions": anyList]),
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
        case "Role", "ClusterRole":
            properties["rules"] = anyList
            properties["aggregationRule"] = anything
        case "RoleBinding", "ClusterRoleBinding":
            properties["subjects"] = anyList
            properties["roleRef"] = anything
        case "ImageStreamLayers":
            properties["blobs"] = anything
            properties["images"] = anything
        case "SecretList":
            properties["metadata"] = ref("ListMeta")
            properties["items"] = anyList
        case "Image":
            for field in ["dockerImageReference", "dockerImageMetadataVersion", "dockerImageManifest", "dockerImageManifestMediaType",
                          "dockerImageConfig"] {
                properties[field] = string
            }
            properties["dockerImageMetadata"] = anything
            for field in ["dockerImageLayers", "signatures", "dockerImageManifests"] { properties[field] = anyList }
            properties["dockerImageSignatures"] = .object(["type": .string("array"), "items": string])
        case "ImageSignature":
            for field in ["type", "content", "imageIdentity", "created"] { properties[field] = string }
            properties["conditions"] = anyList
            properties["signedClaims"] = stringMap
        case "ImageStreamImage":
            properties["image"] = anything
        default:  // ImageStreamImport, Namespace
            properties["spec"] = anything
            properties["status"] = anything
        }
        return .object(["type": .string("object"), "properties": .object(properties), "x-kubernetes-group-version-kind": .array([gvk])])
    }
}
