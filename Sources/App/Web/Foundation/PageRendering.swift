import Foundation
import Leaf
import LoyaltyCore
import Vapor

/// What the layout around every page needs: language, title, the visitor's navigation, the
/// language switch and the form token. Templates read it as `chrome`, the page's own values
/// as `page`.
struct PageChrome: Encodable, Sendable {
    struct Link: Encodable, Sendable {
        let label: String
        let url: String
        let current: Bool
    }

    let lang: String
    let title: String
    let csrf: String
    /// Who is signed in, as the header shows it; empty when nobody is.
    let signedInAs: String
    /// Where the sign-out form posts: staff and customers sign out separately.
    let signOutAction: String
    /// The signed-in staff member's own page (their password); empty for customers and visitors.
    let accountURL: String
    let navigation: [Link]
    let languages: [Link]
    /// A page for the counter's tablet gets the larger type and the web app manifest.
    let isTerminal: Bool
    /// An area's own stylesheet and script under `/static/` (e.g. `terminal.css`), besides
    /// `app.css` and `app.js`; empty for none.
    let stylesheet: String
    let script: String
}

private struct PageContext<Page: Encodable & Sendable>: Encodable, Sendable {
    let chrome: PageChrome
    let page: Page
}

extension Request {
    /// Renders `template` (under `Resources/Views`) inside the layout.
    ///
    /// - Parameter title: a catalog key.
    func renderPage<Page: Encodable & Sendable>(
        _ template: String, title: String, _ page: Page, status: HTTPStatus = .ok, isTerminal: Bool = false,
        stylesheet: String? = nil, script: String? = nil
    ) async throws -> Response {
        let assets = application.staticAssets
        let chrome = PageChrome(
            lang: language.rawValue, title: t(title), csrf: csrfToken, signedInAs: signedInLabel,
            signOutAction: visitor.staff != nil ? "/logout" : "/customer/logout",
            accountURL: visitor.staff != nil ? WebPaths.passwordChange() : "",
            navigation: navigationLinks, languages: languageLinks, isTerminal: isTerminal,
            stylesheet: stylesheet.map(assets.url) ?? "", script: script.map(assets.url) ?? "")
        let view = try await view.render(template, PageContext(chrome: chrome, page: page))
        let response = try await view.encodeResponse(status: status, for: self)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// Renders a back-office page (merchant owner, platform admin): the layout with
    /// `backoffice.css`, and `script` (e.g. `charts.js`) when the page has one.
    func renderBackOffice<Page: Encodable & Sendable>(
        _ template: String, title: String, _ page: Page, status: HTTPStatus = .ok, script: String? = nil
    ) async throws -> Response {
        try await renderPage(template, title: title, page, status: status, stylesheet: "backoffice.css", script: script)
    }

    private var signedInLabel: String {
        if let staff = visitor.staff { return staff.name ?? staff.identity.email }
        if let customer = visitor.customer { return customer.name }
        return ""
    }

    /// The pages of the visitor's role, in the order a person uses them.
    private var navigationLinks: [PageChrome.Link] {
        var links: [(String, String)] = []
        if let staff = visitor.staff {
            switch staff.identity.role {
            case .storeStaff:
                links = [("nav.terminal", "/store/terminal"), ("nav.cards", "/store/cards"), ("nav.enroll", "/store/enroll")]
            case .storeManager:
                links = [
                    ("nav.terminal", "/store/terminal"), ("nav.cards", "/store/cards"), ("nav.enroll", "/store/enroll"),
                    ("nav.pins", "/store/pins"), ("nav.stats", "/store/stats"), ("nav.poster", "/store/poster"),
                ]
            case .merchantOwner:
                links = [
                    ("nav.merchant", "/merchant"), ("nav.program", "/merchant/program"), ("nav.cards", "/merchant/cards"),
                    ("nav.transactions", "/merchant/transactions"), ("nav.analytics", "/merchant/analytics"),
                    ("nav.signals", "/merchant/signals"), ("nav.stores", "/merchant/stores"), ("nav.staff", "/merchant/staff"),
                    ("nav.pins", "/merchant/pins"), ("nav.settings", "/merchant/settings"), ("nav.terminal", "/store/terminal"),
                ]
            case .platformAdmin:
                links = [
                    ("nav.admin", "/admin"), ("nav.merchants", "/admin/merchants"), ("nav.analytics", "/admin/analytics"),
                    ("nav.wallets", "/admin/wallets"),
                ]
            }
        } else if visitor.customer != nil {
            links = [("nav.my_card", "/customer/card"), ("nav.profile", "/customer/profile")]
        }
        // A back office's home ("/merchant", "/admin") is current only on itself: its pages
        // live under it but have links of their own.
        let homes: Set<String> = ["/merchant", "/admin"]
        return links.map { key, path in
            let below = !homes.contains(path) && url.path.hasPrefix(path + "/")
            return PageChrome.Link(label: t(key), url: path, current: url.path == path || below)
        }
    }

    /// This page in each language (`?lang=` replaced, the rest of the query kept).
    private var languageLinks: [PageChrome.Link] {
        let kept = (url.query ?? "").split(separator: "&").filter { !$0.hasPrefix("lang=") && !$0.hasPrefix("done=") }
        return Language.allCases.map { language in
            let query = (kept + ["lang=\(language.rawValue)"]).joined(separator: "&")
            return PageChrome.Link(label: language.ownName, url: url.path + "?" + query, current: language == self.language)
        }
    }
}
