// The Live page (bot/staff/web/live.py): the waiting list, one chat, the
// availability switch. It polls the console every second; the state lives
// in the database, so any console worker answers. Every text is drawn with
// textContent, never as HTML.

import { csrfToken, el } from "./dom.js";

const POLL_MS = 1000;
const TYPING_PING_MS = 2000;
const WHO = { visitor: "Visitor", assistant: "Assistant", notice: "Assistant", staff: "Staff" };

const root = document.getElementById("live");


async function call(url, body) {
  const options = body === undefined
    ? { credentials: "same-origin" }
    : {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body),
    };
  const response = await fetch(url, options);
  let data = null;
  try {
    data = await response.json();
  } catch (_) {
    data = null;
  }
  if (!response.ok) {
    const error = new Error((data && data.error) || `The console answered ${response.status}.`);
    error.status = response.status;
    throw error;
  }
  return data;
}

// A short beep for a new waiting visitor; no sound file, nothing to load.
let audio = null;
function beep() {
  try {
    audio = audio || new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.value = 0.1;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.25);
  } catch (_) {
    // No audio in this browser: the title-bar count still shows it.
  }
}

function start() {
  const ui = {
    available: document.getElementById("live-available"),
    status: document.getElementById("live-status"),
    list: document.getElementById("live-list"),
    empty: document.getElementById("live-empty"),
    chat: document.getElementById("live-chat"),
    title: document.getElementById("live-chat-title"),
    owner: document.getElementById("live-owner"),
    alert: document.getElementById("live-alert"),
    transcript: document.getElementById("live-transcript"),
    join: document.getElementById("live-join"),
    takeover: document.getElementById("live-takeover"),
    handback: document.getElementById("live-handback"),
    form: document.getElementById("live-form"),
    text: document.getElementById("live-text"),
    error: document.getElementById("live-error"),
  };
  const baseTitle = document.title;
  const seenWaiting = new Set();
  let firstBoard = true;
  let current = null; // { id, after }
  let lastTypingPing = 0;

  function showError(message) {
    ui.error.textContent = message || "";
    ui.error.hidden = !message;
  }

  function turn(who, name, text, at) {
    const item = el("li", `turn turn-${who}`);
    const label = who === "staff" && name ? `${name} (staff)` : WHO[who] || who;
    item.append(el("span", "who", label), " ", el("span", "muted small", (at || "").slice(11, 16)),
      el("p", "", text));
    return item;
  }

  // Bumped by each flip of the switch: a board answer asked for before the
  // flip must not flip it back.
  let switchVersion = 0;

  function drawBoard(data, version) {
    if (version === switchVersion) {
      ui.available.checked = Boolean(data.available);
      ui.status.textContent = data.available ? "Visitors can be offered a chat with you." : "You are not offered to visitors.";
    }
    ui.list.textContent = "";
    for (const chat of data.chats) {
      const item = el("li", "live-item" + (chat.urgent ? " urgent" : ""));
      const button = el("button", "live-open");
      button.type = "button";
      button.dataset.chat = String(chat.id);
      const what = chat.state === "waiting"
        ? `Waiting ${Math.floor(chat.waiting_seconds / 60)} min ${chat.waiting_seconds % 60} s`
        : `With ${chat.owner}`;
      button.textContent = `Visitor ${chat.id}: ${what}`;
      button.addEventListener("click", () => openChat(chat.id));
      if (chat.urgent) item.append(el("span", "badge urgent", "Urgent"), " ");
      if (chat.crisis_due) item.append(el("span", "badge urgent", "Crisis message unanswered"), " ");
      item.appendChild(button);
      ui.list.appendChild(item);
      if (chat.state === "waiting" && !seenWaiting.has(chat.id)) {
        seenWaiting.add(chat.id);
        if (!firstBoard) beep();
      }
    }
    ui.empty.hidden = data.chats.length > 0;
    document.title = data.waiting ? `(${data.waiting}) ${baseTitle}` : baseTitle;
    firstBoard = false;
  }

  async function refreshBoard() {
    const version = switchVersion;
    try {
      drawBoard(await call(root.dataset.api), version);
    } catch (error) {
      ui.status.textContent = "The console cannot be reached. Check that you are still signed in.";
    }
  }

  function openChat(id) {
    current = { id, after: 0 };
    ui.transcript.textContent = "";
    ui.alert.textContent = "";
    ui.chat.hidden = false;
    ui.title.textContent = `Visitor ${id}`;
    showError("");
    refreshChat();
  }

  function drawChat(data) {
    const chat = data.chat;
    if (Array.isArray(data.before)) {
      for (const t of data.before) ui.transcript.appendChild(turn(t.who, "", t.text, t.at));
    }
    for (const m of data.messages) {
      if (m.id <= current.after) continue;
      ui.transcript.appendChild(turn(m.who, m.name, m.text, m.at));
      current.after = Math.max(current.after, m.id);
    }
    if (data.messages.length) ui.transcript.lastElementChild.scrollIntoView({ block: "nearest" });
    const states = { waiting: "Waiting for someone to join.", live: `In the chat: ${chat.owner}${data.mine ? " (you)" : ""}.`,
      ended: "Handed back to the assistant.", unanswered: "Nobody joined in time; the callback was offered." };
    ui.owner.textContent = states[chat.state] || chat.state;
    if (chat.crisis_due) {
      ui.alert.textContent = "Crisis message: the visitor may be in danger. Answer now. If you do not, "
        + "the assistant sends the crisis resources (988, 911) in a few seconds.";
    } else if (chat.crisis_alert) {
      ui.alert.textContent = "This visitor wrote about being in danger. The crisis resources (988, 911) were given.";
    } else {
      ui.alert.textContent = "";
    }
    ui.join.hidden = chat.state !== "waiting";
    ui.takeover.hidden = !(chat.state === "live" && !data.mine);
    ui.handback.hidden = !(chat.state === "live" && data.mine);
    ui.form.hidden = !(chat.state === "live" && data.mine);
  }

  // One request at a time: two overlapping ones would draw the same messages twice.
  let loading = false;
  async function refreshChat() {
    if (!current || loading) return;
    const mine = current;
    loading = true;
    try {
      const data = await call(`${root.dataset.chat}${mine.id}?after=${mine.after}`);
      if (mine === current) drawChat(data);
    } catch (error) {
      showError(error.message);
    } finally {
      loading = false;
    }
  }

  async function act(path, body) {
    if (!current) return null;
    showError("");
    try {
      const result = await call(`${root.dataset.chat}${current.id}/${path}`, body || {});
      await refreshChat();
      return result;
    } catch (error) {
      showError(error.message);
      return null;
    }
  }

  ui.available.addEventListener("change", async () => {
    switchVersion += 1;
    ui.status.textContent = "Saving ...";
    try {
      await call(root.dataset.availability, { available: ui.available.checked });
    } catch (error) {
      showError(error.message);
    }
    switchVersion += 1; // boards asked for while saving are stale too
    refreshBoard();
  });
  ui.join.addEventListener("click", () => act("join"));
  ui.takeover.addEventListener("click", () => act("takeover"));
  ui.handback.addEventListener("click", () => act("handback"));
  ui.form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = ui.text.value.trim();
    if (!text) return;
    const sent = await act("message", { text });
    if (sent) {
      ui.text.value = "";
      lastTypingPing = 0; // sending ends "typing"; the next keystroke starts it again
    }
  });
  ui.text.addEventListener("input", () => {
    const now = Date.now();
    if (current && now - lastTypingPing > TYPING_PING_MS) {
      lastTypingPing = now;
      call(`${root.dataset.chat}${current.id}/typing`, {}).catch(() => {});
    }
  });

  refreshBoard();
  setInterval(() => { refreshBoard(); refreshChat(); }, POLL_MS);
}

if (root) start();
