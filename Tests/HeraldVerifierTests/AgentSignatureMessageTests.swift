import Foundation
import HeraldVerifier
import Testing

@Suite("Agent-Signature signed string (wire-formats §5)")
struct AgentSignatureMessageTests {
    @Test("five lines joined by \\n, no trailing newline; method upper-cased; target as sent")
    func exactText() {
        let message = AgentSignatureMessage(method: "post", target: "/deploy?env=prod&x=%2F", timestamp: 1_767_225_600,
                                            nonce: "0123456789abcdef", body: Array(#"{"a":1}"#.utf8))
        #expect(message.text == """
            POST
            /deploy?env=prod&x=%2F
            1767225600
            0123456789abcdef
            015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862
            """)
        #expect(message.bytes.last != 0x0A && message.isWellFormed)
    }

    @Test("an empty body hashes as the empty string; every sequence kind hashes alike")
    func bodies() {
        #expect(AgentSignatureMessage.bodyDigest([UInt8]()) == AgentSignatureMessage.emptyBodyDigest)
        let bytes = Array("hello".utf8)
        let digest = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
        #expect(AgentSignatureMessage.bodyDigest(bytes) == digest)
        #expect(AgentSignatureMessage.bodyDigest(Data(bytes)) == digest)
        #expect(AgentSignatureMessage.bodyDigest("hello".utf8) == digest)
        #expect(AgentSignatureMessage.bodyDigest(bytes.lazy.map { $0 }) == digest)
    }

    @Test("a line break in the method or target makes the message ambiguous")
    func lineBreaks() {
        #expect(!AgentSignatureMessage(method: "GET", target: "/a\n1", timestamp: 1, nonce: "n", body: [UInt8]()).isWellFormed)
        #expect(!AgentSignatureMessage(method: "GET\r", target: "/", timestamp: 1, nonce: "n", body: [UInt8]()).isWellFormed)
    }
}
