/*
 * A small, safe Markdown renderer for untrusted text (model replies, Genie cells,
 * server messages).
 *
 * Safety rule: it builds DOM nodes with createElement / textContent only. It never
 * parses text as HTML (no innerHTML, outerHTML, insertAdjacentHTML or document.write),
 * so `<img src=x onerror=...>` or `<script>` in the text is shown as those characters.
 * Links are made only for absolute http(s) URLs; anything else (javascript:, data:,
 * vbscript:, relative paths) stays plain text.
 *
 * Supported: paragraphs, line breaks, # headings, **bold**, *em*, `code`, fenced code
 * blocks, - / 1. lists, > quotes, GFM tables, [text](https://...) and bare https:// links.
 * Anything else is shown as written.
 *
 * Use: `ChatMarkdown.render(text)` returns a DocumentFragment to append.
 */
(function () {
  "use strict";

  var FENCE = /^ {0,3}(`{3,}|~{3,})\s*([\w+-]*)/;
  var HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
  var BULLET = /^\s*[-*+]\s+(.*)$/;
  var NUMBERED = /^\s*(\d{1,9})[.)]\s+(.*)$/;
  var QUOTE = /^ {0,3}>\s?(.*)$/;
  var TABLE_RULE = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
  var MAX_DEPTH = 8; // nesting of bold/em/links: deeper text is shown as written

  function el(tag, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  /* A link only for an absolute http(s) URL; null for anything else. */
  function safeUrl(raw) {
    if (!/^https?:\/\//i.test(raw)) return null;
    try {
      var url = new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(href, children) {
    var a = el("a");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    a.appendChild(children);
    return a;
  }

  /* ---- inline: code, bold, em, links, bare URLs, backslash escapes ---- */

  function renderInline(text, depth) {
    var out = document.createDocumentFragment();
    var plain = "";
    var i = 0;
    depth = depth || 0;

    function flush() {
      if (plain) out.appendChild(document.createTextNode(plain));
      plain = "";
    }
    function emit(node, next) {
      flush();
      out.appendChild(node);
      i = next;
    }

    while (i < text.length) {
      var ch = text[i];
      var rest = text.slice(i);
      var m;

      if (ch === "\\" && /[\\`*_[\]()#+\-.!|>~<]/.test(text[i + 1] || "")) {
        plain += text[i + 1];
        i += 2;
        continue;
      }
      if (ch === "`") {
        var ticks = /^`+/.exec(rest)[0];
        var close = text.indexOf(ticks, i + ticks.length);
        if (close > i) {
          var code = el("code");
          code.textContent = text.slice(i + ticks.length, close).replace(/^ (.+) $/, "$1");
          emit(code, close + ticks.length);
          continue;
        }
        plain += ticks;
        i += ticks.length;
        continue;
      }
      // **bold**, or __bold__ only at word edges (like _em_ below).
      if (
        depth < MAX_DEPTH &&
        ((m = /^\*\*(?=\S)([\s\S]*?\S)\*\*/.exec(rest)) ||
          (!/\w/.test(text[i - 1] || "") && (m = /^__(?=\S)([\s\S]*?\S)__(?!\w)/.exec(rest))))
      ) {
        var strong = el("strong");
        strong.appendChild(renderInline(m[1], depth + 1));
        emit(strong, i + m[0].length);
        continue;
      }
      // *em*, or _em_ only at word edges, so snake_case names stay as written.
      if (
        depth < MAX_DEPTH &&
        ((m = /^\*(?=[^\s*])([^*]*?[^\s*])\*/.exec(rest)) ||
          (!/\w/.test(text[i - 1] || "") && (m = /^_(?=[^\s_])([^_]*?[^\s_])_(?!\w)/.exec(rest))))
      ) {
        var em = el("em");
        em.appendChild(renderInline(m[1], depth + 1));
        emit(em, i + m[0].length);
        continue;
      }
      if (ch === "[" && (m = /^\[([^\]]*)\]\(\s*([^\s()]*)\s*\)/.exec(rest))) {
        var href = safeUrl(m[2]);
        if (href && depth < MAX_DEPTH) {
          emit(link(href, renderInline(m[1], depth + 1)), i + m[0].length);
        } else {
          plain += m[0]; // not a web link: shown exactly as written
          i += m[0].length;
        }
        continue;
      }
      if ((ch === "h" || ch === "H") && (m = /^https?:\/\/[^\s<>"'`]+/i.exec(rest))) {
        var url = m[0].replace(/[.,;:!?)\]]+$/, ""); // trailing punctuation ends the sentence, not the URL
        var bare = safeUrl(url);
        if (bare && !/\w/.test(text[i - 1] || "")) {
          emit(link(bare, document.createTextNode(url)), i + url.length);
          continue;
        }
      }
      plain += ch;
      i += 1;
    }
    flush();
    return out;
  }

  /* Inline text with each newline as a <br>. */
  function renderLines(lines) {
    var out = document.createDocumentFragment();
    lines.forEach(function (line, index) {
      if (index > 0) out.appendChild(el("br"));
      out.appendChild(renderInline(line.replace(/\s+$/, "")));
    });
    return out;
  }

  /* ---- tables (GFM) ---- */

  function splitRow(line) {
    var cells = [];
    var cell = "";
    var body = line.trim().replace(/^\|/, "");
    for (var i = 0; i < body.length; i++) {
      if (body[i] === "\\" && body[i + 1] === "|") {
        cell += "|";
        i++;
      } else if (body[i] === "|") {
        cells.push(cell.trim());
        cell = "";
      } else {
        cell += body[i];
      }
    }
    if (cell.trim() || !/\|\s*$/.test(line)) cells.push(cell.trim());
    return cells;
  }

  function renderTable(header, rule, rows) {
    var aligns = splitRow(rule).map(function (spec) {
      if (/^:-+:$/.test(spec)) return "align-center";
      if (/-:$/.test(spec)) return "align-right";
      return "";
    });
    var wrap = el("div", "table-wrap"); // wide tables scroll inside this box, not the page
    var table = el("table");
    var thead = el("thead");
    var headRow = el("tr");
    var width = header.length;
    header.forEach(function (text, index) {
      var th = el("th", aligns[index]);
      th.scope = "col";
      th.appendChild(renderInline(text));
      headRow.appendChild(th);
    });
    thead.appendChild(headRow);
    table.appendChild(thead);
    var tbody = el("tbody");
    rows.forEach(function (cells) {
      var tr = el("tr");
      for (var c = 0; c < width; c++) {
        var td = el("td", aligns[c]);
        td.appendChild(renderInline(cells[c] || ""));
        tr.appendChild(td);
      }
      tbody.appendChild(tr);
    });
    table.appendChild(tbody);
    wrap.appendChild(table);
    return wrap;
  }

  /* ---- blocks ---- */

  function startsBlock(lines, i) {
    var line = lines[i];
    return (
      FENCE.test(line) ||
      HEADING.test(line) ||
      BULLET.test(line) ||
      NUMBERED.test(line) ||
      QUOTE.test(line) ||
      (line.indexOf("|") !== -1 && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1]) &&
        lines[i + 1].indexOf("-") !== -1)
    );
  }

  function renderBlocks(lines, depth) {
    var out = document.createDocumentFragment();
    var i = 0;
    while (i < lines.length) {
      var line = lines[i];
      var m;
      if (!line.trim()) {
        i++;
        continue;
      }
      if ((m = FENCE.exec(line))) {
        var fence = m[1];
        var code = [];
        i++;
        while (i < lines.length && lines[i].trim().indexOf(fence) !== 0) code.push(lines[i++]);
        i++; // the closing fence (or the end of an unfinished, still streaming block)
        var pre = el("pre");
        var codeEl = el("code");
        if (m[2]) codeEl.className = "language-" + m[2];
        codeEl.textContent = code.join("\n");
        pre.appendChild(codeEl);
        out.appendChild(pre);
        continue;
      }
      if ((m = HEADING.exec(line))) {
        // The page title is the h1: a reply's "#" becomes h3, "##" h4, and so on.
        var h = el("h" + Math.min(m[1].length + 2, 6), "md-heading");
        h.appendChild(renderInline(m[2]));
        out.appendChild(h);
        i++;
        continue;
      }
      if (line.indexOf("|") !== -1 && i + 1 < lines.length && TABLE_RULE.test(lines[i + 1]) &&
          lines[i + 1].indexOf("-") !== -1) {
        var header = splitRow(line);
        var rule = lines[i + 1];
        var rows = [];
        i += 2;
        while (i < lines.length && lines[i].trim() && lines[i].indexOf("|") !== -1) {
          rows.push(splitRow(lines[i++]));
        }
        out.appendChild(renderTable(header, rule, rows));
        continue;
      }
      if (QUOTE.test(line) && depth < MAX_DEPTH) {
        var quoted = [];
        while (i < lines.length && (m = QUOTE.exec(lines[i]))) {
          quoted.push(m[1]);
          i++;
        }
        var blockquote = el("blockquote");
        blockquote.appendChild(renderBlocks(quoted, depth + 1));
        out.appendChild(blockquote);
        continue;
      }
      if (BULLET.test(line) || NUMBERED.test(line)) {
        var ordered = !BULLET.test(line);
        var pattern = ordered ? NUMBERED : BULLET;
        var list = el(ordered ? "ol" : "ul");
        if (ordered) {
          var start = parseInt(NUMBERED.exec(line)[1], 10);
          if (start !== 1) list.start = start;
        }
        var items = []; // each item: its lines
        while (i < lines.length) {
          var current = lines[i];
          if ((m = pattern.exec(current))) {
            items.push([ordered ? m[2] : m[1]]);
          } else if (current.trim() && /^\s+/.test(current) && items.length) {
            items[items.length - 1].push(current.trim()); // an indented line continues the item
          } else {
            break;
          }
          i++;
        }
        items.forEach(function (itemLines) {
          var li = el("li");
          li.appendChild(renderLines(itemLines));
          list.appendChild(li);
        });
        out.appendChild(list);
        continue;
      }
      // A paragraph: lines up to a blank line or the start of another block.
      var para = [line];
      i++;
      while (i < lines.length && lines[i].trim() && !startsBlock(lines, i)) para.push(lines[i++]);
      var p = el("p");
      p.appendChild(renderLines(para));
      out.appendChild(p);
    }
    return out;
  }

  // Bidirectional overrides and isolates (U+202A-202E, U+2066-2069) would let untrusted
  // text display reversed ("<script>" as ">tpircs<", digits in another order): dropped.
  var BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/g;

  function clean(text) {
    return String(text == null ? "" : text).replace(BIDI_CONTROLS, "");
  }

  function render(text) {
    var lines = clean(text).replace(/\r\n?/g, "\n").split("\n");
    return renderBlocks(lines, 0);
  }

  window.ChatMarkdown = { render: render, renderInline: renderInline, clean: clean };
})();
