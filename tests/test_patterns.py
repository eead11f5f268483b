"""Log patterns: named, typed fields, LogQL checked on its own lines, sources and cache."""

from __future__ import annotations

import csv
import json
import random
import re
import tracemalloc

import pytest
from click.testing import CliRunner

from nl2logql.cli import main
from nl2logql.engine.loaders import sample_store
from nl2logql.engine.loki import LokiBackend
from nl2logql.engine.store import LogStore
from nl2logql.generation.schema import SchemaContext, render_pattern
from nl2logql.logql.parser import parse
from nl2logql.patterns import Field, mine_lines, patterns
from nl2logql.patterns import sources
from nl2logql.patterns.describe import Pattern, describe, value_type
from nl2logql.paths import data_root

NOW = 1_735_689_600 * 10**9


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test mines into an empty cache of its own."""
    monkeypatch.setenv("NL2LOGQL_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(sources, "_memory", {})


def _by_template(group, start: str):
    return next(p for p in group.patterns if p.template.startswith(start))


@pytest.fixture(scope="module")
def openssh():
    return patterns(sample_store(), '{application="openssh"}')[0]


def test_openssh_failed_password_has_named_typed_fields(openssh):
    failed = _by_template(openssh, "Failed password for <user>")
    assert failed.template == "Failed password for <user> from <ip> port <port> ssh2"
    assert failed.fields == [Field("user", "word"), Field("ip", "ip"), Field("port", "number")]
    assert [f.numeric for f in failed.fields] == [False, False, True]
    assert failed.line_filter.startswith('|= "Failed password for" != "Failed password for invalid user"')
    assert failed.pattern == '| pattern "Failed password for <user> from <ip> port <port> ssh2"'
    assert "(?P<user>" in failed.regexp and "(?P<port>" in failed.regexp


def test_sample_store_groups_by_application_and_counts_every_line():
    groups = patterns(sample_store())
    assert len(groups) == 21
    openssh = next(g for g in groups if g.selector == '{application="openssh"}')
    assert openssh.lines == 1997
    assert sum(p.count for p in openssh.patterns) == 1997
    assert openssh.header == "none"  # the sample store's lines are message bodies
    counts = [p.count for p in openssh.patterns]
    assert counts == sorted(counts, reverse=True)


@pytest.mark.parametrize("application", ["openssh", "openstack", "hdfs"])
def test_every_filter_and_extraction_runs_on_the_engine_and_finds_its_lines(application):
    """Each pattern's query parses, and on the store its filter + extraction keeps at
    least the pattern's own lines with every field extracted."""
    store = sample_store()
    selector = f'{{application="{application}"}}'
    group = patterns(store, selector)[0]
    for pattern in group.patterns:
        for stage in (pattern.pattern, pattern.regexp):
            if not stage or not pattern.fields:
                continue
            query = " ".join(filter(None, [selector, pattern.line_filter, stage]))
            parse(query)
            nonempty = " ".join(f'| {f.name}!=""' for f in pattern.fields)
            data = store.query(f"sum(count_over_time({query} {nonempty} [30d]))")
            total = float(data["result"][0]["value"][1]) if data["result"] else 0
            assert total >= pattern.count, (query, total, pattern.count)


@pytest.mark.parametrize("application", ["openssh", "openstack", "hdfs"])
def test_each_fields_own_regexp_finds_it_on_every_line_of_its_pattern(application):
    store = sample_store()
    selector = f'{{application="{application}"}}'
    for pattern in patterns(store, selector)[0].patterns:
        for field in pattern.fields:
            stage = pattern.field_regexp(field.name)
            if stage is None:
                continue
            query = " ".join(filter(None, [selector, pattern.line_filter, stage]))
            data = store.query(f'sum(count_over_time({query} | {field.name}!="" [30d]))')
            total = float(data["result"][0]["value"][1]) if data["result"] else 0
            assert total >= pattern.count, (query, total, pattern.count)


