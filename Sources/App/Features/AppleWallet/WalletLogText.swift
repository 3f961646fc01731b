import Foundation

/// What Wallet's `/v1/log` may put in our log and the admin's view: one line of visible text.
///
/// The endpoint has no credential, so a message must not be able to forge log lines (a newline
/// followed by a fake entry), move the cursor, or reorder what a reader sees (bidirectional
/// overrides): control, separator and format characters are written as `\u{XXXX}`. NUL is
/// dropped, since PostgreSQL text cannot hold it.
enum WalletLogText {
    static func sanitized(_ message: String, maxLength: Int) -> String {
        var text = ""
        for scalar in message.unicodeScalars where scalar != "\u{0}" {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator:
                text += String(format: "\\u{%04X}", scalar.value)
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        return String(text.prefix(maxLength))
    }
}
