// The staff console's only script (no inline scripts: the pages run under a
// strict Content-Security-Policy). It drives the live preview of the answer
// editor: while staff type, the server checks the draft and returns the
// message the assistant would send; the widget's own rendering code
// (web/src/render.js) draws it, so the preview is exactly the widget's markup.

import { csrfToken, el } from "./dom.js";

const DEBOUNCE_MS = 300;


// Used only if the widget's module cannot be loaded: the same structure, plainer.
function fallbackRenderer(message) {
  const custom = message.custom || {};
  const node = el("div", "kw-msg kw-bot kw-answer");
  node.appendChild(el("p", "kw-text", custom.text || message.text || ""));
  const sources = Array.isArray(custom.sources) ? custom.sources : [];
  if (sources.length) {
    const box = el("div", "kw-sources");
    box.appendChild(el("p", "kw-sources-label", sources.length > 1 ? "Sources" : "Source"));
    const list = el("ul");
    for (const source of sources) {
      const item = el("li");
      const link = el("a", "", source.citation);
      if (/^https?:\/\//.test(source.url || "")) link.href = source.url;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      item.appendChild(link);
      list.appendChild(item);
    }
    box.appendChild(list);
    node.appendChild(box);
  }
  return node;
}

async function loadRenderer(url) {
  try {
    const module = await import(url);
    if (typeof module.botMessage === "function") {
      const ctx = { key: "preview", votes: {}, showReplies: false, onReply() {}, onVote() {} };
      return (message) => module.botMessage(message, ctx);
    }
  } catch (error) {
    console.warn("Widget renderer not available; using the plain preview", error);
  }
  return fallbackRenderer;
}

function fieldValues(form) {
  const value = (name) => (form.elements[name] ? form.elements[name].value : "");
  return {
    answer_id: form.dataset.answerId || value("answer_id"),
    topic: form.dataset.topic || value("topic"),
    new: form.dataset.new === "1",
    question: value("question"),
    text: value("text"),
    sources: value("sources"),
  };
}

function showResult(result, render) {
  const preview = document.getElementById("preview");
  const log = el("div", "kw-log");
  log.appendChild(render(result.message));
  preview.replaceChildren(log);

  const grade = document.getElementById("grade");
  if (result.grade == null) {
    grade.textContent = "Reading grade: write some text first.";
    grade.className = "grade";
  } else {
    const over = result.grade > 8;
    grade.textContent = `Reading grade ${result.grade.toFixed(1)} (the limit is 8)` +
      (over ? ": use shorter sentences and everyday words." : ".");
    grade.className = over ? "grade over" : "grade ok";
  }

  const list = document.getElementById("findings");
  list.replaceChildren();
  const findings = result.findings || [];
  if (!findings.length) {
    list.appendChild(el("li", "finding ok", "No problems found by the content check."));
  }
  for (const finding of findings) {
    const item = el("li", `finding ${finding.severity}`);
    item.append(el("strong", "", finding.severity === "error" ? "Error: " : "Warning: "),
      document.createTextNode(finding.message));
    list.appendChild(item);
  }
}

async function startPreview(form) {
  const render = await loadRenderer(form.dataset.widgetModule);
  let timer = null;
  let sent = 0;
  const update = async () => {
    const mine = ++sent;
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(fieldValues(form)),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const result = await response.json();
      if (mine === sent) showResult(result, render); // drop answers to older keystrokes
    } catch (error) {
      const list = document.getElementById("findings");
      list.replaceChildren(el("li", "finding error",
        "The preview could not be updated. Check that you are still signed in."));
    }
  };
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, DEBOUNCE_MS);
  });
  update();
}

// Approving publishes what is saved, not what is typed: say so before it happens.
function guardUnsaved(form) {
  const initial = JSON.stringify(fieldValues(form));
  for (const guarded of document.querySelectorAll(`form[data-requires-saved="${form.id}"]`)) {
    guarded.addEventListener("submit", (event) => {
      if (JSON.stringify(fieldValues(form)) === initial) return;
      event.preventDefault();
      let note = guarded.querySelector(".unsaved");
      if (!note) {
        note = el("p", "flash flash-error unsaved");
        note.setAttribute("role", "alert");
        guarded.appendChild(note);
      }
      note.textContent = "You have changes that are not saved. Save the draft first, then approve it.";
    });
  }
}

const form = document.getElementById("answer-form");
if (form && form.dataset.previewUrl) {
  guardUnsaved(form);
  startPreview(form);
}
