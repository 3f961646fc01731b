import Foundation

/// The `pass.json` of a store card (Apple's "Pass" dictionary), limited to the keys a loyalty
/// card uses. Encode it with `PassJSON.encoded()`: the manifest hashes those exact bytes.
public struct PassJSON: Encodable, Sendable, Equatable {
    public var formatVersion = 1
    public var passTypeIdentifier: String
    /// Never changes across updates of one pass.
    public var serialNumber: String
    public var teamIdentifier: String
    public var organizationName: String
    public var description: String
    public var logoText: String?
    /// `https://…` without a trailing slash; Wallet appends `/v1/…`. Sent only with a token.
    public var webServiceURL: String?
    /// At least 16 characters; never changes across updates of one pass.
    public var authenticationToken: String?
    public var backgroundColor: String?
    public var foregroundColor: String?
    public var labelColor: String?
    public var barcodes: [Barcode]
    public var storeCard: Fields
    public var voided: Bool?
    public var sharingProhibited: Bool?

    public init(
        passTypeIdentifier: String, serialNumber: String, teamIdentifier: String, organizationName: String,
        description: String, barcodes: [Barcode], storeCard: Fields
    ) {
        self.passTypeIdentifier = passTypeIdentifier
        self.serialNumber = serialNumber
        self.teamIdentifier = teamIdentifier
        self.organizationName = organizationName
        self.description = description
        self.barcodes = barcodes
        self.storeCard = storeCard
    }

    public struct Barcode: Encodable, Sendable, Equatable {
        public var format = "PKBarcodeFormatQR"
        public var message: String
        public var messageEncoding = "iso-8859-1"
        public var altText: String?

        public init(qrMessage: String, altText: String?) {
            self.message = qrMessage
            self.altText = altText
        }
    }

    /// The field groups of a store card. Wallet shows `headerFields` even on a stacked pass,
    /// `primaryFields` (one) over the strip, and at most four secondary plus auxiliary fields.
    public struct Fields: Encodable, Sendable, Equatable {
        public var headerFields: [Field] = []
        public var primaryFields: [Field] = []
        public var secondaryFields: [Field] = []
        public var auxiliaryFields: [Field] = []
        public var backFields: [Field] = []

        public init() {}

        /// Every field of the pass, front and back.
        public var all: [Field] { headerFields + primaryFields + secondaryFields + auxiliaryFields + backFields }

        private enum CodingKeys: String, CodingKey {
            case headerFields, primaryFields, secondaryFields, auxiliaryFields, backFields
        }

        /// Empty groups are left out rather than written as `[]`.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            let groups: [(CodingKeys, [Field])] = [
                (.headerFields, headerFields), (.primaryFields, primaryFields), (.secondaryFields, secondaryFields),
                (.auxiliaryFields, auxiliaryFields), (.backFields, backFields),
            ]
            for (key, fields) in groups where !fields.isEmpty {
                try container.encode(fields, forKey: key)
            }
        }
    }

    public struct Field: Encodable, Sendable, Equatable {
        /// Unique within the pass.
        public var key: String
        /// A key of `pass.strings` or literal text.
        public var label: String?
        public var value: Value
        /// Shown when the value changes; `%@` stands for the new value.
        public var changeMessage: String?
        public var textAlignment: String?

        public init(key: String, label: String?, value: Value, changeMessage: String? = nil, textAlignment: String? = nil) {
            self.key = key
            self.label = label
            self.value = value
            self.changeMessage = changeMessage
            self.textAlignment = textAlignment
        }
    }

    /// A field value: Wallet formats numbers itself and looks strings up in `pass.strings`.
    public enum Value: Encodable, Sendable, Equatable {
        case text(String)
        case number(Int)

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .text(let text): try container.encode(text)
            case .number(let number): try container.encode(number)
            }
        }
    }

    /// UTF-8 without a byte-order mark, keys sorted so the same pass gives the same bytes.
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}
