// The REST transport: each turn is one POST that any replica can answer.
const TIMEOUT_MS = 30000;

export class ChatError extends Error {
  // `detail` is the server's own sentence for the visitor, when it sent one.
  constructor(detail) {
    super(detail || "unreachable");
    this.detail = detail || "";
  }
}

async function post(url, body, timeoutMs = TIMEOUT_MS) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      credentials: "omit",
      signal: controller.signal,
    });
    if (!response.ok) throw new ChatError(await errorSentence(response));
    return response.status === 204 ? null : await response.json();
  } catch (error) {
    throw error instanceof ChatError ? error : new ChatError("");
  } finally {
    clearTimeout(timer);
  }
}

async function errorSentence(response) {
  try {
    const body = await response.json();
    if (body && typeof body.error === "string") return body.error.slice(0, 300);
  } catch (_) {
    // Not JSON (a proxy's error page, say): fall back to the generic message.
  }
  return "";
}

export async function sendMessage(server, sender, message) {
  const replies = await post(`${server}/widget/webhook`, { sender, message });
  if (!Array.isArray(replies)) throw new ChatError("");
  return replies.filter((reply) => reply && typeof reply === "object");
}

export function sendFeedback(server, sender, answerId, helpful) {
  return post(`${server}/widget/feedback`, { sender, answer_id: answerId, helpful });
}

// A live chat with staff: a long poll that any replica answers (the server
// holds it up to 20 s, returning as soon as there is a message).
const LIVE_TIMEOUT_MS = 35000;

export async function pollLive(server, sender, after, typing) {
  const result = await post(`${server}/widget/live`, { sender, after, typing }, LIVE_TIMEOUT_MS);
  if (!result || typeof result !== "object" || !Array.isArray(result.messages)) throw new ChatError("");
  return result;
}
