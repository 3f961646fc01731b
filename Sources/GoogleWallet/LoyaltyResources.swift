import Foundation

/// The parts of Google's LoyaltyClass and LoyaltyObject this platform writes (WALLET.md §4.3,
/// §4.4). Field names are Google's camelCase; optional fields left `nil` are not sent.
///
/// A PATCH replaces the fields it names, arrays wholesale (pitfall 21), so every PATCH sends
/// the whole resource as built here: what Google holds is then exactly the last body sent.
public struct LoyaltyClass: Codable, Sendable, Equatable {
    public var id: String
    public var issuerName: String
    public var programName: String
    public var programLogo: Image
    /// Written as `UNDER_REVIEW` on every insert and update: a DRAFT class holds no objects.
    public var reviewStatus = "UNDER_REVIEW"
    public var hexBackgroundColor: String?
    public var accountIdLabel: String?
    public var accountNameLabel: String?
    public var localizedProgramName: LocalizedString?
    public var textModulesData: [TextModule]?
    public var countryCode: String?
    public var multipleDevicesAndHoldersAllowedStatus: String?

    public init(id: String, issuerName: String, programName: String, programLogo: Image) {
        self.id = id
        self.issuerName = issuerName
        self.programName = programName
        self.programLogo = programLogo
    }
}

public struct LoyaltyObject: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case active = "ACTIVE", inactive = "INACTIVE"
    }

    public var id: String
    public var classId: String
    public var state: State
    public var accountId: String?
    public var accountName: String?
    public var barcode: Barcode?
    public var loyaltyPoints: LoyaltyPoints?
    public var secondaryLoyaltyPoints: LoyaltyPoints?
    public var textModulesData: [TextModule]?
    public var messages: [Message]?
    /// `NOTIFY_ON_UPDATE` asks Google to notify the holder of this update; it belongs to the
    /// request, not to the object, and Google honours a few per pass a day.
    public var notifyPreference: String?

    public init(id: String, classId: String, state: State) {
        self.id = id
        self.classId = classId
        self.state = state
    }
}

public struct LoyaltyPoints: Codable, Sendable, Equatable {
    public var label: String?
    public var balance: Balance

    public init(label: String?, balance: Balance) {
        self.label = label
        self.balance = balance
    }
}

/// Exactly one of Google's balance kinds (pitfall 20): an enum cannot hold two.
public enum Balance: Codable, Sendable, Equatable {
    /// Google's `int` is an int32: larger balances are refused, so they are sent as text.
    case int(Int32)
    case string(String)

    public static func count(_ value: Int) -> Balance {
        Int32(exactly: value).map(Balance.int) ?? .string(String(value))
    }

    private enum Key: String, CodingKey { case int, string }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        switch self {
        case .int(let value): try container.encode(value, forKey: .int)
        case .string(let value): try container.encode(value, forKey: .string)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        if let value = try container.decodeIfPresent(Int32.self, forKey: .int) {
            self = .int(value)
        } else {
            self = .string(try container.decode(String.self, forKey: .string))
        }
    }
}

public struct Barcode: Codable, Sendable, Equatable {
    public var type = "QR_CODE"
    public var value: String
    public var alternateText: String?

    public init(value: String, alternateText: String?) {
        self.value = value
        self.alternateText = alternateText
    }
}

public struct Image: Codable, Sendable, Equatable {
    public struct SourceURI: Codable, Sendable, Equatable {
        public var uri: String
    }

    public var sourceUri: SourceURI
    public var contentDescription: LocalizedString?

    public init(uri: String, description: LocalizedString?) {
        sourceUri = SourceURI(uri: uri)
        contentDescription = description
    }
}

public struct LocalizedString: Codable, Sendable, Equatable {
    public struct Translated: Codable, Sendable, Equatable {
        public var language: String
        public var value: String

        public init(language: String, value: String) {
            self.language = language
            self.value = value
        }
    }

    public var defaultValue: Translated
    public var translatedValues: [Translated]?

    public init(_ value: String, language: String, translations: [Translated]? = nil) {
        defaultValue = Translated(language: language, value: value)
        translatedValues = translations.flatMap { $0.isEmpty ? nil : $0 }
    }
}

public struct TextModule: Codable, Sendable, Equatable {
    public var id: String
    public var header: String
    public var body: String

    public init(id: String, header: String, body: String) {
        self.id = id
        self.header = header
        self.body = body
    }
}

public struct Message: Codable, Sendable, Equatable {
    public var id: String
    public var header: String
    public var body: String
    public var messageType = "TEXT"

    public init(id: String, header: String, body: String) {
        self.id = id
        self.header = header
        self.body = body
    }
}

extension JSONEncoder {
    /// Sorted keys, so the same resource always gives the same bytes: the platform compares
    /// the body it would send with the one Google last accepted.
    public static var googleWallet: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}
