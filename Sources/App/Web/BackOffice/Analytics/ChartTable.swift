import Foundation
import LoyaltyCore

/// A table of figures that the page shows as it is and, when it has a `kind`, as a chart drawn
/// by `charts.js` from the same cells: the table is the chart's accessible and script-free
/// version, so a chart can never show a number the table does not (decision 0032).
struct ChartTable: Encodable, Sendable {
    struct Cell: Encodable, Sendable {
        /// The figure as the page's language writes it.
        let text: String
        /// The raw number `charts.js` plots (`data-value`).
        let value: Int
    }

    struct Row: Encodable, Sendable {
        let label: String
        /// A link for the row's label (e.g. a card), empty for none.
        let url: String
        let cells: [Cell]
    }

    /// Unique on the page: the table's `id` and the canvas's `data-chart`.
    let id: String
    let title: String
    /// `line`, `bar`, or empty for a table without a chart.
    let kind: String
    /// The heading of the label column (`Day`, `Store`, ...).
    let labelHeading: String
    let columns: [String]
    let rows: [Row]
    /// The same numbers as CSV (a page route with the page's filters); empty for none.
    let csvURL: String
    /// The canvas's accessible name: what the chart shows and where its numbers are.
    let chartLabel: String
    /// Whether the table sits inside a closed `<details>` under its chart.
    var isChart: Bool { !kind.isEmpty }

    /// The table's `<tr>` rows, written here rather than by a Leaf loop: a year of days is 1,460
    /// rows and 4,400 cells per page, and Leaf spent 50 % of that page's time encoding and
    /// escaping them cell by cell (a `perf` profile, decision 0034). Every text is escaped.
    var bodyHTML: String {
        // Appended piece by piece: `a + b + c` made a string per `+`, per cell.
        var html = ""
        html.reserveCapacity(rows.count * (64 + columns.count * 48))
        for row in rows {
            html.append("<tr><th scope=\"row\">")
            if row.url.isEmpty {
                html.append(HTMLText.escaped(row.label))
            } else {
                html.append("<a href=\"")
                html.append(HTMLText.escaped(row.url))
                html.append("\">")
                html.append(HTMLText.escaped(row.label))
                html.append("</a>")
            }
            html.append("</th>")
            for cell in row.cells {
                html.append("<td class=\"num\" data-value=\"")
                html.append(String(cell.value))
                html.append("\">")
                html.append(HTMLText.escaped(cell.text))
                html.append("</td>")
            }
            html.append("</tr>\n")
        }
        return html
    }

    enum CodingKeys: String, CodingKey {
        case id, title, kind, labelHeading, columns, rowCount, bodyHTML, csvURL, chartLabel, isChart
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(title, forKey: .title)
        try container.encode(kind, forKey: .kind)
        try container.encode(labelHeading, forKey: .labelHeading)
        try container.encode(columns, forKey: .columns)
        try container.encode(rows.count, forKey: .rowCount)
        try container.encode(bodyHTML, forKey: .bodyHTML)
        try container.encode(csvURL, forKey: .csvURL)
        try container.encode(chartLabel, forKey: .chartLabel)
        try container.encode(isChart, forKey: .isChart)
    }
}

/// Text made safe inside HTML elements and quoted attributes (what Leaf's `#( )` does).
enum HTMLText {
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "'") })
        else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}

/// One column of a chart or table: its heading's catalog key and how to read it from a row.
struct MeasureColumn<Source>: Sendable {
    let key: String
    let value: @Sendable (Source) -> Int
}

extension MeasureColumn where Source == AnalyticsMeasures {
    static var enrollments: Self { .init(key: "analytics.m_enrollments") { $0.enrollments } }
    static var activeCards: Self { .init(key: "analytics.m_active_cards") { $0.activeCards } }
    static var visits: Self { .init(key: "analytics.m_visits") { $0.visits } }
    static var stampsGiven: Self { .init(key: "analytics.m_stamps_given") { $0.stampsGiven } }
    static var stampsRedeemed: Self { .init(key: "analytics.m_stamps_redeemed") { $0.stampsRedeemed } }
    static var stampsVoided: Self { .init(key: "analytics.m_stamps_voided") { $0.stampsVoided } }
    static var pointsGiven: Self { .init(key: "analytics.m_points_given") { $0.pointsGiven } }
    static var pointsRedeemed: Self { .init(key: "analytics.m_points_redeemed") { $0.pointsRedeemed } }
    static var pointsVoided: Self { .init(key: "analytics.m_points_voided") { $0.pointsVoided } }
    static var pointsExpired: Self { .init(key: "analytics.m_points_expired") { $0.pointsExpired } }
    static var rewardsRedeemed: Self { .init(key: "analytics.m_rewards_redeemed") { $0.rewardsRedeemed } }
    static var rewardsEarned: Self { .init(key: "analytics.m_rewards_earned") { $0.rewardsEarned } }
}
