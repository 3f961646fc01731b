import Fluent
import Foundation
import LoyaltyCore
import NIOFoundationCompat
import NIOCore
import Testing
import Vapor
import VaporTesting

@testable import App

extension Application {
    /// Sends one request through the whole middleware stack and returns the response.
    ///
    /// `json` is encoded as-is (tests spell the API's snake_case keys themselves); `body` sends
    /// raw text, for malformed input.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        token: String? = nil,
        headers: HTTPHeaders = [:],
        json: [String: JSONValue]? = nil,
        body: String? = nil
    ) async throws -> TestingHTTPResponse {
        var headers = headers
        if let token { headers.bearerAuthorization = .init(token: token) }
        var buffer: ByteBuffer?
        if let json {
            buffer = ByteBuffer(bytes: Array(try JSONEncoder().encode(json)))
        } else if let body {
            buffer = ByteBuffer(string: body)
        }
        if buffer != nil, headers.contentType == nil { headers.contentType = .json }
        return try await testing().sendRequest(method, path, headers: headers, body: buffer)
    }
}

extension TestingHTTPResponse {
    /// The body as JSON, decoded without key conversion so tests see the wire's keys.
    var json: JSONValue {
        get throws { try JSONDecoder().decode(JSONValue.self, from: Data(buffer: body)) }
    }

    /// The `error.code` of an error response.
    var errorCode: String? { try? json["error"]?["code"]?.string }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    subscript(index: Int) -> JSONValue? {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var int: Int? {
        if case .int(let value) = self { return value }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var isNull: Bool { self == .null }

    var uuid: UUID? { string.flatMap(UUID.init(uuidString:)) }
}
