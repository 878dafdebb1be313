/// `PUT /admin/realms/{r}/levels`: level name → the cells to change (`{"L2": {"tx_limit": 200}}`).
/// The level names are checked by the realm-file loader (`levels.L9: unknown level`).
package struct AdminLevelPatch: AdminRequestBody, Encodable, Equatable {
    package var levels: [String: AdminLevelCells]

    package static var rules: AdminBodyRules { .realmFile("levels") }

    package init(levels: [String: AdminLevelCells]) {
        self.levels = levels
    }

    package init(from decoder: any Decoder) throws {
        levels = try decoder.singleValueContainer().decode([String: AdminLevelCells].self)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(levels)
    }
}
