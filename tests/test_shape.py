"""The shape rules (nl2logql.verify.shape): the rate's time unit, top or bottom, a
threshold; each read from the question and the query alone, with a fix, and quiet where
the query already has the shape or cannot be read plainly; and the extracted fields that
would split an answer into a series per value nobody asked for."""

from __future__ import annotations

import pytest

from nl2logql.logql.parser import parse
from nl2logql.verify.shape import asked_function, asked_unit, shape_warnings

APP = '{application="hdfs"} |= "Deleting block"'
COUNT = f'sum(count_over_time({APP} [12h]))'
EVERY_LINE = 'sum(count_over_time({application="hdfs"} [12h]))'
RATE = f'sum(rate({APP} [12h]))'


def fixed(question, query):
    [warning] = shape_warnings(question, parse(query))
    return warning.check, parse(warning.fix.query)


@pytest.mark.parametrize("question, query, check, right", [
    ("deletions per hour in hdfs over the last 12 hours", RATE, "unit", f"{RATE} * 3600"),
    ("deletions per hour in hdfs over the last 12 hours", f"{RATE} * 60", "unit",
     f"{RATE} * 3600"),
    ("deletions per hour in hdfs over the last 12 hours", COUNT, "unit", f"{RATE} * 3600"),
    ("deletions per second in hdfs over the last 12 hours", f"{RATE} * 60", "unit", RATE),
    ("deletions/min in hdfs over the last 12 hours", COUNT, "unit", f"{RATE} * 60"),
    ("bytes per minute of hdfs deletions, last 12 hours",
     f'sum(bytes_over_time({APP} [12h]))', "unit", f'sum(bytes_rate({APP} [12h])) * 60'),
    ("the fewest deletions by component in hdfs, last 12 hours",
     f'topk(1, sum by (component) (count_over_time({APP} [12h])))', "order",
     f'bottomk(1, sum by (component) (count_over_time({APP} [12h])))'),
    ("the busiest component in hdfs for deletions, last 12 hours",
     f'bottomk(1, sum by (component) (count_over_time({APP} [12h])))', "order",
     f'topk(1, sum by (component) (count_over_time({APP} [12h])))'),
    ("components with at least 10 deletions in hdfs in the last 12 hours",
     f'sum by (component) (count_over_time({APP} [12h]))', "threshold",
     f'sum by (component) (count_over_time({APP} [12h])) >= 10'),
    ("components with fewer than 3 deletions in hdfs in the last 12 hours",
     f'sum by (component) (count_over_time({APP} [12h]))', "threshold",
     f'sum by (component) (count_over_time({APP} [12h])) < 3'),
    # ... spelt out
    ("components with more than one deletion in hdfs in the last 12 hours",
     f'sum by (component) (count_over_time({APP} [12h]))', "threshold",
     f'sum by (component) (count_over_time({APP} [12h])) > 1'),
    # one number asked, a series per value of a label of the model's own answered
    ("How many deletions did hdfs log in the last 12 hours?",
     f'sum by (block) (count_over_time({APP} [12h]))', "grouping", COUNT),
    # ... as times, and where the query compares with another number (the window's)
    ("components that deleted more than once in hdfs in the last 3 hours",
     f'sum by (component) (count_over_time({APP} [3h])) > 3', "threshold",
     f'sum by (component) (count_over_time({APP} [3h])) > 1'),
    ("components with more than 5 deletions in hdfs in the last 12 hours",
     f'sum by (component) (count_over_time({APP} [12h])) >= 12', "threshold",
     f'sum by (component) (count_over_time({APP} [12h])) > 5'),
    ("what fraction of hdfs's log lines in the last 12 hours were deletions?", COUNT, "share",
     f"{COUNT} / {EVERY_LINE}"),
    ("what fraction of hdfs's log lines in the last 12 hours were deletions?",
     f"{COUNT} / {COUNT}", "share", f"{COUNT} / {EVERY_LINE}"),
    ("What percentage of hdfs log lines in the last 12 hours came from the FSNamesystem?",
     'sum(count_over_time({application="hdfs", component="dfs.FSNamesystem"} [12h]))', "share",
     f'sum(count_over_time({{application="hdfs", component="dfs.FSNamesystem"}} [12h])) '
     f"/ {EVERY_LINE} * 100"),
    ("deletions across all hdfs applications combined, last 12 hours",
     'sum by (application) (count_over_time({application=~"hdfs.*"} |= "Deleting block" [12h]))',
     "combined", 'sum(count_over_time({application=~"hdfs.*"} |= "Deleting block" [12h]))'),
    ("top users summed across all hdfs applications, last 12 hours",
     'topk(3, sum by (user, application) (count_over_time({application=~"hdfs.*"} [12h])))',
     "combined", 'topk(3, sum by (user) (count_over_time({application=~"hdfs.*"} [12h])))'),
    ("deletions in all hdfs applications added up, last 12 hours",
     'count_over_time({application=~"hdfs.*"} |= "Deleting block" [12h])', "combined",
     'sum(count_over_time({application=~"hdfs.*"} |= "Deleting block" [12h]))'),
    ("total size of the blocks hdfs deleted, last 12 hours",
     f'sum(count_over_time({APP} | regexp `size (?P<size>\\d+)` [12h]))', "function",
     f'sum(sum_over_time({APP} | regexp `size (?P<size>\\d+)` | unwrap size [12h]))'),
    ("the 95th percentile of the free memory in hdfs, last 12 hours",
     'quantile_over_time(0.5, {application="hdfs"} | regexp `free (?P<free_mb>\\d+)` '
     '| unwrap free_mb [12h])', "function",
     'quantile_over_time(0.95, {application="hdfs"} | regexp `free (?P<free_mb>\\d+)` '
     '| unwrap free_mb [12h])'),
    ("mean delay in hdfs, last 12 hours",
     'max_over_time({application="hdfs"} | regexp `delay (?P<delay>\\d+)` | unwrap delay [12h])',
     "function",
     'avg_over_time({application="hdfs"} | regexp `delay (?P<delay>\\d+)` | unwrap delay [12h])'),
    # of a value unwrapped, "how many" asks that number, as the function named says
    ("On average, how many more failures does each 'PAM N more' line report in hdfs?",
     'sum_over_time({application="hdfs"} | regexp `PAM (?P<pam>\\d+)` | unwrap pam [12h])',
     "function",
     'avg_over_time({application="hdfs"} | regexp `PAM (?P<pam>\\d+)` | unwrap pam [12h])'),
    # fields extracted and used nowhere would split the answer into a series per value
    ("the 5th percentile of block sizes in hdfs, last 12 hours",
     'quantile_over_time(0.05, {application="hdfs"} | pattern "<ip> added <block> size <size>" '
     '| unwrap size [12h])', "fields",
     'quantile_over_time(0.05, {application="hdfs"} | pattern "<_> added <_> size <size>" '
     '| unwrap size [12h])'),
    ("the longest build time in openstack, last 12 hours",
     'max_over_time({application="openstack"} | regexp `(?P<uuid>\\S+) took (?P<took>\\d+)` '
     '| unwrap took [12h])', "fields",
     'max_over_time({application="openstack"} | regexp `(?:\\S+) took (?P<took>\\d+)` '
     '| unwrap took [12h])'),
    ("deletions in hdfs, last 12 hours", f'count_over_time({APP} | regexp `(?P<ip>\\S+)` [12h])',
     "fields", f'count_over_time({APP} [12h])'),
    ("the 3 busiest streams of hdfs deletions, last 12 hours",
     f'topk(3, count_over_time({APP} | pattern "<_> block <block>" [12h]))', "fields",
     f'topk(3, count_over_time({APP} [12h]))'),
    # two windows compared: the right side takes the earlier one
    ("deletions in hdfs in the last 12 hours minus those in the 12 hours before that", COUNT,
     "period", f"{COUNT} - {COUNT[:-2]} offset 12h))"),
    ("the ratio of hdfs deletions in the last 12 hours to those in the preceding 12 hours",
     f"{COUNT} / {COUNT}", "period", f"{COUNT} / {COUNT[:-2]} offset 12h))"),
    ("hdfs deletions in the last 12 hours divided by the same window 3 days earlier",
     f"{COUNT} / {COUNT}", "period", f"{COUNT} / {COUNT[:-2]} offset 3d))"),
    ("change in hdfs deletions, last 12 hours against the same 12 hours yesterday", COUNT,
     "period", f"{COUNT} - {COUNT[:-2]} offset 1d))"),
    ("how many more hdfs deletions in the last 12 hours than in the 12 hours before?", COUNT,
     "period", f"{COUNT} - {COUNT[:-2]} offset 12h))"),
    ("hdfs deletions in the last 12 hrs minus the 12 hrs before", COUNT,
     "period", f"{COUNT} - {COUNT[:-2]} offset 12h))"),
    # ... a "previous" of the lines' own words is not that window
    ("how many more 'previous block' deletions in hdfs in the last 12 hours than in the 12 "
     "hours before?", f"{COUNT} - {COUNT}", "period", f"{COUNT} - {COUNT[:-2]} offset 12h))"),
    # ... the window asked taken only before now: now, and before
    ("how many more hdfs deletions in the last 12 hours than in the 12 hours before?",
     f"{COUNT[:-2]} offset 12h))", "period", f"{COUNT} - {COUNT[:-2]} offset 12h))"),
    ("hdfs deletions in the last 12 hours minus the 12 hours before",
     f"{COUNT[:-2]} offset 12h)) - {COUNT[:-2]} offset 12h))", "period",
     f"{COUNT} - {COUNT[:-2]} offset 12h))"),
    # "how many more than before" written as a comparison: the difference
    ("how many more (or fewer) hdfs deletions in the last 12 hours than in the 12 hours "
     "before?", f"{COUNT} > {COUNT}", "period", f"{COUNT} - {COUNT[:-2]} offset 12h))"),
    # ... or, where both sides take other windows, each the window stated, compared as asked
    ("hdfs deletions in the last 1h compared with the same hour-long window 3 hours earlier? "
     "Return last hour divided by that earlier hour.",
     f"{COUNT[:-7]}[3h])) - {COUNT[:-7]}[3h] offset 3h))", "period",
     f"{COUNT[:-7]}[1h])) / {COUNT[:-7]}[1h] offset 3h))"),
    # a condition on the value the query reads: a unit says which, else the field's name
    ("how many requests in openstack took more than 0.5 seconds, last 12 hours",
     'sum(count_over_time({application="openstack"} | pattern "<_> time: <resp_time>" [12h]))',
     "value", 'sum(count_over_time({application="openstack"} | pattern "<_> time: <resp_time>" '
     '| resp_time > 0.5 [12h]))'),
    ("average size of the blocks smaller than 64 MB in hdfs, last 12 hours",
     f'avg_over_time({APP} | regexp `size (?P<size>\\d+)` | unwrap size [12h])', "value",
     f'avg_over_time({APP} | regexp `size (?P<size>\\d+)` | size < 64000000 | unwrap size [12h])'),
    ("resource views where used_vcpus is greater than 0 in openstack",
     '{application="openstack"} |= "Final resource view" | logfmt', "value",
     '{application="openstack"} |= "Final resource view" | logfmt | used_vcpus > 0'),
    ("failed logins from a source port below 10000 on openssh, last 12 hours",
     'sum(count_over_time({application="openssh"} | regexp `port (?P<port>\\d+)` [12h]))', "value",
     'sum(count_over_time({application="openssh"} | regexp `port (?P<port>\\d+)` | port < 10000 '
     '[12h]))'),
    # a time in ms, or a size where the query reads no field yet: bytes, as patterns name it
    ("notification time outs in zookeeper longer than 30000 ms",
     '{application="zookeeper"} |= "Notification time out" | pattern "<_>time out: <out>"',
     "value", '{application="zookeeper"} |= "Notification time out" '
     '| pattern "<_>time out: <out>" | out > 30000'),
    ("task results of spark larger than 2500 bytes", '{application="spark"} |= "sent to driver"',
     "value", '{application="spark"} |= "sent to driver" | bytes > 2500'),
    # the number compared as asked, but on a field the question does not name (a quoted
    # text's words are the line's)
    ("apache 'Found child' messages for scoreboard slots above 9",
     '{application="apache"} |= "Found child" | regexp `child (?P<child>\\d+)` | child > 9',
     "value", '{application="apache"} |= "Found child" | regexp `child (?P<child>\\d+)` '
     '| slot > 9'),
    # a value left out: the field the query reads is not it
    ("median block size in hdfs, last 12 hours, ignoring the full 67108864-byte ones",
     f'quantile_over_time(0.5, {APP} | regexp `size (?P<size>\\d+)` | unwrap size [12h])', "value",
     f'quantile_over_time(0.5, {APP} | regexp `size (?P<size>\\d+)` | size != 67108864 '
     '| unwrap size [12h])'),
    # log lines: a parser whose every field nothing uses splits them into a stream per value
    ("openssh lines without the 'Bye Bye' disconnects",
     '{application="openssh"} != "Bye Bye" | regexp `from (?P<ip>\\S+)`', "fields",
     '{application="openssh"} != "Bye Bye"'),
    # a number no unit of the question's states: a condition the model made up
    ("show the jk2_init() child errors in apache",
     '{application="apache"} |= "jk2_init()" | pattern "<_> child <child> in" | child > 5',
     "invented", '{application="apache"} |= "jk2_init()" | pattern "<_> child <child> in"'),
    ("zookeeper sessions closed because the server was not running",
     '{application="zookeeper"} |= "not running" | pattern "<_> session <session> due" '
     '| session="0x0"', "invented",
     '{application="zookeeper"} |= "not running" | pattern "<_> session <session> due"'),
    # ... or a series compared with one: a threshold the model made up
    ("largest block size received by hdfs in the last 12 hours",
     f'max(max_over_time({APP} | regexp `size (?P<size>\\d+)` | unwrap size [12h]) > 2e+16)',
     "invented", f'max(max_over_time({APP} | regexp `size (?P<size>\\d+)` | unwrap size [12h]))'),
    ("source IPs of failed logins on openssh in the last 12 hours",
     'sum by (ip) (count_over_time({application="openssh"} | regexp `from (?P<ip>\\S+)` [12h])) '
     '> 1e+23 * 1e+23', "invented",
     'sum by (ip) (count_over_time({application="openssh"} | regexp `from (?P<ip>\\S+)` [12h]))'),
    # ... or the unwrapped values kept equal to one
    ("largest block size received by hdfs in the last 12 hours",
     f'max(max_over_time({APP} | regexp `size (?P<size>\\d+)` | unwrap size '
     '| size = 1146100398 [12h]))',
     "invented", f'max(max_over_time({APP} | regexp `size (?P<size>\\d+)` | unwrap size [12h]))'),
    # ... or the values multiplied by a fraction no unit gives (a model looping on arithmetic)
    ("longest power-up mac reported in the last week, in microseconds",
     f'max(max_over_time({APP} | regexp `took (?P<took>\\d+) us` | unwrap took [7d]) '
     '* 1.7777777777777777 * 1024 * 1024)', "invented",
     f'max(max_over_time({APP} | regexp `took (?P<took>\\d+) us` | unwrap took [7d]))'),
    # a line filter on a number no word of the question states ("p95" is a statistic)
    ("p95 response time of openstack requests over the last hour",
     'quantile_over_time(0.95, {application="openstack"} |= "95" '
     '| pattern "<_> time: <resp_time>" | unwrap resp_time [1h])', "invented",
     'quantile_over_time(0.95, {application="openstack"} '
     '| pattern "<_> time: <resp_time>" | unwrap resp_time [1h])'),
    # a window that ends now: an offset looks at other hours (and A / A offset is then A)
    ("What percentage of hdfs log lines in the last 2 days came from FSNamesystem?",
     'sum(count_over_time({application="hdfs"}[2d])) / '
     'sum(count_over_time({application="hdfs"}[2d] offset 2h))', "offset",
     'sum(count_over_time({application="hdfs"}[2d]))'),
    ("failed logins on openssh in the last hour",
     'sum(count_over_time({application="openssh"} |= "Failed" [1h] offset 1h))', "offset",
     'sum(count_over_time({application="openssh"} |= "Failed" [1h]))'),
    # a ranking no word asks for: the IPs above 20, not 2 of them
    ("list source IPs with more than 20 failed logins on openssh, with their counts",
     'topk(2, sum by (ip) (count_over_time({application="openssh"} | regexp `from (?P<ip>\\S+)` '
     '[12h]))) > 20', "ranked",
     'sum by (ip) (count_over_time({application="openssh"} | regexp `from (?P<ip>\\S+)` [12h])) '
     '> 20'),
    # "how many" lines: a count, not their bytes
    ("How many ftp connections did linux receive in the last 3 days?",
     'sum(bytes_over_time({application="linux"} |= "ftpd" [3d]))', "function",
     'sum(count_over_time({application="linux"} |= "ftpd" [3d]))'),
    # a log volume is its lines, unless the question says bytes
    ("log volume per log level in linux over the past two days",
     'sum by (level) (bytes_over_time({application="linux"} [2d]))', "function",
     'sum by (level) (count_over_time({application="linux"} [2d]))'),
    # a field the query does not extract yet, named before "was" (and a sentence's full stop)
    ("Show failed logins on openssh whose source port was below 10000.",
     '{application="openssh"} |= "Failed password"', "value",
     '{application="openssh"} |= "Failed password" | port < 10000'),
    # a breakdown by an extracted field, labelled as the question names it
    ("terminations in hdfs in the last 12 hours, broken down by responder number",
     'sum by (packetresponder) (count_over_time({application="hdfs"} '
     '| regexp `PacketResponder (?P<packetresponder>\\d+) for` [12h]))', "naming",
     'sum by (responder) (count_over_time({application="hdfs"} '
     '| regexp `PacketResponder (?P<responder>\\d+) for` [12h]))'),
    ("top 2 datanodes by blocks added in hdfs, last 12 hours",
     'topk(2, sum by (ip) (count_over_time({application="hdfs"} | pattern "updated: <ip> is" '
     '| line_format "{{.ip}}" [12h])))', "naming",
     'topk(2, sum by (datanode) (count_over_time({application="hdfs"} '
     '| pattern "updated: <datanode> is" | line_format "{{.datanode}}" [12h])))'),
    # lines asked for as they are, rewritten by the query
    ("show the failed password lines of openssh",
     '{application="openssh"} |= "Failed password" | line_format "failed"', "format",
     '{application="openssh"} |= "Failed password"'),
    # ... or as the events they are, the fields written named only by the value kept
    ("Show openssh authentication failures for user guest.",
     '{application="openssh"} |= "guest" |= "authentication failure" '
     '| pattern "<_> uid=<uid> user=<user>" | line_format "{{.uid}} {{.user}}"', "format",
     '{application="openssh"} |= "guest" |= "authentication failure" '
     '| pattern "<_> uid=<uid> user=<user>"'),
])
def test_a_query_of_another_shape_is_fixed_to_the_one_asked(question, query, check, right):
    assert fixed(question, query) == (check, parse(right))


