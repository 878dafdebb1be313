import CLDAP
import Foundation
import Synchronization

/// One entry of a search result: its DN and attributes (names lower-cased).
public struct LDAPEntry: Sendable, Hashable {
    public let dn: String
    public let attributes: [String: [String]]

    public init(dn: String, attributes: [String: [String]]) {
        self.dn = dn
        self.attributes = attributes
    }

    /// Every value of `attribute` (case-insensitive name).
    public func values(_ attribute: String) -> [String] { attributes[attribute.lowercased()] ?? [] }

    /// The first value of `attribute`.
    public func value(_ attribute: String) -> String? { values(attribute).first }
}

/// Counts of what the directory cost, for tests and benchmarks.
public final class LDAPStatistics: Sendable {
    /// LDAP request/response exchanges: each bind, StartTLS and search page.
    public let roundTrips = Atomic<Int>(0)
    /// Connections opened (each also costs its StartTLS and service bind round trips).
    public let connectionsOpened = Atomic<Int>(0)

    public init() {}

    func roundTrip() { roundTrips.add(1, ordering: .relaxed) }
}

/// Where and how to connect.
public struct LDAPConnectionOptions: Sendable, Hashable {
    public var url: String
    public var startTLS: Bool
    public var caFile: String?
    /// Connect (`LDAP_OPT_NETWORK_TIMEOUT`) and operation (`LDAP_OPT_TIMEOUT`) timeout.
    public var timeoutSeconds: Int

    public init(url: String, startTLS: Bool = false, caFile: String? = nil, timeoutSeconds: Int = 5) {
        self.url = url
        self.startTLS = startTLS
        self.caFile = caFile
        self.timeoutSeconds = timeoutSeconds
    }
}

