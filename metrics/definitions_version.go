package metrics

// DefinitionsVersion names the version of the indicator definitions (those
// docs/indicators.md lists); reports print it in footers so readers know
// which formulas made a number.
const DefinitionsVersion = "indicators-2025.1"
