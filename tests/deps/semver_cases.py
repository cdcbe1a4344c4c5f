"""The npm range table: every (range, version) pair of RANGES x VERSIONS is checked against
npm's own `semver` package run by node (tests/deps/test_specs_npm.py)."""

RANGES = [
    # exact pins, in every spelling npm accepts
    "1.4.0", "=1.4.0", "v1.4.0", "=v1.4.0", " 1.4.0 ", ">=1.4.0 <=1.4.0", "1.4.0 - 1.4.0", "1.4.0-rc.1",
    # carets, including the ^0.x rules
    "^1.4.0", "^1.3.9", "^1", "^1.4", "^0.2.3", "^0.0.3", "^0.0", "^0.x", "^0.1.x", "^0.0.0", "^1.4.0-beta.1", "^1.5.0-0",
    "^ 1.4.0", "^1.4.0 ^1.5.0", "^2.0.0",
    # tildes
    "~1.4.0", "~1.4", "~1", "~0.1.2", "~1.4.0-rc.1", "~>1.4", "~ 1.4.0", "~v1.4",
    # x-ranges
    "1.x", "1.4.x", "1.X", "1.4.*", "*", "", "x", "x.x.x", "1", "1.4", "v1",
    # hyphen ranges
    "1.2.3 - 1.4.0", "1.2 - 1.4", "1.2.3 - 2", "1.4.0-rc.1 - 1.4.0",
    # comparators
    ">=1.4.0", ">1.4.0", "<1.4.0", "<=1.4.0", ">=1.3.0 <1.5.0", ">= 1.4.0", "< 2", ">=01.4.0", "<1.4.0-0",
    ">1.3.9-0 <1.4.1-0", ">=1.4.0-alpha", ">1.4.0-rc.1 <1.4.0",
    # unions
    "^1.4.0 || ^2.0.0", "1.3.9 || 1.4.0", "<1.0.0 || >=1.4.0", "~1.4.0 || 1.3.9", "0.x || 1.x", "1.4.0 || ",
    # build metadata and things npm rejects
    "^1.4.0+build", "1.4.0+meta", "latest", "next",
]

VERSIONS = [
    "1.4.0", "1.3.9", "1.4.1", "1.5.0", "2.0.0", "0.2.3", "0.2.4", "0.3.0", "0.0.3", "0.0.4",
    "1.4.0-rc.1", "1.4.0-beta.2", "1.5.0-rc.1", "0.1.5", "1.2.3", "1.4.0-alpha",
]

CASES = [(r, v) for r in RANGES for v in VERSIONS]
