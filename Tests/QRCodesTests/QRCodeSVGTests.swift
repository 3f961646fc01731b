import Foundation
import QRCodes
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

@Suite("QR codes as SVG")
struct QRCodeSVGTests {
    /// The elements and attributes of an SVG document, read by an XML parser: a document that
    /// is not well-formed fails here.
    final class Elements: NSObject, XMLParserDelegate {
        var found: [(name: String, attributes: [String: String])] = []
        var text = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
            found.append((name, attributes))
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { text += string }

        static func parse(_ svg: String) throws -> Elements {
            let elements = Elements()
            let parser = XMLParser(data: Data(svg.utf8))
            parser.delegate = elements
            guard parser.parse() else { throw parser.parserError ?? CocoaError(.coderReadCorrupt) }
            return elements
        }
    }

    @Test func oneSquareOnePathAQuietZoneAndALabel() throws {
        let code = try QRCode(encoding: "https://loyalty.example/enroll/LUMIERE-LUX")
        let svg = code.svg(label: "Enrollment QR code")
        let parsed = try Elements.parse(svg)
        #expect(parsed.found.map(\.name) == ["svg", "title", "rect", "path"])
        let root = parsed.found[0].attributes
        let side = code.size + 8
        #expect(root["viewBox"] == "0 0 \(side) \(side)")
        #expect(root["shape-rendering"] == "crispEdges")
        #expect(root["role"] == "img")
        #expect(root["aria-label"] == "Enrollment QR code")
        #expect(root["width"] == nil)
        #expect(parsed.text == "Enrollment QR code")
        #expect(parsed.found[2].attributes["fill"] == "#ffffff")
        #expect(parsed.found[3].attributes["fill"] == "#000000")
        // The content security policy forbids inline styles.
        #expect(!svg.contains("style"))
        // Nothing dark inside the quiet zone: every run starts at 4 or more and ends by size + 4.
        let runs = try #require(parsed.found[3].attributes["d"]).split(separator: "z")
        #expect(runs.count > 0)
        for run in runs {
            let numbers = run.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            #expect(numbers.count == 5, "\(run)")
            let (x, y, length) = (numbers[0], numbers[1], numbers[2])
            #expect(x >= 4 && y >= 4 && x + length <= code.size + 4 && y < code.size + 4, "\(run)")
        }
    }

    @Test func thePathDrawsExactlyTheDarkModules() throws {
        let code = try QRCode(encoding: "LUMIERE-LUX", correction: .high)
        let d = try #require(try Elements.parse(code.svg(label: "x", quietZone: 0)).found[3].attributes["d"])
        var drawn = Array(repeating: false, count: code.size * code.size)
        for run in d.split(separator: "z") {
            let n = run.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            for column in n[0]..<(n[0] + n[2]) {
                #expect(!drawn[n[1] * code.size + column], "drawn twice")
                drawn[n[1] * code.size + column] = true
            }
        }
        #expect(drawn == code.modules)
    }

    @Test func aWidthSetsBothSides() throws {
        let root = try Elements.parse(try QRCode(encoding: "x").svg(label: "x", width: 240)).found[0].attributes
        #expect(root["width"] == "240")
        #expect(root["height"] == "240")
    }

    @Test func theLabelIsEscaped() throws {
        let label = #"Café <script>alert("x")</script> & 'quotes'"# + "\u{0}\u{1B}\u{FFFF}"
        let svg = try QRCode(encoding: "x").svg(label: label)
        #expect(!svg.contains("<script>"))
        let parsed = try Elements.parse(svg)
        #expect(parsed.found.map(\.name) == ["svg", "title", "rect", "path"])
        let clean = #"Café <script>alert("x")</script> & 'quotes'"#
        #expect(parsed.found[0].attributes["aria-label"] == clean)
        #expect(parsed.text == clean)
    }

    @Test func aCardCodeIsSmall() throws {
        let svg = try QRCode(encoding: "https://loyalty.example/card/" + String(repeating: "A", count: 43)).svg(label: "Card")
        // One path of runs: a few kilobytes, where one <rect> per module would be ten times that.
        #expect(svg.utf8.count < 8_000, "\(svg.utf8.count) bytes")
    }
}
