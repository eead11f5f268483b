"""The Gradio Blocks app: the layout and the event handlers.

Handlers are thin: they read the session, call :mod:`runner` or the shared assistant,
and hand the results to :mod:`render`. Every event the page uses has an ``api_name``,
so ``gradio_client`` calls the same endpoints a person clicks: ``ask``, ``run``,
``check_query``, ``validate``, ``test_connection``, ``use_source``, ``share``,
``patterns`` (the log patterns panel).
"""

from __future__ import annotations

import copy
import logging
import os
import threading
from collections.abc import Callable

import gradio as gr
import pandas as pd

from nl2logql.engine.backend import Backend
from nl2logql.errors import Nl2LogQLError
from nl2logql.generation.prompt import MAX_QUESTION_CHARS, TRUNCATION_NOTE
from nl2logql.logql.explain import explain
from nl2logql.logql.printer import pretty
from nl2logql.ui import render, runner
from nl2logql.ui.models import DEFAULT, AssistantFactory, ModelHub, model_choices, real_factory
from nl2logql.ui.state import Session

log = logging.getLogger(__name__)

EXAMPLES = [
    "How many failed SSH logins per source IP in the last hour on openssh-eu-west?",
    "Show the error lines of hdfs in the last 24 hours",
    "Top 5 users with failed password attempts on openssh today",
    "Rate of nova-api log lines per component over 5 minutes for openstack",
    "Count WARN lines per application for hdfs in the last 6 hours",
]
SOURCES = ("Sample store", "Log files", "Loki")
MAX_K, MAX_N = 8, 8
# Log results: time fits its column, the labels column is capped (its text wraps) and the
# line gets the rest, so at 1400 px it is on screen, not scrolled off to the right.
LOG_COLUMN_WIDTHS = ["29%", "23%", "48%"]

