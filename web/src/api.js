// The REST transport: each turn is one POST that any replica can answer.
const TIMEOUT_MS = 30000;
// When a turn cannot reach a replica (the network, or the proxy's 502/503/504:
// a replica died or restarts), it is sent again after these pauses, with the
// same message id and `retry: true`: the server sends the replies of a turn
// it already processed instead of processing it twice (bot/web/dedup.py).
const RETRY_DELAYS_MS = [300, 1000, 2500];
const RETRYABLE_STATUS = new Set([502, 503, 504]);

export class ChatError extends Error {
  // `detail` is the server's own sentence for the visitor, when it sent one.
  constructor(detail, retryable = false) {
    super(detail || "unreachable");
    this.detail = detail || "";
    this.retryable = retryable;
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
    if (!response.ok) {
      throw new ChatError(await errorSentence(response), RETRYABLE_STATUS.has(response.status));
    }
    return response.status === 204 ? null : await response.json();
  } catch (error) {
    if (error instanceof ChatError) throw error;
    // A turn that timed out is not sent again: the visitor would wait four
    // timeouts for the error, and its crisis line. Only quick failures (no
    // connection, a proxy's 502/503/504) are retried.
    throw new ChatError("", error.name !== "AbortError");
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

export function newMessageId() {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return "m-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function sendMessage(server, sender, message) {
  const messageId = newMessageId();
  for (let attempt = 0; ; attempt += 1) {
    try {
      const replies = await post(`${server}/widget/webhook`,
        { sender, message, message_id: messageId, retry: attempt > 0 });
      if (!Array.isArray(replies)) throw new ChatError("");
      return replies.filter((reply) => reply && typeof reply === "object");
    } catch (error) {
      if (!error.retryable || attempt >= RETRY_DELAYS_MS.length) throw error;
      await pause(RETRY_DELAYS_MS[attempt]);
    }
  }
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