@pytest.mark.parametrize("question, query", [
    # the unit already right: scaled, counted over the unit itself, or averaged by hand
    ("deletions per hour in hdfs over the last 12 hours", f"{RATE} * 3600"),
    ("deletions per hour in hdfs over the last 12 hours", f"{COUNT} / 12"),
    ("deletions per minute in hdfs", f'sum(count_over_time({APP} [1m]))'),
    ("deletions per second in hdfs over the last 12 hours", RATE),
    # two units, or two aggregations compared: no plain reading
    ("deletions per minute and per hour in hdfs, last 12 hours", RATE),
    ("share of deletions per minute in hdfs, last 12 hours",
     f'{RATE} / sum(rate({{application="hdfs"}} [12h]))'),
    # an unwrapped value per hour is no rate of lines
    ("average block size per hour in hdfs, last 12 hours",
     'avg(avg_over_time({application="hdfs"} | regexp `size (?P<size>\\d+)` | unwrap size [12h]))'),
    # top and bottom both named, or "at least" / "at most"
    ("the top and the least busy components in hdfs",
     f'topk(1, sum by (component) (count_over_time({APP} [12h])))'),
    ("at least one component in hdfs, top 1",
     f'topk(1, sum by (component) (count_over_time({APP} [12h])))'),
    # a breakdown asked, one by a label the selector fixes, or of the applications
    ("How many deletions did hdfs log per block in the last 12 hours?",
     f'sum by (block) (count_over_time({APP} [12h]))'),
    ("How many deletions did each block see in hdfs in the last 12 hours?",
     f'sum by (block) (count_over_time({APP} [12h]))'),
    ("How many deletions did hdfs log in the last 12 hours?",
     'sum by (component) (count_over_time({application="hdfs", component="dfs.FSDataset"} '
     '|= "Deleting block" [12h]))'),
    ("How many deletions did hdfs log in the last 12 hours?",
     f'sum by (application) (count_over_time({APP} [12h]))'),
    # a threshold spelt out is stated
    ("components with more than one deletion in hdfs in the last 12 hours",
     f'sum by (component) (count_over_time({APP} [12h])) > 1'),
    # a number with a unit is a field's value; a number the query uses already
    ("requests that took more than 0.5 seconds in hdfs, last 12 hours", COUNT),
    ("deletions in hdfs over the last 12 hours", COUNT),
    ("requests with status above 400 in hdfs in the last 12 hours",
     'sum(count_over_time({application="hdfs"} | logfmt | status > 400 [12h]))'),
    ("top 5 components with more than 5 deletions in hdfs, last 12 hours",
     f'topk(5, sum by (component) (count_over_time({APP} [12h])))'),
    ("components with more than 3 deletions in hdfs in the last 12 hours",
     f'sum by (component) (count_over_time({APP} [12h])) > 3'),
    # a share already, a share of something other than lines, a count of every line
    ("what fraction of hdfs's log lines in the last 12 hours were deletions?",
     f"{COUNT} / {EVERY_LINE}"),
    ("what percentage of deletions in hdfs were of blocks, last 12 hours", COUNT),
    ("what fraction of hdfs's log lines in the last 12 hours were deletions?", EVERY_LINE),
    # combined, but the breakdown asked is by application, or none is kept apart
    ("deletions per application, all hdfs applications combined, last 12 hours",
     'sum by (application) (count_over_time({application=~"hdfs.*"} |= "Deleting block" [12h]))'),
    ("deletions across all hdfs applications combined, last 12 hours",
     'sum(count_over_time({application=~"hdfs.*"} |= "Deleting block" [12h]))'),
    # a count asked, two functions named, or no field of the query named
    ("how many blocks of the largest size did hdfs delete, last 12 hours",
     f'sum(count_over_time({APP} | regexp `size (?P<size>\\d+)` [12h]))'),
    ("the average and the max size of hdfs deletions, last 12 hours",
     f'avg_over_time({APP} | regexp `size (?P<size>\\d+)` | unwrap size [12h])'),
    ("total deletions in hdfs, last 12 hours",
     f'sum(count_over_time({APP} | regexp `size (?P<size>\\d+)` [12h]))'),
    # a log query has no shape to hold to
    ("more than 3 deletions per minute in hdfs", APP),
    # extracted fields the answer is asked per, or that are used, or that do not reach it
    ("the average time to build instances in openstack, last 12 hours",
     'avg_over_time({application="openstack"} | regexp `(?P<instance_id>\\S+) took (?P<took>\\d+)` '
     '| unwrap took [12h])'),
    ("which DataNode had the most deletions in hdfs, last 12 hours",
     f'topk(1, count_over_time({APP} | pattern "<_> to <datanode>" [12h]))'),
    ("deletions in hdfs by ip, last 12 hours",
     f'sum by (ip) (count_over_time({APP} | pattern "<ip> <port>" [12h]))'),
    ("deletions of blocks larger than 1000 bytes in hdfs, last 12 hours",
     f'count_over_time({APP} | pattern "<_> size <size>" | size > 1000 [12h])'),
    ("deletions in hdfs, last 12 hours",
     f'count_over_time({APP} | pattern "<ip> <port>" | keep service_name [12h])'),
    ("hdfs deletions as ip:port, last 12 hours",
     f'{{application="hdfs"}} | pattern "<ip> <port>" | line_format "{{{{.ip}}}}:{{{{.port}}}}"'),
    # two windows already; one window asked ("the previous 12 hours" is the last 12); no
    # way to combine two windows named
    ("deletions in hdfs in the last 12 hours minus those in the 12 hours before that",
     f"{COUNT} - {COUNT[:-2]} offset 12h))"),
    ("deletions in hdfs in the previous 12 hours", COUNT),
    ("deletions in hdfs in the 12 hours before the most recent 12", COUNT),
    ("deletions in hdfs in the last 12 hours and in the 12 hours before that", COUNT),
    ("deletions in hdfs in the 12 hours before the restart", COUNT),  # "before" goes on
    # log lines: a field or two unused beside one that is, or the field the question names
    ("openssh invalid users starting with test",
     '{application="openssh"} | pattern "Invalid user <user> from <ip>" | user=~"test.*"'),
    ("openssh logins for fztu, with the source IP",
     '{application="openssh"} |= "Accepted" | regexp `from (?P<source_ip>\\S+)`'),
    # the field compared already; a count of things, not a value ("more than 20 failed")
    ("how many requests in openstack took more than 0.5 seconds, last 12 hours",
     'sum(count_over_time({application="openstack"} | pattern "<_> time: <resp_time>" '
     '| resp_time > 0.5 [12h]))'),
    # the number stated, in another unit (2 minutes in ms, 64 MB in bytes)
    ("transfers that took longer than 2 minutes in hdfs",
     f'{APP} | regexp `took (?P<ms>\\d+)` | ms > 120000'),
    ("blocks under 64 MB in hdfs", f'{APP} | regexp `size (?P<size>\\d+)` | size < 67108864'),
    # a number that starts an id is no value ("the uuid is not 43204226-2f87-…")
    ("openstack claims whose uuid is not 43204226-2f87-4da7-b7ee-4d20cc66e846",
     '{application="openstack"} |= "Attempting claim" | regexp `\\[instance: (?P<uuid>\\S+)\\]`'),
    ("IPs with more than 20 failed logins on openssh, last 12 hours",
     'sum by (ip) (count_over_time({application="openssh"} | regexp `from (?P<ip>\\S+)` [12h])) '
     '> 20'),
    # an offset the question asks for, in so many words or misspelt
    ("failed logins on openssh in the hour before last",
     'sum(count_over_time({application="openssh"} |= "Failed" [1h] offset 1h))'),
    ("failed logins on openssh in the hour bfeore last",
     'sum(count_over_time({application="openssh"} |= "Failed" [1h] offset 1h))'),
    ("failed logins on openssh compared with the previous hour",
     'sum(count_over_time({application="openssh"} |= "Failed" [1h] offset 1h))'),
    # a ranking asked for, its count stated, or a topk that keeps every series
    ("the busiest IPs behind failed logins on openssh",
     'topk(5, sum by (ip) (count_over_time({application="openssh"} [12h])))'),
    ("which two IPs failed to log in on openssh",
     'topk(2, sum by (ip) (count_over_time({application="openssh"} [12h])))'),
    ("every disconnect message on openssh with its frequency",
     'topk(1000, sum by (msg) (count_over_time({application="openssh"} [12h])))'),
    ("How many bytes of ftp traffic did linux log in the last 3 days?",
     'sum(bytes_over_time({application="linux"} |= "ftpd" [3d]))'),
    ("log volume in bytes of linux over the past two days",
     'sum(bytes_over_time({application="linux"} [2d]))'),
    # "had more than 3": a count of lines, no field's value
    ("which users had more than 3 failed logins on openssh",
     'sum by (user) (count_over_time({application="openssh"} |= "Failed" [12h])) > 3'),
    # a label the question's words name, even misspelt, in the plural or in part; a
    # breakdown phrase that names no dimension
    *[(f"top 3 {words} by failed logins on openssh in the last 12 hours",
       f'topk(3, sum by ({label}) (count_over_time({{application="openssh"}} '
       f'| regexp `for (?P<{label}>\\S+) from` [12h])))')
      for words, label in [("usres", "user"), ("source IPs", "src_ip"), ("usernames", "user"),
                           ("most frequent users", "user"), ("uuisd", "uuid")]],
    # a number the question states is one to filter on, or to compare series with; a
    # comparison with 0 drops only empty series
    ("source IPs with more than 20 failed logins on openssh in the last 12 hours",
     'sum by (ip) (count_over_time({application="openssh"} | regexp `from (?P<ip>\\S+)` [12h])) '
     '> 20'),
    ("source IPs of failed logins on openssh in the last 12 hours",
     'sum by (ip) (count_over_time({application="openssh"} | regexp `from (?P<ip>\\S+)` [12h])) '
     '> 0'),
    ("how many HTTP 500 responses did openstack send in the last hour",
     'sum(count_over_time({application="openstack"} |= "500" [1h]))'),
    ("failed logins on openssh per http staus code in the last 12 hours",
     'sum by (status) (count_over_time({application="openssh"} '
     '| regexp `status: (?P<status>\\d+)` [12h]))'),
    # round factors: a rate per day, a count per minute over a week, a size in KB
    ("failed logins per day on openssh over the last 12 hours",
     'sum(rate({application="openssh"} |= "Failed" [12h])) * 60 * 60 * 24'),
    ("average failed logins per minute on openssh over the last week",
     'sum(count_over_time({application="openssh"} |= "Failed" [7d])) / 7 / 24 / 60'),
    ("largest block size in hdfs in KB over the last 12 hours",
     f'max(max_over_time({APP} | regexp `size (?P<size>\\d+)` | unwrap size [12h]) / 1024)'),
    # lines asked for rewritten, or with some of their fields
    *[(f"show the failed password lines of openssh {how}",
       '{application="openssh"} |= "Failed password" | regexp `for (?P<user>\\S+) from` '
       '| line_format "{{.user}}"')
      for how in ["formatted as '<user>'", "showing only the user", "including the user",
                  "rewritten as '<user>'", "as '<user>'"]],
    # no lines named: the users asked may be a value written as a line
    ("who failed a password on openssh? the users",
     '{application="openssh"} |= "Failed password" | regexp `for (?P<user>\\S+) from` '
     '| line_format "{{.user}}"'),
])
def test_a_query_of_the_shape_asked_or_of_no_plain_reading_is_quiet(question, query):
    assert shape_warnings(question, parse(query)) == []