CSS = """
.nl-card {border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 12px 14px;
  background: var(--block-background-fill);}
.nl-head {display: flex; gap: 8px; align-items: center; margin-bottom: 6px;}
.nl-title {font-weight: 600;}
.nl-badge {display: inline-block; padding: 2px 9px; border-radius: 999px; font-size: .85em;
  font-weight: 600;}
.nl-ok {background: #e6f4ea; color: #137333;}
.nl-bad {background: #fce8e6; color: #b3261e;}
.nl-badge.nl-warn {background: #fef3d6; color: #8a5300;}
ul.nl-warnings {margin: 2px 0 6px; padding-left: 1.3em; color: #8a5300; font-size: .9em;}
.nl-repairs {font-size: .9em; color: var(--body-text-color-subdued); margin: 2px 0 6px;}
.nl-repairs ul {margin: 0; padding-left: 1.3em;}
.nl-query {position: relative;}
.nl-copy {position: absolute; top: 6px; right: 6px; font-size: .8em; padding: 2px 8px;
  border: 1px solid var(--border-color-primary); border-radius: 4px; cursor: pointer;
  background: var(--background-fill-primary);}
pre.nl-logql, pre.nl-caret {font-family: var(--font-mono); font-size: .95em; padding: 10px 12px;
  border-radius: 6px; background: var(--background-fill-secondary); margin: 4px 0;}
pre.nl-logql {white-space: pre-wrap; word-break: break-word; padding-right: 64px;}
pre.nl-caret {white-space: pre; overflow-x: auto;}
.nl-t-fn {color: #8250df; font-weight: 600;} .nl-t-kw, .nl-t-op {color: #cf222e;}
.nl-t-stage {color: #0550ae; font-weight: 600;} .nl-t-label {color: #953800;}
.nl-t-str {color: #0a3069;} .nl-t-num, .nl-t-range {color: #116329;}
.nl-t-comment {color: #6e7781; font-style: italic;} .nl-t-other {background: #ffebe9;}
.nl-steps li {margin: 3px 0;}
code.nl-frag {font-size: .85em; white-space: pre-wrap; word-break: break-word;}
.nl-timings, .nl-note, .nl-hint {color: var(--body-text-color-subdued); font-size: .85em;}
.nl-message {margin: 6px 0;} .nl-warn .nl-message {color: #8a5300;}
.nl-error .nl-message, .nl-failure {color: #b3261e;}
.nl-summary {font-size: .95em; margin: 4px 0;}
.nl-status {font-size: .9em; padding: 2px 0;}
.nl-legend {display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: .85em; margin: 4px 0;}
.nl-swatch {display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin-right: .35em;
  vertical-align: -1px;}
.nl-dot {display: inline-block; width: .6em; height: .6em; border-radius: 50%; margin-right: .45em;
  background: #9aa0a6;}
[data-state=ready] .nl-dot {background: #1e8e3e;} [data-state=failed] .nl-dot {background: #d93025;}
[data-state=loading] .nl-dot {background: #f29900; animation: nl-pulse 1s ease-in-out infinite alternate;}
@keyframes nl-pulse {from {opacity: 1;} to {opacity: .25;}}
#query-editor textarea, #validate-input textarea, #validate-formatted textarea,
#share-text textarea {font-family: var(--font-mono);}
.nl-patterns {font-size: .9em;} .nl-patterns .nl-hint {font-size: 1em; margin-top: 8px;}
.nl-pentry {margin: 10px 0 4px;}
.nl-phead {margin-bottom: 2px;}
ol.nl-plist {list-style: none; padding: 0; margin: 2px 0;}
li.nl-pattern {display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 8px; padding: 3px 0;
  border-top: 1px solid var(--border-color-primary);}
.nl-pcount {min-width: 4.5em; text-align: right; color: var(--body-text-color-subdued);
  font-variant-numeric: tabular-nums;}
button.nl-pask {flex: 1 1 20em; min-width: 0; text-align: left; font-family: var(--font-mono);
  font-size: .95em; font-weight: normal; background: none; border: 0; padding: 1px 4px; border-radius: 4px;
  cursor: pointer; color: inherit; word-break: break-word; white-space: pre-wrap;}
button.nl-pask:hover {background: var(--background-fill-secondary); text-decoration: underline;}
button.nl-puse {font-size: .8em; padding: 0 7px; border: 1px solid var(--border-color-primary);
  border-radius: 4px; cursor: pointer; background: var(--background-fill-primary);}
button.nl-puse:hover {background: var(--background-fill-secondary);}
/* Chat code blocks wrap long queries; the copy icon gets its own room on the right, and
   the chat's toolbar stays above the messages' copy icons as they scroll under it. */
#chat pre, #chat pre code {white-space: pre-wrap !important; overflow-wrap: anywhere;}
#chat .code_wrap pre {padding-right: 34px;}
#chat .top-panel {z-index: 30; background: var(--block-background-fill); border-radius: 4px;}
.nl-pfields {flex-basis: 100%; padding-left: 5.2em; font-size: .85em;
  color: var(--body-text-color-subdued);}
.nl-field {color: #0550ae; font-weight: 600;} .nl-f-number, .nl-f-duration, .nl-f-bytes {color: #116329;}
.nl-f-ip {color: #8250df;} .nl-f-text {color: #953800;}
"""

