import Foundation
import Vapor

/// The Apple web service speaks Apple's camelCase JSON, not the API's snake_case: these are
/// encoded and decoded with plain coders, and bodies are read even without a Content-Type.
enum AppleWebServiceJSON {
    /// `POST …/registrations/…`: the device's APNs token.
    struct Registration: Decodable {
        let pushToken: String
    }

    /// `GET …/registrations/{passType}`: the serials that changed and the tag to send next time.
    struct SerialNumbers: Encodable, Equatable {
        let serialNumbers: [String]
        let lastUpdated: String
    }

    /// `POST /v1/log`.
    struct Log: Decodable {
        let logs: [String]
    }

    /// Decodes the body as `T`: 400 when it is not a JSON object at all, 422 naming `field`
    /// when the object lacks it or has the wrong type (as everywhere else in the API).
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, field: String) throws -> T {
        let body = request.body.data.map { Data($0.readableBytesView) } ?? Data()
        guard (try? JSONSerialization.jsonObject(with: body)) is [String: Any] else {
            throw APIError.validationFailed(["body": "must be a JSON object"], status: .badRequest)
        }
        guard let value = try? JSONDecoder().decode(T.self, from: body) else {
            throw APIError.validationFailed([field: "is required, in Apple's web service format"])
        }
        return value
    }

    static func response(_ value: some Encodable) throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: try JSONEncoder().encode(value)))
    }
}
