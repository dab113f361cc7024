// Turns the server's messages into DOM nodes. Every piece of server or
// visitor text goes through textContent, never innerHTML, so markup such as
// <img src=x onerror=...> is shown as the literal characters it is.
import { link } from "./links.js";

const SVG = "http://www.w3.org/2000/svg";
const THUMB =
  "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 " +
  "7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23" +
  ".14-.47.14-.73v-2z";
// Shown when a crisis message comes without its own links, so help is always one tap away.
const CRISIS_LINKS = [
  { label: "Call 988", href: "tel:988" },
  { label: "Text 988", href: "sms:988" },
  { label: "Call 911", href: "tel:911" },
];
const SOURCES_SHOWN = 2;
const GENERAL_INFO = "\n\nGeneral information, not advice for you:";

export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text != null) node.textContent = String(text);
  return node;
}

export function icon(path, className) {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  if (className) svg.setAttribute("class", className);
  const shape = document.createElementNS(SVG, "path");
  shape.setAttribute("d", path);
  shape.setAttribute("fill", "currentColor");
  svg.appendChild(shape);
  return svg;
}

// Screen readers hear who said what; sighted visitors see it from the layout.
function speaker(name) {
  return el("span", "kw-sr", `${name}: `);
}

export function visitorMessage(text) {
  const node = el("div", "kw-msg kw-visitor");
  node.append(speaker("You"), el("span", "kw-text", text));
  return node;
}

// ctx: { key, votes, showReplies, onReply(title, payload), onVote(answerId, helpful, key, ui) }
export function botMessage(message, ctx) {
  const custom = message.custom && typeof message.custom === "object" ? message.custom : {};
  const text = typeof message.text === "string" ? message.text : "";
  let node;
  if (custom.kind === "answer") {
    node = el("div", "kw-msg kw-bot kw-answer");
    node.append(speaker("Assistant"), ...answerParts(custom, text, ctx));
  } else if (custom.kind === "crisis") {
    node = crisisPanel(text, custom);
  } else if (custom.kind === "live_staff") {
    node = staffMessage(text, custom);
  } else if (custom.kind === "handoff" && custom.general_answer) {
    node = el("div", "kw-msg kw-bot kw-handoff");
    const cut = text.indexOf(GENERAL_INFO);
    node.append(speaker("Assistant"), el("p", "kw-text", cut >= 0 ? text.slice(0, cut) : text));
    if (cut >= 0) {
      const general = el("div", "kw-general");
      general.append(el("p", "kw-general-label", GENERAL_INFO.trim()),
        ...answerParts(custom.general_answer, "", ctx));
      node.appendChild(general);
    }
  } else {
    const kind = custom.kind === "disclaimer" ? " kw-disclaimer" : custom.kind === "live" ? " kw-live" : "";
    node = el("div", "kw-msg kw-bot" + kind);
    node.append(speaker("Assistant"), el("p", "kw-text", text));
  }
  const wrapper = el("div", "kw-turn");
  wrapper.appendChild(node);
  if (ctx.showReplies && Array.isArray(message.buttons) && message.buttons.length) {
    wrapper.appendChild(replyButtons(message.buttons, "kw-quick", "Suggested replies", ctx));
  }
  return wrapper;
}

function answerParts(answer, fallbackText, ctx) {
  const parts = [el("p", "kw-text", typeof answer.text === "string" ? answer.text : fallbackText)];
  const sources = (Array.isArray(answer.sources) ? answer.sources : []).filter((s) => s && s.citation);
  if (sources.length) {
    const box = el("div", "kw-sources");
    box.appendChild(el("p", "kw-sources-label", sources.length > 1 ? "Sources" : "Source"));
    box.appendChild(sourceList(sources.slice(0, SOURCES_SHOWN)));
    if (sources.length > SOURCES_SHOWN) {
      // Some answers cite five or more papers; on a phone they would bury the answer.
      const more = el("details", "kw-more-sources");
      const rest = sources.slice(SOURCES_SHOWN);
      more.append(el("summary", "", `${rest.length} more ${rest.length > 1 ? "sources" : "source"}`),
        sourceList(rest));
      box.appendChild(more);
    }
    parts.push(box);
  }
  if (typeof answer.answer_id === "string") parts.push(feedback(answer.answer_id, ctx));
  const related = Array.isArray(answer.related) ? answer.related : [];
  if (related.length) {
    parts.push(el("p", "kw-related-label", "Related questions"));
    parts.push(replyButtons(related, "kw-related", "Related questions", ctx));
  }
  return parts;
}

