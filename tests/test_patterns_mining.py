"""Template mining: masking, header detection, Drain grouping, robustness (no model, fast)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from nl2logql.patterns.header import Header
from nl2logql.patterns.masking import PLACEHOLDERS, mask
from nl2logql.patterns.mining import Mining, mine


# --- masking --------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("Failed password for root from 1.2.3.4 port 22 ssh2",
     "Failed password for root from <IP> port <NUM> ssh2"),
    ("10.251.73.220:50010 is added to blk_7128370237687728475 size 67108864",
     "<IP>:<NUM> is added to <BLK> size <NUM>"),
    ("Deleting block blk_-6952295868487656571 file", "Deleting block <BLK> file"),
    ("x=123 (123) :123 -5 +3.5 v=-7", "x=<NUM> (<NUM>) :<NUM> <NUM> <NUM> v=<NUM>"),
    ("ssh2 R02-M1-N0 v6.1.7601 u0", "ssh2 R02-M1-N0 v6.1.7601 u0"),  # glued to letters: literal
    ("rdd_21_0 core.4900", "rdd_<NUM>_<NUM> core.<NUM>"),
    ("took 12ms, 0.5s then 3m20s", "took <DUR>, <DUR> then <DUR>"),
    ("sent 512MB and 64K", "sent <SIZE> and <SIZE>"),
    ("flags=0x1f id 9f4ef63 word deadbeef", "flags=<HEX> id <HEX> word deadbeef"),
    ("[req-38101a0b-2096-447d-96ea-a692162415ae]", "[req-<UUID>]"),
    ("GET /v2/54fadb/servers/detail now", "GET <PATH> now"),
    ("see https://example.com/a?b=1 ok", "see <URL> ok"),
    ("at Sat Jul  9 12:16:49 2005", "at Sat Jul  <NUM> <TIME> <NUM>"),
    ("on 2017-05-16 00:00:00.008", "on <DATE> <TIME>"),
    ("peer fe80::1 and 2001:db8::ff00:42:8329", "peer <IP> and <IP>"),
    ("from 10.0.0.1,10.0.0.2 via", "from <IP> via"),
    ("C++ Foo::bar and Face::value", "C++ Foo::bar and Face::value"),
    ("no variables here", "no variables here"),
    ("", ""),
])
def test_mask(text: str, expected: str) -> None:
    assert mask(text) == expected


def test_mask_keeps_whitespace_and_uses_known_placeholders() -> None:
    text = "a  1\t b   10.0.0.1:80 \u00e9 0x1f  "
    masked = mask(text)
    assert masked == "a  <NUM>\t b   <IP>:<NUM> \u00e9 <HEX>  "
    assert all(name.startswith("<") and name.endswith(">") and name[1:-1].isupper()
               for name in PLACEHOLDERS)


# --- header ---------------------------------------------------------------------------

FORMATS = {
    "syslog": ["Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
               "Dec 10 06:55:48 LabSZ sshd[24202]: pam_unix(sshd:auth): check pass; user unknown",
               "Dec 10 07:02:47 LabSZ sshd[24203]: Connection closed by 212.47.254.145 [preauth]"],
    "hdfs": ["081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block x",
             "081109 203807 222 INFO dfs.DataNode$PacketResponder: Received block blk_1 of size 9",
             "081109 204005 35 INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: updated"],
    "apache": ["[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/w.properties",
               "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
               "[Sun Dec 04 04:51:08 2005] [notice] jk2_init() Found child 6725 in scoreboard"],
    "logcat": ["03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs opening",
               "03-17 16:13:38.819  1702  8671 D PowerManagerService: acquire lock=233570404",
               "03-17 16:13:38.820  1702  8671 I PowerManagerService: ready=true,policy=3"],
    "healthapp": ["20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
                  "20171223-22:15:29:615|Step_LSC|30002312|onExtend:1514038530000 14 0 4",
                  "20171223-22:15:29:633|Step_StandReportReceiver|30002312|onReceive action: x"],
    "zookeeper": ["2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:2181:Fast@774] - "
                  "Notification time out: 3200",
                  "2015-07-29 19:04:12,394 - INFO  [/10.10.34.11:3888:QuorumCnxManager$L@493] - "
                  "Received connection request /10.10.34.11:45307",
                  "2015-07-29 19:04:29,071 - WARN  [SendWorker:188978561024:Q@688] - "
                  "Send worker leaving thread"],
    "proxifier": ["[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy",
                  "[07.26 13:30:49] chrome.exe *64 - ubmcmm.baidustatic.com:80 open through proxy",
                  "[10.30 16:49:07] chrome.exe - proxy.cse.cuhk.edu.hk:5070 close, 0 bytes sent"],
}
MESSAGES = {
    "syslog": ["Invalid user", "pam_unix(sshd:auth): check", "Connection closed"],
    "hdfs": ["PacketResponder 1", "Received block", "BLOCK* NameSystem"],
    "apache": ["workerEnv.init()", "mod_jk child", "jk2_init() Found"],
    "logcat": ["printFreezingDisplayLogs", "acquire lock", "ready=true"],
    "healthapp": ["onStandStepChanged", "onExtend:", "onReceive action"],
    "zookeeper": ["Notification time", "Received connection", "Send worker"],
    "proxifier": ["proxy.cse.cuhk.edu.hk:5070 open", "ubmcmm.baidustatic.com:80 open",
                  "proxy.cse.cuhk.edu.hk:5070 close"],
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_header_lands_on_the_message(name: str) -> None:
    lines = FORMATS[name] * 10  # the learner wants more than a handful of lines
    header = Header.learn(lines)
    assert header.describe() != "none"
    for line, message in zip(FORMATS[name], MESSAGES[name]):
        assert line[header.content_start(line):].startswith(message), (name, header.describe())


def test_header_none_for_content_only_lines() -> None:
    lines = ["Failed password for root from 1.2.3.4 port 22 ssh2",
             "Accepted password for fztu from 119.137.62.142 port 49116 ssh2",
             "pam_unix(sshd:auth): authentication failure; logname= uid=0",
             "Received disconnect from 1.2.3.4: 11: Bye Bye [preauth]",
             "Invalid user admin from 5.6.7.8"] * 20
    header = Header.learn(lines)
    assert header.describe() == "none"
    assert all(header.content_start(line) == 0 for line in lines)


def test_header_line_without_header_keeps_its_text() -> None:
    header = Header.learn(FORMATS["syslog"] * 10)
    assert header.content_start("    at java.lang.Thread.run(Thread.java:745)") == 0
    assert header.content_start("") == 0
    assert Header.learn([]).describe() == "none"


# --- mining ---------------------------------------------------------------------------


def _ssh_lines(n: int, seed: int = 0) -> list[str]:
    rng = random.Random(seed)
    lines = []
    for i in range(n):
        ip = ".".join(str(rng.randrange(1, 255)) for _ in range(4))
        stamp = f"Dec 10 {i % 24:02d}:{i % 60:02d}:{rng.randrange(60):02d} LabSZ sshd[{rng.randrange(99999)}]:"
        user = rng.choice(["root", "admin", "test", "oracle"])
        kind = i % 3
        if kind == 0:
            lines.append(f"{stamp} Failed password for {user} from {ip} port {rng.randrange(65535)} ssh2")
        elif kind == 1:
            lines.append(f"{stamp} Received disconnect from {ip}: 11: Bye Bye [preauth]")
        else:
            lines.append(f"{stamp} pam_unix(sshd:session): session closed for user {user}")
    return lines


def test_mine_groups_events() -> None:
    lines = _ssh_lines(300)
    result = mine(lines)
    assert isinstance(result, Mining)
    assert result.assignment.dtype == np.int32 and result.content_start.dtype == np.int32
    assert len(result.clusters) == 3
    templates = {" ".join(c.tokens) for c in result.clusters}
    assert "Failed password for <*> from <IP> port <NUM> ssh2" in templates
    assert "Received disconnect from <IP>: <NUM>: Bye Bye [preauth]" in templates
    # Same event, same cluster; different events, different clusters.
    assert len({result.assignment[i] for i in range(0, 300, 3)}) == 1
    assert len({result.assignment[i] for i in range(3)}) == 3
    # Ids by first appearance; counts, first and members agree with the assignment.
    assert [c.id for c in result.clusters] == [0, 1, 2]
    assert [c.first for c in result.clusters] == [0, 1, 2]
    for cluster in result.clusters:
        members = result.members(cluster.id)
        assert len(members) == cluster.count == 100
        assert members[0] == cluster.first and np.all(np.diff(members) > 0)
        assert np.all(result.assignment[members] == cluster.id)
    assert len(result.members(0, limit=5)) == 5
    line = lines[0]
    assert line[result.content_start[0]:].startswith("Failed password")


def test_mine_content_only_lines() -> None:
    lines = [line.split(": ", 1)[1] for line in _ssh_lines(60)]
    result = mine(lines)
    assert result.header.describe() == "none"
    assert not result.content_start.any()
    assert len(result.clusters) == 3


# --- robustness -----------------------------------------------------------------------


def test_mine_empty_input() -> None:
    result = mine([])
    assert result.clusters == [] and len(result.assignment) == 0
    assert result.header.describe() == "none"


def test_mine_empty_and_blank_lines() -> None:
    lines = ["", "   ", "hello world 1", "\t", "hello world 2"]
    result = mine(lines)
    assert result.assignment.tolist() == [-1, -1, 0, -1, 0]
    assert result.clusters[0].count == 2 and result.clusters[0].first == 2
    assert result.members(0).tolist() == [2, 4]


def test_mine_long_line_and_binary_junk() -> None:
    long_line = "x" * 50_000 + " " + " ".join(f"tok{i}" for i in range(10_000))
    junk = bytes(random.Random(1).randrange(256) for _ in range(5000)).decode("utf-8", errors="replace")
    lines = [long_line, junk, junk.replace("\n", " "), "\x00\x01\x02", "ok line 1"]
    result = mine(lines)
    assert len(result.assignment) == len(lines)
    assert result.assignment.max() < len(result.clusters)
    assert all(len(c.tokens) <= 300 for c in result.clusters)


def test_mine_many_distinct_lines_is_bounded() -> None:
    rng = random.Random(2)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(6)) for _ in range(5000)]
    lines = [" ".join(rng.choice(words) for _ in range(rng.randrange(1, 8))) for _ in range(100_000)]
    result = mine(lines, max_clusters=1000)
    assert len(result.assignment) == 100_000
    assert (result.assignment >= 0).all()
    assert sum(c.count for c in result.clusters) == 100_000
    assert result.assignment.max() == len(result.clusters) - 1
    assert len(result.clusters) <= 1001  # the cap, plus one overflow cluster