@pytest.mark.parametrize("question, seconds", [
    ("per-minute rate of errors", 60), ("errors per second", 1), ("errors/h lately", 3600),
    ("per hr", 3600), ("errors in the last minute", None), ("an hour ago", None),
    ("per minute, or per hour?", None),
    # a plural counted, then "a"/"every" and the unit; a window is no rate
    ("how many times a minute did it resolve a host", 60), ("logins an hour", 3600),
    ("requests every second", 1), ("how many errors in a day", None),
    ("errors over a day", None), ("what was a day like", None),
])
def test_the_unit_a_rate_is_asked_per(question, seconds):
    assert asked_unit(question) == seconds


@pytest.mark.parametrize("question, function", [
    ("the median response time", ("quantile_over_time", 0.5)),
    ("p99 build time", ("quantile_over_time", 0.99)),
    ("the 5th percentile of block sizes", ("quantile_over_time", 0.05)),
    ("the peak memory", ("max_over_time", None)),
    # a total measured, not summed; the "min" of minutes
    ("the peak notification shade total", ("max_over_time", None)),
    ("the average total time", ("avg_over_time", None)),
    ("the peak memory in the last 5 min", ("max_over_time", None)),
    ("the total of the peak memory", None),
    ("how many times was the size the largest", None),
    ("the smallest and the largest size", None),
])
def test_the_function_a_question_asks_of_unwrapped_values(question, function):
    assert asked_function(question) == function
