"""The Go text/template subset of line_format/label_format, with Go's and Loki's outputs."""

import pytest

from nl2logql.engine.template import (
    GoTime,
    Template,
    TemplateExecError,
    format_float,
    format_go_time,
    go_sprintf,
    parse_go_time,
)
from nl2logql.errors import ExecutionError

LABELS = {"app": "foo", "level": "Warn", "status": "200", "n": "42", "f": "2.5",
          "path": "/api/v1/push", "empty": "", "spaced": "  hi  ", "dur": "1m30s",
          "size": "1.5KB", "b64": "aGVsbG8=", "url": "a b&c", "ts": "1673798889"}
TS = 1_700_000_000_123_456_789  # 2023-11-14T22:13:20.123456789Z


@pytest.mark.parametrize("text, want", [
    ("plain", "plain"),
    ("{{.app}}", "foo"),
    ("{{ .app }}", "foo"),
    ("{{.missing}}", ""),  # missingkey=zero on map[string]string
    ("a {{- .app -}} b", "afoob"),
    ("a  {{- /* note */ -}}  b", "ab"),
    ("{{/* c */}}x", "x"),
    ("{{ .app | ToUpper }}", "FOO"),
    ("{{ .level | lower }}", "warn"),
    ("{{ .app | upper | printf \"[%s]\" }}", "[FOO]"),
    ('{{ printf "%s-%d" .app 3 }}', "foo-3"),
    ('{{ printf "%5s|%-5s|%05d|%x|%q" "a" "b" 42 255 "c" }}', "    a|b    |00042|ff|\"c\""),
    ('{{ printf "%.2f %v %v %t" 3.14159 1.5 7 true }}', "3.14 1.5 7 true"),
    ('{{ printf "%d" .app }}', "%!d(string=foo)"),
    ('{{ printf "%s %s" "a" }}', "a %!s(MISSING)"),
    ('{{ if .app }}yes{{ else }}no{{ end }}', "yes"),
    ('{{ if .empty }}yes{{ else }}no{{ end }}', "no"),
    ('{{ if eq .app "foo" }}A{{ else if eq .app "bar" }}B{{ else }}C{{ end }}', "A"),
    ('{{ if eq .app "x" "foo" }}in{{ end }}', "in"),
    ('{{ if ne .status "200" }}bad{{ else }}ok{{ end }}', "ok"),
    ('{{ if and .app (not .empty) }}t{{ end }}', "t"),
    ('{{ or .empty "fallback" }}', "fallback"),
    ('{{ and .app .level }}', "Warn"),
    ('{{ with .app }}[{{ . }}]{{ end }}', "[foo]"),
    ('{{ with .empty }}x{{ else }}none{{ end }}', "none"),
    ('{{ $x := .app }}{{ $x }}-{{ $.level }}', "foo-Warn"),
    ('{{ "a\\tb" }}|{{ `raw\\n` }}', "a\tb|raw\\n"),
    ("{{ 3 }} {{ 2.50 }} {{ 1e6 }} {{ true }}", "3 2.5 1e+06 true"),
    ('{{ len .app }} {{ len "é" }}', "3 2"),
    ('{{ lt 1 2 }} {{ ge "b" "a" }} {{ le 2 2 }} {{ gt 1.5 2.5 }}', "true true true false"),
    ("{{ .spaced | trim }}|{{ TrimSpace .spaced }}", "hi|hi"),
    ('{{ trimAll "/" .path }}', "api/v1/push"),
    ('{{ trimPrefix "/api" .path }} {{ trimSuffix "push" .path }}', "/v1/push /api/v1/"),
    ('{{ TrimPrefix .path "/api" }} {{ TrimSuffix .path "/push" }}', "/v1/push /api/v1"),
    ('{{ Trim .path "/hu" }} {{ TrimLeft .path "/" }} {{ TrimRight .path "hsup" }}',
     "api/v1/pus api/v1/push /api/v1/"),
    ('{{ Replace .path "/" "_" 2 }} {{ replace "/" "." .path }}', "_api_v1/push .api.v1.push"),
    ('{{ contains "v1" .path }} {{ hasPrefix "/api" .path }} {{ hasSuffix "x" .path }}',
     "true true false"),
    ('{{ title "hello wide-world" }}', "Hello Wide-World"),
    ('{{ trunc 3 .path }} {{ trunc -4 .path }} {{ trunc 99 .app }}', "/ap push foo"),
    ('{{ substr 1 4 .path }} {{ substr 5 -1 .path }}', "api v1/push"),
    ('{{ repeat 3 "ab" }}', "ababab"),
    ('{{ indent 2 "a\\nb" }}|{{ nindent 1 "x" }}', "  a\n  b|\n x"),
    ('{{ regexReplaceAll "(\\\\w+)/(\\\\w+)" .path "${2}-$1" }}', "/v1-api/push"),
    ('{{ regexReplaceAll "a(?P<x>p)" .path "[$x]" }}', "/[p]i/v1/push"),
    ('{{ regexReplaceAllLiteral "v1" .path "$1" }}', "/api/$1/push"),
    ('{{ count "/" .path }}', "3"),
    ("{{ .url | urlencode }}|{{ urldecode \"a+b%26c\" }}", "a+b%26c|a b&c"),
    ("{{ .app | b64enc }} {{ .b64 | b64dec }}", "Zm9v hello"),
    ('{{ alignLeft 5 .app }}|{{ alignRight 5 .app }}|{{ alignLeft 2 .app }}|{{ alignRight 2 .app }}',
     "foo  |  foo|fo|oo"),
    ('{{ default "none" .missing }} {{ .app | default "none" }}', "none foo"),
    ("{{ add 1 2 3 }} {{ sub 10 .n }} {{ mul 2 .n }} {{ div 7 2 }} {{ mod -7 3 }}", "6 -32 84 3 -1"),
    ("{{ addf 1.1 2.2 }} {{ subf 1 0.9 }} {{ mulf .f 2 }} {{ divf 1 3 }}",
     "3.3 0.1 5 0.3333333333333333"),
    ("{{ max 1 .n 7 }} {{ min 3 1 }} {{ maxf 1.5 .f }} {{ minf 2 1.25 }}", "42 1 2.5 1.25"),
    ("{{ ceil 1.2 }} {{ floor .f }} {{ round 3.14159 2 }} {{ round 2.5 0 }}", "2 2 3.14 3"),
    ('{{ int "12" }} {{ int "3.0" }} {{ int "x" }} {{ int .f }} {{ float64 .f }}', "12 3 0 0 2.5"),
    ('{{ .n | int | add 1 }}', "43"),
    ("{{ .dur | duration }} {{ duration_seconds \"1.5h\" }}", "90 5400"),
    ("{{ .size | bytes }} {{ bytes \"1KiB\" }}", "1500 1024"),
    ("{{ __line__ }}", "the line"),
    ("{{ __timestamp__ }}", "2023-11-14 22:13:20.123456789 +0000 UTC"),
    ('{{ __timestamp__ | date "2006-01-02T15:04:05.000Z07:00" }}', "2023-11-14T22:13:20.123Z"),
    ('{{ __timestamp__ | unixEpoch }} {{ __timestamp__ | unixEpochMillis }}',
     "1700000000 1700000000123"),
    ('{{ __timestamp__ | unixEpochNanos }}', "1700000000123456789"),
    ('{{ date "Mon Jan _2 03:04PM 2006" 0 }}', "Thu Jan  1 12:00AM 1970"),
    ('{{ toDate "2006-01-02" "2024-03-05" | unixEpoch }}', "1709596800"),
    ('{{ toDate "2006-01-02" "nope" }}', "0001-01-01 00:00:00 +0000 UTC"),
    ('{{ toDateInZone "2006-01-02 15:04" "Europe/Paris" "2024-01-01 01:00" | unixEpoch }}',
     "1704067200"),
    ('{{ unixToTime .ts | unixEpoch }} {{ (unixToTime "19373") | unixEpoch }}',
     "1673798889 1673827200"),
    ("{{ print 1 2 \"a\" \"b\" 3 }}", "1 2ab3"),
    ('{{ html "<a>" }} {{ urlquery "a b" }}', "&lt;a&gt; a+b"),
])
def test_render(text, want):
    assert Template(text).render(LABELS, "the line", TS) == want


