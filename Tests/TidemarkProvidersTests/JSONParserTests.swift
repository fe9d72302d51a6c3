import Foundation
import TestSupport
import Testing
import TidemarkJSON

/// `JSON.parse` (the hand-written byte parser) against Foundation's JSONDecoder reading the same text into the same
/// tree through `JSON`'s Decodable conformance, the reading it replaced: random documents and hand-picked edge cases
/// must give the same tree, or both an error.
@Suite("JSON parser against JSONDecoder")
struct JSONParserTests {
    static func decoded(_ text: [UInt8]) -> JSON? { try? JSONDecoder().decode(JSON.self, from: Data(text)) }
    static func parsed(_ text: [UInt8]) -> JSON? { try? JSON.parse(Data(text)) }

    static let edgeCases: [String] = [
        "0", "-0", "-0.0", "1.0", "1e2", "1E+2", "1.5e-3", "12345678901234567890", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "1e400", "-1e400", "1e-400", "01", "-", "1.", ".5", "1e", "+1", "0x10", "NaN", "Infinity",
        "true", "false", "null", "tru", "nul", "\"\"", "\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"", "\"\\u00e9\\u20AC\"", "\"\\ud83d\\ude00\"",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800x\"", "\"\\u12\"", "\"\\x\"", "\"unterminated", "\"tab\there\"", "\"é€😀\"",
        "[]", "{}", "[1,]", "[1,,]", "[,1]", "[1 ,\n]", "{\"a\":1,}", "{\"a\":1,,}", "{,}", "{\"a\" 1}", "{a:1}", "{\"a\":1,\"a\":2}",
        " [ 1 , 2 ] ", "[1] x", "[1][2]",
        "{\"k\":{\"k\":[{\"k\":null}]}}", "", " ", "\u{FEFF}[1]", String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
        String(repeating: "[", count: 100) + String(repeating: "]", count: 100),
    ]

    @Test(arguments: edgeCases)
    func edgeCaseReadsAsJSONDecoderReadsIt(_ text: String) {
        #expect(Self.parsed(Array(text.utf8)) == Self.decoded(Array(text.utf8)), "\(text.prefix(60))")
    }

    @Test func invalidUTF8AndControlCharactersAreErrors() {
        for bytes: [UInt8] in [
            [0x22, 0xFF, 0x22], [0x22, 0xC3, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22], [0x22, 0x01, 0x22], [0x22, 0x0A, 0x22],
        ] {
            #expect(Self.decoded(bytes) == nil)
            #expect(throws: JSONParseError.self) { try JSON.parse(Data(bytes)) }
        }
    }

    @Test func errorsNameTheByteOffset() {
        #expect(throws: JSONParseError(offset: 8, reason: "expected ',' or '}' in an object")) {
            try JSON.parse(Data("{\"a\": 1 \"b\": 2}".utf8))
        }
        #expect(throws: JSONParseError(offset: 4, reason: "unexpected text after the value")) { try JSON.parse(Data("[1] x".utf8)) }
    }

    static let pieces = ["a", "é", "😀", "\\n", "\\\"", "\\u0041", "\\ud83d\\ude00", " ", "/", "\\/", "tidemark.io/owner", "~1"]
    static let numbers = ["0", "-1", "42", "3.25", "-0.5", "1e3", "2.0", "6.02e23", "1e-7", "9007199254740993", "123456789012345678901"]

    static func randomText(_ random: inout SplitMix64, depth: Int = 0) -> String {
        let space = ["", " ", "\n  ", "\t"].randomElement(using: &random)!
        switch Int.random(in: 0..<(depth > 4 ? 4 : 7), using: &random) {
        case 0: return ["true", "false", "null"].randomElement(using: &random)!
        case 1, 2: return numbers.randomElement(using: &random)!
        case 3: return "\"" + (0..<Int.random(in: 0...4, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() + "\""
        case 4:
            return "[" + space
                + (0..<Int.random(in: 0...4, using: &random)).map { _ in randomText(&random, depth: depth + 1) }
                .joined(separator: "," + space) + space + "]"
        default:
            return "{" + space
                + (0..<Int.random(in: 0...4, using: &random)).map { _ in
                    "\"k\(Int.random(in: 0...5, using: &random))\"" + space + ":" + space + randomText(&random, depth: depth + 1)
                }.joined(separator: ",") + space + "}"
        }
    }

    @Test func randomDocumentsReadAsJSONDecoderReadsThem() {
        var random = SplitMix64(seed: 20_261_203)
        var compared = 0
        for _ in 0..<5_000 {
            let text = Array(Self.randomText(&random).utf8)
            let expected = Self.decoded(text)
            #expect(expected != nil, "the generator writes valid JSON: \(String(decoding: text, as: UTF8.self))")
            #expect(Self.parsed(text) == expected, "\(String(decoding: text, as: UTF8.self))")
            compared += 1
        }
        #expect(compared == 5_000)
    }

    @Test func streamingHandsOverTheTopLevelArraysElementsAndKeepsTheRest() throws {
        let text = #"{"meta": {"total_count": 3, "objects": [9]}, "objects": [{"uuid": "a"}, 2, [3]], "objects": [4], "x": 1}"#
        var elements: [JSON] = []
        let rest = try JSON.parse(Data(text.utf8), streaming: "objects") { value, _ in elements.append(value) }
        #expect(elements == [["uuid": "a"], 2, [3]])
        #expect(rest == ["meta": ["total_count": 3, "objects": [9]], "objects": [], "x": 1])
    }

    @Test func streamingReadsRandomListingsAsTheTreeDoes() throws {
        var random = SplitMix64(seed: 15)
        for _ in 0..<500 {
            let items = (0..<Int.random(in: 0...6, using: &random)).map { _ in Self.randomText(&random) }
            let text = "{\"meta\": {}, \"objects\": [" + items.joined(separator: ", ") + "]}"
            let tree = try JSON.parse(Data(text.utf8))
            var elements: [JSON] = []
            var texts: [JSON] = []
            let bytes = Data(text.utf8)
            let rest = try JSON.parse(bytes, streaming: "objects") { value, range in
                elements.append(value)
                texts.append((try? JSON.parse(bytes[range])) ?? .null)
            }
            #expect(elements == tree["objects"]?.arrayValue, "\(text)")
            #expect(texts == elements, "each element's own text reads as the element: \(text)")
            #expect(rest == ["meta": [:], "objects": []])
        }
    }

    @Test func streamingReportsTheSameErrors() {
        let text = Data(#"{"objects": [{"uuid": "a"}, {"uuid": }]}"#.utf8)
        var plain: JSONParseError?
        do { _ = try JSON.parse(text) } catch { plain = error }
        var streamed: JSONParseError?
        do { _ = try JSON.parse(text, streaming: "objects") { _, _ in } } catch { streamed = error }
        #expect(plain?.reason == "unexpected character '}'")
        #expect(streamed == plain)
    }
}
