import Foundation
import HeraldTesting
import Hummingbird
import HummingbirdTesting
import Testing

@testable import HeraldServer

@Suite("Rendered documents (JWKS, discovery)")
struct RenderedDocumentTests {
    static let etag = "\"abc-DEF_123\""

    @Test("If-None-Match: a tag, W/ tags, lists with blanks and * match; other tags, fragments and empty fields do not")
    func matching() {
        for condition in [Self.etag, "W/\(Self.etag)", "*", " \(Self.etag) ", "\"x\", \(Self.etag)", "\"x\",\t W/\(Self.etag)",
                          "\(Self.etag),", ",\(Self.etag)", "\"x\", *"] {
            #expect(RenderedDocument.matches(condition, etag: Self.etag), "\(condition)")
        }
        for condition in ["", ",", "\"x\"", "abc-DEF_123", "\"abc-DEF_12\"", "\"abc-DEF_1234\"", "W/", "**",
                          "\"x\" \(Self.etag)", "w/\(Self.etag)", "\(Self.etag)\"", "W/W/\(Self.etag)"] {
            #expect(!RenderedDocument.matches(condition, etag: Self.etag), "\(condition)")
        }
    }

    @Test("the 200 carries body, ETag, Cache-Control and Content-Type; the 304 the same validators and no body")
    func answers() {
        let document = RenderedDocument(body: Array(#"{"keys":[]}"#.utf8), cacheControl: "public, max-age=60")
        #expect(document.etag.hasPrefix("\"") && document.etag.hasSuffix("\"") && document.etag.count == 45)
        let full = document.response(ifNoneMatch: nil)
        #expect(full.status == .ok)
        #expect(full.headers[.eTag] == document.etag)
        #expect(full.headers[.cacheControl] == "public, max-age=60")
        #expect(full.headers[.contentType] == "application/json")
        let stale = document.response(ifNoneMatch: "\"other\"")
        #expect(stale.status == .ok)
        let cached = document.response(ifNoneMatch: document.etag)
        #expect(cached.status == .notModified)
        #expect(cached.headers[.eTag] == document.etag)
        #expect(cached.headers[.cacheControl] == "public, max-age=60")
        #expect(cached.headers[.contentType] == nil)
        #expect(RenderedDocument(body: Array("{}".utf8), cacheControl: "x").etag != document.etag)
    }

    @Test("a cached document is served while its source is unchanged and rendered again when it changes")
    func cache() {
        let cache = RenderedDocuments<String>()
        var renders = 0
        func get(_ realm: String, _ source: String) -> RenderedDocument {
            cache.document(realm: realm, source: source) {
                renders += 1
                return RenderedDocument(body: Array("\"\(realm)-\(source)\"".utf8), cacheControl: "public, max-age=1")
            }
        }
        let first = get("a", "v1")
        #expect(get("a", "v1").etag == first.etag)
        #expect(renders == 1)
        let other = get("b", "v1")
        #expect(other.etag != first.etag)
        #expect(renders == 2)
        let changed = get("a", "v2")
        #expect(changed.etag != first.etag)
        #expect(renders == 3)
        #expect(get("a", "v2").etag == changed.etag)
        #expect(renders == 3)
    }

    @Test("discovery: a strong ETag on all four paths, 304 for it, public max-age=300 on both")
    func discoveryETag() async throws {
        let server = try await TestServer.start()
        defer { server.directory.remove() }
        try await server.herald.application.test(.router) { client in
            var etags: Set<String> = []
            for path in ["/realms/test/.well-known/openid-configuration", "/.well-known/oauth-authorization-server/realms/test",
                         "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                    #expect(response.headers[.cacheControl] == "public, max-age=300")
                    etags.insert(try #require(response.headers[.eTag]))
                }
            }
            #expect(etags.count == 1)
            let etag = try #require(etags.first)
            try await client.execute(uri: "/realms/test/.well-known/openid-configuration", method: .get,
                                     headers: [.ifNoneMatch: "\"x\", \(etag)"]) { response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[.eTag] == etag)
                #expect(response.headers[.cacheControl] == "public, max-age=300")
            }
            try await client.execute(uri: "/realms/nope/.well-known/openid-configuration", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
