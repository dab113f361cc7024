// The clinic chat widget: one <script> tag adds a launcher and a chat panel.
//   <script src="https://bot.clinic.example/widget/static/widget.js"
//           data-server="https://bot.clinic.example" data-clinic-name="..."
//           data-clinic-phone="..." data-primary-color="#1f5f63" defer></script>
import { pollLive, sendFeedback, sendMessage } from "./api.js";
import { readConfig, themeProperties } from "./config.js";
import { link, phoneHref } from "./links.js";
import { botMessage, el, icon, visitorMessage } from "./render.js";
import { emptyState, loadState, saveState } from "./storage.js";

const CHAT_ICON = "M20 2H4a2 2 0 0 0-2 2v18l4-4h14a2 2 0 0 0 2-2V4a2 2 0 0 0-2-2z";
const CLOSE_ICON =
  "M19 6.41 17.59 5 12 10.59 6.41 5 5 6.41 10.59 12 5 17.59 6.41 19 12 13.41 17.59 19 19 17.59 13.41 12z";

// Only readable while this script first runs, so it is taken right away.
const SCRIPT = document.currentScript || document.querySelector('script[src*="widget.js"]');

function buildUi(config) {
  // A labelled landmark, so the widget is easy to find with a screen reader.
  const root = el("aside", "kw-root");
  root.setAttribute("aria-label", "Chat assistant");
  root.hidden = true; // shown once widget.css has loaded: no flash of unstyled panel
  for (const [name, value] of Object.entries(themeProperties(config.primary))) {
    root.style.setProperty(name, value); // CSSOM, which a strict CSP allows
  }

  const launcher = el("button", "kw-launcher");
  launcher.type = "button";
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "kw-panel");
  launcher.append(icon(CHAT_ICON), el("span", "", "Chat with us"));

  const panel = el("section", "kw-panel");
  panel.id = "kw-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-labelledby", "kw-title");
  panel.setAttribute("aria-describedby", "kw-subtitle");

  const header = el("div", "kw-header");
  const titles = el("div", "kw-titles");
  const title = el("h2", "kw-title", `${config.clinicName} assistant`);
  title.id = "kw-title";
  const subtitle = el("p", "kw-subtitle", "Automated answers. Not medical advice.");
  subtitle.id = "kw-subtitle";
  titles.append(title, subtitle);
  const restart = el("button", "kw-restart", "Start over");
  restart.type = "button";
  const close = el("button", "kw-close");
  close.type = "button";
  close.setAttribute("aria-label", "Close chat");
  close.appendChild(icon(CLOSE_ICON));
  header.append(titles, restart, close);

  const body = el("div", "kw-body");
  const log = el("div", "kw-log");
  log.setAttribute("role", "log");
  log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-label", "Conversation");
  const typing = el("div", "kw-typing");
  typing.setAttribute("role", "status");
  body.append(log, typing);

  // Always in the page (empty when there is no error), so that screen
  // readers announce the text the moment it is put in.
  const error = el("div", "kw-error");
  error.setAttribute("role", "alert");

  const form = el("form", "kw-form");
  form.noValidate = true;
  const label = el("label", "kw-sr", "Type your question");
  label.htmlFor = "kw-input";
  const input = el("input", "kw-input");
  input.id = "kw-input";
  input.type = "text";
  input.autocomplete = "off";
  input.placeholder = "Type your question";
  input.setAttribute("enterkeyhint", "send");
  const send = el("button", "kw-send", "Send");
  send.type = "submit";
  form.append(label, input, send);

  const footnote = el("p", "kw-footnote", "In an emergency, call ");
  footnote.append(link("911", "tel:911"), " or call or text ", link("988", "tel:988"), ".");

  panel.append(header, body, error, form, footnote);
  root.append(panel, launcher);
  return { root, launcher, panel, restart, close, body, log, typing, error, form, input };
}

