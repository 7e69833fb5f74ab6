import Foundation

/// The OpenAPI document the server and client are generated from, served as is at
/// `/api/v1/openapi.json` (one file: what is served is what was generated from).
public enum OpenAPIDocument {
    public static let json: Data = {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            fatalError("openapi.json is missing from the GatewayAPI bundle")
        }
        return data
    }()
}
