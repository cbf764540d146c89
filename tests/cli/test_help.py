"""`hyposti --help` lists every command once, under the panel main.py gives it, in plain text."""

from hyposti.cli.main import app, run


def _registered() -> dict[str, str]:
    """Command name -> panel, read from the Typer app's own registrations."""
    names = {c.name: c.rich_help_panel for c in app.registered_commands}
    names |= {g.name: g.rich_help_panel for g in app.registered_groups}
    return names


def test_every_command_appears_once_under_its_panel(capsys):
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    headings = [
        i for i, line in enumerate(lines) if line.endswith(":") and not line.startswith(" ")
    ]
    panel_of: dict[str, str] = {}
    for start, end in zip(headings, [*headings[1:], len(lines)], strict=True):
        for line in lines[start + 1 : end]:
            if line.startswith("  ") and not line.startswith("   "):
                name = line.split()[0]
                assert name not in panel_of, f"{name} listed twice"
                panel_of[name] = lines[start].removesuffix(":")
    panel_of.pop("--version"), panel_of.pop("--help")
    assert panel_of == _registered()


def test_help_is_plain_text_and_keeps_whole_summaries(capsys):
    assert run(["--help"]) == 0
    out = capsys.readouterr().out
    assert not set("╭╮╰╯│─") & set(out)  # no box drawing for pipes and screen readers
    listing = out.split("Options:", 1)[1]
    assert "..." not in listing  # summaries are whole sentences, wrapped rather than cut
    assert "Screen a candidate against every inclusion and exclusion criterion" in " ".join(
        out.split()
    )


def test_a_group_lists_its_commands(capsys):
    assert run(["design", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Commands:" in out
    for name in ("decide", "boundaries", "oc", "paths", "simon", "monitor"):
        assert f"\n  {name} " in out


def _command_paths() -> list[list[str]]:
    """Every command's words, `design oc` included, read from the click group Typer builds."""
    import typer

    def walk(group, prefix):
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                yield from walk(command, [*prefix, name])
            else:
                yield [*prefix, name]

    return list(walk(typer.main.get_command(app), []))


def test_every_help_names_values_as_a_user_types_them(capsys):
    # --agent-dose and --icp showed their Python type "<list[str]>", --as-of a strptime pattern
    # "<%Y-%m-%d>", and `design boundaries --design` offered "3+3, boin or crm (default: the
    # protocol's design)" though it takes boin alone.
    paths = _command_paths()
    assert ["design", "boundaries"] in paths and len(paths) > 35
    for path in paths:
        assert run([*path, "--help"]) == 0, path
        out = capsys.readouterr().out
        assert "list[" not in out and "%Y" not in out, path
    assert run(["design", "boundaries", "--help"]) == 0
    assert "protocol's design" not in capsys.readouterr().out
