import Foundation

/// The CSV tables of an analytics report (`Features/Exports/CSV.swift` writes the lines).
enum AnalyticsCSV {
    static func series(_ days: [AnalyticsDay]) -> String {
        CSV.line(["date"] + AnalyticsMeasures.columnNames)
            + days.map { CSV.line([$0.date] + $0.measures.columnValues.map(String.init)) }.joined()
    }

    static func measures(_ rows: [(id: String, name: String, measures: AnalyticsMeasures)], idHeader: String) -> String {
        CSV.line([idHeader, "name"] + AnalyticsMeasures.columnNames)
            + rows.map { CSV.line([$0.id, $0.name] + $0.measures.columnValues.map(String.init)) }.joined()
    }

    static func staff(_ rows: [AnalyticsStaffRow]) -> String {
        CSV.line(["kind", "staff_id", "name", "operations", "stamps", "points", "redemptions", "voids", "pin_failures"])
            + rows.map {
                CSV.line(
                    [$0.kind, $0.staffId.uuidString.lowercased(), $0.name]
                        + [$0.operations, $0.stamps, $0.points, $0.redemptions, $0.voids, $0.pinFailures].map(String.init))
            }.joined()
    }

    static func rewards(_ rows: [AnalyticsRewardRow]) -> String {
        CSV.line(["kind", "reward_id", "name", "redemptions", "points_spent"])
            + rows.map {
                CSV.line([$0.kind, $0.rewardId?.uuidString.lowercased(), $0.name, String($0.redemptions), String($0.pointsSpent)])
            }.joined()
    }
}