# The answer card's copy button: copies the query's text (no HTML), with a fallback for
# pages served over plain http to another host (no Clipboard API there).
COPY_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button.nl-copy');
  if (!button) return;
  const code = button.parentElement.querySelector('code');
  const text = code ? code.innerText : '';
  const done = () => { button.textContent = 'Copied'; setTimeout(() => { button.textContent = 'Copy'; }, 1500); };
  const fallback = () => {
    const area = document.createElement('textarea');
    area.value = text; document.body.appendChild(area); area.select();
    try { document.execCommand('copy'); done(); } finally { area.remove(); }
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, fallback);
  } else { fallback(); }
});
"""

# The patterns panel: a click on a pattern sends its question, on "use query" its query
# (both held, escaped, in the buttons' data attributes) to the server's ``pick`` handler.
PICK_JS = """
if (!element.dataset.nlPick) {
  element.dataset.nlPick = '1';
  element.addEventListener('click', (event) => {
    const button = event.target.closest('button.nl-pask, button.nl-puse');
    if (!button || !element.contains(button)) return;
    if (button.dataset.query !== undefined) trigger('pick', {query: button.dataset.query});
    else trigger('pick', {question: button.dataset.question || ''});
  });
}
"""
PATTERNS_PENDING = "Finding the log patterns… (the first time takes a moment)"

WELCOME = "Ask a question about your logs: the LogQL query, proof that it is valid, and its explanation appear here."


def build_app(assistant_factory: AssistantFactory | None = None, backend: Backend | None = None,
              *, source_name: str | None = None, models: list[str] | None = None,
              default_model: str = DEFAULT, run_timeout: float = runner.RUN_TIMEOUT_S,
              sample: Callable[[], Backend] | None = None, load: bool = True) -> gr.Blocks:
    """The page. ``assistant_factory(name, progress)`` makes the assistant for a model
    choice (default: the real model); ``backend`` is the default data source (default:
    the sample store). The model starts loading now, in the background, unless
    ``load`` is False. The returned Blocks carries the :class:`ModelHub` as ``.hub``."""
    from nl2logql.engine.loaders import sample_store
    from nl2logql.engine.loki import LokiBackend

    hub = ModelHub(assistant_factory or real_factory(), default_model,
                   models or (model_choices() if assistant_factory is None else [default_model]))
    samples = _once(sample or sample_store)
    default_backend = backend if backend is not None else samples()
    default_is_loki = isinstance(default_backend, LokiBackend)
    default_kind = "Loki" if default_is_loki else "Sample store"
    default_source = source_name or (f"Loki at {default_backend.url}" if default_is_loki
                                     else "the sample store" if backend is None else "your data")
    default_labels = _labels_html(default_backend, default_source)
    default_patterns = _Lazy(lambda: _patterns_html(default_backend, default_source))
    if load:
        hub.load()

    # ---- handlers ----------------------------------------------------------------------

    def session_of(session: Session | None) -> Session:
        return session if isinstance(session, Session) else Session()

    def backend_of(session: Session) -> Backend:
        return session.backend if session.backend is not None else default_backend

    def source_of(session: Session) -> str:
        return session.source or default_source

    def status(model: str | None, session: Session | None = None):
        state, text = hub.state(model)
        source = source_of(session_of(session))
        extra = (" — you can validate and run queries meanwhile; asking waits until it is ready"
                 if state == "loading" else "")
        html = (f'<div class="nl-status" data-state="{state}"><span class="nl-dot"></span>'
                f"{render.esc(text)}{extra} · data: {render.esc(source)}</div>")
        return html, gr.Timer(active=state in ("loading", "idle"))

    def ask(question: str, model: str, k: float, n: float, session: Session | None):
        session = session_of(session)
        text = question or ""

        def unchanged(card: str) -> tuple:  # only the card says something; the rest stays
            return (session.chat, text, card, *(gr.update(),) * 7, session)

        if not text.strip():
            card = render.message_card("Type a question about your logs first, or click an example.", "warn")
            return unchanged(card)
        assistant = hub.get(model)
        if assistant is None:
            state, note = hub.state(model)
            message = (f"The model is not available: {note}. Choose it again in Settings to "
                       "retry, or another one." if state == "failed" else
                       f"The model is still loading ({note}). Ask again in a moment; "
                       "your question is kept in the box.")
            card = render.message_card(message, "warn" if state != "failed" else "error")
            return unchanged(card)
        view = copy.copy(assistant)  # shares the model and index; this session's data source
        view.backend = backend_of(session)
        k, n = _bounded(k, 0, MAX_K, 4), _bounded(n, 1, MAX_N, 1)
        try:
            with hub.lock:
                generation = view.ask(text, k=k, n=n)
        except Nl2LogQLError as error:
            reason = _one_line(error)
            session.chat = session.chat + [_user(text[:MAX_QUESTION_CHARS]),
                                           _bot(f"✗ {render.md_escape(reason)}")]
            card = render.message_card(f"Could not answer: {reason}", "error")
            return (session.chat, "", card, "", "", gr.update(), *_cleared(), session)
        except Exception as error:  # noqa: BLE001 - a bug must not leave the page hanging
            log.exception("ask failed")
            card = render.message_card(f"Something went wrong: {type(error).__name__}: "
                                       f"{_one_line(error)}", "error")
            return unchanged(card)

        session.chat = session.chat + [_user(generation.question), _bot(render.chat_answer(generation))]
        session.remember(generation.question, generation.query or "")
        if generation.valid:
            shown = generation.pretty or generation.query
            editor, check = shown, render.verdict_html(*runner.check(shown))
        else:  # a failed answer leaves the person's query, and its badge, as they were
            editor = check = gr.update()
        history = gr.update(choices=session.history_choices(), value=None)
        card = render.answer_card(generation, _cut_note(text, generation))
        return (session.chat, "", card, editor, check, history,
                *_cleared(), session)

    def run(query: str, session: Session | None):
        session = session_of(session)
        try:
            result = runner.run_query(backend_of(session), query or "", timeout=run_timeout)
        except Exception as error:  # noqa: BLE001
            log.exception("run failed")
            result = runner.RunResult(failure=f"{type(error).__name__}: {_one_line(error)}")
        return (*_result_outputs(result), render.verdict_html(result.kind, result.error))

    def check_query(query: str):
        kind, error = runner.check(query or "")
        return render.verdict_html(kind, error, empty="Type or paste a LogQL query.")

    def validate(text: str):
        kind, error = runner.check(text or "")
        if kind is None:
            return render.verdict_html(None, error, empty="Paste a LogQL query to check it."), "", ""
        expr_text = pretty(text)
        steps = explain(text)
        return (render.verdict_html(kind, None), expr_text,
                "<h4>What it does</h4>" + render.steps_html(steps))

    def test_connection(url: str, tenant: str, username: str, password: str, token: str):
        try:
            backend = runner.open_loki(url, tenant, username, password, token)
            return _ok(runner.test_connection(backend))
        except Nl2LogQLError as error:
            return _failure(f"cannot connect: {_one_line(error)}")

    def use_source(kind: str, files, labels_text: str, time_format: str, url: str, tenant: str,
                   username: str, password: str, token: str, session: Session | None):
        session = session_of(session)
        loaded = ""  # what loading uploaded files found, under the status
        try:
            if kind == "Log files":
                paths = [_path(f) for f in (files or [])]
                backend = runner.open_files(paths, labels_text, time_format)
                name = f"{len(paths)} uploaded file{'s' if len(paths) != 1 else ''}"
                loaded = _load_notes_html(getattr(backend, "notes", []), paths)
            elif kind == "Loki":
                backend = runner.open_loki(url, tenant, username, password, token)
                runner.test_connection(backend)
                name = f"Loki at {backend.url}"
            else:
                backend, name = samples(), "the sample store"
            labels = _labels_html(backend, name)
            session.patterns_html = None  # found again, after this, for the new source
        except Nl2LogQLError as error:
            labels = session.labels_html or default_labels
            return _failure(f"kept {source_of(session)}: {_one_line(error)}"), labels, labels, session
        session.backend, session.source, session.labels_html = backend, name, labels
        session.kind = kind
        return _ok(f"now using {name}") + loaded, labels, labels, session

    def kind_in_use(session: Session | None):
        """The source radio set back to the source in use (a failed switch leaves it)."""
        return session_of(session).kind or default_kind

    def show_patterns(session: Session | None):
        """The patterns panel of the session's data source, found the first time."""
        session = session_of(session)
        if session.patterns_html is not None:
            return session.patterns_html, session
        html = (default_patterns() if session.backend is None
                else _patterns_html(session.backend, source_of(session)))
        if "nl-failure" not in html:  # a failure is tried again when the panel next opens
            session.patterns_html = html
        return html, session

    def pick_pattern(evt: gr.EventData):
        return _picked(getattr(evt, "_data", None))

    def choose_model(model: str, session: Session | None):
        hub.load(model, retry=True)
        return status(model, session)

    def share(query: str, session: Session | None, request: gr.Request):
        session = session_of(session)
        base = session.base_url or _base_url(request)
        question = session.question
        return render.share_text(question, query or ""), render.share_link(base, question, query or "")

    def pick_history(index, session: Session | None):
        session = session_of(session)
        if not isinstance(index, int) or not 0 <= index < len(session.history):
            return gr.update(), gr.update(), gr.update()
        question, query = session.history[index]
        if not query:  # a question that got no valid query leaves the editor as it is
            return question, gr.update(), gr.update()
        return question, query, render.verdict_html(*runner.check(query))

    def clear(session: Session | None):
        session = session_of(session)
        session.chat = []
        return [], render.message_card(WELCOME), session

    def on_load(model: str, session: Session | None, request: gr.Request):
        session = session_of(session)
        session.base_url = _base_url(request)
        params = dict(request.query_params) if request is not None else {}
        question = params.get("q", "")[:runner.MAX_QUERY_CHARS]
        query = params.get("query", "")[:runner.MAX_QUERY_CHARS]
        # Only a shared link fills the page: anything else leaves what the person typed.
        card = check = gr.update()
        if query:
            kind, error = runner.check(query)
            check = render.verdict_html(kind, error)
            if kind is not None:
                card = render.query_card(pretty(query), kind, explain(query), "Shared query")
        if question:
            session.question = question
        labels = session.labels_html or default_labels
        return (*status(model, session), question or gr.update(), query or gr.update(), check,
                card, labels, labels, session)

    def show_source_fields(kind: str):
        return gr.update(visible=kind == "Log files"), gr.update(visible=kind == "Loki")

    # ---- layout --------------------------------------------------------------------------

    with gr.Blocks(title="nl2logql", analytics_enabled=False) as demo:
        session = gr.State(None)
        gr.HTML('<div><h2 style="margin:0">nl2logql</h2><div class="nl-hint">Ask your logs in '
                "plain English; get a LogQL query that Loki accepts, explained, and run it."
                "</div></div>")
        status_box = gr.HTML(status(default_model)[0], elem_id="status")
        timer = gr.Timer(1.0)
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=5):
                        chat = gr.Chatbot(elem_id="chat", height=440, show_label=False,
                                          latex_delimiters=[], sanitize_html=True,
                                          allow_tags=False, feedback_options=None,
                                          placeholder="Your questions and the answers appear here.")
                        question = gr.Textbox(elem_id="question", show_label=False, lines=1,
                                              max_lines=6, placeholder="e.g. how many failed SSH "
                                              "logins per source IP in the last hour?")
                        with gr.Row():
                            ask_btn = gr.Button("Ask", variant="primary", elem_id="ask-btn", scale=3)
                            clear_btn = gr.Button("Clear chat", elem_id="clear-btn", scale=1)
                        gr.Examples([[q] for q in EXAMPLES], inputs=[question],
                                    label="Example questions (click one, then Ask)")
                        history = gr.Dropdown(choices=[], value=None, label="History (this session)",
                                              elem_id="history", interactive=True)
                        with gr.Accordion("Share", open=False, elem_id="share"):
                            share_btn = gr.Button("Make a share link", elem_id="share-btn")
                            share_box = gr.Textbox(label="Question and query", lines=4,
                                                   interactive=False, buttons=["copy"],
                                                   elem_id="share-text")
                            share_url = gr.Textbox(label="Link (opens this page with them filled in)",
                                                   interactive=False, buttons=["copy"],
                                                   elem_id="share-link")
                        with gr.Accordion("What can I ask about?", open=False,
                                          elem_id="about") as about:
                            labels_box = gr.HTML(default_labels, elem_id="labels")
                            patterns_box = gr.HTML(render.patterns_message(PATTERNS_PENDING),
                                                   elem_id="patterns", js_on_load=PICK_JS)
                    with gr.Column(scale=6):
                        card = gr.HTML(render.message_card(WELCOME), elem_id="answer-card",
                                       js_on_load=COPY_JS)
                        editor = gr.Textbox(label="LogQL (edit it and Run again)", lines=3,
                                            max_lines=16, buttons=["copy"], elem_id="query-editor",
                                            placeholder="An answer's LogQL appears here — or type your "
                                            'own, e.g. {application="…"} |= "error", then Run.')
                        edit_check = gr.HTML(elem_id="query-check")
                        run_btn = gr.Button("Run", variant="primary", elem_id="run-btn")
                        run_summary = gr.HTML(elem_id="run-summary")
                        chart = gr.LinePlot(x="time", y="value", color="series", visible=False,
                                            elem_id="result-chart", label="Over the data's time span",
                                            x_title="time (UTC)", y_title="value", height=380)
                        table = gr.Dataframe(visible=False, interactive=False, wrap=True,
                                             max_height=420, elem_id="result-table", label="Result")
                        trace = gr.Dataframe(visible=False, interactive=False, elem_id="trace-table",
                                             label="Lines left after each stage")
            with gr.Tab("Validate", id="validate"):
                v_input = gr.Textbox(label="LogQL", lines=6, max_lines=30, elem_id="validate-input",
                                     placeholder="Paste any LogQL query: errors show where and why.")
                v_btn = gr.Button("Validate", variant="primary", elem_id="validate-btn")
                v_verdict = gr.HTML(elem_id="validate-result")
                v_formatted = gr.Textbox(label="Formatted", lines=4, max_lines=30, interactive=False,
                                         buttons=["copy"], elem_id="validate-formatted")
                v_explain = gr.HTML(elem_id="validate-explain")
            with gr.Tab("Settings", id="settings"):
                gr.Markdown("### Data source")
                kind = gr.Radio(list(SOURCES), value=default_kind,
                                label="Where queries run", elem_id="source-kind")
                with gr.Group(visible=False) as files_group:
                    files = gr.File(file_count="multiple", elem_id="log-files",
                                    label="Log files: plain text, .jsonl (logcli), Loki push .json "
                                          "(each may be .gz or .bz2)")
                    labels_in = gr.Textbox(label="Labels for these files", placeholder="app=api, env=prod",
                                           elem_id="file-labels")
                    time_fmt = gr.Textbox(label="Time format (optional: detected)",
                                          placeholder="rfc3339, syslog, unix, unix_ms, or %Y-%m-%d %H:%M:%S")
                with gr.Group(visible=default_is_loki) as loki_group:
                    loki_url = gr.Textbox(label="Loki URL", elem_id="loki-url",
                                          value=default_backend.url if default_is_loki else "",
                                          placeholder="http://localhost:3100")
                    tenant = gr.Textbox(label="Tenant (X-Scope-OrgID, optional)", elem_id="loki-tenant")
                    with gr.Row():
                        username = gr.Textbox(label="Username (optional)", elem_id="loki-user")
                        password = gr.Textbox(label="Password", type="password", elem_id="loki-password")
                    token = gr.Textbox(label="Bearer token (instead of a password)", type="password")
                    test_btn = gr.Button("Test connection", elem_id="test-connection")
                use_btn = gr.Button("Use this data source", variant="primary", elem_id="use-source")
                source_status = gr.HTML(elem_id="source-status")
                source_labels = gr.HTML(default_labels, elem_id="source-labels")
                gr.Markdown("### Model")
                model = gr.Dropdown(hub.choices, value=hub.default, label="Model / adapter",
                                    elem_id="model", interactive=len(hub.choices) > 1)
                with gr.Row():
                    k = gr.Slider(0, MAX_K, value=4, step=1, label="k similar examples in the prompt",
                                  elem_id="k")
                    n = gr.Slider(1, MAX_N, value=1, step=1, label="n candidates (best one wins)",
                                  elem_id="n")

        # ---- events ----------------------------------------------------------------------

        quick = dict(concurrency_limit=None, show_progress="hidden", trigger_mode="always_last")
        gr.on([ask_btn.click, question.submit], ask, inputs=[question, model, k, n, session],
              outputs=[chat, question, card, editor, edit_check, history, run_summary, table,
                       chart, trace, session],
              api_name="ask", concurrency_id="model", concurrency_limit=1)
        run_btn.click(run, inputs=[editor, session],
                      outputs=[run_summary, table, chart, trace, edit_check],
                      api_name="run", concurrency_limit=8)
        # ``change`` (not ``input``): any new value is checked, typed, pasted or filled in by
        # an answer, the history, a pattern or a shared link, so the badge never goes stale.
        editor.change(check_query, inputs=[editor], outputs=[edit_check], api_name="check_query", **quick)
        gr.on([v_btn.click, v_input.input], validate, inputs=[v_input],
              outputs=[v_verdict, v_formatted, v_explain], api_name="validate", **quick)
        test_btn.click(test_connection, inputs=[loki_url, tenant, username, password, token],
                       outputs=[source_status], api_name="test_connection", concurrency_limit=8)
        use_btn.click(use_source, inputs=[kind, files, labels_in, time_fmt, loki_url, tenant,
                                          username, password, token, session],
                      outputs=[source_status, labels_box, source_labels, session], api_name="use_source",
                      concurrency_limit=8).then(
            kind_in_use, inputs=[session], outputs=[kind], api_visibility="private",
            show_progress="hidden").then(
            status, inputs=[model, session], outputs=[status_box, timer], api_visibility="private").then(
            show_patterns, inputs=[session], outputs=[patterns_box, session], api_visibility="private",
            show_progress="hidden", concurrency_limit=4)
        about.expand(show_patterns, inputs=[session], outputs=[patterns_box, session],
                     api_name="patterns", show_progress="minimal", concurrency_limit=4)
        patterns_box.pick(pick_pattern, outputs=[question, editor, edit_check],
                          api_visibility="private", show_progress="hidden", concurrency_limit=None)
        kind.change(show_source_fields, inputs=[kind], outputs=[files_group, loki_group],
                    api_visibility="private", show_progress="hidden")
        model.change(choose_model, inputs=[model, session], outputs=[status_box, timer],
                     api_visibility="private", show_progress="hidden")
        timer.tick(status, inputs=[model, session], outputs=[status_box, timer],
                   api_visibility="private", show_progress="hidden", concurrency_limit=None)
        share_btn.click(share, inputs=[editor, session], outputs=[share_box, share_url],
                        api_name="share", concurrency_limit=None)
        history.input(pick_history, inputs=[history, session], outputs=[question, editor, edit_check],
                      api_visibility="private", show_progress="hidden")
        clear_btn.click(clear, inputs=[session], outputs=[chat, card, session], api_name="clear")
        demo.load(on_load, inputs=[model, session],
                  outputs=[status_box, timer, question, editor, edit_check, card, labels_box,
                           source_labels, session],
                  api_visibility="private", show_progress="hidden")

    demo.hub = hub
    return demo


