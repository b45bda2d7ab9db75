package store

// CodeList is codeList, for the tests of package store_test.
var CodeList = codeList