/// One libldap handle (`LDAP *`). Every method blocks its thread: call them only on a
/// ``BlockingExecutor``. Not thread-safe; the ``LDAPConnectionPool`` lends each connection
/// to one job at a time, which is what makes the `@unchecked Sendable` sound.
final class LDAPConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    let options: LDAPConnectionOptions
    let statistics: LDAPStatistics
    /// When the connection last completed an operation (for the pool's health check).
    var lastUsed: Date

    /// Search scopes as `ldap.h` numbers them.
    enum Scope: Int32 {
        case base = 0, one = 1, sub = 2
    }

    /// Initialises the handle, sets protocol version 3, timeouts and TLS options, and does
    /// StartTLS when asked. Connecting happens in the first operation (here: StartTLS).
    init(options: LDAPConnectionOptions, statistics: LDAPStatistics) throws(LDAPError) {
        self.options = options
        self.statistics = statistics
        lastUsed = Date()
        var ld: OpaquePointer?
        let rc = ldap_initialize(&ld, options.url)
        guard rc == LDAPError.Code.success, let ld else {
            throw LDAPError(code: rc, operation: "connect", message: Self.text(rc), diagnostic: "url \(options.url)")
        }
        handle = ld
        statistics.connectionsOpened.add(1, ordering: .relaxed)
        // Version 3 before anything else: libldap defaults to 2 and binds then fail.
        var version: Int32 = 3
        try check(ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version), "connect")
        var timeout = timeval(tv_sec: options.timeoutSeconds, tv_usec: 0)
        try check(ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &timeout), "connect")
        try check(ldap_set_option(ld, LDAP_OPT_TIMEOUT, &timeout), "connect")
        try check(ldap_set_option(ld, LDAP_OPT_REFERRALS, herald_ldap_opt_off()), "connect")
        let usesTLS = options.startTLS || options.url.lowercased().hasPrefix("ldaps://")
        if usesTLS {
            var demand: Int32 = LDAP_OPT_X_TLS_DEMAND
            try check(ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand), "tls")
            if let caFile = options.caFile {
                try check(ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, caFile), "tls")
            }
            // Per-handle TLS options take effect only in a new TLS context.
            var isServer: Int32 = 0
            try check(ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &isServer), "tls")
        }
        guard usesTLS else { return }
        do throws(LDAPError) {
            if options.startTLS {
                statistics.roundTrip()
                try check(ldap_start_tls_s(ld, nil, nil), "start_tls")
            } else {
                try check(ldap_connect(ld), "connect")
            }
        } catch {
            // libldap reports a refused connection and a failed handshake alike; tell them apart.
            guard [LDAPError.Code.serverDown, LDAPError.Code.connectError].contains(error.code),
                  let (host, port) = Self.hostAndPort(options.url), Self.acceptsTCP(host: host, port: port,
                                                                                   timeout: options.timeoutSeconds)
            else { throw error }
            throw LDAPError(code: LDAPError.Code.connectError, operation: options.startTLS ? "start_tls" : "connect",
                            message: "TLS handshake failed",
                            diagnostic: "\(host):\(port) accepts connections but its TLS certificate was not verified "
                                + (options.caFile.map { "with ca_file \($0)" } ?? "with the system CAs")
                                + " (wrong CA, expired certificate or a name other than \(host))")
        }
    }

    /// Host and port of an `ldap://` or `ldaps://` URL.
    static func hostAndPort(_ url: String) -> (String, UInt16)? {
        guard let components = URLComponents(string: url), let host = components.host else { return nil }
        let port = components.port ?? (components.scheme?.lowercased() == "ldaps" ? 636 : 389)
        return (host, UInt16(clamping: port))
    }

    /// True when a plain TCP connection to `host:port` succeeds.
    static func acceptsTCP(host: String, port: UInt16, timeout: Int) -> Bool {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let list else { return false }
        defer { freeaddrinfo(list) }
        var current: UnsafeMutablePointer<addrinfo>? = list
        while let info = current {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 {
                var limit = timeval(tv_sec: timeout, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                let connected = connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0
                Glibc.close(fd)
                if connected { return true }
            }
            current = info.pointee.ai_next
        }
        return false
    }

    deinit { close() }

    /// Unbinds and frees the handle; idempotent.
    func close() {
        if let handle { ldap_unbind_ext_s(handle, nil, nil) }
        handle = nil
    }

    /// Simple bind (RFC 4513 §5.1.3). An empty password is refused here: the server would
    /// treat it as an unauthenticated bind and "succeed".
    func bind(dn: String, password: String) throws(LDAPError) {
        guard !password.isEmpty, !password.utf8.contains(0) else {
            throw LDAPError(code: LDAPError.Code.invalidCredentials, operation: "bind",
                            message: "Invalid credentials", diagnostic: "empty password refused")
        }
        let ld = try live()
        statistics.roundTrip()
        // `LDAP_SASL_SIMPLE` is `(char *)0` and does not import: nil is the simple mechanism.
        let rc = password.withCString { pointer in
            var credentials = berval(bv_len: ber_len_t(strlen(pointer)), bv_val: UnsafeMutablePointer(mutating: pointer))
            return ldap_sasl_bind_s(ld, dn, nil, &credentials, nil, nil, nil)
        }
        try check(rc, "bind")
        lastUsed = Date()
    }

    /// A search, following RFC 2696 paged results when `pageSize` is set, so servers whose
    /// size limit is below the result count still return everything.
    func search(base: String, scope: Scope, filter: String, attributes: [String], pageSize: Int32? = 500)
        throws(LDAPError) -> [LDAPEntry]
    {
        let ld = try live()
        var entries: [LDAPEntry] = []
        var cookie = berval(bv_len: 0, bv_val: nil)
        defer { if cookie.bv_val != nil { ber_memfree(cookie.bv_val) } }
        var names: [UnsafeMutablePointer<CChar>?] = attributes.map { strdup($0) } + [nil]
        defer { for name in names { free(name) } }
        if attributes.isEmpty { names = [strdup("1.1"), nil] }  // RFC 4511: no attributes

        repeat {
            var pageControl: UnsafeMutablePointer<LDAPControl>?
            if let pageSize {
                let rc = cookie.bv_val == nil
                    ? ldap_create_page_control(ld, pageSize, nil, 1, &pageControl)
                    : ldap_create_page_control(ld, pageSize, &cookie, 1, &pageControl)
                try check(rc, "search")
            }
            defer { if let pageControl { ldap_control_free(pageControl) } }
            var serverControls: [UnsafeMutablePointer<LDAPControl>?] = [pageControl, nil]
            var timeout = timeval(tv_sec: options.timeoutSeconds, tv_usec: 0)
            var result: OpaquePointer?
            defer { if let result { ldap_msgfree(result) } }
            statistics.roundTrip()
            let rc = names.withUnsafeMutableBufferPointer { names in
                serverControls.withUnsafeMutableBufferPointer { controls in
                    ldap_search_ext_s(ld, base, scope.rawValue, filter, names.baseAddress, 0,
                                      pageControl == nil ? nil : controls.baseAddress, nil, &timeout, 0, &result)
                }
            }
            if rc == LDAPError.Code.noSuchObject { return [] }
            try check(rc, "search", context: "filter \(filter) under \(base)")
            guard let result else { break }
            entries += readEntries(ld, result)

            var code: Int32 = 0
            var returned: UnsafeMutablePointer<UnsafeMutablePointer<LDAPControl>?>?
            try check(ldap_parse_result(ld, result, &code, nil, nil, nil, &returned, 0), "search")
            defer { if let returned { ldap_controls_free(returned) } }
            try check(code, "search", context: "filter \(filter) under \(base)")
            guard pageSize != nil else { break }
            guard let response = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, returned, nil) else { break }
            if cookie.bv_val != nil { ber_memfree(cookie.bv_val) }
            cookie = berval(bv_len: 0, bv_val: nil)
            var estimate: ber_int_t = 0
            try check(ldap_parse_pageresponse_control(ld, response, &estimate, &cookie), "search")
        } while cookie.bv_len > 0
        lastUsed = Date()
        return entries
    }

    /// Reads the root DSE: a cheap round trip that proves the connection still works.
    func ping() throws(LDAPError) {
        _ = try search(base: "", scope: .base, filter: "(objectClass=*)", attributes: ["1.1"], pageSize: nil)
    }

    private func readEntries(_ ld: OpaquePointer, _ result: OpaquePointer) -> [LDAPEntry] {
        var entries: [LDAPEntry] = []
        var entry = ldap_first_entry(ld, result)
        while let current = entry {
            var dn = ""
            if let pointer = ldap_get_dn(ld, current) {
                dn = String(cString: pointer)
                ldap_memfree(pointer)
            }
            var attributes: [String: [String]] = [:]
            var ber: OpaquePointer?
            var attribute = ldap_first_attribute(ld, current, &ber)
            while let name = attribute {
                if let values = ldap_get_values_len(ld, current, name) {
                    var list: [String] = []
                    var index = 0
                    while let value = values[index] {
                        list.append(String(decoding: UnsafeRawBufferPointer(start: value.pointee.bv_val,
                                                                             count: Int(value.pointee.bv_len)),
                                           as: UTF8.self))
                        index += 1
                    }
                    ldap_value_free_len(values)
                    attributes[String(cString: name).lowercased(), default: []] += list
                }
                ldap_memfree(name)
                attribute = ldap_next_attribute(ld, current, ber)
            }
            if let ber { ber_free(ber, 0) }
            entries.append(LDAPEntry(dn: dn, attributes: attributes))
            entry = ldap_next_entry(ld, current)
        }
        return entries
    }

    private func live() throws(LDAPError) -> OpaquePointer {
        guard let handle else {
            throw LDAPError(code: LDAPError.Code.serverDown, operation: "use", message: "connection closed")
        }
        return handle
    }

    private func check(_ rc: Int32, _ operation: String, context: String = "") throws(LDAPError) {
        guard rc != LDAPError.Code.success else { return }
        var diagnostic = diagnosticMessage()
        if !context.isEmpty { diagnostic += diagnostic.isEmpty ? context : " (\(context))" }
        throw LDAPError(code: rc, operation: operation, message: Self.text(rc), diagnostic: diagnostic)
    }

    /// The server's or TLS layer's diagnostic for the last failure on this handle.
    private func diagnosticMessage() -> String {
        guard let handle else { return "" }
        var message: UnsafeMutablePointer<CChar>?
        guard ldap_get_option(handle, LDAP_OPT_DIAGNOSTIC_MESSAGE, &message) == LDAP_OPT_SUCCESS, let message else {
            return ""
        }
        defer { ldap_memfree(message) }
        return String(cString: message)
    }

    private static func text(_ rc: Int32) -> String {
        guard let text = ldap_err2string(rc) else { return "LDAP error" }
        return String(cString: text)
    }
}