def launch(demo: gr.Blocks, **options):
    """``demo.launch`` with the page's style; ``options`` as ``gr.Blocks.launch``."""
    options.setdefault("css", CSS)
    options.setdefault("theme", gr.themes.Default(primary_hue="orange"))
    options.setdefault("max_file_size", "200mb")
    options.setdefault("footer_links", ["api"])
    return demo.launch(**options)


# ---- helpers -------------------------------------------------------------------------------


def _once(make: Callable[[], Backend]) -> Callable[[], Backend]:
    made: list[Backend] = []

    def get() -> Backend:
        if not made:
            made.append(make())
        return made[0]

    return get


class _Lazy:
    """A value made on first use (by one caller; the others wait), kept once made
    without an error message (a failure is tried again next time)."""

    def __init__(self, make: Callable[[], str]) -> None:
        self._make, self._value, self._lock = make, None, threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            if self._value is not None:
                return self._value
            value = self._make()
            if "nl-failure" not in value:
                self._value = value
            return value


def _patterns_html(backend: Backend, name: str) -> str:
    """The patterns panel of ``backend``, or one line saying why there is none."""
    try:
        return render.patterns_html(runner.find_patterns(backend), name)
    except Nl2LogQLError as error:
        reason = _one_line(error)
    except Exception as error:  # noqa: BLE001 - a bug must not leave the panel without a word
        log.exception("finding the log patterns failed")
        reason = f"{type(error).__name__}: {_one_line(error)}"
    return render.patterns_message(f"{name}: cannot list the log patterns: {reason}", "error")


