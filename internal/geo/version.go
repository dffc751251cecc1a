package geo

// Version names the edition of the embedded reference data. Bump it when a
// CSV under data/ changes, so cached test templates are rebuilt.
const Version = "ibge-2025.1"
