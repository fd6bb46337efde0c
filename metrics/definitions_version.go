package metrics

// DefinitionsVersion names the version of the indicator definitions (the
// registry and the SQL of this package, documented in docs/indicators.md);
// reports print it in footers so readers know which formulas made a number.
const DefinitionsVersion = "indicators-2025.1"
