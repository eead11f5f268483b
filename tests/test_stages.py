"""Per-line pipeline stages against the expectations of Loki's own tests (pkg/logql/log)."""

import pytest

from nl2logql.engine.labels import LabelsBuilder
from nl2logql.engine.stages import (
    ERR_JSON,
    ERR_LOGFMT,
    ERR_TEMPLATE_FORMAT,
    Decolorize,
    DropLabels,
    JSONExpressionParser,
    JSONParser,
    KeepLabels,
    LabelFmt,
    LabelMatcher,
    LabelsFormatter,
    LineFormatter,
    LogfmtExpressionParser,
    LogfmtParser,
    PatternMatcher,
    PatternParser,
    RegexpParser,
    UnpackParser,
    parse_json_path,
    pattern_matches,
    sanitize_label_key,
)
from nl2logql.errors import ExecutionError

ERR = "__error__"
DETAILS = "__error_details__"
NOT_OBJECT = "Value looks like object, but can't find closing '}' symbol"


def run(stage, line, base=None, ts=0):
    lbs = LabelsBuilder(dict(base or {}))
    out, keep = stage.process(ts, line, lbs)
    assert keep
    return out, dict(lbs.labels())


# -- LabelsBuilder -------------------------------------------------------------------

def test_builder_unchanged_returns_base_itself():
    base = {"app": "a"}
    lbs = LabelsBuilder(base)
    assert lbs.labels() is base


def test_builder_precedence_and_reset():
    lbs = LabelsBuilder({"app": "a", "env": "prod"}, metadata={"trace": "t1", "env": "meta"})
    assert lbs.get("env") == "meta" and lbs.base_has("env") and not lbs.base_has("trace")
    lbs.set("app", "parsed")
    lbs.delete("trace")
    lbs.set_error(ERR_JSON, "details")
    assert lbs.labels() == {"app": "parsed", "env": "meta", ERR: ERR_JSON, DETAILS: "details"}
    assert lbs.get(ERR) == ERR_JSON and lbs.is_parsed("app")
    lbs.delete("app")
    assert lbs.get("app") is None
    lbs.set("app", "again")
    assert lbs.get("app") == "again"
    lbs.reset()
    assert lbs.labels() == {"app": "a", "env": "prod"}


@pytest.mark.parametrize("key, want", [
    ("cou-nter", "cou_nter"), ("1abc", "_1abc"), ("  spaced key ", "spaced_key"), (" ", ""),
    ("ÜFT8", "_FT8"), ("a.b", "a_b"),
])
def test_sanitize_label_key(key, want):
    assert sanitize_label_key(key, True) == want


# -- json ----------------------------------------------------------------------------

@pytest.mark.parametrize("line, base, want", [
    ('{"app":"foo","namespace":"prod","pod":{"uuid":"foo","deployment":{"ref":"foobar"}}}', {},
     {"app": "foo", "namespace": "prod", "pod_uuid": "foo", "pod_deployment_ref": "foobar"}),
    ('{"counter":1, "price": {"_net_":5.56909}}', {}, {"counter": "1", "price__net_": "5.56909"}),
    ('{"big":1e3,"neg":-0.50}', {}, {"big": "1e3", "neg": "-0.50"}),  # numbers keep their text
    ('{" ": {"foo":"bar"}}', {}, {"foo": "bar"}),
    ('{" ": {" ":"bar"}}', {}, {"": "bar"}),
    ('{"counter":1,"foo":"foo\\\\\\"bar", "price": {"_net_":5.56909}}', {},
     {"counter": "1", "price__net_": "5.56909", "foo": 'foo\\"bar'}),
    ('{"counter":1,"foo":"\ufffd"}', {}, {"counter": "1", "foo": " "}),
    ('{"counter":1, "price": {"net_":["10","20"]}}', {}, {"counter": "1"}),  # arrays skipped
    ('{"n":null,"ok":true,"no":false}', {}, {"ok": "true", "no": "false"}),  # nulls skipped
    ('{"cou-nter":1}', {}, {"cou_nter": "1"}),
    ('{"1st":1,"a":{"2nd":2}}', {}, {"_1st": "1", "a_2nd": "2"}),
    ('{n}', {}, {ERR: ERR_JSON, DETAILS: NOT_OBJECT}),
    ("invalid json", {}, {ERR: ERR_JSON, DETAILS: NOT_OBJECT}),
    ('[1,2]', {}, {ERR: ERR_JSON, DETAILS: NOT_OBJECT}),
    ('{"a":"b", n}', {}, {"a": "b", ERR: ERR_JSON, DETAILS: NOT_OBJECT}),  # partial, like Loki
    ('{"a":"b"', {}, {"a": "b", ERR: ERR_JSON,
                      DETAILS: "Value is array, but can't find closing ']' symbol"}),
    ('{"a":nope}', {}, {ERR: ERR_JSON, DETAILS: "Unknown value type"}),
    ('{"a":1} trailing', {}, {"a": "1"}),
    ('{"app":"foo","namespace":"prod","pod":{"uuid":"foo","deployment":{"ref":"foobar"}},'
     '"next":{"err":false}}', {"app": "bar"},
     {"app": "bar", "app_extracted": "foo", "namespace": "prod", "pod_uuid": "foo",
      "next_err": "false", "pod_deployment_ref": "foobar"}),
    ('{"pod":{"uuid":"x"}}', {"pod_uuid": "s"}, {"pod_uuid": "s", "pod_uuid_extracted": "x"}),
])
def test_json_parser(line, base, want):
    assert run(JSONParser(), line, base) == (line, want)


