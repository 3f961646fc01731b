/// Platform-wide defaults for the anti-fraud rules; each program may override them.
///
/// The numbers are the seed system's; operators change them with the `LOYALTY_*` variables.
public struct AntiFraudDefaults: Equatable, Sendable {
    /// Minutes a card must wait between two stamps.
    public var cooldownMinutes: Int = 15
    /// Stamps one card may receive per local day of the store.
    public var maxDailyStamps: Int = 5
    /// Wrong PINs in a row before PIN entry locks.
    public var pinMaxFailedAttempts: Int = 5
    /// How long PIN entry stays locked.
    public var pinLockoutMinutes: Int = 30
    /// Points a purchase earns per euro.
    public var pointsPerEuro: Int = 10

    public init() {}
}
