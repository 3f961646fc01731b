/// The languages the product speaks to customers in (pages, wallet passes).
public enum CustomerLocale: String, Codable, Sendable, CaseIterable {
    case english = "en"
    case french = "fr"
    case german = "de"
    case luxembourgish = "lb"
}