def test_parser_keeps_labels_set_by_earlier_stages():
    lbs = LabelsBuilder({})
    LogfmtParser().process(0, "a=first", lbs)
    JSONParser().process(0, '{"a":"second","b":"x"}', lbs)
    assert lbs.labels() == {"a": "first", "b": "x"}


TEST_LINE = ('{"app":"foo","field with space":"value","field with ÜFT8👌":"value","null_field":null,'
             '"bool_field":false,"namespace":"prod","pod":{"uuid":"foo","deployment":'
             '{"ref":"foobar", "params": [1,2,3,"string_value"]}}}')


@pytest.mark.parametrize("params, line, base, want", [
    ([("app", "app")], TEST_LINE, {}, {"app": "foo"}),
    ([("test", '["field with space"]')], TEST_LINE, {}, {"test": "value"}),
    ([("app", "app"), ("namespace", "namespace")], TEST_LINE, {}, {"app": "foo", "namespace": "prod"}),
    ([("utf8", '["field with ÜFT8👌"]')], TEST_LINE, {}, {"utf8": "value"}),
    ([("uuid", "pod.uuid")], TEST_LINE, {}, {"uuid": "foo"}),
    ([("uuid", 'pod["uuid"]')], TEST_LINE, {}, {"uuid": "foo"}),
    ([("uuid", '["pod"]["uuid"]')], TEST_LINE, {}, {"uuid": "foo"}),
    ([("uuid", '["pod"].uuid')], TEST_LINE, {}, {"uuid": "foo"}),
    ([("param", "pod.deployment.params[0]")], TEST_LINE, {}, {"param": "1"}),
    ([("undefined", 'pod[""]')], TEST_LINE, {}, {"undefined": ""}),
    ([("param", "pod.deployment.params[3]")], TEST_LINE, {}, {"param": "string_value"}),
    ([("params", "pod.deployment.params")], TEST_LINE, {}, {"params": '[1,2,3,"string_value"]'}),
    ([("deployment", "pod.deployment")], TEST_LINE, {},
     {"deployment": '{"ref":"foobar", "params": [1,2,3,"string_value"]}'}),
    ([("nope", "pod.nope")], TEST_LINE, {}, {"nope": ""}),
    ([("nf", "null_field")], TEST_LINE, {}, {"nf": ""}),
    ([("bool", "bool_field")], TEST_LINE, {}, {"bool": "false"}),
    ([("uuid", "pod.uuid")], TEST_LINE, {"uuid": "bar"}, {"uuid": "bar", "uuid_extracted": "foo"}),
    ([("request_size", "request.size.invalid")], TEST_LINE, {"uuid": "bar"},
     {"uuid": "bar", "request_size": ""}),
    ([("uuid", "pod.uuid")], "{}", {}, {"uuid": ""}),
    ([("uuid", "will.not.work")], "invalid json", {"foo": "bar"}, {"foo": "bar", ERR: ERR_JSON}),
    ([("uuid", "will.not.work")], "", {"foo": "bar"}, {"foo": "bar"}),
    ([("app", "app")], '{"app":"{ \\"key\\": \\"value\\", \\"key2\\":\\"value2\\"}"}', {},
     {"app": '{ "key": "value", "key2":"value2"}'}),
    ([("app", "app")], '{"app":{"name":"great \\"loki\\""}}', {},
     {"app": '{"name":"great \\"loki\\""}'}),
    ([("first", "[0].a")], '[{"a":"x"}]', {}, {"first": "x"}),
])
def test_json_expression_parser(params, line, base, want):
    assert run(JSONExpressionParser(params), line, base) == (line, want)