@pytest.mark.parametrize("text, needle", [
    ("{{ div 1 0 }}", "integer divide by zero"),
    ('{{ eq .n 42 }}', "incompatible types for comparison"),
    ('{{ lt true false }}', "invalid type for comparison"),
    ('{{ trunc .n .app }}', "expected int; got string"),
    ('{{ urldecode "%zz" }}', 'invalid URL escape "%zz"'),
    ('{{ duration "5 minutes" }}', "invalid duration"),
    ('{{ unixToTime "123" }}', "unable to parse time"),
    ('{{ regexReplaceAll "(" .app "x" }}', "error parsing regexp"),
    ("{{ .app.x }}", "can't evaluate field x in type string"),
    ("{{ len 3 }}", "len of type int"),
])
def test_render_errors(text, needle):
    with pytest.raises(TemplateExecError, match=None) as info:
        Template(text).render(LABELS, "l", TS)
    assert needle in str(info.value)


@pytest.mark.parametrize("text, needle", [
    ("{{ foo .app }}", 'line_format: function "foo" is not supported'),
    ("{{ fromJson .app }}", 'function "fromJson" is not supported'),
    ("{{ .app ", "unclosed action"),
    ("{{ if .app }}x", "unexpected EOF"),
    ("{{ end }}", "unexpected {{end}}"),
    ("{{ range .app }}{{ end }}", '"range" is not supported'),
    ('{{ printf }}', "wrong number of args for printf"),
    ('{{ trunc "a" .app }}', "expected int; got string"),
    ('{{ "unterminated }}', "unterminated quoted string"),
])
def test_compile_errors(text, needle):
    with pytest.raises(ExecutionError) as info:
        Template(text)
    assert needle in str(info.value)


