/*
 * The chat page's behaviour.
 *
 * One turn: POST `responses` with the whole conversation and `stream: true`, read the
 * server-sent events as they arrive, and show them: model text token by token (as
 * safe Markdown, see markdown.js), each tool call as a row that goes from "running"
 * to its outcome, and the agent's notices in boxes of their own. The conversation
 * lives in this page's memory only; "New chat" forgets it.
 *
 * Everything the server sends is untrusted text: it reaches the page through
 * textContent or ChatMarkdown.render, never as HTML. The page's Content-Security-Policy
 * allows no inline script or style, so looks change through CSS classes only.
 */
(function () {
  "use strict";

  const md = window.ChatMarkdown;

  // What each kind of agent notice is called in its box's label.
  const NOTICE_TITLES = {
    refusal: "No data, so no answer",
    missing_sources: "Some sources returned no data",
    unverified_figures: "Unverified figures",
    cut_off: "Reply cut off",
    error: "Model endpoint failed",
    stand_in: "No answer from the model",
  };
  const NOTICE_LABEL = "Agent notice — not model text";
  const SOURCE_STATES = { unused: "not used yet", ok: "ok", failed: "failed" };

  const page = {
    title: byId("title"),
    user: byId("user"),
    description: byId("description"),
    demoBanner: byId("demo-banner"),
    demoControls: byId("demo-controls"),
    sourcesBox: byId("sources-box"),
    sources: byId("sources"),
    conversation: byId("conversation"),
    hint: byId("empty-hint"),
    status: byId("status"),
    form: byId("composer"),
    question: byId("question"),
    send: byId("send"),
    stop: byId("stop"),
    newChat: byId("new-chat"),
  };

  let config = { comment_max_chars: 2000, sources: [] };
  let history = []; // what the server gets with each turn: user messages and output items
  // One id per chat: MLflow groups the chat's traces under it (the trace's session).
  let conversationId = newConversationId();
  let running = null; // the turn being streamed: { controller }
  let stickToBottom = true; // follow new text unless the user scrolled up to read
  const sourceRows = new Map(); // source name -> its <li> in the header
  let idCounter = 0;

  /* ---------- small helpers ---------- */

  function byId(id) {
    return document.getElementById(id);
  }

  function make(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = md.clean(text);
    return node;
  }

  /* Untrusted text as one short line, for error messages. */
  function oneLine(value) {
    const text = String(value == null ? "" : value).replace(/\s+/g, " ").trim();
    return text.length > 300 ? text.slice(0, 299) + "…" : text;
  }

  function announce(text) {
    page.status.textContent = text;
  }

  function scrollIfFollowing() {
    if (stickToBottom) window.scrollTo(0, document.documentElement.scrollHeight);
  }

  function append(node) {
    page.hint.hidden = true;
    page.conversation.appendChild(node);
    scrollIfFollowing();
    return node;
  }

  /* A one-line error in the conversation (or inside `parent`). */
  function showError(text, parent) {
    const line = make("p", "line-error", text);
    if (parent) parent.appendChild(line);
    else append(line);
    announce(text);
    return line;
  }

  /* POST JSON; resolves to the parsed reply, or rejects with the server's one-line detail. */
  async function postJson(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(await httpError(response));
    return response.json();
  }

  async function httpError(response) {
    let detail = "";
    try {
      const body = await response.json();
      detail = body.detail || body.error || body.message || "";
      if (Array.isArray(detail)) detail = detail.map((d) => d.msg || JSON.stringify(d)).join("; ");
      else if (typeof detail !== "string") detail = JSON.stringify(detail);
    } catch (e) {
      // not JSON: the status line says enough
    }
    return oneLine(detail) || `HTTP ${response.status} ${response.statusText}`.trim();
  }

  /* ---------- header: title, user, data sources, demo controls ---------- */

  async function loadConfig() {
    try {
      const response = await fetch("chat/config");
      if (!response.ok) throw new Error(await httpError(response));
      applyConfig(await response.json());
    } catch (err) {
      showError(`Could not load the chat settings: ${oneLine(err.message)}`);
    }
  }

  function applyConfig(value) {
    config = Object.assign(config, value || {});
    if (config.title) {
      page.title.textContent = md.clean(config.title);
      document.title = md.clean(config.title);
    }
    page.description.textContent = md.clean(config.description || "");
    page.description.hidden = !config.description;
    page.user.textContent = config.user ? `Signed in as ${md.clean(config.user)}` : "";
    page.user.hidden = !config.user;
    page.demoBanner.hidden = !config.demo;

    page.sources.replaceChildren();
    sourceRows.clear();
    for (const source of config.sources || []) {
      const row = make("li", "source");
      if (source.description) row.title = source.description;
      row.append(make("span", "source-name", source.name), " ");
      row.appendChild(make("span", "source-status"));
      page.sources.appendChild(row);
      sourceRows.set(source.name, row);
      setSourceState(source.name, "unused");
    }
    page.sourcesBox.hidden = sourceRows.size === 0;

    const controls = (config.demo && config.demo_controls) || {};
    const spaces = controls.spaces || [];
    const failing = controls.failing || []; // spaces set to fail before this page loaded, if the server says
    for (const name of spaces) page.demoControls.appendChild(demoToggle(name, failing.includes(name)));
    page.demoControls.hidden = spaces.length === 0;
  }

  /* One "make this space fail" checkbox of demo mode. */
  function demoToggle(name, checked) {
    const label = make("label", "demo-toggle");
    const box = make("input");
    box.type = "checkbox";
    box.checked = checked;
    box.addEventListener("change", async () => {
      box.disabled = true;
      try {
        await postJson("demo/space", { name: name, fail: box.checked });
        announce(box.checked ? `${name} will now fail` : `${name} answers again`);
      } catch (err) {
        box.checked = !box.checked;
        showError(`Could not change the demo space ${name}: ${oneLine(err.message)}`);
      } finally {
        box.disabled = false;
      }
    });
    label.append(box, ` make ${name} fail`);
    return label;
  }

  /* A source's latest status in this chat: unused, ok or failed (with its cause). */
  function setSourceState(name, state, cause) {
    const row = sourceRows.get(name);
    if (!row) return; // a tool that is not a listed data source
    row.classList.remove("ok", "failed");
    if (state !== "unused") row.classList.add(state);
    row.querySelector(".source-status").textContent = SOURCE_STATES[state];
    row.title = cause ? `${name}: ${oneLine(cause)}` : "";
  }

  /* ---------- one answer: tool rows, text and notices, feedback ---------- */

  class AnswerView {
    constructor() {
      this.root = make("article", "answer streaming");
      this.root.setAttribute("aria-label", "Agent's answer");
      this.tools = make("ul", "tools");
      this.tools.hidden = true;
      this.body = make("div", "answer-body");
      this.root.append(this.tools, this.body);
      this.segments = []; // runs of model text or of one notice: { itemId, kind, text, node }
      this.calls = new Map(); // call_id -> tool row
      this.seenItems = new Set(); // message ids that streamed text
      this.dirty = new Set();
      this.frame = 0;
      append(this.root);
    }

    /* A text delta: model text, or an agent notice when `notice` names its kind. */
    addText(itemId, delta, notice) {
      const kind = notice || "model";
      this.seenItems.add(itemId);
      let segment = this.segments[this.segments.length - 1];
      if (!segment || segment.itemId !== itemId || segment.kind !== kind) {
        segment = { itemId: itemId, kind: kind, text: "", node: this.segmentNode(kind) };
        this.segments.push(segment);
      }
      segment.text += delta;
      this.dirty.add(segment);
      // Re-render at most once per frame, however fast the tokens come.
      if (!this.frame) this.frame = requestAnimationFrame(() => this.render());
    }

    segmentNode(kind) {
      if (kind === "model") return this.body.appendChild(make("div", "message"));
      const known = Object.prototype.hasOwnProperty.call(NOTICE_TITLES, kind);
      const box = make("div", `notice notice-${known ? kind : "other"}`);
      box.setAttribute("role", "note");
      const title = known ? NOTICE_TITLES[kind] : oneLine(kind);
      box.appendChild(make("span", "notice-label", `${NOTICE_LABEL} · ${title}`));
      box.appendChild(make("div", "notice-text"));
      this.body.appendChild(box);
      return box.lastChild;
    }

    render() {
      this.frame = 0;
      for (const segment of this.dirty) {
        // Model text is Markdown; a notice is the agent's own words and stays plain text, so a
        // link or emphasis in an upstream error message cannot dress itself up as the agent's.
        const content = segment.kind === "model" ? md.render(segment.text) : md.clean(segment.text.trim());
        segment.node.replaceChildren(content);
      }
      this.dirty.clear();
      scrollIfFollowing();
    }

    /* A complete message item: its text was streamed, unless the server sent none. */
    messageDone(item) {
      if (this.seenItems.has(item.id)) return;
      const text = (item.content || []).map((part) => part.text || "").join("");
      if (text) this.addText(item.id, text, null);
    }

    toolStarted(item) {
      const row = make("li", "tool running");
      const line = make("div", "tool-line");
      line.append(make("span", "tool-name", item.name || "tool"), make("span", "tool-state", "running…"));
      row.appendChild(line);
      this.tools.appendChild(row);
      this.tools.hidden = false;
      this.calls.set(item.call_id, row);
      scrollIfFollowing();
    }

    /* A finished call: its outcome, and its SQL and rows on demand. */
    toolFinished(item, summary) {
      let row = this.calls.get(item.call_id);
      if (!row) {
        this.toolStarted({ call_id: item.call_id, name: (summary && summary.tool) || "tool" });
        row = this.calls.get(item.call_id);
      }
      let output = item.output;
      if (typeof output === "string") {
        try {
          output = JSON.parse(output);
        } catch (e) {
          output = { text: output };
        }
      }
      output = output && typeof output === "object" ? output : {};
      summary = summary || { status: output.status, error: output.error, row_count: output.row_count };
      if (summary.source) row.querySelector(".tool-name").textContent = md.clean(summary.source);

      const status = summary.status || "ok";
      const failed = status === "error";
      row.classList.remove("running");
      row.classList.add(failed ? "failed" : "ok");
      row.querySelector(".tool-state").textContent = md.clean(
        outcome(status, summary.row_count, summary.error || output.error),
      );
      if (summary.tool) setSourceState(summary.tool, failed ? "failed" : "ok", summary.error);
      const details = toolDetails(output);
      if (details) row.appendChild(details);
      scrollIfFollowing();
    }

    info(text) {
      this.body.appendChild(make("p", "line-info", text));
    }

    error(text) {
      showError(text, this.body);
    }

    /* The turn is over: final render, and feedback if the server gave a trace id. */
    finish(traceId) {
      if (this.frame) cancelAnimationFrame(this.frame);
      this.render();
      this.root.classList.remove("streaming");
      if (!this.body.hasChildNodes() && this.tools.hidden) this.info("No answer came back.");
      if (traceId) {
        this.root.dataset.traceId = traceId; // to find this turn in MLflow (the browser's inspector shows it)
        this.root.appendChild(feedbackView(traceId));
      }
      scrollIfFollowing();
    }
  }

  function outcome(status, rowCount, error) {
    if (status === "error") return `failed: ${oneLine(error) || "no cause given"}`;
    if (status === "empty") return "ok · no rows";
    if (status === "text") return "ok · answered in words";
    if (typeof rowCount === "number") return rowCount === 1 ? "ok · 1 row" : `ok · ${rowCount} rows`;
    return "ok";
  }

  /* <details> with the call's SQL, table, words and notes: closed until asked for. */
  function toolDetails(output) {
    const parts = [];
    const details = make("details");
    const summary = make("summary");
    details.appendChild(summary);
    if (output.sql) {
      parts.push("SQL");
      const pre = make("pre");
      pre.appendChild(make("code", "language-sql", String(output.sql)));
      details.appendChild(pre);
    }
    if (output.table) {
      parts.push("rows");
      details.appendChild(md.render(String(output.table)));
    }
    if (output.text) {
      parts.push("reply");
      const reply = make("div", "tool-text");
      reply.appendChild(md.render(String(output.text)));
      details.appendChild(reply);
    }
    const notes = [].concat(output.notes || []);
    if (output.truncated) notes.unshift("Only the first rows are shown.");
    for (const note of notes) {
      details.appendChild(make("p", "tool-notes", typeof note === "string" ? note : JSON.stringify(note)));
    }
    if (!parts.length) return null;
    summary.textContent = `Show ${parts.join(" and ")}`;
    return details;
  }

  function thumb(symbol, text) {
    const button = make("button", "thumb");
    button.append(make("span", "thumb-symbol", symbol), ` ${text}`);
    button.firstChild.setAttribute("aria-hidden", "true");
    return button;
  }

  /* Thumbs up/down and an optional comment, sent to `feedback` with the turn's trace id. */
  function feedbackView(traceId) {
    const box = make("div", "feedback");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Feedback on this answer");
    const up = thumb("▲", "Helpful");
    const down = thumb("▼", "Not helpful");
    const comment = make("div", "feedback-comment");
    const inputId = `feedback-comment-${++idCounter}`;
    const label = make("label", "visually-hidden", "Comment on this answer (optional)");
    label.htmlFor = inputId;
    const input = make("textarea");
    input.id = inputId;
    input.rows = 2;
    const limit = Number(config.comment_max_chars);
    input.maxLength = Number.isInteger(limit) && limit > 0 ? limit : 2000;
    input.placeholder = "What was right or wrong? (optional)";
    const send = make("button", "", "Send feedback");
    send.type = "button";
    comment.append(label, input, send);
    comment.hidden = true;
    const result = make("p", "feedback-result");
    result.setAttribute("role", "status");
    let rating = null;

    for (const [button, value] of [[up, "up"], [down, "down"]]) {
      button.type = "button";
      button.setAttribute("aria-pressed", "false");
      button.addEventListener("click", () => {
        rating = value;
        up.setAttribute("aria-pressed", String(value === "up"));
        down.setAttribute("aria-pressed", String(value === "down"));
        comment.hidden = false;
        scrollIfFollowing();
      });
    }
    send.addEventListener("click", async () => {
      if (!rating) return;
      for (const control of [up, down, input, send]) control.disabled = true;
      result.className = "feedback-result";
      result.textContent = "Sending…";
      try {
        const body = { trace_id: traceId, rating: rating };
        if (input.value.trim()) body.comment = input.value.trim();
        await postJson("feedback", body);
        result.classList.add("ok");
        result.textContent = "Thanks — recorded";
      } catch (err) {
        for (const control of [up, down, input, send]) control.disabled = false;
        result.classList.add("error");
        result.textContent = `Feedback not recorded: ${oneLine(err.message)}`;
      }
    });
    box.append(make("span", "feedback-question", "Was this answer helpful?"), up, down, comment, result);
    return box;
  }

  /* ---------- one turn: request, stream, history ---------- */

  /* Read a server-sent-events body; calls onEvent with each parsed `data:` JSON.
   * Resolves true at `data: [DONE]`, false if the stream ended without it. */
  async function readEvents(body, onEvent) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      buffer += decoder.decode(value || new Uint8Array(), { stream: !done });
      buffer = buffer.replace(/\r\n/g, "\n");
      if (done) buffer += "\n\n"; // the last event, even without its blank line
      let end;
      while ((end = buffer.indexOf("\n\n")) !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split("\n")
          .filter((line) => line.startsWith("data:"))
          .map((line) => line.slice(5).replace(/^ /, ""))
          .join("\n");
        if (!data) continue;
        if (data === "[DONE]") return true;
        let event;
        try {
          event = JSON.parse(data);
        } catch (e) {
          continue; // not JSON: not an event this page knows
        }
        onEvent(event);
      }
      if (done) return false;
    }
  }

  /* Items that can go back to the server: a function_call only with its output. */
  function completeItems(items) {
    const answered = new Set(items.filter((i) => i.type === "function_call_output").map((i) => i.call_id));
    return items.filter((i) => i.type !== "function_call" || answered.has(i.call_id));
  }

  async function ask(question) {
    const userItem = { role: "user", content: question };
    const bubble = make("div", "user-message");
    bubble.appendChild(make("span", "visually-hidden", "You: "));
    bubble.appendChild(document.createTextNode(question));
    stickToBottom = true;
    append(bubble);

    const view = new AnswerView();
    const items = []; // this turn's output items, in order, unchanged
    const controller = new AbortController();
    let traceId = null;
    running = { controller: controller };
    setBusy(true);
    announce("Answering…");
    try {
      const response = await fetch("responses", {
        method: "POST",
        headers: { "Content-Type": "application/json", "x-mlflow-return-trace-id": "true" },
        body: JSON.stringify({
          input: history.concat([userItem]),
          context: { conversation_id: conversationId },
          stream: true,
        }),
        signal: controller.signal,
      });
      if (!response.ok) throw new Error(await httpError(response));
      const finished = await readEvents(response.body, (event) => {
        if (event.error) {
          view.error(`The agent failed: ${oneLine(event.error.message || event.error)}`);
        } else if (event.trace_id) {
          traceId = event.trace_id;
        } else if (event.type === "response.output_text.delta") {
          const notice = event.custom_outputs && event.custom_outputs.notice;
          view.addText(event.item_id || "", event.delta || "", notice);
        } else if (event.type === "response.output_item.done" && event.item) {
          items.push(event.item);
          const item = event.item;
          if (item.type === "function_call") view.toolStarted(item);
          else if (item.type === "function_call_output")
            view.toolFinished(item, event.custom_outputs && event.custom_outputs.tool_result);
          else if (item.type === "message") view.messageDone(item);
        }
      });
      if (!finished) view.error("The answer broke off: the connection closed before the end.");
      announce("Answer ready");
    } catch (err) {
      if (err.name === "AbortError") {
        view.info("Stopped.");
        announce("Stopped");
      } else {
        view.error(`Could not get an answer: ${oneLine(err.message)}`);
      }
    } finally {
      // A turn that produced nothing is not kept: asking again starts clean.
      if (running && running.controller === controller) {
        if (items.length) history = history.concat([userItem], completeItems(items));
        running = null;
        setBusy(false);
      }
      view.finish(traceId);
    }
  }

  function setBusy(busy) {
    const stopHadFocus = document.activeElement === page.stop;
    page.send.disabled = busy;
    page.stop.hidden = !busy;
    if (stopHadFocus && !busy) page.question.focus();
  }

  function newConversationId() {
    return crypto.randomUUID ? crypto.randomUUID() : `chat-${Date.now()}-${Math.random().toString(16).slice(2)}`;
  }

  function newChat() {
    if (running) {
      running.controller.abort();
      running = null;
      setBusy(false);
    }
    history = [];
    conversationId = newConversationId();
    page.conversation.replaceChildren(page.hint);
    page.hint.hidden = false;
    for (const name of sourceRows.keys()) setSourceState(name, "unused");
    announce("New chat");
    page.question.focus();
  }

  /* ---------- wiring ---------- */

  page.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const question = page.question.value;
    if (running || !question.trim()) return;
    page.question.value = "";
    ask(question);
  });
  page.question.addEventListener("keydown", (event) => {
    // Enter sends; Shift+Enter (or Enter while composing with an input method) is a new line.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      page.form.requestSubmit();
    }
  });
  page.stop.addEventListener("click", () => running && running.controller.abort());
  page.newChat.addEventListener("click", newChat);
  window.addEventListener("scroll", () => {
    const doc = document.documentElement;
    stickToBottom = doc.scrollHeight - window.scrollY - window.innerHeight < 48;
  });

  loadConfig();
  page.question.focus();
})();
