package metrics

// DefinitionsVersion names the version of the indicator definitions (the
// spec's indicators.md as implemented here); reports print it in footers so
// readers know which formulas made a number.
const DefinitionsVersion = "indicators-2025.1"
