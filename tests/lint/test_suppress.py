"""Reviewed exceptions: where a suppression applies, what it needs, and when it is an error."""

from __future__ import annotations

from tests.lint.conftest import keys, run


def test_a_comment_alone_covers_the_next_line_and_a_trailing_one_its_own(small):
    root = small(
        {
            "a.sh": (
                '# devenv: allow proto-import reason="reviewed"\n'
                "cp -r packages/ameide_core_proto x\n"
                "cp -r packages/ameide_core_proto y  # devenv: allow proto-import reason='reviewed too'\n"
                "cp -r packages/ameide_core_proto z\n"
            )
        }
    )
    result = run(root)
    assert keys(result) == {("a.sh", 4, 7, "proto-in-shell")}
    assert keys(result, suppressed=True) == {("a.sh", 2, 7, "proto-in-shell"), ("a.sh", 3, 7, "proto-in-shell")}
    assert {f.justification for f in result.suppressed} == {"reviewed", "reviewed too"}


def test_a_blank_line_or_another_comment_breaks_the_link(small):
    root = small({"a.py": ('# devenv: allow proto-import reason="x"\n\nimport ameide_core_proto\n')})
    assert keys(run(root)) == {("a.py", 1, 1, "suppression-unused"), ("a.py", 3, 8, "proto-in-script")}


def test_a_trailing_suppression_does_not_cover_the_next_line(small):
    root = small({"a.ts": ('import a from "@ameide/core-proto"; // devenv: allow proto-import reason="x"\nimport b from "@ameide/core-proto";\n')})
    assert keys(run(root)) == {("a.ts", 2, 16, "proto-in-script")}


def test_without_a_reason_it_suppresses_nothing(small):
    root = small({"a.sh": '# devenv: allow proto-import reason="  "\ncd packages/ameide_core_proto\n'})
    assert keys(run(root)) == {("a.sh", 1, 1, "suppression-missing-reason"), ("a.sh", 2, 4, "proto-in-shell")}


def test_the_comment_syntax_of_the_file_is_required(small):
    root = small(
        {
            "a.py": '// devenv: allow proto-import reason="wrong syntax"\nimport ameide_core_proto\n',
            "b.ts": 'const s = "devenv: allow proto-import reason=\\"in a string\\""; import "@ameide/core-proto";\n',
        }
    )
    assert keys(run(root)) == {("a.py", 2, 8, "proto-in-script"), ("b.ts", 1, 72, "proto-in-script")}


def test_block_comments_and_the_reference_inside_the_reason(small):
    root = small(
        {"a.ts": ('/* devenv: allow proto-import reason="mirrors packages/ameide_core_proto for the docs" */\nexport { x } from "@ameide/core-proto";\n')}
    )
    result = run(root)
    assert keys(result) == set()
    assert keys(result, suppressed=True) == {("a.ts", 2, 20, "proto-in-script")}


def test_an_unknown_kind_is_invalid_and_suppresses_nothing(small):
    root = small({"Dockerfile": '# devenv: allow proto-everything reason="x"\nCOPY packages/ameide_core_proto .\n'})
    result = run(root)
    assert keys(result) == {("Dockerfile", 1, 1, "suppression-invalid"), ("Dockerfile", 2, 6, "proto-in-dockerfile")}
    assert "proto-everything" in next(f.message for f in result.findings if f.rule == "suppression-invalid")


def test_a_stale_suppression_in_a_file_without_references_is_reported(small):
    root = small({"deploy.sh": '#!/bin/sh\n# devenv: allow proto-import reason="removed long ago"\necho hi\n'})
    assert keys(run(root)) == {("deploy.sh", 2, 1, "suppression-unused")}


def test_json_suppressions_name_the_key_path(small):
    root = small(
        {
            "services/a/package.json": (
                "{\n"
                '  "devDependencies": {"@ameide/core-proto": "1.0.0"},\n'
                '  "workspaces": ["../../packages/ameide_core_proto"],\n'
                '  "//devenv": [\n'
                '    {"allow": "proto-import", "path": ["workspaces"], "reason": "docs site renders the .proto files"},\n'
                '    {"allow": "proto-import", "path": ["devDependencies", "@ameide/core-proto"]},\n'
                '    {"allow": "proto-import", "reason": "no path"},\n'
                '    "allow proto-import reason=\\"a string\\""\n'
                "  ]\n"
                "}\n"
            )
        }
    )
    result = run(root)
    assert keys(result) == {
        ("services/a/package.json", 2, 24, "proto-in-package-json"),  # its entry has no reason
        ("services/a/package.json", 6, 6, "suppression-missing-reason"),
        ("services/a/package.json", 7, 6, "suppression-invalid"),
        ("services/a/package.json", 8, 5, "suppression-invalid"),
    }
    assert keys(result, suppressed=True) == {("services/a/package.json", 3, 19, "proto-in-package-json")}


def test_suppressions_in_the_manifest_cover_manifest_findings(small):
    manifest = (
        "version: 1\nproject: demo\n"
        "proto: {path: packages/ameide_core_proto, names: ['@ameide/core-proto']}\n"
        "services:\n"
        "  web:\n"
        "    sdks: []\n"
        '    context: .  # devenv: allow proto-import reason="the docs image ships the schema"\n'
        "    dockerfile: web/Dockerfile\n"
        "    image: demo/web\n"
        "    k8s: [k8s.yaml]\n"
        '  # devenv: allow proto-import reason="nothing below"\n'
    )
    from tests.fixtures.manifests import deployment

    root = small({"web/Dockerfile": "FROM x\n", "k8s.yaml": deployment("web", "demo/web")}, manifest=manifest)
    result = run(root)
    assert keys(result, suppressed=True) == {("services.yaml", 7, 14, "service-context-includes-proto")}
    assert keys(result) == {("services.yaml", 11, 3, "suppression-unused")}