@pytest.mark.parametrize("expression, want", [
    ("app", ["app"]), ('["field with space"]', ["field with space"]), ("[0]", [0]),
    ("pod.uuid", ["pod", "uuid"]), ('pod["uuid"]', ["pod", "uuid"]),
    ("pod.deployment.params[0].param", ["pod", "deployment", "params", 0, "param"]),
    ('pod.deployment.params[0]["param"]', ["pod", "deployment", "params", 0, "param"]),
    ("utf8", ["utf8"]), ("", []),
])
def test_json_path(expression, want):
    assert parse_json_path(expression) == want


@pytest.mark.parametrize("expression", [
    "field with space", '"pod"]', '["pod"', '["pod""deployment"]', "pod..uuid", '["key',
])
def test_json_path_errors(expression):
    with pytest.raises(ValueError, match="cannot parse expression"):
        parse_json_path(expression)


def test_json_expression_rejects_bad_label_name():
    with pytest.raises(ValueError, match="invalid extracted label name '1a'"):
        JSONExpressionParser([("1a", "a")])


# -- logfmt --------------------------------------------------------------------------

@pytest.mark.parametrize("line, strict, keep_empty, base, want", [
    ("foo=bar bar=10ms", False, False, {}, {"foo": "bar", "bar": "10ms"}),
    ('foo="bar=buzz" a="x \\"y\\""', False, False, {}, {"foo": "bar=buzz", "a": 'x "y"'}),
    ("foo=bar", False, False, {"foo": "a"}, {"foo": "a", "foo_extracted": "bar"}),
    ("1foo=bar cou-nter=1", False, False, {}, {"_1foo": "bar", "cou_nter": "1"}),
    ("a= b c=1", False, False, {}, {"c": "1"}),
    ("a= b c=1", False, True, {}, {"a": "", "b": "", "c": "1"}),
    ("foo=bar=buzz x=1", False, False, {}, {"x": "1"}),  # bad pair skipped, no error
    ("foo=bar=buzz x=1", True, False, {},
     {ERR: ERR_LOGFMT, DETAILS: "logfmt syntax error at pos 8 : unexpected '='"}),
    ('foo="unterminated', True, False, {},
     {ERR: ERR_LOGFMT, DETAILS: "logfmt syntax error at pos 18 : unterminated quoted value"}),
    ('=nokey x=1', True, False, {},
     {ERR: ERR_LOGFMT, DETAILS: "logfmt syntax error at pos 1 : unexpected '='"}),
    ('a=1 "b"=2', True, False, {},
     {"a": "1", ERR: ERR_LOGFMT, DETAILS: "logfmt syntax error at pos 5 : unexpected '\"'"}),
    ("é=1 x=é", False, False, {}, {"_": "1", "x": "é"}),
    ("msg=\"a\\u00e9b\" v=\ufffd", False, False, {}, {"msg": "aéb", "v": " "}),
    ("level=info level=warn", False, False, {}, {"level": "warn"}),
])
def test_logfmt_parser(line, strict, keep_empty, base, want):
    assert run(LogfmtParser(strict, keep_empty), line, base) == (line, want)