def _picked(data) -> tuple:
    """What a click in the patterns panel puts on the page: ``(question, editor, check)``;
    ``data`` is the click's ``{"question": ...}`` or ``{"query": ...}``."""
    data = data if isinstance(data, dict) else {}
    query, question = data.get("query"), data.get("question")
    if isinstance(query, str) and query.strip():
        query = query[:runner.MAX_QUERY_CHARS]
        kind, error = runner.check(query)
        return gr.update(), query, render.verdict_html(kind, error)
    if isinstance(question, str) and question.strip():
        return question[:2000], gr.update(), gr.update()
    return gr.update(), gr.update(), gr.update()


def _labels_html(backend: Backend, name: str) -> str:
    try:
        return render.labels_html(runner.discover_labels(backend), name)
    except Nl2LogQLError as error:
        return f'<div class="nl-labels nl-failure">{render.esc(name)}: cannot list labels: {render.esc(_one_line(error))}</div>'


def _result_outputs(result: runner.RunResult) -> tuple:
    """The run summary, table, chart and trace for a :class:`runner.RunResult`."""
    if result.error is not None:
        summary = render.error_html(result.error)
    elif result.failure:
        summary = f'<div class="nl-failure">Could not run: {render.esc(result.failure)}</div>'
    else:
        summary = (f'<div class="nl-summary"><b>{render.esc(result.summary)}</b> · '
                   f"{render.esc(result.kind)} query</div>")
    summary += "".join(f'<div class="nl-note">{render.esc(note)}</div>' for note in result.notes)
    if result.rows or (result.kind and not result.trace and not result.failure):
        widths = LOG_COLUMN_WIDTHS if result.headers == ["time", "labels", "line"] else []
        table = gr.update(value=pd.DataFrame(result.rows, columns=result.headers), visible=True,
                          column_widths=widths)
    else:
        table = gr.update(value=None, visible=False)
    if result.chart:
        frame = pd.DataFrame(result.chart, columns=["time", "value", "series"])
        frame["time"] = pd.to_datetime(frame["time"], unit="s")
        colors = render.series_colors(list(dict.fromkeys(frame["series"])))
        # Our own legend (it wraps; the plot's own legend is one row, cut off when wide).
        summary += render.legend_html(colors)
        chart = gr.update(value=frame, visible=True, color_map=colors, colors_in_legend=[])
    else:
        chart = gr.update(value=None, visible=False)
    if result.trace:
        trace = gr.update(value=pd.DataFrame(result.trace, columns=["stage", "lines left"]), visible=True)
    else:
        trace = gr.update(value=None, visible=False)
    return summary, table, chart, trace