def test_label_format_names_its_stage():
    with pytest.raises(ExecutionError, match='label_format: function "nope"'):
        Template("{{ nope }}", stage="label_format")


@pytest.mark.parametrize("text, field", [("{{.app}}", "app"), ("{{ .app }}", "app"),
                                         ("x{{.app}}", None), ("{{.app | lower}}", None)])
def test_simple_field(text, field):
    assert Template(text).simple_field == field


def test_required_labels():
    assert Template("{{.a}} {{ if .b }}{{ .a | lower }}{{ end }}").required_labels == ["a", "b"]


@pytest.mark.parametrize("value, want", [
    (1.0, "1"), (100000.0, "100000"), (1e6, "1e+06"), (1234567.0, "1.234567e+06"),
    (0.0001, "0.0001"), (0.00001, "1e-05"), (-2.25, "-2.25"), (0.1 + 0.2, "0.30000000000000004"),
    (float("inf"), "+Inf"), (float("nan"), "NaN"),
])
def test_format_float_is_go_v(value, want):
    assert format_float(value) == want


@pytest.mark.parametrize("fmt, args, want", [
    ("%s", ("a",), "a"), ("%d%%", (5,), "5%"), ("%+d", (5,), "+5"), ("%8.3f", (3.14159,), "   3.142"),
    ("%e", (1234.5,), "1.234500e+03"), ("%g", (0.000001,), "1e-06"), ("%v", (True,), "true"),
    ("%T", (1.5,), "float64"), ("%s", (), "%!s(MISSING)"), ("x", (1,), "x%!(EXTRA int=1)"),
    ("%X", ("hi",), "6869"), ("%.1s", ("abc",), "a"),
])
def test_sprintf(fmt, args, want):
    assert go_sprintf(fmt, *args) == want


@pytest.mark.parametrize("layout, want", [
    ("2006-01-02T15:04:05Z07:00", "2023-11-14T22:13:20Z"),
    ("02 Jan 06 15:04 MST", "14 Nov 23 22:13 UTC"),
    ("Monday, January 2, 2006 3:04:05.999 PM", "Tuesday, November 14, 2023 10:13:20.123 PM"),
    ("2006-01-02 15:04:05.000000 -0700", "2023-11-14 22:13:20.123456 +0000"),
    ("20060102150405", "20231114221320"),
])
def test_format_go_time(layout, want):
    assert format_go_time(GoTime(TS), layout) == want


def test_parse_go_time_round_trips():
    t = parse_go_time("2006-01-02T15:04:05.999999999Z07:00", "2023-11-14T23:13:20.5+01:00", None)
    assert t.ns == 1_700_000_000_500_000_000