@pytest.mark.parametrize("params, strict, line, base, want", [
    ([("lvl", "level")], False, "level=info a=1", {}, {"lvl": "info"}),
    ([("level", "level"), ("x", "nope")], False, "level=info", {}, {"level": "info", "x": ""}),
    ([("app", "app")], False, "app=x", {"app": "s"}, {"app": "s", "app_extracted": "x"}),
    ([("a", "a")], True, "a=1 b=2=3", {}, {"a": "1", ERR: ERR_LOGFMT,
                                           DETAILS: "logfmt syntax error at pos 8 : unexpected '='"}),
])
def test_logfmt_expression_parser(params, strict, line, base, want):
    assert run(LogfmtExpressionParser(params, strict), line, base) == (line, want)


# -- regexp --------------------------------------------------------------------------

@pytest.mark.parametrize("pattern, line, base, want", [
    (r"(?P<method>\w+) (?P<path>\S+)", "GET /foo HTTP", {}, {"method": "GET", "path": "/foo"}),
    (r"(?P<a>x)(?P<b>y)?", "x", {}, {"a": "x", "b": ""}),  # unmatched group: empty value
    (r"(?P<a>x)", "nope", {}, {}),  # no match: nothing, line kept
    (r"(?P<app>\w+)", "foo", {"app": "a"}, {"app": "a", "app_extracted": "foo"}),
    (r"GET (?P<path>.*?)/\?", "GET /a/?b", {}, {"path": "/a"}),
])
def test_regexp_parser(pattern, line, base, want):
    assert run(RegexpParser(pattern), line, base) == (line, want)


@pytest.mark.parametrize("pattern, message", [
    (r"\w+", "at least one named capture must be supplied"),
    (r"(\w+)", "at least one named capture must be supplied"),
    (r"(?P<a>", "error parsing regexp"),
])
def test_regexp_parser_errors(pattern, message):
    with pytest.raises(ValueError, match=message):
        RegexpParser(pattern)


# -- pattern -------------------------------------------------------------------------

PATTERN_FIXTURES = [
    ("foo <foo> bar", "foo buzz bar", ["buzz"], True),
    ("foo <foo> bar<fuzz>", "foo buzz bar", ["buzz", ""], False),
    ("<foo>foo <bar> bar", "foo buzz bar", ["", "buzz"], False),
    ("<foo> bar<fuzz>", " bar", ["", ""], False),
    ("<foo>bar<baz>", " bar ", [" ", " "], True),
    ("<foo> bar<baz>", " bar ", ["", " "], False),
    ("<foo>bar <baz>", " bar ", [" ", ""], False),
    ("<foo>", " bar ", [" bar "], True),
    ("<path>?<_>", "/api/plugins/versioncheck?slugIn=snuids&grafanaVersion=7.0.0-beta1",
     ["/api/plugins/versioncheck"], True),
    ("<path>?<_>", "/api/plugins/status", ["/api/plugins/status"], False),
    ('<ip> <userid> <user> [<_>] "<method> <path> <_>" <status> <size>',
     '127.0.0.1 user-identifier frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
     ["127.0.0.1", "user-identifier", "frank", "GET", "/apache_pb.gif", "200", "2326"], True),
    ("<_> <id> [<level>] ", "2021-05-19T07:40:12.215792Z 42761518 [Note] Aborted connection",
     ["42761518", "Note"], False),
    ("<level>  [<component>]<_> in <duration>.<_>",
     "INFO  [Service Thread] 2021-05-19 07:40:12,130 GCInspector.java:284 - ParNew GC in 248ms.  CMS",
     ["INFO", "Service Thread", "248ms"], True),
    ('<_> msg="<method> <path> (<status>) <duration>"',
     'level=debug ts=2021-05-19T07:54:26.864644382Z msg="POST /loki/api/v1/push (204) 1.238734ms"',
     ["POST", "/loki/api/v1/push", "204", "1.238734ms"], True),
    ("unicode <emoji> character", "unicode 🤷 character", ["🤷"], True),
    ("unicode ▶ <what>", "unicode ▶ character", ["character"], True),
    ("a <1> <x>", "a <1> y", ["y"], True),  # <1> is a literal, not a capture
]


