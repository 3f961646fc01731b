import Foundation

/// The times the Apple web service hands to devices, chosen so that no update is ever missed.
///
/// A pass's modification time is stamped just before its transaction commits, so a change can
/// become visible a moment after a device was told "nothing newer than T". Neither the list
/// tag nor `Last-Modified` therefore ever claims a moment later than `now - settleWindow`:
/// a change stamped after that is always reported again, at worst once more than needed (the
/// device then gets a 304 or the same pass). `Last-Modified` has one-second precision, which
/// the same rule covers: two changes within one second are never hidden behind one date.
/// See docs/decisions/0009-apple-wallet-update-times.md.
public struct PassUpdateClock: Sendable {
    /// Longer than any write transaction takes from stamping the time to committing.
    public var settleWindow: TimeInterval

    public init(settleWindow: TimeInterval = 10) {
        self.settleWindow = settleWindow
    }

    /// Milliseconds since 1970: the unit of the list tag.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// The passes to list and the tag to answer with, for a device that last saw `since`.
    ///
    /// - Parameters:
    ///   - passes: the device's passes and when each last changed.
    ///   - since: the tag the device sent (`passesUpdatedSince`), `nil` on its first call.
    /// - Returns: `nil` when nothing changed after `since` (the endpoint answers 204).
    public func updates<Serial>(
        of passes: [(serial: Serial, modified: Date)], since: Int64?, now: Date
    ) -> (serials: [Serial], tag: Int64)? {
        let changed = passes.filter { since == nil || Self.milliseconds($0.modified) > since! }
        guard !changed.isEmpty else { return nil }
        let newest = changed.map { Self.milliseconds($0.modified) }.max()!
        let settled = Self.milliseconds(now.addingTimeInterval(-settleWindow))
        // Never below the device's own tag: tags only move forward.
        let tag = max(since ?? .min, min(newest, settled))
        return (changed.map(\.serial), tag)
    }

    /// The `Last-Modified` to send with a pass, whole seconds.
    public func lastModified(of modified: Date, now: Date) -> Date {
        let settled = now.addingTimeInterval(-settleWindow)
        return Date(timeIntervalSince1970: min(modified, settled).timeIntervalSince1970.rounded(.down))
    }

    /// Whether a device holding the pass of `ifModifiedSince` already has this version.
    public func isUnchanged(_ modified: Date, ifModifiedSince: Date) -> Bool {
        modified.timeIntervalSince1970.rounded(.down) <= ifModifiedSince.timeIntervalSince1970
    }
}