@pytest.mark.parametrize(("template", "name", "stage"), [
    ("Failed password for <user> from <ip> port <port> ssh2", "ip",
     r"| regexp `\bfrom\s+(?P<ip>\S+)\s+port`"),
    ("Failed password for <user> from <ip> port <port> ssh2", "port",
     r"| regexp `\bport\s+(?P<port>\S+)\s+ssh2`"),
    # a field inside a token stops at the literal after it
    ("checking getaddrinfo for <host> [<ip>] failed", "ip", r"| regexp `\[(?P<ip>\S+?)\]`"),
    # a key in the same token, which must not match inside another ("euid="); its value
    # ends at the space, whatever key follows on another line
    ("logname= uid=<uid> euid=<euid> tty=ssh", "uid", r"| regexp `\buid=(?P<uid>\S+)`"),
    ("session closed for <user>", "user", r"| regexp `\bfor\s+(?P<user>\S+)`"),
    # ... unless a comma ends it, which is part of the template ("total=1, active=1")
    ("updateNotificationShade: total=<total>, active=<active>", "total",
     r"| regexp `\btotal=(?P<total>\S+?),`"),
    ("Failed password for <user> from <ip> port <port> ssh2", "host", None),
])
def test_a_fields_own_regexp_is_anchored_on_the_words_around_it(template, name, stage):
    fields = [Field(n, "word") for n in re.findall(r"<(\w+)>", template)]
    pattern = Pattern("x", template, 1, "", fields)
    assert pattern.field_regexp(name) == stage


@pytest.mark.parametrize(("template", "types", "stage"), [
    ("blockMap updated: <ip>:<number> is added", {"ip": "ip", "number": "number"},
     r"| regexp `\bupdated:\s+(?P<node>[\d.]+:\d+)`"),
    ("Receiving block <block> src: /<ip>:<port> dest: /<ip_2>:<port_2>",
     {"block": "word", "ip": "ip", "port": "number", "ip_2": "ip", "port_2": "number"},
     r"| regexp `\bsrc:\s+/(?P<node>[\d.]+:\d+)`"),
    ("connect to <host>:<port> failed", {"host": "word", "port": "number"}, None),  # no IP
    ("<ip>:<port> refused", {"ip": "ip", "port": "number"}, None),  # no words before it
])
def test_an_address_is_an_ip_and_its_port_after_the_words_before_them(template, types, stage):
    fields = [Field(n, types[n]) for n in re.findall(r"<(\w+)>", template)]
    assert Pattern("x", template, 1, "", fields).address_regexp("node") == stage


def test_describe_checks_the_line_filter_on_every_member_line():
    lines = ["took 5ms to answer", "took 7ms to answer"]
    pattern = describe(("took", "<DUR>", "to", "answer"), 2, lines, [0, 0])
    assert pattern.fields == [Field("took", "duration")]
    assert pattern.line_filter == '|= "to answer"'
    # A member line that does not hold the run: no filter is offered.
    pattern = describe(("took", "<DUR>", "to", "<*>"), 2, ["took 5ms to answer",
                                                           "took 7ms to reply"], [0, 0])
    assert pattern.line_filter is None or all(
        pattern.line_filter.split('"')[1] in line for line in ("took 5ms to answer",))


@pytest.mark.parametrize(("values", "kind"), [
    (["1", "22", "-3.5"], "number"),
    (["5ms", "1h30m", "0.2s"], "duration"),
    (["10KB", "3MB"], "bytes"),
    (["10.0.0.1", "192.168.1.20"], "ip"),
    (["root", "admin"], "word"),
    (["root", "12"], "word"),
    (["a b", "c"], "text"),
])
def test_value_types(values, kind):
    assert value_type(values) == kind


def test_field_names_come_from_context_and_are_unique():
    lines = ["uid=0 from 10.0.0.1 to 10.0.0.2 user bob sent 12 bytes",
             "uid=5 from 10.0.0.3 to 10.0.0.4 user eve sent 40 bytes"]
    tokens = ("uid=<NUM>", "from", "<IP>", "to", "<IP>", "user", "<*>", "sent", "<NUM>", "bytes")
    pattern = describe(tokens, 2, lines, [0, 0])
    assert [(f.name, f.type) for f in pattern.fields] == [
        ("uid", "number"), ("ip", "ip"), ("ip_2", "ip"), ("user", "word"), ("sent", "bytes")]


