import Testing
import WharfModel

@Suite("JSONStructure: nesting depth and repeated keys, in one pass")
struct JSONStructureTests {
    func scan(_ text: String, limit: Int = JSONStructure.depthLimit) -> JSONStructure {
        JSONStructure(scanning: Array(text.utf8), depthLimit: limit)
    }

    @Test("Repeated keys are found by their decoded text, with their path; strings and arrays do not confuse it")
    func duplicates() {
        #expect(scan(#"{"a":1,"b":2}"#).duplicateKeys.isEmpty)
        #expect(scan(#"{"a":1,"a":2}"#).duplicateKeys == ["a"])
        #expect(scan(#"{"a":1,"\u0061":2}"#).duplicateKeys == ["a"])
        #expect(scan(#"{"layers":1,"\u006cayers":2}"#).duplicateKeys == ["layers"])
        #expect(scan(#"{"a\"b":1,"a\u0022b":2}"#).duplicateKeys == [#"a"b"#])
        #expect(scan(#"{"\ud83d\ude00":1,"😀":2}"#).duplicateKeys == ["😀"])
        #expect(scan(#"{"\u00e9":1,"é":2,"\n":3,"\u000a":4}"#).duplicateKeys == ["é", "\n"])
        #expect(scan(#"{"m":{"n":"x","n":"y"}}"#).duplicateKeys == ["m.n"])
        #expect(scan(#"{"l":[{"d":1,"d":2},{"d":3}]}"#).duplicateKeys == ["l.d"])
        #expect(scan(#"{"s":"{\"a\":1,\"a\":2}","t":"a"}"#).duplicateKeys.isEmpty)
        #expect(scan(#"{"a":{"x":1},"b":{"x":1}}"#).duplicateKeys.isEmpty)
        #expect(scan(#"[{"a":1},{"a":1}]"#).duplicateKeys.isEmpty)
    }

    @Test("Nesting is measured up to the limit; malformed text never traps")
    func depth() {
        #expect(!scan(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).tooDeep)
        #expect(scan(String(repeating: "[", count: 101)).tooDeep)
        #expect(scan(String(repeating: "{\"a\":", count: 5), limit: 4).tooDeep)
        for text in ["]]]}}}", "\"", "{\"a", "{,,,:::}", "\\\\\"", ""] { _ = scan(text) }
    }

    @Test("Half a million escaped keys scan in linear time")
    func manyEscapedKeys() {
        let body = "{" + (0..<500_000).map { #""k\u0061\#($0)":0"# }.joined(separator: ",") + "}"
        let clock = ContinuousClock(), start = clock.now
        #expect(scan(body).duplicateKeys.isEmpty)
        #expect(clock.now - start < .seconds(30))
    }
}
