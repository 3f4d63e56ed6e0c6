package file

// FastImports counts the tables the engine read (the fast import), so
// tests can tell that they exercised it.
var FastImports = &fastImports

// EngineRows counts the records the fast import staged in the engine.
var EngineRows = &engineRows

// OddPage is how many rows for Go the fast import reads back at a time.
var OddPage = &oddPage

// SampleFirst says whether the fast import looks at the first records
// before it takes a file.
var SampleFirst = &sampleFirst

// MaxUnzipped bounds what a workbook may unpack to.
var MaxUnzipped = &maxUnzipped