@pytest.mark.parametrize("lines, tokens, names", [
    # a key spaced from its "=" ("total = 1072"), or glued to the value ("In =180")
    (["Times: total = 1072, boot = 856", "Times: total = 14, boot = 9"],
     ("Times:", "total", "=", "<NUM>,", "boot", "=", "<NUM>"), ["total", "boot"]),
    (["HBM brightnessIn =180", "HBM brightnessIn =90"], ("HBM", "brightnessIn", "=<NUM>"),
     ["brightnessin"]),
    # a key after an opening bracket ("(TID 5)")
    (["Running task 0.0 in stage 1.0 (TID 5)", "Running task 2.0 in stage 1.0 (TID 7)"],
     ("Running", "task", "<NUM>", "in", "stage", "<NUM>", "(TID", "<NUM>)"),
     ["task", "stage", "tid"]),
])
def test_a_key_spaced_or_bracketed_names_its_field(lines, tokens, names):
    assert [f.name for f in describe(tokens, 2, lines, [0, 0]).fields] == names


def test_reserved_label_names_are_not_reused():
    pattern = describe(("level", "<*>"), 1, ["level warn"], [0], reserved=["level"])
    assert pattern.fields[0].name == "level_2"


def test_headers_are_skipped_by_the_pattern_expression():
    lines = [f"2024-12-10 06:55:{i:02d} INFO sshd[{100 + i}]: Failed password for u{i} "
             f"from 10.0.0.{i} port {2000 + i} ssh2" for i in range(40)]
    group = mine_lines(lines)
    failed = _by_template(group, "Failed password for")
    assert failed.pattern.startswith('| pattern "<_>Failed password for <user>')
    assert group.header != "none"


def _dhcp_lines() -> list[str]:
    """dhcpd's messages, each ending in the same text, longer than their own words."""
    lines, tail = [], "via eth1 of relay dhcp-relay-east"
    for i in range(30):
        mac, ip = f"00:11:22:{i:02x}:e3:ba:c3", f"10.100.4.{i}"
        lines += [f"DHCPDISCOVER from {mac} {tail}",
                  f"DHCPOFFER on {ip} to {mac} {tail}",
                  f"DHCPREQUEST for {ip} (10.100.0.250) from {mac} {tail}",
                  f"DHCPACK on {ip} to {mac} {tail}",
                  f"DHCPDISCOVER from {mac} {tail}: network A_net: no free leases"]
    return lines


@pytest.mark.parametrize(("template", "own"), [
    ("DHCPOFFER on <ip> to <ip_2> via eth1 of relay dhcp-relay-east", '|= "DHCPOFFER on"'),
    ("DHCPACK on <ip> to <ip_2> via eth1 of relay dhcp-relay-east", '|= "DHCPACK on"'),
    ("DHCPREQUEST for <ip> (<ip_2>) from <ip_3> via eth1 of relay dhcp-relay-east",
     '|= "DHCPREQUEST for"'),
    # its own words start the longer message too: that one is left out
    ("DHCPDISCOVER from <ip> via eth1 of relay dhcp-relay-east", '|= "DHCPDISCOVER from"'
     ' != "via eth1 of relay dhcp-relay-east: network A_net: no free leases"'),
])
def test_a_filter_keeps_its_own_lines_where_the_longest_run_ends_other_messages_too(
        template, own):
    lines = _dhcp_lines()
    group = mine_lines(lines)
    [pattern] = [p for p in group.patterns if p.template == template]
    # the longest run first (what a person quotes), then the run only its lines hold
    assert pattern.line_filter == f'|= "via eth1 of relay dhcp-relay-east" {own}'
    stages = parse('{job="dhcp"} ' + pattern.line_filter).stages
    kept = [line for line in lines if all((s.terms[0].value in line) == (s.op == "|=")
                                          for s in stages)]
    assert len(kept) == pattern.count == 30