@pytest.mark.parametrize("pattern, line, captures, full", PATTERN_FIXTURES)
def test_pattern_matcher(pattern, line, captures, full):
    matcher = PatternMatcher(pattern)
    assert matcher.matches(line) == captures
    assert matcher.test(line) is full


def test_pattern_parser_labels():
    stage = PatternParser('<_> "<method> <path> <_>" <status>')
    line = '1.2.3.4 "GET /x HTTP/1.1" 200'
    assert run(stage, line, {"status": "s"}) == (
        line, {"status": "s", "method": "GET", "path": "/x", "status_extracted": "200"})
    assert run(PatternParser("foo <x>"), "bar baz") == ("bar baz", {})


@pytest.mark.parametrize("pattern, message", [
    ("<_>", "at least one capture is required"),
    ("foo <_> bar <_>", "at least one capture is required"),
    ("foo bar buzz", "at least one capture is required"),
    ("<f><f>", "found consecutive capture '<f><f>': invalid expression"),
    ("<f> f<d><b>", "found consecutive capture '<d><b>': invalid expression"),
    ("<f> f<f>", r"duplicate capture name \(f\): invalid expression"),
    ("f<f><_>", "found consecutive capture '<f><_>': invalid expression"),
    ("", "syntax error"),
])
def test_pattern_errors(pattern, message):
    with pytest.raises(ValueError, match=message):
        PatternParser(pattern)


@pytest.mark.parametrize("pattern, line, want", [
    ("<_> bar <_>", "foo bar baz", True),
    ("<_> bar", "foo bar baz", False),
    ("<_> baz", "foo bar baz", True),
    ("foo <_>", "foo bar baz", True),
    ("<_> bar <_>", " bar ", False),  # empty captures do not match
    ("<_>bar<_>", " bar ", True),
    ("<_>", "anything", True),
    ("<_>", "", False),
    ("", "", True),
    ("", "x", False),
    ("GET", "GET", True),
])
def test_pattern_line_filter(pattern, line, want):
    assert pattern_matches(pattern, line) is want


@pytest.mark.parametrize("pattern", ["<foo>", "<foo <foo> bar <_>"])
def test_pattern_line_filter_refuses_named_captures(pattern):
    with pytest.raises(ValueError, match="named captures are not allowed: found '<foo>'"):
        pattern_matches(pattern, "x")


# -- unpack --------------------------------------------------------------------------

@pytest.mark.parametrize("line, base, want_line, want", [
    ('{"_entry":"the line","app":"x","n":1}', {"app": "a"}, "the line",
     {"app": "a", "app_extracted": "x"}),
    ('{"cluster":"us-central1","_entry":"10.0.0.1 GET \\"/\\""}', {}, '10.0.0.1 GET "/"',
     {"cluster": "us-central1"}),
    ('{"app":"x"}', {}, '{"app":"x"}', {}),  # not packed: nothing
    ("not json", {}, "not json", {ERR: ERR_JSON, DETAILS: "expecting json object(6), but it is not"}),
    ('{"a":"b" n', {}, '{"a":"b" n', {ERR: ERR_JSON, DETAILS: NOT_OBJECT}),
    ("", {}, "", {}),
])
def test_unpack(line, base, want_line, want):
    assert run(UnpackParser(), line, base) == (want_line, want)


# -- line_format / label_format ---------------------------------------------------------

@pytest.mark.parametrize("template, line, base, want_line, want", [
    ("{{.foo}}", "l", {"foo": "bar"}, "bar", {"foo": "bar"}),
    ("{{.missing}}", "l", {"foo": "bar"}, "", {"foo": "bar"}),
    ("{{.foo | ToUpper}} {{__line__}}", "l", {"foo": "bar"}, "BAR l", {"foo": "bar"}),
    ("{{ div 1 0 }}", "l", {}, "l", {ERR: ERR_TEMPLATE_FORMAT}),
    ('{{ __timestamp__ | date "2006" }}', "l", {}, "2023", {}),
])
def test_line_formatter(template, line, base, want_line, want):
    out, labels = run(LineFormatter(template), line, base, ts=1_700_000_000_000_000_000)
    details = labels.pop(DETAILS, "")
    assert (out, labels) == (want_line, want)
    assert ("divide by zero" in details) == (ERR in want)