function sourceList(sources) {
  const list = el("ul");
  for (const source of sources) {
    const item = el("li");
    item.appendChild(source.url ? link(String(source.citation), source.url) : el("span", "", source.citation));
    list.appendChild(item);
  }
  return list;
}

function replyButtons(buttons, className, label, ctx) {
  const group = el("div", "kw-replies " + className);
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", label);
  for (const button of buttons) {
    if (!button || typeof button.title !== "string" || typeof button.payload !== "string") continue;
    const node = el("button", "kw-reply", button.title);
    node.type = "button";
    node.addEventListener("click", () => ctx.onReply(button.title, button.payload));
    group.appendChild(node);
  }
  return group;
}

function feedback(answerId, ctx) {
  const key = `${ctx.key}:${answerId}`;
  const group = el("div", "kw-feedback");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Was this answer helpful?");
  const question = el("span", "kw-feedback-question", "Was this helpful?");
  question.setAttribute("aria-hidden", "true");
  const up = voteButton("Yes, this answer was helpful", "kw-up");
  const down = voteButton("No, this answer was not helpful", "kw-down");
  const status = el("span", "kw-feedback-status");
  status.setAttribute("role", "status");
  group.append(question, up, down, status);
  const ui = {
    // aria-disabled rather than disabled: the button keeps keyboard focus.
    lock(helpful) {
      for (const [button, value] of [[up, true], [down, false]]) {
        button.setAttribute("aria-disabled", "true");
        button.setAttribute("aria-pressed", String(value === helpful));
      }
    },
    unlock() {
      for (const button of [up, down]) {
        button.removeAttribute("aria-disabled");
        button.setAttribute("aria-pressed", "false");
      }
    },
    say(text) {
      status.textContent = text;
    },
  };
  const vote = (helpful) => {
    if (up.getAttribute("aria-disabled") === "true") return;
    ctx.onVote(answerId, helpful, key, ui);
  };
  up.addEventListener("click", () => vote(true));
  down.addEventListener("click", () => vote(false));
  if (key in ctx.votes) {
    ui.lock(ctx.votes[key]);
    ui.say("Thanks, your feedback was recorded.");
  }
  return group;
}

function voteButton(label, className) {
  const button = el("button", "kw-vote " + className);
  button.type = "button";
  button.setAttribute("aria-label", label);
  button.setAttribute("aria-pressed", "false");
  button.appendChild(icon(THUMB));
  return button;
}

function crisisPanel(text, custom) {
  // role="alert": a screen reader announces this at once, not after queued messages.
  const panel = el("div", "kw-msg kw-crisis");
  panel.setAttribute("role", "alert");
  panel.append(speaker("Assistant"), el("p", "kw-crisis-title", "Help is available right now"),
    el("p", "kw-text", text));
  const given = Array.isArray(custom.links) ? custom.links.filter((l) => l && l.label && l.href) : [];
  const list = el("ul", "kw-crisis-links");
  for (const item of given.length ? given : CRISIS_LINKS) {
    const li = el("li");
    li.appendChild(link(String(item.label), item.href, "kw-crisis-link"));
    list.appendChild(li);
  }
  panel.appendChild(list);
  return panel;
}

// A staff member's words in a live chat: plain text like every message, with
// who wrote it. If they answered a crisis message, the crisis links stay under it.
function staffMessage(text, custom) {
  const name = typeof custom.staff_name === "string" ? custom.staff_name : "Staff";
  const role = typeof custom.staff_role === "string" ? custom.staff_role : "";
  const node = el("div", "kw-msg kw-bot kw-staff");
  node.append(el("span", "kw-sr", `${name}, clinic staff: `));
  const label = el("p", "kw-staff-name", role ? `${name}, ${role.replace(/^the /, "")}` : name);
  label.setAttribute("aria-hidden", "true");
  node.append(label, el("p", "kw-text", text));
  if (typeof custom.crisis_resources === "string" && custom.crisis_resources) {
    const footer = el("p", "kw-crisis-footer", custom.crisis_resources + " ");
    footer.append(link("Call 988", "tel:988"), " ", link("Text 988", "sms:988"), " ",
      link("Call 911", "tel:911"));
    node.appendChild(footer);
  }
  return node;
}