function start() {
  const config = readConfig(SCRIPT);
  const ui = buildUi(config);
  let state = loadState();
  let busy = false;
  let generation = 0; // bumped by "Start over", so late replies of the old conversation are dropped

  const stylesheet = document.createElement("link");
  stylesheet.rel = "stylesheet";
  stylesheet.href = config.cssUrl;
  const reveal = () => { ui.root.hidden = false; };
  stylesheet.addEventListener("load", reveal);
  stylesheet.addEventListener("error", reveal);
  document.head.appendChild(stylesheet);
  document.body.appendChild(ui.root);

  const handlers = { onReply: reply, onVote: vote };

  function entryNode(entry, index, showReplies) {
    if (entry.who === "visitor") return visitorMessage(entry.text);
    return botMessage(entry.message, { ...handlers, key: index, votes: state.votes, showReplies });
  }

  // Quick replies belong to the latest turn only; older ones would answer
  // questions the conversation has moved past.
  function renderAll() {
    ui.log.textContent = "";
    let lastVisitor = -1;
    state.entries.forEach((entry, i) => { if (entry.who === "visitor") lastVisitor = i; });
    state.entries.forEach((entry, i) => ui.log.appendChild(entryNode(entry, i, i > lastVisitor)));
    scrollToEnd();
  }

  function scrollToEnd() {
    ui.body.scrollTop = ui.body.scrollHeight;
  }

  // Long answers are read from their start, not from their last line.
  function scrollToNode(node) {
    ui.body.scrollTop = Math.max(0, node.offsetTop - 8);
  }

  function setTyping(on, who) {
    ui.typing.textContent = "";
    if (!on) return;
    const dots = el("span", "kw-dots");
    dots.setAttribute("aria-hidden", "true");
    dots.append(el("span", "kw-dot"), el("span", "kw-dot"), el("span", "kw-dot"));
    ui.typing.append(dots, el("span", "kw-sr", `${who || "The assistant"} is typing.`));
    scrollToEnd();
  }

  // --- live chat with staff (bot/web/live.py) ---------------------------------
  // state.live = { after, name } while a chat with staff is open or awaited.
  let polling = false;
  let staffTyping = false;

  function liveIds(replies) {
    return replies.map((r) => (r && r.custom && Number.isInteger(r.custom.live_id) ? r.custom.live_id : 0));
  }

  function noteLive(replies) {
    for (const reply of replies) {
      const custom = (reply && reply.custom) || {};
      if (custom.kind === "live" && custom.live === "waiting" && !state.live) {
        state.live = { after: 0, name: "" };
      }
    }
    if (state.live) state.live.after = Math.max(state.live.after, ...liveIds(replies));
    saveState(state);
    if (state.live) startPolling();
  }

  function showLive(messages) {
    if (!messages.length) return;
    ui.log.querySelectorAll(".kw-quick").forEach((node) => node.remove());
    const first = state.entries.length;
    messages.forEach((m) => state.entries.push({ who: "bot", message: m }));
    const nodes = messages.map((m, i) => ui.log.appendChild(entryNode({ who: "bot", message: m }, first + i, true)));
    scrollToNode(nodes[0]);
  }

  async function startPolling() {
    if (polling) return;
    polling = true;
    const mine = generation;
    let delay = 0;
    while (state.live && mine === generation) {
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      if (!state.live || mine !== generation) break;
      try {
        const result = await pollLive(config.server, state.sender, state.live.after, staffTyping);
        if (mine !== generation || !state.live) break;
        delay = 0;
        const fresh = result.messages.filter((m) => !(m.custom && m.custom.live_id <= state.live.after));
        for (const m of fresh) {
          if (m.custom && m.custom.kind === "live_staff" && m.custom.staff_name) state.live.name = m.custom.staff_name;
        }
        state.live.after = Math.max(state.live.after, ...liveIds(result.messages));
        if (!busy) {
          staffTyping = Boolean(result.typing);
          setTyping(staffTyping, state.live.name || "A staff member");
        }
        showLive(fresh);
        if (result.state !== "waiting" && result.state !== "live") state.live = null;
        saveState(state);
      } catch (_) {
        delay = Math.min((delay || 1000) * 2, 10000); // the chat goes on once the server is back
      }
    }
    if (mine === generation) {
      polling = false;
      staffTyping = false;
      if (!busy) setTyping(false);
    }
  }

  function showError(detail, keptText) {
    ui.error.textContent = "";
    ui.error.appendChild(el("p", "", detail ||
      "Sorry, we can't reach the assistant right now. Please check your connection and try again."));
    const call = el("p");
    const phone = config.clinicPhone && phoneHref(config.clinicPhone);
    if (phone) {
      call.append(`You can also call ${config.clinicName} at `, link(config.clinicPhone, phone), ".");
    } else {
      call.textContent = `You can also contact ${config.clinicName} directly.`;
    }
    if (keptText) call.append(" Your message is still in the box below.");
    ui.error.appendChild(call);
    // Whatever failed, someone in crisis reads where to get help now. The
    // server's own error sentences already carry it; the browser's do not.
    if (!(detail || "").includes("988")) {
      const crisis = el("p", "", "If you are in danger or thinking about suicide, call ");
      crisis.append(link("911", "tel:911"), ", or call or text ", link("988", "tel:988"),
        " (en español: oprima 2, o envíe AYUDA al 988), or text HOME to ",
        link("741741", "sms:741741?body=HOME"), ".");
      ui.error.appendChild(crisis);
    }
  }

  async function sendToBot(message, shown, typed) {
    if (busy || !message.trim()) return;
    busy = true;
    const mine = generation;
    ui.error.textContent = "";
    let pending = null;
    if (shown != null) {
      pending = visitorMessage(shown);
      ui.log.appendChild(pending);
    }
    if (typed) ui.input.value = "";
    setTyping(true);
    try {
      const replies = await sendMessage(config.server, state.sender, message);
      if (mine !== generation) return;
      ui.log.querySelectorAll(".kw-quick").forEach((node) => node.remove());
      if (shown != null) state.entries.push({ who: "visitor", text: shown });
      const first = state.entries.length;
      replies.forEach((reply) => state.entries.push({ who: "bot", message: reply }));
      saveState(state);
      const nodes = replies.map((reply, i) =>
        ui.log.appendChild(entryNode({ who: "bot", message: reply }, first + i, true)));
      setTyping(false);
      if (nodes.length) scrollToNode(nodes[0]);
      noteLive(replies);
    } catch (error) {
      if (mine !== generation) return;
      if (pending) pending.remove();
      // Nothing the visitor typed is lost: it goes back into the box.
      if (typed) ui.input.value = ui.input.value ? `${message} ${ui.input.value}` : message;
      setTyping(false);
      showError(error.detail, typed);
    } finally {
      if (mine === generation) busy = false;
    }
  }

  function reply(title, payload) {
    ui.input.focus(); // the clicked button may be removed with the old quick replies
    sendToBot(payload, title, false);
  }

  async function vote(answerId, helpful, key, feedbackUi) {
    const mine = generation;
    feedbackUi.lock(helpful);
    feedbackUi.say("Sending your feedback.");
    try {
      await sendFeedback(config.server, state.sender, answerId, helpful);
      if (mine !== generation) return;
      state.votes[key] = helpful;
      saveState(state);
      feedbackUi.say("Thanks, your feedback was recorded.");
    } catch (_) {
      feedbackUi.unlock();
      feedbackUi.say("Sorry, your feedback could not be sent. Please try again.");
    }
  }

  function open(moveFocus) {
    ui.panel.hidden = false;
    ui.root.classList.add("kw-is-open");
    ui.launcher.setAttribute("aria-expanded", "true");
    state.open = true;
    saveState(state);
    scrollToEnd();
    if (moveFocus) ui.input.focus();
    if (!state.entries.length) sendToBot("/greet", null, false);
  }

  function close() {
    ui.panel.hidden = true;
    ui.root.classList.remove("kw-is-open");
    ui.launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    saveState(state);
    ui.launcher.focus();
  }

  function startOver() {
    generation += 1;
    busy = false;
    polling = false;
    staffTyping = false;
    setTyping(false);
    state = { ...emptyState(), open: true }; // a new sender id: the old conversation ends
    saveState(state);
    ui.log.textContent = "";
    ui.error.textContent = "";
    ui.input.focus();
    sendToBot("/greet", null, false);
  }

  ui.launcher.addEventListener("click", () => (ui.panel.hidden ? open(true) : close()));
  ui.close.addEventListener("click", close);
  ui.restart.addEventListener("click", startOver);
  ui.root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !ui.panel.hidden) {
      event.preventDefault();
      close();
    }
  });
  ui.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = ui.input.value;
    if (text.trim()) sendToBot(text, text, true);
  });

  renderAll();
  // After a reload the panel comes back as it was, without taking focus.
  if (state.open) open(false);
  if (state.live) startPolling();
}

if (!window.__clinicChatWidget) {
  window.__clinicChatWidget = true;
  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);
}
