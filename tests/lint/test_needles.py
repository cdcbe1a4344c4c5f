"""What is a reference: the proto path as a path, a name as a whole token; and the prefilter."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devenv.lint.needles import Needles

NEEDLES = Needles("packages/ameide_core_proto", ["@ameide/core-proto", "ameide_core_proto"])


def found(text: str, file_dir: str = "services/web", python: bool = False) -> list[tuple[str, str]]:
    return [(r.kind, r.text) for r in NEEDLES.find(text, file_dir, python=python)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("COPY packages/ameide_core_proto/ ./p", [("path", "packages/ameide_core_proto")]),
        ("cd ./packages/ameide_core_proto && buf generate", [("path", "./packages/ameide_core_proto")]),
        ("-e ../../packages/ameide_core_proto", [("path", "../../packages/ameide_core_proto")]),
        ("hostPath: /src/packages/ameide_core_proto", [("path", "/src/packages/ameide_core_proto")]),
        ('"github.com/o/r/packages/ameide_core_proto/gen/go"', [("path", "github.com/o/r/packages/ameide_core_proto")]),
        ('"@ameide/core-proto": "workspace:*"', [("name", "@ameide/core-proto")]),
        ("pnpm --filter @ameide/core-proto... build", [("name", "@ameide/core-proto")]),
        ("npm i @ameide/core-proto@1.2.3", [("name", "@ameide/core-proto")]),
        ('import x from "@ameide/core-proto/gen/ts"', [("name", "@ameide/core-proto")]),
        ("node_modules/@ameide/core-proto/index.js", [("name", "@ameide/core-proto")]),
        ("from ameide_core_proto.v1 import svc", [("name", "ameide_core_proto")]),
        ("import ameide_core_proto", [("name", "ameide_core_proto")]),
        # Not references: other packages and longer names.
        ("import ameide_core_protocol", []),
        ("@ameide/core-protocol@2", []),
        ("@ameide/core-proto-extra", []),
        ("my_ameide_core_proto", []),
        ("foo.ameide_core_proto", []),
        ("xpackages/ameide_core_protox", []),
        ("packages/ameide_core_protobuf", []),
        ("npm:@ameide/core-proto@^1", [("name", "@ameide/core-proto")]),  # an npm alias
    ],
)
def test_references(text, expected):
    assert found(text) == expected


def test_a_relative_path_counts_when_it_resolves_to_the_workspace():
    assert found("../ameide_core_proto/gen", file_dir="packages/other") == [("path", "../ameide_core_proto")]
    # From elsewhere it is another folder, but still the package's name.
    assert found("../ameide_core_proto/gen", file_dir="services/web") == [("name", "ameide_core_proto")]


def test_a_name_is_not_reported_twice_inside_the_path():
    assert found("COPY packages/ameide_core_proto ./packages/ameide_core_proto") == [
        ("path", "packages/ameide_core_proto"),
        ("path", "./packages/ameide_core_proto"),
    ]


def test_python_dependency_spellings_follow_pep_503():
    assert found("Ameide-Core-Proto>=1.0", python=True) == [("name", "Ameide-Core-Proto")]
    assert found("ameide.core.proto==1", python=True) == [("name", "ameide.core.proto")]
    assert found("ameide-core-proto==1") == []  # outside Python dependency files: the exact names only
    assert found("ameide-core-protocol==1", python=True) == []


def test_positions_are_offsets_of_the_reference():
    text = "a\nCOPY packages/ameide_core_proto x\n"
    (ref,) = NEEDLES.find(text)
    assert text[ref.start : ref.end] == "packages/ameide_core_proto"


def test_a_one_segment_proto_path_needs_a_slash_or_quotes():
    needles = Needles("proto", [])
    refs = lambda text: [r.text for r in needles.find(text, "svc")]  # noqa: E731
    assert refs("COPY proto/ /x") == ["proto"]
    assert refs("deps=['proto']") == ["proto"]
    assert refs("import proto\nthe proto file") == []
    assert refs("x.proto and protobuf") == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"nothing here", False),
        (b"import ameide_core_protocol", True),  # a superset: the parser decides
        (b"ameide-core-proto==1", True),
        (b"# devenv: allow proto-import reason='x'", True),
        (b"proto buffers everywhere", False),
    ],
)
def test_prefilter(data, expected):
    assert NEEDLES.prefilter(data) is expected


def test_prefilter_catches_suppressions_when_the_names_share_no_suffix():
    needles = Needles("schemas", ["@acme/api-schemas", "acme_types"])
    assert needles.gate is None
    assert needles.prefilter(b"// devenv: allow whatever")
    assert not needles.prefilter(b"plain code")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'import { x } from "@ameide/core-protocol";', True),
        (b"import ameide_core_proto_test\nameide_core_protobuf", True),
        (b'import { x } from "@ameide/core-proto";', False),
        (b"@ameide/core-protocol and @ameide/core-proto", False),  # one real among decoys
        (b"ameide_core_proto", False),  # at the very end
        (b"ameide_core_proto\xc3\xa9", False),  # a non-ASCII byte after it: decided on the text
        (b"@ameide/core-protocol # devenv: allow proto-import", False),  # a suppression to check
    ],
)
def test_quiet_rejects_only_decoys(data, expected):
    assert NEEDLES.quiet(data) is expected


def test_quiet_is_off_for_names_it_cannot_read_as_bytes():
    assert not Needles("packages/proto", ["@acmé/proto"]).quiet(b"@acm\xc3\xa9/protocol")


_FRAGMENTS = [
    "ameide_core_proto",
    "@ameide/core-proto",
    "ameide-core-proto",
    "packages/",
    "../",
    "./",
    "col",
    "_x",
    "-extra",
    ".v1",
    "/",
    " ",
    "\n",
    '"',
    "'",
    "é",
    "\ufeff",
    "devenv",
    "a",
    "0",
    "-",
    "_",
    ".",
    "@",
]


@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=12), st.sampled_from(["", "services/web", "packages"]))
@settings(max_examples=600, deadline=None)
def test_quiet_never_hides_what_find_reports(parts, file_dir):
    """The oracle is find() on the decoded text: quiet bytes have no reference and no marker."""
    text = "".join(parts)
    data = text.encode() + (b"\xff" if "é" in parts else b"")  # also bytes that do not decode
    if NEEDLES.quiet(data):
        decoded = data.decode("utf-8", "replace").removeprefix("\ufeff")
        assert NEEDLES.find(decoded, file_dir) == []
        assert "devenv" not in decoded


_SPELLINGS = st.lists(st.sampled_from(["ameide", "core", "proto", "AMEIDE", "Core", "PROTO", "-", "_", ".", "--", "x", " ", "=="]), max_size=8)


@given(_SPELLINGS)
@settings(max_examples=600, deadline=None)
def test_the_case_folded_prefilter_never_hides_a_python_spelling(parts):
    """find() with the PEP 503 rule is the oracle: whatever it finds, the folded test lets through."""
    text = "".join(parts)
    if NEEDLES.find(text, python=True):
        assert NEEDLES.may_hold_a_python_spelling(text.encode())


def test_the_case_folded_prefilter_passes_every_case_and_separator():
    for spelled in (b"Ameide-Core-Proto==1", b"AMEIDE.CORE.PROTO", b'"ameide_Core-proto>=2"'):
        assert NEEDLES.may_hold_a_python_spelling(spelled), spelled
        assert not NEEDLES.prefilter(spelled), spelled  # why the file loop asks both
    assert not NEEDLES.may_hold_a_python_spelling(b"requests==2\nameide-sdk==1")


@given(st.lists(st.text(st.sampled_from("aZ09-_.@/"), min_size=1, max_size=12), max_size=4))
@settings(max_examples=400, deadline=None)
def test_every_python_spelling_holds_a_last_part_git_searches_for(names):
    """git grep -i proves a Python dependency file only when it holds none of these: every
    spelling find() accepts must hold one (in some case)."""
    from devenv.lint.needlebytes import python_last_parts, python_name

    needles = Needles("packages/p", names)
    parts = python_last_parts(names)
    for name in filter(python_name, needles.names):  # the others match only as written
        spelled = name.upper().replace("-", ".").replace("_", "-")
        if needles.find(spelled, python=True):
            assert any(part in spelled.lower().encode() for part in parts), (name, spelled, parts)
