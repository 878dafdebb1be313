import Foundation
import HeraldJOSE

/// Decodes a compact JWT's parts for assertions in tests (no verification).
public enum JWTParts {
    public static func header(_ token: String) -> [String: Any] { object(token, 0) }
    public static func claims(_ token: String) -> [String: Any] { object(token, 1) }

    private static func object(_ token: String, _ index: Int) -> [String: Any] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let bytes = Base64URL.decode(String(parts[index])),
              let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        else { return [:] }
        return object
    }
}
