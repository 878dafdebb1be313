import AsyncHTTPClient
import Foundation
import HeraldJOSE

/// The issuer keys `passport verify` and `passport bench` take: a JWKS (file or URL), a PEM
/// public key, or the MCPS `{"pem":…,"jwk":…}` document of `{issuer}/api/ta/public-key`.
enum PassportKeySource {
    /// The keys in `source`; an unreachable URL (or one that does not answer 200) is
    /// ``CLIError/Kind/unreachable``, an unreadable or unparsable file a usage error.
    static func load(_ source: String) async throws -> [PublicJWK] {
        let data: Data
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            var request = HTTPClientRequest(url: source)
            request.headers.add(name: "Accept", value: "application/json")
            do {
                let response = try await AdminClient.http.execute(request, timeout: .seconds(30))
                guard response.status.code == 200 else {
                    throw CLIError.unreachable("cannot fetch the JWKS: \(source) answered \(response.status.code)")
                }
                data = Data(try await response.body.collect(upTo: 4 << 20).readableBytesView)
            } catch let error as CLIError { throw error } catch {
                throw CLIError.unreachable("cannot fetch the JWKS \(source): \(error)")
            }
        } else {
            guard let contents = FileManager.default.contents(atPath: source) else {
                throw CLIError.usage("cannot read the key file \(source)")
            }
            data = contents
        }
        return try parse(data, source: source)
    }

    /// Parses key material of any of the accepted forms.
    static func parse(_ data: Data, source: String) throws -> [PublicJWK] {
        let text = String(decoding: data, as: UTF8.self)
        if text.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("-----BEGIN PUBLIC KEY-----") {
            do { return [try PublicJWK(pem: text)] } catch {
                throw CLIError.usage("\(source) is not a P-256 public key PEM")
            }
        }
        if let document = try? JCSParser.parse(Array(data)), document["keys"] == nil,
           let pem = document["pem"]?.stringValue {
            do { return [try PublicJWK(pem: pem)] } catch {
                throw CLIError.usage("\(source): pem is not a P-256 public key")
            }
        }
        do { return try PublicJWK.parseSet(json: data) } catch {
            throw CLIError.usage("\(source) is not a JWKS, a PEM public key or an api/ta/public-key document: \(error)")
        }
    }
}