def test_line_formatter_unknown_function():
    with pytest.raises(ExecutionError, match='line_format: function "foo" is not supported'):
        LineFormatter("{{ foo .a }}")


@pytest.mark.parametrize("formats, base, want", [
    ([LabelFmt.renamed("svc", "app")], {"app": "a"}, {"svc": "a"}),
    ([LabelFmt.renamed("svc", "missing")], {"app": "a"}, {"app": "a"}),
    ([LabelFmt.templated("x", "{{.app}}-{{.env}}")], {"app": "a", "env": "e"},
     {"app": "a", "env": "e", "x": "a-e"}),
    ([LabelFmt.templated("app", "{{.app | upper}}")], {"app": "a"}, {"app": "A"}),
    # a rename before the first template is visible to it; labels set after are not
    ([("svc", "app", True), ("x", "{{.svc}}{{.app}}"), ("y", "{{.x}}")], {"app": "a"},
     {"svc": "a", "x": "a", "y": ""}),
    ([("x", "{{ div 1 0 }}"), ("y", "ok")], {}, {"y": "ok", ERR: ERR_TEMPLATE_FORMAT}),
])
def test_labels_formatter(formats, base, want):
    _, labels = run(LabelsFormatter(formats), "l", base)
    labels.pop(DETAILS, None)
    assert labels == want


@pytest.mark.parametrize("formats, message", [
    ([("a", "b", True), ("a", "{{.c}}")], "multiple label name 'a' not allowed"),
    ([("__error__", "x", True)], "__error__ cannot be formatted"),
])
def test_labels_formatter_errors(formats, message):
    with pytest.raises(ValueError, match=message):
        LabelsFormatter(formats)


# -- drop / keep / decolorize ------------------------------------------------------------

BASE = {"app": "foo", "namespace": "prod", "env": "dev", "pod": "p1"}


@pytest.mark.parametrize("items, err, want", [
    (["app", "missing"], "", {"namespace": "prod", "env": "dev", "pod": "p1"}),
    ([LabelMatcher("env", "=", "dev"), LabelMatcher("pod", "!=", "p1")], "",
     {"app": "foo", "namespace": "prod", "pod": "p1"}),
    ([LabelMatcher("namespace", "=~", "pr.*"), LabelMatcher("app", "!~", "f.*")], "",
     {"app": "foo", "env": "dev", "pod": "p1"}),
    ([LabelMatcher("namespace", "=~", "pr")], "", BASE),  # regexes are anchored
    (["__error__", "__error_details__"], ERR_JSON, BASE),
    ([LabelMatcher("__error__", "=", ERR_JSON)], ERR_JSON, {**BASE, DETAILS: "d"}),
    ([LabelMatcher("__error__", "=", ERR_LOGFMT)], ERR_JSON, {**BASE, ERR: ERR_JSON, DETAILS: "d"}),
])
def test_drop_labels(items, err, want):
    lbs = LabelsBuilder(dict(BASE))
    if err:
        lbs.set_error(err, "d")
    DropLabels(items).process(0, "l", lbs)
    assert lbs.labels() == want


@pytest.mark.parametrize("items, want", [
    (["app", "missing"], {"app": "foo", ERR: ERR_JSON}),
    ([LabelMatcher("env", "=", "dev"), LabelMatcher("pod", "=", "other"), "app"],
     {"app": "foo", "env": "dev", ERR: ERR_JSON}),
    ([], {**BASE, ERR: ERR_JSON}),
])
def test_keep_labels(items, want):
    lbs = LabelsBuilder(dict(BASE))
    lbs.set_error(ERR_JSON)
    KeepLabels(items).process(0, "l", lbs)
    assert lbs.labels() == want


@pytest.mark.parametrize("line, want", [
    ("\x1b[31mred\x1b[0m text", "red text"),
    ("\x1b[1;32mbold green\x1b[m", "bold green"),
    ("plain", "plain"),
])
def test_decolorize(line, want):
    assert run(Decolorize(), line) == (want, {})