def _cut_note(question: str, generation) -> str | None:
    """What the card says when the pipeline cut the question to a prompt's limit."""
    if not generation.question.endswith(TRUNCATION_NOTE):
        return None
    return (f"Your question is {len(question):,} characters long; only its first "
            f"{MAX_QUESTION_CHARS:,} were used.")


def _cleared() -> tuple:
    hidden = gr.update(value=None, visible=False)
    return "", hidden, hidden, hidden


def _user(text: str) -> dict:
    return {"role": "user", "content": render.md_escape(text)}


def _bot(markdown: str) -> dict:
    return {"role": "assistant", "content": markdown}


MAX_LOAD_NOTES = 8  # lines of load notes under the status; more files are counted


def _load_notes_html(notes: list[str], paths: list[str]) -> str:
    """What loading found, one line a file, each upload named by its file name (not the
    server's temporary folder); escaped."""
    shown = []
    for note in notes[:MAX_LOAD_NOTES]:
        for path in paths:
            note = note.replace(path, os.path.basename(path))
        shown.append(f'<div class="nl-note">{render.esc(note)}</div>')
    if len(notes) > MAX_LOAD_NOTES:
        shown.append(f'<div class="nl-note">… and {len(notes) - MAX_LOAD_NOTES} more files</div>')
    return "".join(shown)


def _ok(text: str) -> str:
    return f'<div class="nl-summary">✓ {render.esc(text)}</div>'


def _failure(text: str) -> str:
    return f'<div class="nl-failure">✗ {render.esc(text)}</div>'


def _bounded(value, low: int, high: int, default: int) -> int:
    try:
        return max(low, min(high, int(value)))
    except (TypeError, ValueError):
        return default


def _path(item) -> str:
    return item if isinstance(item, str) else getattr(item, "name", None) or item.get("path")


def _base_url(request: gr.Request | None) -> str:
    """The page's address without its query string, from the request that loaded it."""
    if request is None:
        return ""
    headers = request.headers or {}
    referer = headers.get("referer")
    if referer:
        return referer.split("?", 1)[0].split("#", 1)[0]
    host = headers.get("host")
    return f"http://{host}/" if host else ""


def _one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.split("\n", 1)[0] if text else type(error).__name__
