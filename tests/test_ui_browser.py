"""The web UI in a real headless Chromium (Debian's ``chromium`` driven by Playwright's
Python package; never ``playwright install``), against the app served in-process with a
scripted model. Screenshots go to ``artifacts/ui/``.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="browser tests need playwright (pip)")

from test_ui import (BROKEN, EMPTY, EVIL_LINE, EVIL_QUERY, LOGIN_REPAIR, LOGS, METRIC,  # noqa: E402
                     blocked_factory, make_app, serve, test_factory)

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "ui"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WAIT_MS = 20_000


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def url():
    demo = make_app(test_factory(delay=0.3))
    address = serve(demo)
    assert demo.hub.wait(timeout=30)
    yield address
    demo.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000},
                                  permissions=["clipboard-read", "clipboard-write"])
    context.set_default_timeout(WAIT_MS)
    yield context
    context.close()


def open_page(context, address: str):
    page = context.new_page()
    page.goto(address)
    page.wait_for_selector("#status [data-state=ready]")
    return page


def shot(page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def ask(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.click("#ask-btn")


def editor(page) -> str:
    return page.input_value("#query-editor textarea")


def type_into(page, selector: str, text: str) -> None:
    """Fill a box as a person would end typing: the last key fires the input event."""
    page.fill(selector, text[:-1])
    page.locator(selector).press_sequentially(text[-1])


def set_query(page, query: str) -> None:
    type_into(page, "#query-editor textarea", query)


def test_ask_see_a_valid_query_run_it_and_see_a_table_and_a_chart(context, url):
    page = open_page(context, url)
    page.click("text=How many failed SSH logins per source IP")  # an example fills the box
    sync_api.expect(page.locator("#question textarea")).to_have_value(re.compile("failed SSH logins"))
    page.click("#ask-btn")
    page.wait_for_selector("#answer-card .nl-ok")
    card = page.inner_text("#answer-card")
    assert "valid metric query" in card and "What it does" in card
    assert page.locator("#answer-card .nl-t-fn").count() >= 2  # highlighted
    assert editor(page).startswith("sum by (application)")
    assert "valid metric query" in page.inner_text("#query-check")
    assert "failed SSH logins" in page.inner_text("#chat")
    page.click("#answer-card .nl-copy")
    page.wait_for_selector("#answer-card .nl-copy:has-text('Copied')")
    shot(page, "ask")

    page.click("#run-btn")
    page.wait_for_selector("#result-chart svg .mark-line path")
    page.wait_for_selector("#result-table table")
    assert "7 series" in page.inner_text("#run-summary")
    table = page.inner_text("#result-table")
    assert "application" in table and "openssh-eu-west" in table and "317" in table
    assert page.locator("#run-summary .nl-legend .nl-key").count() == 7
    box = page.locator("#result-chart svg").first.bounding_box()
    assert box["width"] > 200 and box["height"] > 100
    shot(page, "run-metric")


def test_edit_validate_while_typing_and_run_a_log_query_then_an_empty_one(context, url):
    page = open_page(context, url)
    set_query(page, BROKEN)
    page.wait_for_selector("#query-check .nl-error")
    assert "line 1, column 24" in page.inner_text("#query-check")
    set_query(page, LOGS)
    page.wait_for_selector("#query-check .nl-ok")
    page.click("#run-btn")
    page.wait_for_selector("#result-table table")
    page.wait_for_function("document.querySelector('#run-summary').innerText.includes('lines in')")
    assert "100 lines in 1 stream" in page.inner_text("#run-summary")
    assert "Failed password" in page.inner_text("#result-table")
    assert page.locator("#result-chart").count() == 0 or not page.locator("#result-chart").is_visible()
    shot(page, "run-logs")

    set_query(page, EMPTY)
    page.click("#run-btn")
    page.wait_for_selector("#trace-table table")
    summary = page.inner_text("#run-summary")
    assert "0 lines" in summary and "ran out at" in summary
    assert "no such text anywhere" in page.inner_text("#trace-table")
    shot(page, "run-empty-trace")


def test_validate_tab_shows_the_caret_error(context, url):
    page = open_page(context, url)
    page.get_by_role("tab", name="Validate").click()
    page.fill("#validate-input textarea", BROKEN)
    page.click("#validate-btn")
    page.wait_for_selector("#validate-result pre.nl-caret")
    verdict = page.inner_text("#validate-result")
    assert "syntax error" in verdict and "line 1, column 24" in verdict
    source, caret = page.inner_text("#validate-result pre.nl-caret").split("\n")[:2]
    assert source == BROKEN and caret.index("^") == 23
    shot(page, "validate-error")

    type_into(page, "#validate-input textarea", METRIC)  # checked as it is typed
    page.wait_for_selector("#validate-result .nl-ok")
    assert page.input_value("#validate-formatted textarea").startswith("sum by (application) (")
    assert "Count lines per 1-hour window" in page.inner_text("#validate-explain")
    shot(page, "validate-ok")


def test_user_and_log_text_is_never_rendered_as_html(context, url):
    page = open_page(context, url)
    question = ('evil <script>window.__pwned=1</script> <img src=x onerror="window.__pwned=2"> '
                "${window.__pwned=3} {{constructor}} **not bold**")
    ask(page, question)
    page.wait_for_selector("#answer-card .nl-ok")
    chat = page.inner_text("#chat")
    assert "<script>window.__pwned=1</script>" in chat and "**not bold**" in chat
    assert editor(page) == EVIL_QUERY
    page.click("#run-btn")
    page.wait_for_selector("#result-table table")
    assert EVIL_LINE in page.inner_text("#result-table")
    assert "<b>bold</b>" in page.inner_text("#result-table")
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert page.locator("#chat b, #chat strong, #result-table b").count() == 0
    assert not page.evaluate(
        "[...document.querySelectorAll('script')].some(s => s.textContent.includes('__pwned'))")
    shot(page, "escaped-markup")


def test_two_tabs_at_once_both_get_answers(context, url):
    pages = [open_page(context, url) for _ in range(2)]
    ask(pages[0], "failed logins per application")
    ask(pages[1], "show me the lines")
    for page in pages:
        page.wait_for_selector("#answer-card .nl-ok")
    assert "valid metric query" in pages[0].inner_text("#answer-card")
    assert "valid log query" in pages[1].inner_text("#answer-card")
    assert "show me the lines" not in pages[0].inner_text("#chat")
    for number, page in enumerate(pages, 1):
        shot(page, f"two-tabs-{number}")


def test_a_share_link_fills_the_page(context, url):
    page = open_page(context, url)
    ask(page, "lines of openssh")
    page.wait_for_selector("#answer-card .nl-ok")
    assert page.input_value("#question textarea") == ""
    page.click("#history input")  # the session's history brings a question back
    page.locator("#history li", has_text="1. lines of openssh").click()
    sync_api.expect(page.locator("#question textarea")).to_have_value("lines of openssh")
    page.click("#share button")  # open the accordion
    page.click("#share-btn")
    page.wait_for_function("document.querySelector('#share-link textarea, #share-link input').value.includes('query=')")
    link = page.input_value("#share-link textarea, #share-link input")
    assert link.startswith(url) and "q=lines+of+openssh" in link

    shared = open_page(context, url + "?" + urlencode({"q": "shared <question>", "query": METRIC}))
    shared.wait_for_selector("#answer-card .nl-ok")
    assert shared.input_value("#question textarea") == "shared <question>"
    assert editor(shared) == METRIC
    assert "Shared query" in shared.inner_text("#answer-card")
    shot(shared, "shared-link")


def test_the_page_says_the_model_is_loading_instead_of_hanging(context):
    release = threading.Event()
    demo = make_app(blocked_factory(release, "converting the bundled model once (about a minute)", 30))
    try:
        page = context.new_page()
        page.goto(serve(demo))
        page.wait_for_selector("#status [data-state=loading]")
        assert "converting the bundled model once" in page.inner_text("#status")
        ask(page, "failed logins?")
        page.wait_for_selector("#answer-card .nl-warn")
        assert "still loading" in page.inner_text("#answer-card")
        shot(page, "loading")
        release.set()
        page.wait_for_selector("#status [data-state=ready]")  # the page polls until ready
        page.click("#ask-btn")  # the question stayed in the box
        page.wait_for_selector("#answer-card .nl-ok")
    finally:
        release.set()
        demo.close()


def test_settings_test_a_dead_loki_then_use_uploaded_files_with_labels(context, url, tmp_path):
    page = open_page(context, url)
    page.get_by_role("tab", name="Settings").click()
    page.get_by_label("Loki", exact=True).check()
    page.fill("#loki-url textarea, #loki-url input", "http://127.0.0.1:9")  # nothing listens
    page.click("#test-connection")
    page.wait_for_selector("#source-status .nl-failure")
    assert "cannot connect" in page.inner_text("#source-status")
    page.click("#use-source")  # a failed switch: the radio goes back to the source in use
    page.wait_for_function("document.querySelector('#source-status').innerText.includes('kept')")
    sync_api.expect(page.get_by_label("Sample store", exact=True)).to_be_checked()
    assert not page.get_by_label("Loki", exact=True).is_checked()
    shot(page, "settings-loki-down")

    log = tmp_path / "shop.log"
    log.write_text("2024-12-31T10:00:00Z INFO started\n2024-12-31T10:00:01Z ERROR <b>disk</b> full\n")
    page.get_by_label("Log files", exact=True).check()
    page.wait_for_selector("#log-files", state="visible")  # the radio shows the upload box
    for attempt in range(3):  # Gradio binds its upload handler a moment after showing it
        page.set_input_files("#log-files input[type=file]", str(log))
        try:
            page.wait_for_selector("#log-files :text('shop.log')", timeout=WAIT_MS // 3)
            break
        except sync_api.TimeoutError:
            if attempt == 2:
                raise
    page.fill("#file-labels textarea, #file-labels input", "app=shop")
    page.click("#use-source")
    page.wait_for_function("document.querySelector('#source-status').innerText.includes('now using')")
    # The status line follows the source switch; on a loaded machine a model-loading tick
    # can land first, so it gets longer than the default wait.
    page.wait_for_function("document.querySelector('#status').innerText.includes('1 uploaded file')",
                           timeout=3 * WAIT_MS)
    shot(page, "settings-files")

    page.get_by_role("tab", name="Ask").click()
    set_query(page, '{app="shop"} |= "ERROR"')
    page.click("#run-btn")
    page.wait_for_selector("#result-table table")
    assert "ERROR <b>disk</b> full" in page.inner_text("#result-table")
    page.click("text=What can I ask about?")
    assert "shop" in page.inner_text("#labels")


@pytest.mark.slow
def test_the_patterns_panel_puts_a_question_or_a_query_in_the_boxes(context, url):
    page = open_page(context, url)
    page.click("text=What can I ask about?")  # opening it finds the patterns (once, then cached)
    row = page.locator("#patterns li.nl-pattern", has=page.locator(
        "button.nl-pask", has_text=re.compile(r"^Failed password for <user> from"))).first
    row.wait_for()
    panel = page.inner_text("#patterns")
    assert "openssh-eu-west" in panel and "user: word" in panel  # deployments named, field types
    assert page.locator("#patterns .nl-pentry").count() == 4  # hdfs, openssh, openstack, evil
    assert page.locator("#patterns .nl-field", has_text="<user>").count() >= 1  # highlighted
    page.locator("#about").screenshot(path=str(ARTIFACTS / "patterns-panel.png"))

    row.locator("button.nl-pask").click()
    sync_api.expect(page.locator("#question textarea")).to_have_value(
        'how many "Failed password for" lines per user in the last hour on openssh?')
    assert editor(page) == ""  # asking is one click; the query is the other button
    row.locator("button.nl-puse").click()
    sync_api.expect(page.locator("#query-editor textarea")).to_have_value(
        re.compile(r'^\{application="openssh"\} \|= "Failed password for"'
                   r' != "Failed password for invalid user".* \| pattern "'))
    page.wait_for_selector("#query-check .nl-ok")
    page.click("#run-btn")
    page.wait_for_selector("#result-table table")
    assert "Failed password for" in page.inner_text("#result-table")
    assert page.evaluate("window.__pwned") is None  # the evil stream's patterns stayed text
    assert page.locator("#patterns script, #patterns img").count() == 0
    shot(page, "patterns")


def badge_colour(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


def test_the_badge_is_amber_with_the_warnings_and_green_only_when_every_check_passed(context, url):
    page = open_page(context, url)
    ask(page, "warn me: failed logins per application")  # the scripted verdict: a warning
    amber = "#answer-card .nl-head .nl-badge.nl-warn"
    page.wait_for_selector(amber)
    assert page.inner_text(amber) == "⚠ valid metric query: returns data, 1 warning"
    assert badge_colour(page, amber) == "rgb(254, 243, 214)"
    assert page.locator("#answer-card .nl-ok").count() == 0
    warnings = page.locator("#answer-card ul.nl-warnings li")
    assert warnings.count() == 1
    assert warnings.inner_text().startswith("no line of openssh-eu-west contains 'Login <b>successful</b>'")
    assert "(fix: 'Login <b>successful</b>' → 'Accepted password for')" in warnings.inner_text()
    assert page.inner_text("#answer-card .nl-repairs li") == LOGIN_REPAIR
    assert page.locator("#answer-card b, #chat b").count() == 0  # the reason's markup stayed text
    chat = page.inner_text("#chat")
    assert "⚠ valid metric query: returns data, 1 warning" in chat and "Login <b>successful</b>" in chat
    shot(page, "answer-amber")

    ask(page, "failed logins per application")  # passed every check
    green = "#answer-card .nl-head .nl-badge.nl-ok"
    page.wait_for_selector(green)
    assert page.inner_text(green) == "✓ valid metric query, passed every check"
    assert badge_colour(page, green) == "rgb(230, 244, 234)"
    assert page.locator("#answer-card .nl-warn, #answer-card .nl-warnings").count() == 0
    assert page.locator("#chat .message-row").last.inner_text().startswith("✓ valid metric query")
    shot(page, "answer-green")


def test_a_failed_answer_leaves_the_editor_and_its_badge_as_they_were(context, url):
    page = open_page(context, url)
    set_query(page, LOGS)
    page.wait_for_selector("#query-check .nl-ok")
    ask(page, "a broken one")
    page.wait_for_selector("#answer-card .nl-bad")
    assert "no valid query" in page.inner_text("#answer-card")
    assert editor(page) == LOGS and "valid log query" in page.inner_text("#query-check")
    page.click("#run-btn")  # Run runs the person's query, not the model's broken attempt
    page.wait_for_selector("#result-table table")
    assert "syntax error" not in page.inner_text("#run-summary")
    shot(page, "failed-answer-editor-kept")


def caret_in_view(page, selector: str) -> bool:
    """Whether the caret of the error snippet in ``selector`` is inside its visible box."""
    return page.eval_on_selector(selector, """pre => {
        const text = pre.firstChild, at = text.textContent.indexOf('^');
        const range = document.createRange(); range.setStart(text, at); range.setEnd(text, at + 1);
        const caret = range.getBoundingClientRect(), box = pre.getBoundingClientRect();
        return caret.left >= box.left && caret.right <= box.right && caret.right <= innerWidth;
    }""")


def test_the_editor_badge_follows_a_paste_or_a_fill_not_only_typing(context, url):
    page = open_page(context, url)
    page.fill("#query-editor textarea", BROKEN)  # set at once, as a paste does: no key typed
    page.wait_for_selector("#query-check .nl-error")
    assert "line 1, column 24" in page.inner_text("#query-check")
    page.evaluate("""query => navigator.clipboard.writeText(query)""", LOGS)
    page.fill("#query-editor textarea", "")
    page.focus("#query-editor textarea")
    page.keyboard.press("Control+V")  # a real paste
    sync_api.expect(page.locator("#query-editor textarea")).to_have_value(LOGS)
    page.wait_for_selector("#query-check .nl-ok")

    ask(page, "lines please")  # an answer fills it: the badge follows
    page.wait_for_selector("#answer-card .nl-ok")
    long_broken = '{application="openssh-eu-west"} |= "' + "x" * 140 + '" |= ~'
    page.fill("#query-editor textarea", long_broken)  # its error is far right: the caret shows
    page.wait_for_selector("#query-check pre.nl-caret")
    assert caret_in_view(page, "#query-check pre.nl-caret")
    shot(page, "editor-badge-after-paste")


def test_a_log_results_line_column_is_on_screen_at_1400_px(context, url):
    page = open_page(context, url)
    assert page.viewport_size["width"] == 1400
    set_query(page, LOGS)
    page.click("#run-btn")
    page.wait_for_function("document.querySelector('#run-summary').innerText.includes('lines in')")
    line = page.locator("#result-table [data-testid='cell-0-2']")
    line.wait_for()
    assert "Failed password" in line.inner_text()
    box = line.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1400
    labels = page.locator("#result-table [data-testid='cell-0-1']").bounding_box()
    assert box["width"] > labels["width"]  # the line gets the room; the labels wrap
    shot(page, "run-logs-1400")


def test_chat_code_wraps_and_its_copy_icons_stay_clear_of_the_text_and_the_toolbar(context, url):
    page = open_page(context, url)
    for number, question in enumerate(["failed logins per application", "lines please",
                                       "failed logins again"], 1):
        ask(page, question)
        page.wait_for_function(f"document.querySelectorAll('#chat pre').length >= {number}")
    layout = page.evaluate("""() => [...document.querySelectorAll('#chat .code_wrap')].map(wrap => {
        const pre = wrap.querySelector('pre');
        const icon = wrap.querySelector('.copy_code_button').getBoundingClientRect();
        const range = document.createRange(); range.selectNodeContents(pre.querySelector('code'));
        const clear = [...range.getClientRects()].every(r => r.right <= icon.left || r.top >= icon.bottom);
        return {fits: pre.scrollWidth <= pre.clientWidth, clear};
    })""")
    assert layout == [{"fits": True, "clear": True}] * 3  # the long metric query wraps, unclipped
    # Scroll each copy icon under the chat's toolbar: the toolbar stays on top, and opaque.
    covered = page.evaluate("""() => {
        const wrap = document.querySelector('#chat .bubble-wrap');
        const bar = document.querySelector('#chat .top-panel');
        const seen = [];
        const icons = '#chat .copy_code_button, #chat button[title="Copy message"]';
        for (const icon of document.querySelectorAll(icons)) {
            wrap.scrollTop += icon.getBoundingClientRect().top - bar.getBoundingClientRect().top;
            const box = bar.getBoundingClientRect(), at = icon.getBoundingClientRect();
            const x = Math.min(Math.max(at.left + at.width / 2, box.left + 1), box.right - 1);
            seen.push(bar.contains(document.elementFromPoint(x, box.top + box.height / 2)));
        }
        return {seen, background: getComputedStyle(bar).backgroundColor};
    }""")
    assert covered["seen"] and all(covered["seen"])
    assert covered["background"] not in ("rgba(0, 0, 0, 0)", "transparent")
    shot(page, "chat-code")