def test_a_filter_is_written_as_the_lines_space_it():
    """Drain splits on any whitespace, so a template spaces its words once; a filter that
    did so would match none of the lines ("halt  (command 1982)")."""
    lines = [f"{i} node-{i} action start {1074461014 + i} 1 halt  (command {1982 + i})"
             for i in range(20)]
    [pattern] = mine_lines(lines).patterns
    assert pattern.line_filter == '|= "halt  (command"'
    assert all("halt  (command" in line for line in lines)


def test_cache_is_keyed_by_content_and_invalidated_when_lines_change(tmp_path):
    lines = [f"job {i} done in {i}ms" for i in range(50)]
    first = sources.cached_mining(lines)
    path = sources.cache_path(f"{sources.content_hash(lines)}-{sources.MAX_PATTERNS}")
    assert path.is_file()
    sources._memory.clear()
    assert sources.cached_mining(lines).to_dict() == first.to_dict()  # read back from disk
    changed = lines[:-1] + ["disk full on /dev/sda1"]
    assert sources.content_hash(changed) != sources.content_hash(lines)
    assert any(p.template.startswith("disk full") for p in sources.cached_mining(changed).patterns)


def test_a_damaged_cache_file_is_mined_again(tmp_path):
    lines = ["hello world"] * 3
    key = f"{sources.content_hash(lines)}-{sources.MAX_PATTERNS}"
    sources.cache_path(key).parent.mkdir(parents=True, exist_ok=True)
    sources.cache_path(key).write_text("{not json")
    assert sources.cached_mining(lines).patterns[0].template == "hello world"


@pytest.mark.parametrize("lines", [
    [],
    ["", "   ", ""],
    ["x" * 100_000, "y " * 50_000],
    ["\x00\x01\x02 binary \xff\xfe", b"\xc3\x28 bad utf-8".decode("utf-8", "replace")],
], ids=["empty", "blank", "100KB", "binary"])
def test_bad_lines_give_patterns_or_nothing_never_a_crash(lines):
    group = mine_lines(lines)
    assert sum(p.count for p in group.patterns) <= len(lines)


def test_distinct_lines_with_no_repetition_stay_bounded():
    rng = random.Random(0)
    words = ["".join(rng.choice("abcdefghij") for _ in range(8)) for _ in range(5000)]
    lines = [" ".join(rng.choice(words) for _ in range(6)) for _ in range(100_000)]
    tracemalloc.start()
    try:
        group = mine_lines(lines)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20  # the lines are 5 MB: caches and clusters stay small
    assert len(group.patterns) <= sources.MAX_PATTERNS
    assert group.unmatched > 90_000  # said, not hidden: these lines fit no template

# ---- Loki -------------------------------------------------------------------------------

def test_loki_patterns_endpoint_is_read_and_checked_on_example_lines(fake_loki):
    loki = LokiBackend(fake_loki.url, timeout=2.0)
    groups = patterns(loki, '{application="openssh-south-america"}')
    assert groups and groups[0].source == "loki"
    assert any(r.path == "/loki/api/v1/patterns" for r in fake_loki.requests)
    found = _by_template(groups[0], "Failed to receive identification string from")
    assert found.fields == [Field("ip", "ip")]
    assert found.pattern or found.regexp


def test_a_loki_without_patterns_is_sampled_and_mined_locally(fake_loki):
    fake_loki.patterns = None
    loki = LokiBackend(fake_loki.url, timeout=2.0)
    groups = patterns(loki, '{application="openssh-south-america"}')
    assert groups and all(g.source == "loki-sample" for g in groups)
    assert any("Failed to receive identification string" in p.template
               for g in groups for p in g.patterns)


# ---- the prompt -------------------------------------------------------------------------

