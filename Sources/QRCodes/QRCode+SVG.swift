/// The symbol as an SVG image, small and crisp at any size.
extension QRCode {
    /// An `<svg>` element (usable inline in HTML and as an `image/svg+xml` file): a white
    /// square with the dark modules as one `<path>`, `quietZone` light modules around the
    /// symbol (the standard asks for 4; scanners fail more often with less), and a `viewBox`
    /// of one unit per module so it scales without blur. `label` is what a screen reader says
    /// (`aria-label` and `<title>`); it is escaped here.
    ///
    /// `width`, when given, becomes the `width` and `height` attributes (CSS pixels); without
    /// it the image takes the width of its container. No `style` attribute anywhere: the
    /// pages' Content-Security-Policy forbids inline styles.
    public func svg(label: String, quietZone: Int = 4, width: Int? = nil) -> String {
        let margin = max(0, quietZone)
        let side = size + 2 * margin
        let title = Self.xmlEscaped(label)
        var svg = #"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \#(side) \#(side)""#
        if let width, width > 0 { svg += #" width="\#(width)" height="\#(width)""# }
        svg += #" role="img" aria-label="\#(title)" shape-rendering="crispEdges">"#
        svg += "<title>\(title)</title>"
        svg += ##"<rect width="\##(side)" height="\##(side)" fill="#ffffff"/>"##
        svg += ##"<path fill="#000000" d="\##(pathData(offset: margin))"/>"##
        svg += "</svg>"
        return svg
    }

    /// One rectangle per horizontal run of dark modules, `M x y h n v 1 h -n z`: a fraction of
    /// the size of one `<rect>` per module.
    func pathData(offset: Int) -> String {
        var d = ""
        d.reserveCapacity(size * size)
        for row in 0..<size {
            var column = 0
            while column < size {
                guard isDark(row: row, column: column) else {
                    column += 1
                    continue
                }
                let start = column
                while column < size, isDark(row: row, column: column) { column += 1 }
                let run = column - start
                d += "M\(start + offset) \(row + offset)h\(run)v1h-\(run)z"
            }
        }
        return d
    }

    /// Text for an XML attribute or element: the five markup characters as entities, and the
    /// characters XML 1.0 does not allow even escaped (C0 controls other than tab and line
    /// ends, U+FFFE, U+FFFF) dropped, so the document stays well-formed.
    static func xmlEscaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                if value < 0x20 || value == 0xFFFE || value == 0xFFFF { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
