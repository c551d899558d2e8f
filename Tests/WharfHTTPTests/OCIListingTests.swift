import HTTPTypes
import HummingbirdTesting
import Testing
import WharfModel

@Suite("OCI listings: tags, catalog and referrers")
struct OCIListingTests {
    @Test("tags/list is sorted and paginated with n, last and a Link header")
    func tagsPagination() async throws {
        try await Wire.test { wire in
            let (bytes, _) = try await wire.pushImage("ns/app", reference: "b")
            for tag in ["d", "a", "c"] {
                _ = try await wire.send(.put, "/v2/ns/app/manifests/\(tag)", headers: ["Content-Type": MediaType.ociManifest], body: bytes)
            }
            let all = try await wire.send(.get, "/v2/ns/app/tags/list")
            #expect(all.json["name"] as? String == "ns/app")
            #expect(all.json["tags"] as? [String] == ["a", "b", "c", "d"])
            #expect(all.header("Link") == nil)
            let page = try await wire.send(.get, "/v2/ns/app/tags/list?n=2")
            #expect(page.json["tags"] as? [String] == ["a", "b"])
            #expect(page.header("Link") == "</v2/ns/app/tags/list?n=2&last=b>; rel=\"next\"")
            let next = try await wire.send(.get, "/v2/ns/app/tags/list?n=2&last=b")
            #expect(next.json["tags"] as? [String] == ["c", "d"])
            #expect(next.header("Link") == nil)
            #expect(try await wire.send(.get, "/v2/ns/app/tags/list?n=0").json["tags"] as? [String] == [])
            #expect(try await wire.send(.get, "/v2/ns/app/tags/list?last=%62").json["tags"] as? [String] == ["c", "d"])
            #expect(try await wire.send(.get, "/v2/ns/app/tags/list?n=-1").ociCode == "PAGINATION_NUMBER_INVALID")
            #expect(try await wire.send(.get, "/v2/ns/none/tags/list").ociCode == "NAME_UNKNOWN")
        }
    }

    @Test("_catalog lists repositories, sorted and paginated")
    func catalog() async throws {
        try await Wire.test { wire in
            for repository in ["zz/app", "aa/app", "mm/app"] { try await wire.pushImage(repository, reference: "latest") }
            let all = try await wire.send(.get, "/v2/_catalog")
            #expect(all.json["repositories"] as? [String] == ["aa/app", "mm/app", "zz/app"])
            let page = try await wire.send(.get, "/v2/_catalog?n=1&last=aa/app")
            #expect(page.json["repositories"] as? [String] == ["mm/app"])
            #expect(page.header("Link") != nil)
        }
    }

    @Test("Referrers: OCI-Subject on PUT, an index of referrers, the artifactType filter, and an empty list for unknown subjects")
    func referrers() async throws {
        try await Wire.test { wire in
            let (subjectBytes, subject) = try await wire.pushImage("ns/app", reference: "latest")
            let subjectField = ",\"subject\":{\"mediaType\":\"\(MediaType.ociManifest)\",\"digest\":\"\(subject)\",\"size\":\(subjectBytes.count)}"
            let empty = Array("{}".utf8)
            try await wire.pushBlob(empty, to: "ns/app")
            var pushed: [Digest] = []
            for (type, note) in [("application/x-sbom", "one"), ("application/x-sig", "two")] {
                let body = Array("""
                    {"schemaVersion":2,"mediaType":"\(MediaType.ociManifest)","artifactType":"\(type)",\
                    "config":{"mediaType":"\(MediaType.ociEmpty)","digest":"\(Digest.sha256(of: empty))","size":2},\
                    "layers":[],"annotations":{"note":"\(note)"}\(subjectField)}
                    """.utf8)
                let put = try await wire.send(.put, "/v2/ns/app/manifests/\(Digest.sha256(of: body))",
                                              headers: ["Content-Type": MediaType.ociManifest], body: body)
                #expect(put.status == .created)
                #expect(put.header("OCI-Subject") == subject.description)
                pushed.append(Digest.sha256(of: body))
            }
            let all = try await wire.send(.get, "/v2/ns/app/referrers/\(subject)")
            #expect(all.status == .ok)
            #expect(all.header("Content-Type") == MediaType.ociIndex)
            #expect(all.header("OCI-Filters-Applied") == nil)
            let manifests = try #require(all.json["manifests"] as? [[String: Any]])
            #expect(Set(manifests.compactMap { $0["digest"] as? String }) == Set(pushed.map(\.description)))
            #expect(Set(manifests.compactMap { $0["artifactType"] as? String }) == ["application/x-sbom", "application/x-sig"])
            #expect(manifests.allSatisfy { ($0["annotations"] as? [String: String])?["note"] != nil })
            let filtered = try await wire.send(.get, "/v2/ns/app/referrers/\(subject)?artifactType=application/x-sig")
            #expect(filtered.header("OCI-Filters-Applied") == "artifactType")
            #expect((filtered.json["manifests"] as? [[String: Any]])?.map { $0["artifactType"] as? String } == ["application/x-sig"])
            let unknown = try await wire.send(.get, "/v2/ns/app/referrers/sha256:" + String(repeating: "0", count: 64))
            #expect(unknown.status == .ok)
            #expect((unknown.json["manifests"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("A manifest whose subject does not exist yet is accepted")
    func missingSubject() async throws {
        try await Wire.test { wire in
            let empty = Array("{}".utf8)
            try await wire.pushBlob(empty, to: "ns/app")
            let ghost = "sha256:" + String(repeating: "1", count: 64)
            let body = Array("""
                {"schemaVersion":2,"mediaType":"\(MediaType.ociManifest)","artifactType":"application/x-sig",\
                "config":{"mediaType":"\(MediaType.ociEmpty)","digest":"\(Digest.sha256(of: empty))","size":2},"layers":[],\
                "subject":{"mediaType":"\(MediaType.ociManifest)","digest":"\(ghost)","size":10}}
                """.utf8)
            let put = try await wire.send(.put, "/v2/ns/app/manifests/\(Digest.sha256(of: body))",
                                          headers: ["Content-Type": MediaType.ociManifest], body: body)
            #expect(put.status == .created)
            #expect(put.header("OCI-Subject") == ghost)
            #expect((try await wire.send(.get, "/v2/ns/app/referrers/\(ghost)").json["manifests"] as? [Any])?.count == 1)
        }
    }
}
