import Foundation
import QRCodes
import Vapor

/// QR codes on the store's pages (decision 0023): inline SVG drawn on the server, so they show
/// and print without JavaScript.
enum StoreQRCode {
    /// The `<svg>` for `text`, with `label` for screen readers; empty if the text makes no
    /// code (it never happens for a card token or a URL of ours, and a page is still useful
    /// without the picture).
    static func svg(_ text: String, label: String, correction: QRCode.Correction = .medium) -> String {
        (try? QRCode(encoding: text, correction: correction))?.svg(label: label) ?? ""
    }
}

extension Request {
    /// `https://host` the way people reach this app: `LOYALTY_PUBLIC_BASE_URL` when it is set,
    /// else the request's `Host` (checked to be a host name, so a forged header cannot put
    /// anything else into a printed code) with the scheme a TLS-terminating proxy reports
    /// (`X-Forwarded-Proto`), else https outside development.
    var publicBaseURL: String {
        if let configured = application.config.publicBaseURL { return configured }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]")
        let host = headers.first(name: .host).flatMap { host in
            !host.isEmpty && host.count <= 255 && host.unicodeScalars.allSatisfy(allowed.contains) ? host : nil
        } ?? "localhost"
        let forwarded = headers.first(name: "X-Forwarded-Proto")?.lowercased()
        let scheme = forwarded == "https" || forwarded == "http" ? forwarded! : (cookiesAreSecure ? "https" : "http")
        return scheme + "://" + host
    }
}
