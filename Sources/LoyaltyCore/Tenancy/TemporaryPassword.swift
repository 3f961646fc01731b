/// The first password of an invited staff account, or the one a reset gives (decision 0029):
/// drawn by the server, shown once to the owner, who hands it over in person.
///
/// Three groups of five characters from an alphabet without look-alikes (no `0/o`, `1/l/i`),
/// lower case so it reads aloud and types on a phone: about 74 bits, beyond any guessing the
/// login throttle allows, and 17 characters with the dashes, above the 10 the password rule asks.
public enum TemporaryPassword {
    public static let alphabet = Array("abcdefghjkmnpqrstuvwxyz23456789")

    public static func make(using generator: inout some RandomNumberGenerator) -> String {
        (0..<3).map { _ in String((0..<5).map { _ in alphabet.randomElement(using: &generator)! }) }.joined(separator: "-")
    }

    public static func make() -> String {
        var generator = SystemRandomNumberGenerator()
        return make(using: &generator)
    }
}
