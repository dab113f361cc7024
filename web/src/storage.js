// The conversation, kept for this browser tab only. sessionStorage (never
// localStorage) on a health site: it is gone when the tab closes, so the next
// person on a shared computer does not see it.
const KEY = "clinic-chat-widget";

export function newSender() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return "visitor-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function emptyState() {
  return { sender: newSender(), open: false, entries: [], votes: {} };
}

export function loadState() {
  try {
    const state = JSON.parse(sessionStorage.getItem(KEY) || "null");
    if (state && typeof state.sender === "string" && Array.isArray(state.entries)) {
      const votes = state.votes && typeof state.votes === "object" ? state.votes : {};
      return { ...state, open: Boolean(state.open), votes };
    }
  } catch (_) {
    // Unreadable or blocked storage: start a fresh conversation.
  }
  return emptyState();
}

export function saveState(state) {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(state));
  } catch (_) {
    // Storage full or blocked (some private modes): the chat still works,
    // it just does not survive a reload.
  }
}