def test_the_schema_shows_the_named_applications_most_relevant_patterns():
    schema = SchemaContext.from_backend(
        sample_store(), "how many failed password attempts per ip on openssh-eu-west?")
    assert schema.patterns
    assert {selector for selector, _ in schema.patterns} == {'{application="openssh-eu-west"}'}
    templates = [p.template for _, p in schema.patterns]
    assert "Failed password for <user> from <ip> port <port> ssh2" in templates[:3]
    text = schema.render(4000)
    assert 'Log patterns of {application="openssh-eu-west"}' in text
    assert render_pattern(schema.patterns[0][1]) in text


def test_patterns_shrink_last_and_the_render_keeps_its_budget():
    schema = SchemaContext.from_backend(sample_store(), "exceptions on hdfs-us-east")
    for budget in (300, 600, 1200):
        text = schema.render(budget)
        assert len(text) <= budget
    assert "Log patterns of" in schema.render(900)


def test_a_backend_whose_patterns_fail_still_gets_a_schema(monkeypatch):
    from nl2logql.errors import BackendError

    def broken(*args, **kwargs):
        raise BackendError("Loki is down")

    monkeypatch.setattr(sources, "patterns", broken)
    schema = SchemaContext.from_backend(sample_store(), "errors on hdfs")
    assert schema.patterns == [] and schema.labels


# ---- the command ------------------------------------------------------------------------

def test_cli_lists_patterns_of_one_application_as_json():
    result = CliRunner().invoke(main, ["patterns", "--app", "openssh-eu-west", "--json"])
    assert result.exit_code == 0, result.output
    groups = json.loads(result.output)
    assert [g["selector"] for g in groups] == ['{application="openssh-eu-west"}']
    templates = [p["template"] for p in groups[0]["patterns"]]
    assert "Failed password for <user> from <ip> port <port> ssh2" in templates


def test_cli_text_folds_deployments_with_the_same_patterns():
    result = CliRunner().invoke(main, ["patterns", "--top", "2"])
    assert result.exit_code == 0, result.output
    assert "the same" in result.output and "as {application=\"hdfs\"}" in result.output
    assert "fields: user (word), ip (ip), port (number)" in CliRunner().invoke(
        main, ["patterns", "--app", "openssh", "--top", "30"]).output


def test_cli_structured_csv_follows_loghub(tmp_path):
    source = data_root() / "logs" / "OpenSSH_2k.log_structured.csv"
    with open(source, newline="", encoding="utf-8") as f:
        raw = [f"Dec 10 06:55:46 LabSZ sshd[24200]: {row['Content']}" for row in csv.DictReader(f)]
    log = tmp_path / "auth.log"
    log.write_text("\n".join(raw) + "\n")
    out = tmp_path / "out.csv"
    result = CliRunner().invoke(main, ["patterns", "--logs", str(log), "--structured", str(out)])
    assert result.exit_code == 0, result.output
    with open(out, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(raw) and rows[0]["LineId"] == "1"
    assert list(rows[0])[:4] == ["LineId", "Content", "EventId", "EventTemplate"]
    failed = next(r for r in rows if r["Content"].startswith("Failed password for root"))
    assert failed["EventTemplate"] == "Failed password for <user> from <ip> port <port> ssh2"
    assert failed["user"] == "root" and failed["port"].isdigit()


def test_cli_structured_needs_one_file():
    result = CliRunner().invoke(main, ["patterns", "--structured", "x.csv"])
    assert result.exit_code == 2 and "--logs FILE" in result.output


def test_cli_app_on_data_without_an_application_label(tmp_path):
    log = tmp_path / "a.log"
    log.write_text("2024-12-10T06:55:46Z hello\n")
    result = CliRunner().invoke(main, ["patterns", "--logs", str(log), "--label", "host=x",
                                       "--app", "web"])
    assert result.exit_code == 2 and "--selector" in result.output


def test_store_patterns_follow_added_lines():
    store = LogStore()
    store.add({"app": "api"}, [NOW], ["GET /health 200"])
    assert patterns(store)[0].patterns[0].count == 1
    store.add({"app": "api"}, [NOW + 1, NOW + 2], ["GET /users 500", "GET /items 404"])
    assert sum(p.count for p in patterns(store)[0].patterns) == 3
