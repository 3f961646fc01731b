import Foundation
import Testing

@testable import App

/// The client address behind proxies (decision 0016): read from the right of
/// `X-Forwarded-For`, never the client-chosen left, and always an IP address.
@Suite struct ClientAddressTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"), ("2001:DB8::1", "2001:db8::1"), ("2001:db8:0:0:0:0:0:1", "2001:db8::1"),
        ("::ffff:192.0.2.1", "192.0.2.1"), ("::1", "::1"),
    ])
    func addressesAreParsedAndCanonical(text: String, canonical: String) {
        #expect(IPAddress(text)?.description == canonical)
    }

    @Test(arguments: [
        "", "unknown", "192.0.2", "192.0.2.256", "01.2.3.4", "192.0.2.1 ", "fe80::1%eth0", "1.2.3.4/8", "<script>", "_hidden",
    ])
    func nonAddressesAreRefused(text: String) {
        #expect(IPAddress(text) == nil)
    }

    @Test(arguments: [
        ("192.0.2.1:8080", "192.0.2.1"), ("[2001:db8::1]:443", "2001:db8::1"), ("[2001:db8::1]", "2001:db8::1"),
        (" 192.0.2.1 ", "192.0.2.1"),
    ])
    func forwardedEntriesMayCarryAPort(entry: String, canonical: String) {
        #expect(IPAddress(forwardedEntry: entry)?.description == canonical)
    }

    @Test(arguments: ["192.0.2.1:", "192.0.2.1:http", "[2001:db8::1", "[2001:db8::1]x", "1:2"])
    func malformedForwardedEntriesAreRefused(entry: String) {
        #expect(IPAddress(forwardedEntry: entry) == nil)
    }

    @Test func networksContainTheirAddressesOnly() throws {
        let ten = try #require(IPNetwork("10.0.0.0/8"))
        #expect(ten.contains(IPAddress("10.255.1.2")!))
        #expect(!ten.contains(IPAddress("11.0.0.1")!))
        #expect(!ten.contains(IPAddress("::ffff:b00:1")!))
        let odd = try #require(IPNetwork("192.168.4.0/22"))
        #expect(odd.contains(IPAddress("192.168.7.255")!))
        #expect(!odd.contains(IPAddress("192.168.8.0")!))
        let v6 = try #require(IPNetwork("2001:db8::/32"))
        #expect(v6.contains(IPAddress("2001:db8:ffff::1")!))
        #expect(!v6.contains(IPAddress("2001:db9::1")!))
        #expect(!v6.contains(IPAddress("10.0.0.1")!))
        let host = try #require(IPNetwork("192.0.2.7"))
        #expect(host.contains(IPAddress("192.0.2.7")!) && !host.contains(IPAddress("192.0.2.8")!))
        #expect(try #require(IPNetwork("::ffff:10.0.0.0/104")).contains(IPAddress("10.1.2.3")!))
        #expect(try #require(IPNetwork("0.0.0.0/0")).contains(IPAddress("203.0.113.9")!))
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0.0/-1", "10.0.0.0/", "10.0.0/8", "2001:db8::/129", "10.0.0.0/8/8", "any", "10.0.0.0/+8"])
    func badNetworksAreRefused(text: String) {
        #expect(IPNetwork(text) == nil)
    }

    @Test func withoutAProxyTheSocketDecidesAndTheHeaderIsIgnored() {
        let policy = ClientAddressPolicy.socket
        #expect(policy.clientAddress(peer: "198.51.100.7", forwardedFor: ["203.0.113.1"]) == "198.51.100.7")
        #expect(policy.clientAddress(peer: nil, forwardedFor: ["203.0.113.1"]) == nil)
    }

    @Test func behindOneProxyTheRightmostEntryIsTheClientWhateverTheClientWrote() {
        let policy = ClientAddressPolicy.proxyHops(1)
        let proxy = "10.0.0.2"
        // The client wrote the left part; our proxy appended what it saw.
        #expect(policy.clientAddress(peer: proxy, forwardedFor: ["1.1.1.1, 198.51.100.7"]) == "198.51.100.7")
        #expect(policy.clientAddress(peer: proxy, forwardedFor: ["1.1.1.1", "198.51.100.7"]) == "198.51.100.7")
        #expect(policy.clientAddress(peer: proxy, forwardedFor: ["garbage, 198.51.100.7"]) == "198.51.100.7")
        #expect(policy.clientAddress(peer: proxy, forwardedFor: ["198.51.100.7"]) == "198.51.100.7")
        // No header: the request did not pass the proxy.
        #expect(policy.clientAddress(peer: proxy, forwardedFor: []) == "10.0.0.2")
        // The entry that names the client is no address: unknown, never the raw text.
        #expect(policy.clientAddress(peer: proxy, forwardedFor: ["198.51.100.7, not-an-ip"]) == nil)
    }

    @Test func behindTwoProxiesTheSecondEntryFromTheRightIsTheClient() {
        let policy = ClientAddressPolicy.proxyHops(2)
        #expect(policy.clientAddress(peer: "10.0.0.2", forwardedFor: ["6.6.6.6, 198.51.100.7, 10.0.0.9"]) == "198.51.100.7")
        #expect(policy.clientAddress(peer: "10.0.0.2", forwardedFor: ["198.51.100.7"]) == "198.51.100.7")
    }

    @Test func trustedNetworksAreWalkedFromTheRight() {
        let policy = ClientAddressPolicy.trustedProxies([IPNetwork("10.0.0.0/8")!, IPNetwork("2001:db8::/32")!])
        // The peer is one of ours, so is the next hop; the first outsider is the client.
        #expect(policy.clientAddress(peer: "10.0.0.2", forwardedFor: ["6.6.6.6, 198.51.100.7, 10.1.1.1"]) == "198.51.100.7")
        #expect(policy.clientAddress(peer: "2001:db8::2", forwardedFor: ["2001:db8:1::5, [2a00::1]:5000"]) == "2a00::1")
        // A peer that is not ours is the client, whatever it claims.
        #expect(policy.clientAddress(peer: "198.51.100.7", forwardedFor: ["6.6.6.6"]) == "198.51.100.7")
        // Everyone in the chain is ours: the leftmost is as far as it reaches.
        #expect(policy.clientAddress(peer: "10.0.0.2", forwardedFor: ["10.9.9.9"]) == "10.9.9.9")
        #expect(policy.clientAddress(peer: "10.0.0.2", forwardedFor: []) == "10.0.0.2")
        // Garbage written where one of our proxies should have written an address.
        #expect(policy.clientAddress(peer: "10.0.0.2", forwardedFor: ["198.51.100.7, junk"]) == nil)
        // Garbage left of the client is never read.
        #expect(policy.clientAddress(peer: "10.0.0.2", forwardedFor: ["junk, 198.51.100.7"]) == "198.51.100.7")
    }

    @Test(arguments: 0..<50)
    func rotatingTheLeftOfTheHeaderNeverChangesTheAddress(seed: Int) {
        var random = SystemRandomNumberGenerator()
        let forged = (0..<Int.random(in: 0...4, using: &random)).map { _ in
            "\(UInt8.random(in: 1...254, using: &random)).\(UInt8.random(in: 0...255, using: &random)).0.\(seed % 250 + 1)"
        }
        let header = (forged + ["198.51.100.7"]).joined(separator: ", ")
        #expect(ClientAddressPolicy.proxyHops(1).clientAddress(peer: "10.0.0.2", forwardedFor: [header]) == "198.51.100.7")
        #expect(
            ClientAddressPolicy.trustedProxies([IPNetwork("10.0.0.0/8")!]).clientAddress(peer: "10.0.0.2", forwardedFor: [header])
                == "198.51.100.7")
    }
}
