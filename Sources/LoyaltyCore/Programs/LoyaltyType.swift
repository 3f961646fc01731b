/// What a program collects: stamps, points, or both on one card.
public enum LoyaltyType: String, Codable, Sendable, CaseIterable {
    case stamps
    case points
    case hybrid

    public var collectsStamps: Bool { self != .points }
    public var collectsPoints: Bool { self != .stamps }
}
